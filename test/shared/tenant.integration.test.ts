// read → plan → apply against the Graph + Teams simulator over real HTTPS, with the real
// ClientSecretCredential and @microsoft/microsoft-graph-client.
import type { RunningSimulator } from '../../infra/local/simulator';
import { mergeOwnership, type OwnedItem } from '../../shared/ownership';
import { mirrorForPartner, parseDesiredCollaboration } from '../../shared/partnership';
import { ownershipAfter } from '../../shared/ownership';
import { applyPlan, plan, readTenantState, removePlan, verifyTenantState, type PartnershipTarget } from '../../shared/plan';
import { ManualTeamsAdapter } from '../../shared/teams';
import { DomainError } from '../../shared/errors';
import { startTestSimulator, tenantNamed } from '../support/simulator';
import { adaptersFor } from '../support/tenant';

jest.setTimeout(120_000);

describe('read, plan and apply against the simulator', () => {
  let sim: RunningSimulator;
  let woodgroveId: string;
  let fabrikamId: string;

  beforeAll(async () => {
    sim = await startTestSimulator();
    woodgroveId = tenantNamed(sim, 'Woodgrove China').id;
    fabrikamId = tenantNamed(sim, 'Fabrikam').id;
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.control.reset();
  });

  const woodgrove = (partnershipId = 'p-woodgrove'): PartnershipTarget => ({
    partnershipId,
    partnerDomains: ['woodgrove.cn'],
    desired: parseDesiredCollaboration({
      partnerTenantId: woodgroveId,
      partnerCloud: 'China',
      partnerDeploymentUrl: 'https://handshake.woodgrove.cn',
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all', applications: 'office365' } },
      teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: true }, guestAccess: true, anonymousJoin: true },
    }),
  });

  it('configures a cross-cloud partnership, then finds nothing left to do', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    // An admin closed federation to one domain of their own before the product came.
    await sim.control.admin(contoso.tenant.id, {
      service: 'teams',
      method: 'PUT',
      path: '/Skype.Policy/configurations/TenantFederationSettings/configuration/Global',
      body: { Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: ['adatum.com'], BlockedDomains: [], AllowTeamsConsumer: false },
    });
    const targets = [woodgrove()];
    const before = await readTenantState(contoso, targets, { localCloud: 'Global' });
    expect(before.allowedCloudEndpoints).toEqual([]);
    const first = plan(targets, before, { localCloud: 'Global' });
    expect(first.operations.map((op) => op.id)).toEqual([
      'cloudEndpoints.update',
      `partner.create:${woodgroveId}`,
      'teams.update:TenantFederationSettings',
      'teams.update:TeamsCrossCloudMeetingConfiguration',
    ]);
    const result = await applyPlan(contoso, first);
    expect(result.applied.map((op) => op.outcome)).toEqual(['applied', 'applied', 'applied', 'applied']);

    const state = await sim.control.state(contoso.tenant.id);
    expect(state.policy.allowedCloudEndpoints).toEqual(['partner.microsoftonline.cn']);
    const partner = state.partners.find((p) => p.tenantId === woodgroveId)!;
    expect(partner.b2bCollaborationOutbound).toMatchObject({ applications: { accessType: 'allowed', targets: [{ target: 'Office365', targetType: 'application' }] } });
    expect(state.teams.TenantFederationSettings).toMatchObject({ AllowedDomains: ['adatum.com', 'woodgrove.cn'] });
    expect(state.teams.TeamsMeetingPolicy).toMatchObject({ AllowAnonymousUsersToJoinMeeting: true, AutoAdmittedUsers: 'EveryoneInCompany' });
    expect(state.teams.TeamsCrossCloudMeetingConfiguration).toMatchObject({
      Partners: [{ TenantId: woodgroveId, InboundMeetingsAllowed: true, OutboundMeetingsAllowed: true }],
    });

    const again = plan(targets, await readTenantState(contoso, targets, { localCloud: 'Global' }), { localCloud: 'Global' });
    expect(again.operations).toEqual([]);
  });

  it('configures both sides of a cross-cloud partnership (mirrored), invites guests both ways and removes them', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const china = adaptersFor(sim, 'Woodgrove China');
    const desired = parseDesiredCollaboration({
      partnerTenantId: woodgroveId,
      partnerCloud: 'China',
      partnerDeploymentUrl: 'https://handshake.woodgrove.cn',
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
      teams: { federation: true, guestAccess: true },
      guests: ['li.wei@woodgrove.cn'],
      partnerGuests: ['adele.vance@contoso.com'],
    });
    const contosoSide = { partnershipId: 'p', desired, partnerDomains: ['woodgrove.cn'] };
    const chinaSide = {
      partnershipId: 'p',
      desired: mirrorForPartner(desired, { tenantId: contoso.tenant.id, cloud: 'Global', deploymentUrl: 'https://handshake.contoso.com' }),
      partnerDomains: ['contoso.com'],
    };
    // Entra first on both sides (an invitation needs both sides' partner entries), then Teams and guests.
    const entra = ['cloudEndpoints', 'partner', 'identitySync'] as const;
    const owned: Record<string, OwnedItem[]> = { Global: [], China: [] };
    for (const [side, target, cloud] of [[contoso, contosoSide, 'Global'], [china, chinaSide, 'China']] as const) {
      const scoped = { ...target, areas: entra };
      const result = await applyPlan(side, plan([scoped], await readTenantState(side, [scoped], { localCloud: cloud }), { localCloud: cloud }));
      owned[cloud] = ownershipAfter(owned[cloud], 'p', result);
    }
    for (const [side, target, cloud] of [[contoso, contosoSide, 'Global'], [china, chinaSide, 'China']] as const) {
      const result = await applyPlan(side, plan([target], await readTenantState(side, [target], { localCloud: cloud }), { localCloud: cloud }));
      owned[cloud] = ownershipAfter(owned[cloud], 'p', result);
      expect(plan([target], await readTenantState(side, [target], { localCloud: cloud }), { localCloud: cloud }).operations).toEqual([]);
    }
    const guestInContoso = owned.Global.find((item) => item.kind === 'guest');
    expect(guestInContoso).toMatchObject({ kind: 'guest', upn: 'li.wei@woodgrove.cn', userId: expect.any(String) });
    const contosoUsers = (await sim.control.state(contoso.tenant.id)).users;
    expect(contosoUsers.find((user) => user.id === (guestInContoso as { userId: string }).userId)).toMatchObject({ userType: 'Guest' });
    const chinaState = await sim.control.state(china.tenant.id);
    expect(chinaState.users.some((user) => user.userType === 'Guest' && String(user.userPrincipalName).startsWith('adele.vance_contoso.com#EXT#'))).toBe(true);

    // Removing the partnership on Contoso's side removes what it added; deleting the guest comes
    // last and needs User.ReadWrite.All, which the product's app does not have: everything else is done.
    const ownership = owned.Global;
    const actual = await readTenantState(contoso, [], { localCloud: 'Global', ownership });
    const removal = removePlan(contosoSide, ownership, [], actual, { localCloud: 'Global', deleteGuests: true });
    await expect(applyPlan(contoso, removal)).rejects.toMatchObject({
      code: 'apply.partial-failure',
      details: { failedOperationId: 'guest.delete:li.wei@woodgrove.cn', error: { code: 'tenant.permission-denied' }, notApplied: ['guest.delete:li.wei@woodgrove.cn'] },
    });
    const after = await sim.control.state(contoso.tenant.id);
    expect(after.partners).toEqual([]);
    expect(after.policy.allowedCloudEndpoints).toEqual([]);
    expect(after.users.length).toBe(contosoUsers.length);
    // By default the guests stay, with a warning for the admin.
    const leave = removePlan(contosoSide, ownership, [], await readTenantState(contoso, [], { localCloud: 'Global', ownership }), { localCloud: 'Global' });
    expect(leave.operations).toEqual([]);
    expect(leave.warnings.map((warning) => warning.code)).toEqual(['guests.left-in-place']);
  });

  it('finds the tenant id of a verified domain in the same cloud', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    expect(await contoso.graph.findTenantIdByDomain('fabrikam.com')).toBe(fabrikamId);
    expect(await contoso.graph.findTenantIdByDomain('nobody.example')).toBeUndefined();
  });

  it('reads its own verified domains (for the partner’s federation list)', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    expect((await contoso.graph.getVerifiedDomains()).sort()).toEqual(['contoso.com', 'contoso.onmicrosoft.com']);
  });

  it('verifies by reading back, and tells a manual Teams step from real drift', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const targets = [woodgrove()];
    expect(await verifyTenantState(contoso, targets, { localCloud: 'Global' })).toMatchObject({ inSync: false, awaitingAdministrator: false });
    const manual = { graph: contoso.graph, teams: new ManualTeamsAdapter({ reader: contoso.teams }) };
    await applyPlan(manual, plan(targets, await readTenantState(manual, targets, { localCloud: 'Global' }), { localCloud: 'Global' }));
    const waiting = await verifyTenantState(manual, targets, { localCloud: 'Global' });
    expect(waiting).toMatchObject({ inSync: false, awaitingAdministrator: true });
    expect(waiting.remaining.map((operation) => operation.id)).toEqual(['teams.update:TeamsCrossCloudMeetingConfiguration']);
    await applyPlan(contoso, plan(targets, await readTenantState(contoso, targets, { localCloud: 'Global' }), { localCloud: 'Global' }));
    expect(await verifyTenantState(manual, targets, { localCloud: 'Global' })).toMatchObject({ inSync: true, remaining: [] });
  });

  it('reads the tenant for a thousand partnerships in a handful of requests', async () => {
    const contoso = adaptersFor(sim, 'Contoso', { pageSize: 100 });
    const targets = Array.from({ length: 1000 }, (_, index) => ({ ...woodgrove(`p${index}`) }));
    contoso.graphCounter.reset();
    await readTenantState(contoso, targets, { localCloud: 'Global' });
    // policy + one page of partners; Teams: the 5 configuration types these partnerships touch and
    // the coexistence mode their cross-cloud communication depends on.
    expect(contoso.graphCounter.total).toBe(2);
    expect(contoso.teamsCounter.total).toBe(6);
  });

  it('leaves settings it does not own alone and removes only what the partnership added', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    // The admin's own partner (Fabrikam) and cloud endpoint exist before the product.
    await sim.control.admin(contoso.tenant.id, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['microsoftonline.us'] } });
    await sim.control.admin(contoso.tenant.id, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: fabrikamId } });
    const target = woodgrove();
    const ownership: Record<string, OwnedItem[]> = {};
    const first = plan([target], await readTenantState(contoso, [target], { localCloud: 'Global' }), { localCloud: 'Global' });
    const applied = await applyPlan(contoso, first);
    ownership[target.partnershipId] = mergeOwnership([], applied.claims.map((claim) => claim.item));

    const afterOnboarding = await sim.control.state(contoso.tenant.id);
    expect(afterOnboarding.policy.allowedCloudEndpoints.sort()).toEqual(['microsoftonline.us', 'partner.microsoftonline.cn']);

    const actual = await readTenantState(contoso, [], { localCloud: 'Global', ownership: ownership[target.partnershipId] });
    const removal = removePlan(target, ownership[target.partnershipId], [], actual, { localCloud: 'Global' });
    await applyPlan(contoso, removal);
    const after = await sim.control.state(contoso.tenant.id);
    expect(after.policy.allowedCloudEndpoints).toEqual(['microsoftonline.us']);
    expect(after.partners.map((p) => p.tenantId)).toEqual([fabrikamId]);
    expect(after.teams.TeamsCrossCloudMeetingConfiguration).toMatchObject({ Partners: [] });
  });

  it('converges when the tenant changed between read and apply', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const target = woodgrove();
    const planned = plan([target], await readTenantState(contoso, [target], { localCloud: 'Global' }), { localCloud: 'Global' });
    // Meanwhile an admin enables the cloud and adds the same partner by hand.
    await sim.control.admin(contoso.tenant.id, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['partner.microsoftonline.cn', 'microsoftonline.us'] } });
    await sim.control.admin(contoso.tenant.id, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: woodgroveId } });
    const result = await applyPlan(contoso, planned);
    expect(result.applied.slice(0, 2).map((op) => op.outcome)).toEqual(['unchanged', 'converged']);
    const state = await sim.control.state(contoso.tenant.id);
    expect(state.policy.allowedCloudEndpoints.sort()).toEqual(['microsoftonline.us', 'partner.microsoftonline.cn']);
    expect(state.partners[0].b2bCollaborationInbound).toMatchObject({ usersAndGroups: { targets: [{ target: 'AllUsers' }] } });
  });

  it('stops at the first permanent error, saying what failed and what was applied', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const good = woodgrove('good');
    const unknownTenant: PartnershipTarget = {
      partnershipId: 'bad',
      desired: parseDesiredCollaboration({ partnerTenantId: '00000000-0000-4000-8000-000000000bad', partnerCloud: 'Global', partnerDeploymentUrl: 'https://x.example' }),
    };
    const targets = [good, unknownTenant];
    const planned = plan(targets, await readTenantState(contoso, targets, { localCloud: 'Global' }), { localCloud: 'Global' });
    const failure = await applyPlan(contoso, planned).then(
      () => undefined,
      (error: DomainError) => error,
    );
    expect(failure).toBeInstanceOf(DomainError);
    expect(failure!.code).toBe('apply.partial-failure');
    expect(failure!.details).toMatchObject({
      failedOperationId: 'partner.create:00000000-0000-4000-8000-000000000bad',
      error: { code: 'tenant.bad-request' },
      applied: [
        { operationId: 'cloudEndpoints.update', outcome: 'applied' },
        { operationId: `partner.create:${woodgroveId}`, outcome: 'applied' },
      ],
      notApplied: ['partner.create:00000000-0000-4000-8000-000000000bad', 'teams.update:TeamsCrossCloudMeetingConfiguration'],
    });
    expect(JSON.parse(JSON.stringify(failure!.details))).toEqual(failure!.details);
    const state = await sim.control.state(contoso.tenant.id);
    expect(state.partners.map((p) => p.tenantId)).toEqual([woodgroveId]);
  });

  it('maps a missing permission to tenant.permission-denied and writes nothing', async () => {
    const readonly = adaptersFor(sim, 'Contoso', { appName: 'cross-cloud-handshake-readonly' });
    const target = woodgrove();
    const actual = await readTenantState({ ...readonly, teams: adaptersFor(sim, 'Contoso').teams }, [target], { localCloud: 'Global' });
    const planned = plan([target], actual, { localCloud: 'Global' });
    await expect(applyPlan(readonly, planned)).rejects.toMatchObject({
      code: 'apply.partial-failure',
      details: { failedOperationId: 'cloudEndpoints.update', error: { code: 'tenant.permission-denied' }, applied: [] },
    });
    expect((await sim.control.state(readonly.tenant.id)).policy.allowedCloudEndpoints).toEqual([]);
    // The Teams admin API needs the Teams Administrator role.
    await expect(readonly.teams.read(['TeamsClientConfiguration'])).rejects.toMatchObject({ code: 'tenant.permission-denied' });
  });

  it('gets through throttling and 503/504 and still converges', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    await sim.control.setFaults({ throttle: { limit: 6, windowSeconds: 2 }, transientErrorRate: 0.2 });
    try {
      const targets = [woodgrove(), { ...woodgrove('p-fabrikam'), desired: parseDesiredCollaboration({ ...woodgrove().desired, partnerTenantId: fabrikamId, partnerCloud: 'Global' }) }];
      const planned = plan(targets, await readTenantState(contoso, targets, { localCloud: 'Global' }), { localCloud: 'Global' });
      await applyPlan(contoso, planned);
      const again = plan(targets, await readTenantState(contoso, targets, { localCloud: 'Global' }), { localCloud: 'Global' });
      expect(again.operations).toEqual([]);
      const statuses = (await sim.control.counters({ tenantId: contoso.tenant.id })).flatMap((row) => Object.keys(row.statuses));
      // The faults really happened.
      expect(statuses.some((status) => ['429', '503', '504'].includes(status))).toBe(true);
    } finally {
      await sim.control.setFaults({ throttle: null, transientErrorRate: 0 });
    }
  });
});
