// Property tests of the planner on an in-memory tenant (shared/plan/simulate):
// applying a plan then planning again yields nothing; settings the product does not own survive
// every plan and every removal.
import fc from 'fast-check';
import { mergeOwnership, type OwnedItem } from '../../shared/ownership';
import { parseDesiredCollaboration } from '../../shared/partnership';
import { plan, removePlan, simulateApply, type PartnershipTarget, type Plan } from '../../shared/plan';
import type { B2BSetting, TenantState } from '../../shared/tenant';
import { freshTenant } from '../support/domain';

const options = { localCloud: 'Global' as const };
const TENANT_POOL = [
  '9b1c6e0e-1b5a-4f8e-9a7e-2a7b3c4d5e6f',
  '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
  '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  '0f0e0d0c-0b0a-4909-8807-060504030201',
  '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
];
const DOMAINS = ['woodgrove.cn', 'fabrikam.com', 'adatum.com', 'contoso.us', 'litware.com'];
const UPNS = ['bob@woodgrove.cn', 'carol@fabrikam.com', 'dan@adatum.com', 'erin@contoso.us'];
const GROUPS = ['11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222'];
const ACS = ['33333333-3333-3333-3333-333333333333', '44444444-4444-4444-4444-444444444444'];
const ENDPOINTS = ['microsoftonline.us', 'partner.microsoftonline.cn', 'microsoftonline.com'];

const access = fc.option(
  fc.record({
    users: fc.oneof(fc.constant('all' as const), fc.record({ groupIds: fc.subarray(GROUPS, { minLength: 1 }) })),
    applications: fc.constantFrom('all' as const, 'office365' as const),
  }),
  { nil: undefined },
);

const partnershipArb = (index: number): fc.Arbitrary<PartnershipTarget> =>
  fc
    .record({
      partnerTenantId: fc.constantFrom(...TENANT_POOL),
      partnerCloud: fc.constantFrom('Global' as const, 'USGov' as const, 'USGovDoD' as const, 'China' as const),
      inbound: access,
      outbound: access,
      federation: fc.boolean(),
      crossCloudMeetings: fc.option(fc.record({ inbound: fc.boolean(), outbound: fc.boolean() }), { nil: undefined }),
      guestAccess: fc.boolean(),
      anonymousJoin: fc.boolean(),
      acs: fc.option(fc.subarray(ACS, { minLength: 1 }), { nil: undefined }),
      guests: fc.subarray(UPNS),
      sync: fc.option(fc.constantFrom('inbound' as const, 'outbound' as const, 'both' as const), { nil: undefined }),
      partnerDomains: fc.subarray(DOMAINS),
    })
    .map((r) => ({
      partnershipId: `p${index}`,
      partnerDomains: r.partnerDomains,
      desired: parseDesiredCollaboration({
        partnerTenantId: r.partnerTenantId,
        partnerCloud: r.partnerCloud,
        partnerDeploymentUrl: 'https://partner.example',
        b2bCollaboration: { ...(r.inbound ? { inbound: r.inbound } : {}), ...(r.outbound ? { outbound: r.outbound } : {}) },
        teams: {
          federation: r.federation,
          guestAccess: r.guestAccess,
          anonymousJoin: r.anonymousJoin,
          ...(r.crossCloudMeetings ? { crossCloudMeetings: r.crossCloudMeetings } : {}),
          ...(r.acs ? { acsInterop: { resourceIds: r.acs } } : {}),
        },
        guests: r.guests,
        ...(r.sync ? { crossTenantSync: { direction: r.sync } } : {}),
      }),
    }));

/** 1–4 partnerships with distinct partner tenants (one partnership per partner, as the API enforces). */
const partnershipsArb = fc
  .integer({ min: 1, max: 4 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => partnershipArb(index))))
  .map((targets) => targets.filter((t, i) => targets.findIndex((o) => o.desired.partnerTenantId === t.desired.partnerTenantId) === i));

const b2bArb: fc.Arbitrary<B2BSetting | null> = fc.option(
  fc.record({
    usersAndGroups: fc.record({
      accessType: fc.constantFrom('allowed' as const, 'blocked' as const),
      targets: fc.constantFrom([{ target: 'AllUsers', targetType: 'user' as const }], [{ target: GROUPS[0], targetType: 'group' as const }]),
    }),
    applications: fc.record({
      accessType: fc.constantFrom('allowed' as const, 'blocked' as const),
      targets: fc.constantFrom([{ target: 'AllApplications', targetType: 'application' as const }], [{ target: 'Office365', targetType: 'application' as const }]),
    }),
  }),
  { nil: null },
);

/** A tenant an admin has already configured in random ways. */
const tenantArb: fc.Arbitrary<TenantState> = fc
  .record({
    endpoints: fc.subarray(ENDPOINTS),
    partners: fc.subarray(TENANT_POOL),
    inbound: b2bArb,
    outbound: b2bArb,
    consent: fc.option(fc.record({ inboundAllowed: fc.boolean(), outboundAllowed: fc.boolean() }), { nil: null }),
    sync: fc.boolean(),
    federationOn: fc.boolean(),
    allowed: fc.subarray([...DOMAINS, 'admins-own.com']),
    blocked: fc.subarray(['blocked.example', 'litware.com']),
    guestsOn: fc.boolean(),
    anonymous: fc.boolean(),
    admitted: fc.constantFrom('EveryoneInCompany' as const, 'Everyone' as const, 'OrganizerOnly' as const),
    disableAnonymous: fc.boolean(),
    acsOn: fc.boolean(),
    acs: fc.subarray([...ACS, '55555555-5555-5555-5555-555555555555']),
    meetings: fc.subarray(TENANT_POOL),
    guests: fc.subarray([...UPNS, 'eve@admins-own.com']),
  })
  .map((r) => {
    const tenant = freshTenant();
    tenant.allowedCloudEndpoints = r.endpoints;
    for (const tenantId of r.partners) {
      tenant.partners[tenantId] = { tenantId, b2bCollaborationInbound: r.inbound, b2bCollaborationOutbound: r.outbound, automaticUserConsentSettings: r.consent };
      tenant.identitySync[tenantId] = r.sync ? { userSyncInbound: { isSyncAllowed: false } } : null;
    }
    tenant.coverage.identitySyncFor = [...r.partners];
    tenant.teams.TenantFederationSettings = { Identity: 'Global', AllowFederatedUsers: r.federationOn, AllowedDomains: r.allowed, BlockedDomains: r.blocked, AllowTeamsConsumer: false };
    tenant.teams.TeamsClientConfiguration = { Identity: 'Global', AllowGuestUser: r.guestsOn };
    tenant.teams.TeamsMeetingPolicy = { Identity: 'Global', AllowAnonymousUsersToJoinMeeting: r.anonymous, AutoAdmittedUsers: r.admitted };
    tenant.teams.TeamsMeetingConfiguration = { Identity: 'Global', DisableAnonymousJoin: r.disableAnonymous };
    tenant.teams.TeamsAcsFederationConfiguration = { Identity: 'Global', EnableAcsUsers: r.acsOn, AllowedAcsResources: r.acs };
    tenant.teams.TeamsCrossCloudMeetingConfiguration = {
      Identity: 'Global',
      Partners: r.meetings.map((TenantId) => ({ TenantId, InboundMeetingsAllowed: false, OutboundMeetingsAllowed: false })),
    };
    for (const upn of r.guests) tenant.guests[upn] = { id: `admin-${upn}`, invitedAs: upn };
    return tenant;
  });

function recordClaims(result: Plan, ownership: Record<string, OwnedItem[]>): void {
  for (const operation of result.operations) {
    for (const claim of operation.claims) ownership[claim.partnershipId] = mergeOwnership(ownership[claim.partnershipId] ?? [], [claim.item]);
  }
}

/** Everything in `before` that the product may never take away (merge-only lists and sets). */
function assertNothingUnownedRemoved(before: TenantState, after: TenantState, exempt: { endpoints?: Set<string>; domains?: Set<string>; acs?: Set<string>; guests?: Set<string> } = {}): void {
  for (const value of before.allowedCloudEndpoints) if (!exempt.endpoints?.has(value)) expect(after.allowedCloudEndpoints).toContain(value);
  for (const tenantId of Object.keys(before.partners)) expect(after.partners[tenantId]).toBeDefined();
  const domains = after.teams.TenantFederationSettings!.AllowedDomains.map((d) => d.toLowerCase());
  for (const domain of before.teams.TenantFederationSettings!.AllowedDomains) if (!exempt.domains?.has(domain)) expect(domains).toContain(domain.toLowerCase());
  expect(after.teams.TenantFederationSettings!.BlockedDomains).toEqual(before.teams.TenantFederationSettings!.BlockedDomains);
  for (const id of before.teams.TeamsAcsFederationConfiguration!.AllowedAcsResources) if (!exempt.acs?.has(id)) expect(after.teams.TeamsAcsFederationConfiguration!.AllowedAcsResources).toContain(id);
  const meetingPartners = after.teams.TeamsCrossCloudMeetingConfiguration!.Partners.map((p) => p.TenantId);
  for (const partner of before.teams.TeamsCrossCloudMeetingConfiguration!.Partners) expect(meetingPartners).toContain(partner.TenantId);
  for (const upn of Object.keys(before.guests)) if (!exempt.guests?.has(upn)) expect(after.guests[upn]).toEqual(before.guests[upn]);
}

describe('plan properties', () => {
  it('applying the plan then planning again yields an empty plan', () => {
    fc.assert(
      fc.property(partnershipsArb, tenantArb, (targets, tenant) => {
        const first = plan(targets, tenant, options);
        const after = simulateApply(tenant, first);
        expect(plan(targets, after, options).operations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never removes settings the product does not own', () => {
    fc.assert(
      fc.property(partnershipsArb, tenantArb, (targets, tenant) => {
        const after = simulateApply(tenant, plan(targets, tenant, options));
        assertNothingUnownedRemoved(tenant, after);
        // An open federation (on, no list) is never narrowed to a list.
        const federation = tenant.teams.TenantFederationSettings!;
        if (federation.AllowFederatedUsers && federation.AllowedDomains.length === 0) {
          expect(after.teams.TenantFederationSettings!.AllowedDomains).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('removing one partnership restores what it added, keeps what others need and what nobody owns', () => {
    fc.assert(
      fc.property(partnershipsArb, tenantArb, fc.nat(), (targets, start, pick) => {
        const ownership: Record<string, OwnedItem[]> = {};
        let tenant = start;
        for (const target of targets) {
          const step = plan([target], tenant, options);
          recordClaims(step, ownership);
          tenant = simulateApply(tenant, step);
        }
        const removed = targets[pick % targets.length];
        const others = targets.filter((t) => t !== removed);
        const removal = removePlan(removed, ownership[removed.partnershipId] ?? [], others, tenant, { ...options, deleteGuests: true });
        const after = simulateApply(tenant, removal);
        // The remaining partnerships still have everything they need.
        expect(plan(others, after, options).operations).toEqual([]);
        // Nothing that was there before the product is gone.
        assertNothingUnownedRemoved(start, after);
        // Every owned item is accounted for: undone, handed over, or released.
        const accounted = removal.operations.flatMap((op) => op.releases).length + removal.released.length + removal.handOvers.length;
        expect(accounted).toBeGreaterThanOrEqual((ownership[removed.partnershipId] ?? []).length);
        // Removing the last partnership brings the tenant back to where it started.
        if (others.length === 0) {
          expect(after.allowedCloudEndpoints.sort()).toEqual([...start.allowedCloudEndpoints].sort());
          expect(Object.keys(after.partners).sort()).toEqual(Object.keys(start.partners).sort());
          expect(Object.keys(after.guests).sort()).toEqual(Object.keys(start.guests).sort());
          expect(after.teams.TeamsClientConfiguration).toEqual(start.teams.TeamsClientConfiguration);
          expect(after.teams.TeamsMeetingPolicy).toEqual(start.teams.TeamsMeetingPolicy);
          expect(after.teams.TeamsAcsFederationConfiguration!.AllowedAcsResources.sort()).toEqual([...start.teams.TeamsAcsFederationConfiguration!.AllowedAcsResources].sort());
          expect(after.teams.TenantFederationSettings!.AllowedDomains.sort()).toEqual([...start.teams.TenantFederationSettings!.AllowedDomains].sort());
          for (const [tenantId, partner] of Object.entries(start.partners)) expect(after.partners[tenantId]).toEqual(partner);
        }
      }),
      { numRuns: 300 },
    );
  });
});
