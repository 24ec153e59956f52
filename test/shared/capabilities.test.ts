import { assertCapabilities, checkCapabilities, type CapabilityInput } from '../../shared/capabilities';
import { CLOUD_NAMES, type CloudName } from '../../shared/clouds';
import { parsePartnershipRequest } from '../../shared/partnership';

const basic = (extra: Record<string, unknown> = {}): CapabilityInput =>
  parsePartnershipRequest({
    partnerTenantId: '9b1c6e0e-1b5a-4f8e-9a7e-2a7b3c4d5e6f',
    partnerCloud: 'Global',
    partnerDeploymentUrl: 'https://partner.example',
    b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
    teams: { federation: true, guestAccess: true },
    ...extra,
  });

const codes = (local: CloudName, partner: CloudName, input: CapabilityInput): string[] =>
  checkCapabilities(local, partner, input)
    .map((violation) => violation.code)
    .sort();

// Expected violations for every (local, partner) pair, read straight from design §3.
// Columns: partner Global, USGov, USGovDoD, China. "-" = none.
type Row = [CloudName, string, string, string, string];
const table = (rows: Row[]): [CloudName, CloudName, string[]][] =>
  rows.flatMap(([local, ...cells]) =>
    cells.map((cell, index): [CloudName, CloudName, string[]] => [local, CLOUD_NAMES[index], cell === '-' ? [] : cell.split(' ').sort()]),
  );

describe('checkCapabilities over every pair of clouds', () => {
  it.each(
    table([
      ['Global', '-', '-', '-', '-'],
      ['USGov', '-', '-', '-', 'clouds.usgov-china'],
      ['USGovDoD', '-', '-', '-', 'clouds.usgov-china'],
      ['China', '-', 'clouds.usgov-china', 'clouds.usgov-china', '-'],
    ]),
  )('B2B collaboration + Teams: %s → %s refuses %j', (local, partner, expected) => {
    expect(codes(local, partner, basic())).toEqual(expected);
  });

  const directConnect = basic({ b2bDirectConnect: { inbound: { users: 'all' } } });
  it.each(
    table([
      ['Global', '-', 'b2b-direct-connect.cross-cloud', 'b2b-direct-connect.cross-cloud', 'b2b-direct-connect.cross-cloud'],
      ['USGov', 'b2b-direct-connect.cross-cloud', '-', '-', 'b2b-direct-connect.cross-cloud clouds.usgov-china'],
      ['USGovDoD', 'b2b-direct-connect.cross-cloud', '-', '-', 'b2b-direct-connect.cross-cloud clouds.usgov-china'],
      ['China', 'b2b-direct-connect.cross-cloud', 'b2b-direct-connect.cross-cloud clouds.usgov-china', 'b2b-direct-connect.cross-cloud clouds.usgov-china', '-'],
    ]),
  )('B2B direct connect: %s → %s refuses %j', (local, partner, expected) => {
    expect(codes(local, partner, directConnect)).toEqual(expected);
  });

  it.each(
    table([
      ['Global', '-', '-', '-', 'sync.direction-not-allowed'],
      ['USGov', '-', '-', '-', 'clouds.usgov-china'],
      ['USGovDoD', '-', '-', '-', 'clouds.usgov-china'],
      ['China', 'sync.china-unsupported', 'clouds.usgov-china', 'clouds.usgov-china', 'sync.china-unsupported'],
    ]),
  )('cross-tenant sync inbound: %s ← %s refuses %j', (local, partner, expected) => {
    expect(codes(local, partner, basic({ crossTenantSync: { direction: 'inbound' } }))).toEqual(expected);
  });

  it.each(
    table([
      ['Global', '-', '-', '-', '-'],
      ['USGov', '-', '-', '-', 'clouds.usgov-china'],
      ['USGovDoD', '-', '-', '-', 'clouds.usgov-china'],
      ['China', 'sync.china-unsupported sync.direction-not-allowed', 'clouds.usgov-china', 'clouds.usgov-china', 'sync.china-unsupported'],
    ]),
  )('cross-tenant sync outbound: %s → %s refuses %j', (local, partner, expected) => {
    expect(codes(local, partner, basic({ crossTenantSync: { direction: 'outbound' } }))).toEqual(expected);
  });

  const acs = basic({ teams: { acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] } } });
  it.each(
    table([
      ['Global', '-', '-', '-', '-'],
      ['USGov', 'acs.usgov-not-available', 'acs.usgov-not-available', 'acs.usgov-not-available', 'acs.usgov-not-available clouds.usgov-china'],
      ['USGovDoD', 'acs.usgov-not-available', 'acs.usgov-not-available', 'acs.usgov-not-available', 'acs.usgov-not-available clouds.usgov-china'],
      ['China', 'acs.china-not-available', 'acs.china-not-available clouds.usgov-china', 'acs.china-not-available clouds.usgov-china', 'acs.china-not-available'],
    ]),
  )('ACS interop: %s with %s refuses %j', (local, partner, expected) => {
    expect(codes(local, partner, acs)).toEqual(expected);
  });

  const byDomain: CapabilityInput = { ...basic(), partnerDomain: 'partner.example' };
  it.each(
    table([
      ['Global', '-', 'partner.domain-across-clouds', 'partner.domain-across-clouds', 'partner.domain-across-clouds'],
      ['USGov', 'partner.domain-across-clouds', '-', '-', 'clouds.usgov-china partner.domain-across-clouds'],
      ['USGovDoD', 'partner.domain-across-clouds', '-', '-', 'clouds.usgov-china partner.domain-across-clouds'],
      ['China', 'partner.domain-across-clouds', 'clouds.usgov-china partner.domain-across-clouds', 'clouds.usgov-china partner.domain-across-clouds', '-'],
    ]),
  )('partner named by domain: %s with %s refuses %j', (local, partner, expected) => {
    expect(codes(local, partner, byDomain)).toEqual(expected);
  });

  const meetings = basic({ teams: { crossCloudMeetings: { inbound: true, outbound: true } } });
  it.each(
    table([
      ['Global', 'teams.cross-cloud-meetings-same-cloud', '-', '-', '-'],
      ['USGov', '-', 'teams.cross-cloud-meetings-same-cloud', 'teams.cross-cloud-meetings-same-cloud', 'clouds.usgov-china'],
      ['USGovDoD', '-', 'teams.cross-cloud-meetings-same-cloud', 'teams.cross-cloud-meetings-same-cloud', 'clouds.usgov-china'],
      ['China', '-', 'clouds.usgov-china', 'clouds.usgov-china', 'teams.cross-cloud-meetings-same-cloud'],
    ]),
  )('cross-cloud meetings: %s with %s refuses %j', (local, partner, expected) => {
    expect(codes(local, partner, meetings)).toEqual(expected);
  });
});

describe('violations', () => {
  it('are all returned at once, each with a field and an admin sentence', () => {
    const input: CapabilityInput = {
      ...basic({
        b2bDirectConnect: { outbound: { users: 'all' } },
        crossTenantSync: { direction: 'both' },
        teams: { acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] } },
      }),
      partnerDomain: 'partner.example',
    };
    const violations = checkCapabilities('USGov', 'China', input);
    expect(violations.map((v) => v.code).sort()).toEqual(
      ['acs.usgov-not-available', 'b2b-direct-connect.cross-cloud', 'clouds.usgov-china', 'partner.domain-across-clouds'].sort(),
    );
    for (const violation of violations) {
      expect(violation.field).toBeTruthy();
      expect(violation.message.length).toBeGreaterThan(40);
    }
    expect(violations.find((v) => v.code === 'clouds.usgov-china')!.message).toMatch(/US Government and China/);
  });

  it('assertCapabilities throws one capability.violation (422) listing them', () => {
    expect(() => assertCapabilities('USGov', 'China', basic())).toThrow(
      expect.objectContaining({ code: 'capability.violation', status: 422, details: { violations: [expect.objectContaining({ code: 'clouds.usgov-china' })] } }),
    );
    expect(() => assertCapabilities('Global', 'China', basic())).not.toThrow();
  });
});
