// The domain of offboarding on its own: the request an admin sends (body or query), from which
// statuses a partnership can be offboarded, what the partner is told, what stays and why, and the
// permission guest deletion needs.
import {
  assertCanDeleteGuests,
  canOffboard,
  describeOwnedItem,
  isBeingRemoved,
  keptItems,
  offboardingInstanceId,
  offboardingSettled,
  parseOffboardingRequest,
  partnerMessageFor,
} from '../../shared/offboarding';
import type { OwnedItem } from '../../shared/ownership';
import { PARTNERSHIP_STATUSES, TERMINAL_STATUSES } from '../../shared/partnership';
import type { PlanWarning } from '../../shared/plan';

describe('parseOffboardingRequest', () => {
  it('keeps the guests by default and takes no reason', () => {
    expect(parseOffboardingRequest(undefined)).toEqual({ deleteGuests: false });
    expect(parseOffboardingRequest({})).toEqual({ deleteGuests: false });
  });

  it('takes the options from the JSON body or from the query, trimmed', () => {
    expect(parseOffboardingRequest({ deleteGuests: true, reason: '  The project ended.  ' })).toEqual({ deleteGuests: true, reason: 'The project ended.' });
    expect(parseOffboardingRequest(undefined, { deleteGuests: 'TRUE', reason: 'merger undone' })).toEqual({ deleteGuests: true, reason: 'merger undone' });
    expect(parseOffboardingRequest(undefined, { deleteGuests: 'false' })).toEqual({ deleteGuests: false });
    // The same value in both places is fine.
    expect(parseOffboardingRequest({ deleteGuests: true }, { deleteGuests: 'true' })).toEqual({ deleteGuests: true });
  });

  it.each([
    ['a body that is not an object', ['yes', {}], '(body)'],
    ['a body that is an array', [[], {}], '(body)'],
    ['deleteGuests not a boolean', [{ deleteGuests: 'yes' }, {}], 'deleteGuests'],
    ['deleteGuests in the query not true/false', [undefined, { deleteGuests: 'maybe' }], 'deleteGuests'],
    ['an empty reason', [{ reason: '   ' }, {}], 'reason'],
    ['a reason too long', [{ reason: 'x'.repeat(1001) }, {}], 'reason'],
    ['an unknown field', [{ deleteUsers: true }, {}], 'deleteUsers'],
    ['an unknown query parameter', [undefined, { force: 'true' }], 'force'],
    ['a field given twice with different values', [{ deleteGuests: false }, { deleteGuests: 'true' }], 'deleteGuests'],
  ] as const)('refuses %s, naming the field', (_name, [body, query], field) => {
    let error: unknown;
    try {
      parseOffboardingRequest(body, query as Record<string, string>);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'request.invalid', status: 400, details: { issues: expect.arrayContaining([expect.objectContaining({ field })]) } });
  });
});

describe('which partnerships can be offboarded', () => {
  it('every status that is not final, and Failed; never one already offboarding or ended', () => {
    const offboardable = PARTNERSHIP_STATUSES.filter(canOffboard);
    expect(offboardable).toEqual(['Draft', 'ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active', 'Failed']);
    for (const status of offboardable) expect(offboardingSettled(status)).toBe(false);
    // Asked again while it runs or after it ended: answered as it is.
    expect(PARTNERSHIP_STATUSES.filter(offboardingSettled)).toEqual(['Rejected', 'Expired', 'RolledBack', 'Offboarding', 'Removed']);
    expect([...TERMINAL_STATUSES, 'Offboarding'].sort()).toEqual(PARTNERSHIP_STATUSES.filter(offboardingSettled).sort());
  });

  it('nothing more is configured for a partnership being removed or removed', () => {
    expect(PARTNERSHIP_STATUSES.filter(isBeingRemoved)).toEqual(['Offboarding', 'Removed']);
  });

  it('tells the partner with an offboard message, a rejection (an invitation never approved), or not at all (it never heard of it)', () => {
    expect(partnerMessageFor('initiator', 'Active', true)).toBe('offboard');
    expect(partnerMessageFor('initiator', 'AwaitingPartner', true)).toBe('offboard');
    expect(partnerMessageFor('initiator', 'ConfiguringLocal', false)).toBe('none');
    expect(partnerMessageFor('responder', 'Draft', false)).toBe('rejection');
    expect(partnerMessageFor('responder', 'Active', false)).toBe('offboard');
    expect(partnerMessageFor('responder', 'Failed', false)).toBe('offboard');
  });

  it('gives each offboarding attempt its own workflow instance, apart from the onboarding (the partnership id)', () => {
    expect(offboardingInstanceId('p-1', 1)).toBe('p-1-offboard-1');
    expect(offboardingInstanceId('p-1', 2)).not.toBe(offboardingInstanceId('p-1', 1));
  });
});

describe('what stays in the tenant', () => {
  const endpoint: OwnedItem = { kind: 'cloudEndpoint', value: 'microsoftonline.com' };
  const guest: OwnedItem = { kind: 'guest', upn: 'li.wei@woodgrove.cn', userId: 'u1' };
  const lobby: OwnedItem = { kind: 'teamsSetting', configurationType: 'TeamsMeetingPolicy', property: 'AutoAdmittedUsers', previous: 'Everyone' };

  it('lists hand-overs, guests kept and what an admin changed, each with why', () => {
    const warnings: PlanWarning[] = [
      { code: 'guests.left-in-place', partnershipIds: ['p'], message: 'guests stay', items: [guest] },
      { code: 'ownership.changed-by-admin', partnershipIds: ['p'], message: 'changed', items: [lobby] },
      // A warning about no item in particular lists nothing.
      { code: 'teams.federation-closed', partnershipIds: ['p'], message: 'federation closed' },
    ];
    expect(keptItems({ handOvers: [{ item: endpoint, fromPartnershipId: 'p', toPartnershipId: 'q' }], warnings })).toEqual([
      { item: endpoint, description: 'cloud endpoint microsoftonline.com', why: 'still needed by partnership q' },
      { item: guest, description: 'guest li.wei@woodgrove.cn', why: 'invited guests are kept unless guest deletion is asked (it needs User.ReadWrite.All)' },
      { item: lobby, description: 'Teams TeamsMeetingPolicy.AutoAdmittedUsers', why: 'an administrator changed it since the product set it' },
    ]);
  });

  it('describes every kind of owned item', () => {
    const items: OwnedItem[] = [
      endpoint,
      { kind: 'partner', tenantId: 't' },
      { kind: 'partnerSetting', tenantId: 't', setting: 'b2bCollaborationInbound', previous: null },
      { kind: 'identitySync', tenantId: 't', previous: null },
      lobby,
      { kind: 'teamsListEntry', configurationType: 'TenantFederationSettings', property: 'AllowedDomains', value: 'contoso.com' },
      { kind: 'crossCloudMeetingPartner', tenantId: 't', previous: null },
      guest,
      { kind: 'syncConfiguration', targetTenantId: 't' },
    ];
    expect(items.map(describeOwnedItem)).toEqual([
      'cloud endpoint microsoftonline.com',
      'partner organisation t',
      'setting b2bCollaborationInbound of partner organisation t',
      'identity synchronisation settings of partner t',
      'Teams TeamsMeetingPolicy.AutoAdmittedUsers',
      'contoso.com in Teams TenantFederationSettings.AllowedDomains',
      'cross-cloud meeting connection with t',
      'guest li.wei@woodgrove.cn',
      'cross-tenant synchronisation to t',
    ]);
  });
});

describe('guest deletion needs User.ReadWrite.All', () => {
  it('passes with it (or Directory.ReadWrite.All), refuses without it naming the permission', () => {
    expect(() => assertCanDeleteGuests(['Policy.Read.All', 'User.ReadWrite.All'])).not.toThrow();
    expect(() => assertCanDeleteGuests(['Directory.ReadWrite.All'])).not.toThrow();
    expect(() => assertCanDeleteGuests(['User.Invite.All', 'User.Read.All'])).toThrow(
      expect.objectContaining({ code: 'tenant.permission-denied', status: 403, message: expect.stringContaining('User.ReadWrite.All'), details: { permission: 'User.ReadWrite.All' } }),
    );
  });
});
