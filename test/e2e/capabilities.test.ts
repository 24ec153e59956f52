// The capability model end to end, on the local stack (three deployments: Contoso in Global,
// Woodgrove China in 21Vianet, Northwind in GCC): both sides' rules judged before anything is
// written, ACS interop as one tenant's own setting, Microsoft 365 capabilities authorised both
// ways and undone by compensation only where the partnership added them, and the coexistence
// mode's warning. Only the public HTTP API is driven; tenants are read from the simulator.
import type { TenantDump } from '../../infra/local/simulator';
import { api, hasStatus, useDeployments, waitForPartnership, WORLD, writeCount } from '../support/stack';

jest.setTimeout(300_000);

const ACS_RESOURCE = '6c0a2e1f-5b3d-4c7e-9a8f-1e2d3c4b5a69';

const capabilitiesFor = (dump: TenantDump, partnerTenantId: string): Record<string, boolean> =>
  Object.fromEntries(
    (dump.partners.find((partner) => partner.tenantId === partnerTenantId)?.m365Capabilities ?? []).map((capability) => [
      capability.name,
      (capability.inboundAccess as { isAllowed: boolean }).isAllowed,
    ]),
  );

describe('capabilities across environments', () => {
  const { stack, contoso, china, northwind } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china, Northwind: WORLD.gcc });

  it('Global ↔ China with ACS interop at Contoso reaches Active; the China side gets no ACS and warns about its coexistence mode', async () => {
    // Woodgrove China still runs Skype for Business Server users in Islands mode.
    await stack().simulator.control.admin(WORLD.china, {
      service: 'teams',
      method: 'PUT',
      path: '/Skype.Policy/configurations/TeamsUpgradeConfiguration/configuration/Global',
      body: { Identity: 'Global', Mode: 'Islands' },
    });
    const created = await api(contoso(), 'POST', '/api/partnerships', {
      body: {
        partnerTenantId: WORLD.china,
        partnerCloud: 'China',
        partnerDeploymentUrl: china().baseUrl,
        b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
        teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: true }, anonymousJoin: true, acsInterop: { resourceIds: [ACS_RESOURCE] } },
        // Contoso (global Graph service) lets Woodgrove's users see its free/busy; the reverse is refused by the rules.
        m365Capabilities: { inbound: { calendarAvailability: 'basic', mailTips: 'limited' } },
      },
    });
    expect(created.status).toBe(202);
    const id = created.body.id;
    const invitation = await waitForPartnership(china(), id, hasStatus('Draft'));
    // The responder's view: mirrored, without Contoso's ACS interop, with the capabilities as Contoso's grant to it.
    expect(invitation.desired.teams.acsInterop).toBeUndefined();
    expect(invitation.desired.m365Capabilities).toEqual({ outbound: { calendarAvailability: 'basic', mailTips: 'limited', scope: 'all' } });
    expect((await api(china(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Active', 'Failed')),
      waitForPartnership(china(), id, hasStatus('Active', 'Failed')),
    ]);
    expect([a.status, b.status, a.lastError, b.lastError]).toEqual(['Active', 'Active', undefined, undefined]);

    const contosoState = await stack().simulator.control.state(WORLD.contoso);
    expect(contosoState.teams.TeamsAcsFederationConfiguration).toMatchObject({ EnableAcsUsers: true, AllowedAcsResources: [ACS_RESOURCE] });
    expect(capabilitiesFor(contosoState, WORLD.china)).toEqual({ crossTenantCalendarAvailabilityBasic: true, crossTenantMailTipsLimited: true });
    const chinaState = await stack().simulator.control.state(WORLD.china);
    expect(chinaState.teams.TeamsAcsFederationConfiguration).toMatchObject({ EnableAcsUsers: false });
    expect(chinaState.teams.TeamsUpgradeConfiguration).toMatchObject({ Mode: 'Islands' });

    const warnings = b.steps.filter((step: { type: string }) => step.type === 'warning').map((step: { message: string }) => step.message);
    expect(warnings).toContainEqual(expect.stringMatching(/coexistence mode \(TeamsUpgradePolicy, Teams admin center > Teams > Teams upgrade settings > Coexistence mode\) is Islands, not TeamsOnly/));
    expect(a.steps.some((step: { message: string }) => /coexistence mode/.test(step.message))).toBe(false);
  });

  it('GCC with ACS interop is refused at the GCC tenant before anything is written', async () => {
    const writesBefore = await writeCount(stack(), WORLD.gcc);
    const refused = await api(northwind(), 'POST', '/api/partnerships', {
      body: {
        partnerTenantId: WORLD.contoso,
        partnerCloud: 'Global',
        partnerDeploymentUrl: contoso().baseUrl,
        teams: { anonymousJoin: true, acsInterop: { resourceIds: [ACS_RESOURCE] } },
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'capability.violation',
      violations: [expect.objectContaining({ code: 'acs.gcc-not-available', side: 'local', field: 'teams.acsInterop' })],
    });
    expect(await writeCount(stack(), WORLD.gcc)).toBe(writesBefore);
    expect((await api(northwind(), 'GET', '/api/partnerships')).body.partnerships).toEqual([]);
  });

  it('free/busy and MailTips both ways (Global ↔ GCC); a rejected request undoes only what it added', async () => {
    // Before the product, Contoso's admin had added Northwind and authorised its users to open profile cards.
    await stack().simulator.control.admin(WORLD.contoso, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: WORLD.gcc } });
    await stack().simulator.control.admin(WORLD.contoso, {
      method: 'POST',
      path: `/policies/crossTenantAccessPolicy/partners/${WORLD.gcc}/m365Capabilities`,
      body: { '@odata.type': '#microsoft.graph.crossTenantOpenProfileCard', inboundAccess: { isAllowed: true, resourceScopes: { included: [{ resourceId: 'All', resourceType: 'user' }], excluded: [] } } },
    });
    const grant = { calendarAvailability: 'basic', mailTips: 'all' };
    const request = {
      partnerTenantId: WORLD.gcc,
      partnerCloud: 'GCC',
      partnerDeploymentUrl: northwind().baseUrl,
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
      teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: true } },
      m365Capabilities: { inbound: grant, outbound: grant },
    };

    // 1. Northwind's admin declines: Contoso undoes the capabilities it authorised, keeps the admin's.
    const declined = await api(contoso(), 'POST', '/api/partnerships', { body: request });
    expect(declined.status).toBe(202);
    await waitForPartnership(contoso(), declined.body.id, hasStatus('AwaitingPartner'));
    expect(capabilitiesFor(await stack().simulator.control.state(WORLD.contoso), WORLD.gcc)).toEqual({
      crossTenantOpenProfileCard: true,
      crossTenantCalendarAvailabilityBasic: true,
      crossTenantMailTipsAll: true,
    });
    await waitForPartnership(northwind(), declined.body.id, hasStatus('Draft'));
    expect((await api(northwind(), 'POST', `/api/partnerships/${declined.body.id}/reject`, { body: { reason: 'Not this quarter.' } })).status).toBe(202);
    await waitForPartnership(contoso(), declined.body.id, hasStatus('Rejected'));
    const afterRejection = await stack().simulator.control.state(WORLD.contoso);
    expect(capabilitiesFor(afterRejection, WORLD.gcc)).toEqual({ crossTenantOpenProfileCard: true });
    expect(afterRejection.partners.find((partner) => partner.tenantId === WORLD.gcc)!.m365CollaborationInbound ?? null).toBeNull();

    // 2. Asked again and approved: both tenants authorise free/busy and MailTips for each other.
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: request });
    await waitForPartnership(northwind(), created.body.id, hasStatus('Draft'));
    expect((await api(northwind(), 'POST', `/api/partnerships/${created.body.id}/approve`, { body: { pairingCode: created.body.pairingCode } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), created.body.id, hasStatus('Active', 'Failed')),
      waitForPartnership(northwind(), created.body.id, hasStatus('Active', 'Failed')),
    ]);
    expect([a.status, b.status, a.lastError, b.lastError]).toEqual(['Active', 'Active', undefined, undefined]);
    expect(capabilitiesFor(await stack().simulator.control.state(WORLD.contoso), WORLD.gcc)).toEqual({
      crossTenantOpenProfileCard: true,
      crossTenantCalendarAvailabilityBasic: true,
      crossTenantMailTipsAll: true,
    });
    expect(capabilitiesFor(await stack().simulator.control.state(WORLD.gcc), WORLD.contoso)).toEqual({
      crossTenantCalendarAvailabilityBasic: true,
      crossTenantMailTipsAll: true,
    });
    // Commercial ↔ GCC is one Entra cloud: no cloud endpoint, but a cross-cloud meeting connection.
    const gccState = await stack().simulator.control.state(WORLD.gcc);
    expect(gccState.policy.allowedCloudEndpoints).toEqual([]);
    expect(gccState.teams.TeamsCrossCloudMeetingConfiguration).toMatchObject({ Partners: [{ TenantId: WORLD.contoso, InboundMeetingsAllowed: true, OutboundMeetingsAllowed: true }] });
    expect(a.owned).toContainEqual(expect.objectContaining({ kind: 'm365Capability', tenantId: WORLD.gcc, name: 'crossTenantMailTipsAll', previous: null }));
  });
});
