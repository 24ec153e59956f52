// One reconcile run (shared/reconcile/run.ts) against the Graph + Teams simulator over
// real HTTPS and Azurite: report vs enforce, a deleted partner, unowned settings, throttling.
import type { RunningSimulator } from '../../infra/local/simulator';
import { reconcileActor, runReconcile, type ReconcileRunInput } from '../../shared/reconcile/run';
import { createRepositories, type Repositories } from '../../shared';
import { useAzurite, uniquePrefix } from '../support/azurite';
import { startTestSimulator, tenantNamed } from '../support/simulator';
import { adaptersFor, type SimTenantAdapters } from '../support/tenant';
import { activateWoodgrovePartnership, PARTNER_PATH, TEAMS_CLIENT_PATH } from './support';

jest.setTimeout(120_000);

describe('a reconcile run', () => {
  const azurite = useAzurite();
  let sim: RunningSimulator;
  let repos: Repositories;
  let contoso: SimTenantAdapters;
  let woodgroveId: string;
  let fabrikamId: string;
  let logs: Record<string, unknown>[];
  let runs = 0;

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
    repos = createRepositories({ storage: { connectionString: azurite().azurite.connectionString, tablePrefix: uniquePrefix() }, tableConflictRetries: 5 });
    contoso = adaptersFor(sim, 'Contoso');
    logs = [];
    await activateWoodgrovePartnership(sim, repos.partnerships, { id: 'p-woodgrove' });
  });

  const run = (mode: 'report' | 'enforce', extra: Partial<ReconcileRunInput> = {}) => {
    runs += 1;
    return runReconcile(
      { adapters: contoso, partnerships: repos.partnerships, events: repos.events, localCloud: 'Global', log: (entry) => logs.push(entry) },
      { runId: `run-${runs}`, at: new Date().toISOString(), mode, trigger: 'timer', ...extra },
    );
  };

  it('records the drift an admin asked about under the admin, a notification-driven run under graph-notification', async () => {
    await driftContoso();
    await run('report', { trigger: 'admin', requestedBy: 'admin:alice@contoso.com' });
    const events = await repos.events.list('p-woodgrove');
    expect(events.map((event) => [event.type, event.actor])).toEqual([['drift.detected', 'admin:alice@contoso.com']]);
    expect(reconcileActor({ trigger: 'notification' })).toBe('graph-notification');
    expect(reconcileActor({ trigger: 'missed' })).toBe('graph-notification');
    expect(reconcileActor({ trigger: 'admin' })).toBe('admin:function-key');
  });

  /** As an admin in the portals: delete the partner entry and turn Teams guest access off. */
  async function driftContoso(): Promise<void> {
    const deleted = await sim.control.admin(contoso.tenant.id, { method: 'DELETE', path: PARTNER_PATH(woodgroveId) });
    expect(deleted.status).toBe(204);
    const client = (await sim.control.state(contoso.tenant.id)).teams.TeamsClientConfiguration;
    const put = await sim.control.admin(contoso.tenant.id, { service: 'teams', method: 'PUT', path: TEAMS_CLIENT_PATH, body: { ...client, AllowGuestUser: false } });
    expect(put.status).toBe(200);
  }

  it('finds nothing to do in a tenant that is as desired, and writes nothing', async () => {
    const before = await repos.partnerships.require('p-woodgrove');
    await sim.control.resetCounters();
    const result = await run('enforce');
    expect(result).toMatchObject({ examined: 1, drifted: [], operations: 0, applied: 0, driftStatus: {} });
    expect((await repos.partnerships.require('p-woodgrove')).version).toBe(before.version);
    expect(await repos.events.list('p-woodgrove')).toEqual([]);
    const writes = (await sim.control.counters({ tenantId: contoso.tenant.id })).filter((row) => !/(^|\.)(Get|List)[A-Z]/.test(row.operation));
    expect(writes.length + (await sim.control.counters({ tenantId: contoso.tenant.id })).length).toBeGreaterThan(0);
    expect(writes).toEqual([]);
  });

  it('report mode records the drift (flagging the deleted partner) and changes nothing in the tenant', async () => {
    await driftContoso();
    const result = await run('report');
    expect(result.drifted).toEqual([
      {
        partnershipId: 'p-woodgrove',
        partnerDeleted: true,
        repaired: false,
        items: [
          expect.objectContaining({ operationId: `partner.create:${woodgroveId}`, kind: 'partner.create' }),
          expect.objectContaining({ operationId: 'teams.update:TeamsClientConfiguration', kind: 'teams.update' }),
          // Deleting the partner entry also drops its Teams cross-cloud meeting connection.
          expect.objectContaining({ operationId: 'teams.update:TeamsCrossCloudMeetingConfiguration', kind: 'teams.update' }),
        ],
      },
    ]);
    expect(result.driftStatus).toEqual({ 'p-woodgrove': 'Drifted' });
    const record = await repos.partnerships.require('p-woodgrove');
    expect(record).toMatchObject({ status: 'Active', driftStatus: 'Drifted', data: { reconcile: { mode: 'report', partnerDeleted: true, repaired: false } } });
    const events = await repos.events.list('p-woodgrove');
    expect(events.map((event) => event.type)).toEqual(['drift.detected']);
    expect(events[0].message).toMatch(/partner entry, which was deleted/);
    // One structured log line per drifted item.
    expect(logs.filter((entry) => entry.event === 'reconcile.drift').map((entry) => [entry.item, entry.partnerDeleted])).toEqual([
      [`partner.create:${woodgroveId}`, true],
      ['teams.update:TeamsClientConfiguration', false],
      ['teams.update:TeamsCrossCloudMeetingConfiguration', false],
    ]);
    const state = await sim.control.state(contoso.tenant.id);
    expect(state.partners.find((partner) => partner.tenantId === woodgroveId)).toBeUndefined();
    expect(state.teams.TeamsClientConfiguration).toMatchObject({ AllowGuestUser: false });

    // The same drift found again is not recorded again.
    await run('report');
    expect((await repos.events.list('p-woodgrove')).length).toBe(1);
  });

  it('enforce mode repairs the drift, records each repair, then finds the partnership in sync', async () => {
    await driftContoso();
    const result = await run('enforce');
    expect(result.drifted).toEqual([expect.objectContaining({ partnershipId: 'p-woodgrove', partnerDeleted: true, repaired: true })]);
    expect(result.driftStatus).toEqual({ 'p-woodgrove': 'Repaired' });
    const state = await sim.control.state(contoso.tenant.id);
    expect(state.partners.find((partner) => partner.tenantId === woodgroveId)).toMatchObject({ b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed' } } });
    expect(state.teams.TeamsClientConfiguration).toMatchObject({ AllowGuestUser: true });
    const events = await repos.events.list('p-woodgrove');
    expect(events.map((event) => event.type)).toEqual(['drift.detected', 'operation.applied', 'operation.applied', 'operation.applied', 'drift.repaired']);
    // The rows name what started the run (here the timer).
    expect(events.every((event) => event.actor === 'timer')).toBe(true);
    expect(events[1]).toMatchObject({ operationId: `partner.create:${woodgroveId}`, before: null });
    expect(await repos.partnerships.require('p-woodgrove')).toMatchObject({ driftStatus: 'Repaired', data: { reconcile: { repaired: true } } });

    const next = await run('enforce');
    expect(next).toMatchObject({ drifted: [], operations: 0, driftStatus: { 'p-woodgrove': 'InSync' } });
    const record = await repos.partnerships.require('p-woodgrove');
    expect(record.driftStatus).toBe('InSync');
    expect(record.data.reconcile).toBeUndefined();
  });

  it('never removes partners, domains or cloud endpoints the product does not own', async () => {
    // An admin's own partner, an extra cloud and an extra federated domain, plus a drift to repair.
    await sim.control.admin(contoso.tenant.id, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['partner.microsoftonline.cn', 'microsoftonline.us'] } });
    await sim.control.admin(contoso.tenant.id, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: fabrikamId } });
    const federation = (await sim.control.state(contoso.tenant.id)).teams.TenantFederationSettings as { AllowedDomains: string[] };
    await sim.control.admin(contoso.tenant.id, {
      service: 'teams',
      method: 'PUT',
      path: '/Skype.Policy/configurations/TenantFederationSettings/configuration/Global',
      body: { ...federation, AllowedDomains: [...federation.AllowedDomains, 'adatum.com'] },
    });
    await driftContoso();
    await run('enforce');
    const state = await sim.control.state(contoso.tenant.id);
    expect(state.partners.map((partner) => partner.tenantId).sort()).toEqual([fabrikamId, woodgroveId].sort());
    expect(state.policy.allowedCloudEndpoints.sort()).toEqual(['microsoftonline.us', 'partner.microsoftonline.cn']);
    expect((state.teams.TenantFederationSettings as { AllowedDomains: string[] }).AllowedDomains.sort()).toEqual(['adatum.com', 'woodgrove.cn']);
  });

  it('converges while Graph throttles the run', async () => {
    await driftContoso();
    await sim.control.addScriptedFault({ status: 429, count: 2, tenantId: contoso.tenant.id, retryAfterSeconds: 1 });
    await sim.control.setFaults({ throttle: { limit: 3, windowSeconds: 2 } });
    const result = await run('enforce');
    await sim.control.setFaults({ throttle: null });
    expect(result.error).toBeUndefined();
    expect(result.drifted[0]).toMatchObject({ repaired: true });
    const throttled = (await sim.control.counters({ tenantId: contoso.tenant.id })).reduce((sum, row) => sum + (row.statuses['429'] ?? 0), 0);
    expect(throttled).toBeGreaterThan(0);
    expect((await run('report')).drifted).toEqual([]);
  });

  it('reconciles only the partnerships asked for, and skips those that are not Active', async () => {
    await repos.partnerships.create({ id: 'p-draft', role: 'initiator', desired: (await repos.partnerships.require('p-woodgrove')).desired });
    await driftContoso();
    const result = await run('report', { partnershipIds: ['p-draft', 'p-missing'] });
    expect(result).toMatchObject({ examined: 0, drifted: [], skipped: [{ partnershipId: 'p-draft', reason: 'status Draft' }, { partnershipId: 'p-missing', reason: 'unknown partnership' }] });
    expect((await repos.partnerships.require('p-woodgrove')).driftStatus).toBe('InSync');
  });

  it('invites a deleted guest again in enforce mode and records the new guest object as owned', async () => {
    const before = await repos.partnerships.require('p-woodgrove');
    const guest = before.ownership.find((item) => item.kind === 'guest');
    expect(guest).toMatchObject({ upn: 'li.wei@woodgrove.cn', userId: expect.any(String) });
    const oldId = (guest as { userId: string }).userId;
    expect((await sim.control.admin(contoso.tenant.id, { method: 'DELETE', path: `/users/${oldId}` })).status).toBe(204);

    const result = await run('enforce');
    expect(result.drifted).toEqual([
      expect.objectContaining({ repaired: true, items: [expect.objectContaining({ operationId: 'guest.invite:li.wei@woodgrove.cn' })] }),
    ]);
    const after = await repos.partnerships.require('p-woodgrove');
    const reinvited = after.ownership.find((item) => item.kind === 'guest') as { userId: string };
    expect(reinvited.userId).not.toBe(oldId);
    const users = (await sim.control.state(contoso.tenant.id)).users;
    expect(users.find((user) => user.id === reinvited.userId)).toMatchObject({ userType: 'Guest' });
    expect(users.find((user) => user.id === oldId)).toBeUndefined();
  });
});
