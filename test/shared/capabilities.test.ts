import fc from 'fast-check';
import {
  assertCapabilities,
  CAPABILITY_KEYS,
  checkCapabilities,
  evaluateCapabilities,
  RULES,
  VIOLATION_CODES,
  type CapabilityInput,
  type CapabilityKey,
} from '../../shared/capabilities';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/clouds';
import { mirrorForPartner, parseDesiredCollaboration, parsePartnershipRequest } from '../../shared/partnership';
import { preflight } from '../../shared/preflight';

const PARTNER_ID = '9b1c6e0e-1b5a-4f8e-9a7e-2a7b3c4d5e6f';

const request = (extra: Record<string, unknown> = {}): CapabilityInput =>
  parsePartnershipRequest({
    partnerTenantId: PARTNER_ID,
    partnerCloud: 'Global',
    partnerDeploymentUrl: 'https://partner.example',
    b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
    ...extra,
  });

// The expected verdict of every capability for every (local, partner) pair when everything is
// asked: one matrix per capability, rows = this tenant, columns = the partner, both in the order
// Global, GCC, GCCHigh, DoD, China. "ok" = allowed; otherwise the code of the refusing rule.
// Abbreviations keep the matrices readable.
const A: Record<string, string> = {
  ok: 'ok',
  UC: 'clouds.usgov-china',
  DC: 'b2b-direct-connect.cross-cloud',
  SD: 'sync.direction-not-allowed',
  SC: 'sync.china-unsupported',
  CM: 'teams.cross-cloud-meetings-same-cloud',
  AG: 'acs.gcc-not-available',
  AU: 'acs.usgov-not-available',
  AC: 'acs.china-not-available',
  M3: 'm365.global-service-only',
  PD: 'partner.domain-across-clouds',
};
const matrix = (rows: string): string[][] =>
  rows
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map((cell) => A[cell]));

const EXPECTED: Record<CapabilityKey, string[][]> = {
  b2bCollaboration: matrix(`
    ok ok ok ok ok
    ok ok ok ok ok
    ok ok ok ok UC
    ok ok ok ok UC
    ok ok UC UC ok`),
  b2bDirectConnect: matrix(`
    ok ok DC DC DC
    ok ok DC DC DC
    DC DC ok ok UC
    DC DC ok ok UC
    DC DC UC UC ok`),
  teamsFederation: matrix(`
    ok ok ok ok ok
    ok ok ok ok ok
    ok ok ok ok UC
    ok ok ok ok UC
    ok ok UC UC ok`),
  // Microsoft's table of cross-cloud meeting pairs: every pair of different environments but Azure Government ↔ China.
  crossCloudMeetings: matrix(`
    CM ok ok ok ok
    ok CM ok ok ok
    ok ok CM ok UC
    ok ok ok CM UC
    ok ok UC UC CM`),
  guestAccess: matrix(`
    ok ok ok ok ok
    ok ok ok ok ok
    ok ok ok ok UC
    ok ok ok ok UC
    ok ok UC UC ok`),
  guestTeams: matrix(`
    ok ok ok ok ok
    ok ok ok ok ok
    ok ok ok ok UC
    ok ok ok ok UC
    ok ok UC UC ok`),
  anonymousJoin: matrix(`
    ok ok ok ok ok
    ok ok ok ok ok
    ok ok ok ok ok
    ok ok ok ok ok
    ok ok ok ok ok`),
  // ACS interop is one tenant's own Teams: only this tenant's environment counts.
  acsInterop: matrix(`
    ok ok ok ok ok
    AG AG AG AG AG
    AU AU AU AU AU
    AU AU AU AU AU
    AC AC AC AC AC`),
  crossTenantSyncOutbound: matrix(`
    ok ok ok ok SC
    ok ok ok ok SC
    ok ok ok ok UC
    ok ok ok ok UC
    SD SD UC UC SC`),
  crossTenantSyncInbound: matrix(`
    ok ok ok ok SD
    ok ok ok ok SD
    ok ok ok ok UC
    ok ok ok ok UC
    SC SC UC UC SC`),
  m365Capabilities: matrix(`
    ok ok M3 M3 M3
    ok ok M3 M3 M3
    M3 M3 M3 M3 UC
    M3 M3 M3 M3 UC
    M3 M3 UC UC M3`),
  // Authorised by this tenant: any partner, but only from the global Graph service (commercial, GCC).
  m365CapabilitiesInbound: matrix(`
    ok ok ok ok ok
    ok ok ok ok ok
    M3 M3 M3 M3 UC
    M3 M3 M3 M3 UC
    M3 M3 UC UC M3`),
  m365CapabilitiesOutbound: matrix(`
    ok ok M3 M3 M3
    ok ok M3 M3 M3
    ok ok M3 M3 UC
    ok ok M3 M3 UC
    ok ok UC UC M3`),
  partnerLookupByDomain: matrix(`
    ok ok PD PD PD
    ok ok PD PD PD
    PD PD ok ok PD
    PD PD ok ok PD
    PD PD PD PD ok`),
};

const PAIRS: [EnvironmentName, EnvironmentName, number, number][] = ENVIRONMENT_NAMES.flatMap((local, row) =>
  ENVIRONMENT_NAMES.map((partner, column): [EnvironmentName, EnvironmentName, number, number] => [local, partner, row, column]),
);

describe('the rules table, every pair of environments and every capability', () => {
  it('has a verdict for every capability key and only known codes', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...CAPABILITY_KEYS].sort());
    for (const rule of RULES) expect(VIOLATION_CODES).toContain(rule.code);
  });

  it.each(PAIRS)('%s with %s', (local, partner, row, column) => {
    const evaluation = evaluateCapabilities(local, partner);
    const actual = Object.fromEntries(CAPABILITY_KEYS.map((key) => [key, evaluation.capabilities[key].code]));
    const expected = Object.fromEntries(CAPABILITY_KEYS.map((key) => [key, EXPECTED[key][row][column]]));
    expect(actual).toEqual(expected);
    for (const key of CAPABILITY_KEYS) {
      const verdict = evaluation.capabilities[key];
      expect(verdict.allowed).toBe(verdict.code === 'ok');
      expect(verdict.message.length).toBeGreaterThan(20);
    }
    // Without a request everything counts as asked: every refusal is a violation, every violation a refusal.
    const violationCodes = new Set(evaluation.violations.map((violation) => violation.code));
    for (const key of CAPABILITY_KEYS) if (!evaluation.capabilities[key].allowed) expect(violationCodes).toContain(evaluation.capabilities[key].code);
    for (const violation of evaluation.violations) expect(evaluation.capabilities[violation.capability].allowed).toBe(false);
  });

  it('names the side whose environment refuses', () => {
    const globalChina = evaluateCapabilities('Global', 'China').capabilities;
    expect(globalChina.m365CapabilitiesOutbound.side).toBe('partner');
    expect(globalChina.crossTenantSyncOutbound.side).toBe('partner');
    expect(globalChina.b2bDirectConnect.side).toBe('both');
    const chinaGlobal = evaluateCapabilities('China', 'Global').capabilities;
    expect(chinaGlobal.acsInterop.side).toBe('local');
    expect(chinaGlobal.m365CapabilitiesInbound.side).toBe('local');
    expect(chinaGlobal.crossTenantSyncOutbound.side).toBe('local');
    expect(evaluateCapabilities('GCCHigh', 'China').capabilities.teamsFederation.side).toBe('both');
  });
});

describe('a request: exactly what it asks', () => {
  it('Global ↔ China with ACS at the Global tenant is allowed (ACS is this tenant\'s own setting)', () => {
    const acs = request({ partnerCloud: 'China', teams: { federation: true, anonymousJoin: true, acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] } } });
    expect(checkCapabilities('Global', 'China', acs)).toEqual([]);
  });

  it('ACS without anonymous join is refused (ACS users join as anonymous users)', () => {
    const acs = request({ teams: { acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] } } });
    expect(checkCapabilities('Global', 'Global', acs)).toEqual([
      expect.objectContaining({ code: 'acs.needs-anonymous-join', field: 'teams.anonymousJoin', side: 'local', capability: 'acsInterop' }),
    ]);
  });

  it('GCC refuses ACS on the GCC side', () => {
    const acs = request({ teams: { anonymousJoin: true, acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] } } });
    expect(checkCapabilities('GCC', 'Global', acs).map((violation) => violation.code)).toEqual(['acs.gcc-not-available']);
    expect(checkCapabilities('Global', 'GCC', acs)).toEqual([]);
  });

  it('Global → China sync is refused on the initiator because of the China side, before anything is written', () => {
    const sync = request({ partnerCloud: 'China', crossTenantSync: { direction: 'outbound' } });
    expect(checkCapabilities('Global', 'China', sync)).toEqual([expect.objectContaining({ code: 'sync.china-unsupported', side: 'partner' })]);
  });

  it('free/busy both ways: a commercial or GCC tenant authorises any cloud, a partner outside the global service cannot', () => {
    const both = request({ m365Capabilities: { inbound: { calendarAvailability: 'basic' }, outbound: { calendarAvailability: 'basic', mailTips: 'all' } } });
    expect(checkCapabilities('Global', 'GCC', both)).toEqual([]);
    expect(checkCapabilities('GCC', 'Global', both)).toEqual([]);
    expect(checkCapabilities('Global', 'China', both)).toEqual([expect.objectContaining({ code: 'm365.global-service-only', side: 'partner', field: 'm365Capabilities.outbound' })]);
    const inboundOnly = request({ m365Capabilities: { inbound: { calendarAvailability: 'basic' } } });
    expect(checkCapabilities('Global', 'China', inboundOnly)).toEqual([]);
    expect(checkCapabilities('DoD', 'Global', inboundOnly)).toEqual([expect.objectContaining({ code: 'm365.global-service-only', side: 'local' })]);
  });

  it('cross-cloud meetings between commercial and GCC are allowed; within one environment refused', () => {
    const meetings = request({ teams: { crossCloudMeetings: { inbound: true, outbound: true } } });
    expect(checkCapabilities('Global', 'GCC', meetings)).toEqual([]);
    expect(checkCapabilities('GCC', 'GCC', meetings).map((violation) => violation.code)).toEqual(['teams.cross-cloud-meetings-same-cloud']);
  });

  it('a guest cannot be a team owner, on either side', () => {
    const owners = request({
      guests: [{ upn: 'li.wei@woodgrove.cn', teams: [{ teamId: '5f0e6c1a-3b7d-4e2a-9c4f-8a1b2c3d4e5f', role: 'owner' }] }],
      partnerGuests: [{ upn: 'adele@contoso.com', teams: [{ teamId: '6a1f7d2b-4c8e-4f3b-8d5a-9b2c3d4e5f60', role: 'owner' }] }],
    });
    expect(checkCapabilities('Global', 'Global', owners).map((violation) => [violation.code, violation.side])).toEqual([
      ['guests.team-owner', 'local'],
      ['guests.team-owner', 'partner'],
    ]);
  });

  it('lists every violation at once, each with a field, a side and its source', () => {
    const input: CapabilityInput = {
      ...request({
        b2bDirectConnect: { outbound: { users: 'all' } },
        crossTenantSync: { direction: 'both' },
        teams: { anonymousJoin: true, acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] } },
      }),
      partnerDomain: 'partner.example',
    };
    const violations = checkCapabilities('GCCHigh', 'China', input);
    expect(violations.map((violation) => violation.code).sort()).toEqual(
      ['acs.usgov-not-available', 'b2b-direct-connect.cross-cloud', 'clouds.usgov-china', 'partner.domain-across-clouds', 'sync.china-unsupported'].sort(),
    );
    for (const violation of violations) {
      expect(violation.field).toBeTruthy();
      expect(['local', 'partner', 'both']).toContain(violation.side);
      expect(violation.source).toMatch(/^rule-/);
      expect(violation.message.length).toBeGreaterThan(40);
    }
  });

  it('assertCapabilities throws one capability.violation (422) listing them', () => {
    expect(() => assertCapabilities('GCCHigh', 'China', request())).toThrow(
      expect.objectContaining({ code: 'capability.violation', status: 422, details: { violations: [expect.objectContaining({ code: 'clouds.usgov-china' })] } }),
    );
    expect(() => assertCapabilities('Global', 'China', request())).not.toThrow();
  });
});

describe('both sides agree', () => {
  const environment = fc.constantFrom(...ENVIRONMENT_NAMES);
  const requests = fc.record({
    federation: fc.boolean(),
    meetings: fc.boolean(),
    guestAccess: fc.boolean(),
    anonymousJoin: fc.boolean(),
    direct: fc.boolean(),
    sync: fc.constantFrom(undefined, 'inbound', 'outbound', 'both'),
    m365: fc.constantFrom(undefined, 'inbound', 'outbound', 'both'),
    acs: fc.boolean(),
  });

  it('what the initiator accepts, the responder accepts from the mirrored request', () => {
    fc.assert(
      fc.property(environment, environment, requests, (initiator, responder, shape) => {
        const grant = { calendarAvailability: 'basic', mailTips: 'all' };
        const desired = parseDesiredCollaboration({
          partnerTenantId: PARTNER_ID,
          partnerCloud: responder,
          partnerDeploymentUrl: 'https://partner.example',
          b2bCollaboration: { inbound: { users: 'all' } },
          ...(shape.direct ? { b2bDirectConnect: { inbound: { users: 'all' } } } : {}),
          teams: {
            federation: shape.federation,
            guestAccess: shape.guestAccess,
            anonymousJoin: shape.anonymousJoin || shape.acs,
            ...(shape.meetings ? { crossCloudMeetings: { inbound: true, outbound: true } } : {}),
            ...(shape.acs ? { acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] } } : {}),
          },
          ...(shape.sync ? { crossTenantSync: { direction: shape.sync } } : {}),
          ...(shape.m365
            ? { m365Capabilities: { ...(shape.m365 !== 'outbound' ? { inbound: grant } : {}), ...(shape.m365 !== 'inbound' ? { outbound: grant } : {}) } }
            : {}),
        });
        if (checkCapabilities(initiator, responder, desired).length > 0) return;
        const mirrored = mirrorForPartner(desired, { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', cloud: initiator, deploymentUrl: 'https://initiator.example' });
        expect(checkCapabilities(responder, initiator, mirrored)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('preflight', () => {
  it('accepts environment aliases and a request without the partner identity', () => {
    const result = preflight('USGov', 'USGovDoD', { teams: { crossCloudMeetings: { inbound: true, outbound: true } } });
    expect(result.local).toBe('GCCHigh');
    expect(result.partner).toBe('DoD');
    expect(result.violations).toEqual([]);
    expect(result.capabilities.crossCloudMeetings).toMatchObject({ allowed: true, requested: true });
    expect(result.capabilities.acsInterop.requested).toBe(false);
  });

  it('names an unknown environment', () => {
    expect(() => preflight('Mars', 'Global')).toThrow(expect.objectContaining({ code: 'request.invalid', message: expect.stringContaining('"Mars"') }));
    expect(() => preflight('Global', 'Moon')).toThrow(expect.objectContaining({ message: expect.stringContaining('Unknown partner environment "Moon"') }));
  });

  it('refuses a request that places the partner elsewhere, and a bad request with every bad field', () => {
    expect(() => preflight('Global', 'China', { partnerCloud: 'GCC' })).toThrow(expect.objectContaining({ code: 'request.invalid' }));
    expect(() => preflight('Global', 'China', { teams: { acsInterop: { resourceIds: ['nope'] } }, colour: 'blue' })).toThrow(
      expect.objectContaining({
        details: { issues: expect.arrayContaining([expect.objectContaining({ field: 'colour' }), expect.objectContaining({ field: 'teams.acsInterop.resourceIds.0' })]) },
      }),
    );
  });
});
