// The planner's properties checked on the simulator for a few random cases (the in-memory model
// covers hundreds in plan.property.test.ts): apply then plan again is empty, and what an admin
// had configured survives.
import fc from 'fast-check';
import type { RunningSimulator } from '../../infra/local/simulator';
import { parseDesiredCollaboration } from '../../shared/partnership';
import { applyPlan, plan, readTenantState, type PartnershipTarget } from '../../shared/plan';
import { teamsConfigurationPath } from '../../shared/teams';
import { startTestSimulator, tenantNamed } from '../support/simulator';
import { adaptersFor, generatedTenantId, worldWithExtraTenants } from '../support/tenant';

jest.setTimeout(180_000);

describe('plan properties on the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ world: worldWithExtraTenants(2) });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('apply then plan is empty, and the admin’s own settings survive', async () => {
    const partners = {
      Fabrikam: { id: tenantNamed(sim, 'Fabrikam').id, cloud: 'Global' as const, domains: ['fabrikam.com'], guests: ['alex.wilber@fabrikam.com', 'diego.siciliani@fabrikam.com'], sync: true },
      Woodgrove: { id: tenantNamed(sim, 'Woodgrove China').id, cloud: 'China' as const, domains: ['woodgrove.cn'], guests: [], sync: false },
      Tailspin: { id: tenantNamed(sim, 'Tailspin Gov').id, cloud: 'GCCHigh' as const, domains: ['tailspin.us'], guests: [], sync: true },
    };
    const access = fc.option(fc.record({ users: fc.constant('all' as const), applications: fc.constantFrom('all' as const, 'office365' as const) }), { nil: undefined });
    const partnershipArb = (name: keyof typeof partners) =>
      fc
        .record({
          inbound: access,
          outbound: access,
          federation: fc.boolean(),
          guestAccess: fc.boolean(),
          anonymousJoin: fc.boolean(),
          meetings: fc.boolean(),
          guests: fc.subarray(partners[name].guests),
          sync: fc.option(fc.constantFrom('inbound' as const, 'outbound' as const, 'both' as const), { nil: undefined }),
        })
        .map((r): PartnershipTarget => {
          const partner = partners[name];
          return {
            partnershipId: name,
            partnerDomains: partner.domains,
            desired: parseDesiredCollaboration({
              partnerTenantId: partner.id,
              partnerCloud: partner.cloud,
              partnerDeploymentUrl: 'https://partner.example',
              b2bCollaboration: { ...(r.inbound ? { inbound: r.inbound } : {}), ...(r.outbound ? { outbound: r.outbound } : {}) },
              teams: {
                federation: r.federation,
                guestAccess: r.guestAccess,
                anonymousJoin: r.anonymousJoin,
                ...(r.meetings && partner.cloud !== 'Global' ? { crossCloudMeetings: { inbound: true, outbound: r.guestAccess } } : {}),
              },
              guests: r.guests,
              ...(r.sync && partner.sync ? { crossTenantSync: { direction: r.sync } } : {}),
            }),
          };
        });
    const targetsArb = fc
      .subarray(['Fabrikam', 'Woodgrove', 'Tailspin'] as const, { minLength: 1 })
      .chain((names) => fc.tuple(...names.map((name) => partnershipArb(name))));
    const adminArb = fc.record({
      endpoints: fc.subarray(['microsoftonline.us', 'partner.microsoftonline.cn']),
      federationOn: fc.boolean(),
      ownDomain: fc.boolean(),
      ownPartner: fc.boolean(),
    });

    const targetAllowsSyncFrom = async (targetId: string, targetCloud: string, sourceId: string): Promise<void> => {
      if (targetCloud !== 'Global') {
        await sim.control.admin(targetId, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['microsoftonline.com'] } });
      }
      await sim.control.admin(targetId, {
        method: 'POST',
        path: '/policies/crossTenantAccessPolicy/partners',
        body: { tenantId: sourceId, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false } },
      });
      await sim.control.admin(targetId, {
        method: 'PUT',
        path: `/policies/crossTenantAccessPolicy/partners/${sourceId}/identitySynchronization`,
        body: { userSyncInbound: { isSyncAllowed: true } },
      });
    };

    await fc.assert(
      fc.asyncProperty(targetsArb, adminArb, async (targets, admin) => {
        await sim.control.reset();
        const contoso = adaptersFor(sim, 'Contoso');
        const tenantId = contoso.tenant.id;
        await sim.control.admin(tenantId, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: admin.endpoints } });
        await sim.control.admin(tenantId, {
          service: 'teams',
          method: 'PUT',
          path: teamsConfigurationPath('TenantFederationSettings'),
          body: { Identity: 'Global', AllowFederatedUsers: admin.federationOn, AllowedDomains: admin.ownDomain ? ['adatum.com'] : [], BlockedDomains: [], AllowTeamsConsumer: false },
        });
        if (admin.ownPartner) {
          await sim.control.admin(tenantId, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: generatedTenantId(0) } });
        }
        // Where Contoso is a sync source, the partner has done its side (its deployment would have).
        for (const target of targets) {
          const direction = target.desired.crossTenantSync?.direction;
          if (direction === 'outbound' || direction === 'both') await targetAllowsSyncFrom(target.desired.partnerTenantId, target.desired.partnerCloud, tenantId);
        }

        await applyPlan(contoso, plan(targets, await readTenantState(contoso, targets, { localCloud: 'Global' }), { localCloud: 'Global' }));
        const again = plan(targets, await readTenantState(contoso, targets, { localCloud: 'Global' }), { localCloud: 'Global' });
        expect(again.operations).toEqual([]);

        const state = await sim.control.state(tenantId);
        for (const endpoint of admin.endpoints) expect(state.policy.allowedCloudEndpoints).toContain(endpoint);
        if (admin.ownPartner) expect(state.partners.map((p) => p.tenantId)).toContain(generatedTenantId(0));
        if (admin.ownDomain) expect(state.teams.TenantFederationSettings.AllowedDomains).toContain('adatum.com');
        if (admin.federationOn && !admin.ownDomain) expect(state.teams.TenantFederationSettings.AllowedDomains).toEqual([]);
      }),
      { numRuns: 12 },
    );
  });
});
