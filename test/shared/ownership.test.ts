import { mergeOwnership, ownedItemKey, ownershipAfter, partnershipsInChange, releaseOwnership, type OwnedItem } from '../../shared/ownership';

const endpoint: OwnedItem = { kind: 'cloudEndpoint', value: 'partner.microsoftonline.cn' };
const guest: OwnedItem = { kind: 'guest', upn: 'bob@woodgrove.cn' };

describe('ownership', () => {
  it('keeps the first record of an item (its previous value is what the tenant had before the product)', () => {
    const first: OwnedItem = { kind: 'teamsSetting', configurationType: 'TeamsClientConfiguration', property: 'AllowGuestUser', previous: false };
    const later: OwnedItem = { ...first, previous: true };
    expect(mergeOwnership([first], [later])).toEqual([first]);
  });

  it('learns a guest’s user id', () => {
    expect(mergeOwnership([guest], [{ ...guest, userId: 'u1' }])).toEqual([{ ...guest, userId: 'u1' }]);
  });

  it('keys items case-insensitively', () => {
    expect(ownedItemKey({ kind: 'partner', tenantId: 'ABC' })).toBe(ownedItemKey({ kind: 'partner', tenantId: 'abc' }));
    expect(releaseOwnership([endpoint, guest], [{ ...endpoint, value: 'PARTNER.microsoftonline.cn' }])).toEqual([guest]);
  });

  it('applies claims, releases and hand-overs to each partnership’s record', () => {
    const change = {
      claims: [{ partnershipId: 'a', item: guest }],
      releases: [{ partnershipId: 'b', item: guest }],
      handOvers: [{ item: endpoint, fromPartnershipId: 'b', toPartnershipId: 'a' }],
    };
    expect(partnershipsInChange(change).sort()).toEqual(['a', 'b']);
    expect(ownershipAfter([], 'a', change)).toEqual([guest, endpoint]);
    expect(ownershipAfter([guest, endpoint], 'b', change)).toEqual([]);
  });
});
