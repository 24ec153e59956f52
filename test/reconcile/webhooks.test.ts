// Reconciliation end to end on the local stack (the project's app on the local host over HTTPS,
// the Graph + Teams simulator, Azurite): the notification and lifecycle webhooks, the burst
// collapse, the admin route and the timer. The partnership is made Active without the handshake
// (repositories + the domain's apply: see ./support.ts).
import { randomUUID } from 'node:crypto';
import { ReconcileClaimRepository } from '../../orchestrations/reconcile/claims';
import { createRepositories, type Repositories } from '../../shared';
import { api, useStack, WORLD, type LocalStackDeployment } from '../support/stack';
import { activateWoodgrovePartnership, CONTOSO_COLLABORATORS_GROUP, eventually, PARTNER_PATH, TEAMS_CLIENT_PATH } from './support';

jest.setTimeout(180_000);

const P = 'p1';

describe('reconciliation on the local stack', () => {
  const stack = useStack(() => ({
    deployments: [{ name: 'Contoso', tenantId: WORLD.contoso }],
    timings: 'short',
    inMemoryStorage: true,
    settings: {
      RECONCILE_MODE: 'enforce',
      // Long enough that a burst of 100 requests lands inside one window on a loaded machine.
      RECONCILE_DEBOUNCE_MS: '4000',
      // The tests fire the timer themselves (admin API); keep the schedule out of the way.
      RECONCILE_SCHEDULE: '0 0 0 1 1 *',
    },
  }));
  let contoso: LocalStackDeployment;
  let repos: Repositories;
  let claims: ReconcileClaimRepository;

  const sim = () => stack().simulator;
  const state = () => sim().control.state(WORLD.contoso);
  const partnerPresent = async () => (await state()).partners.some((partner) => partner.tenantId === WORLD.china);
  const deletePartner = async () => expect((await sim().control.admin(WORLD.contoso, { method: 'DELETE', path: PARTNER_PATH(WORLD.china) })).status).toBe(204);
  const instances = async (prefix: string): Promise<{ instanceId: string; runtimeStatus: string; output: any; createdTime: string }[]> => {
    const response = await api(contoso, 'GET', `/runtime/webhooks/durabletask/instances?instanceIdPrefix=${encodeURIComponent(prefix)}&code=${contoso.systemKey}`, { key: 'none' });
    expect(response.status).toBe(200);
    return response.body;
  };
  const clientStateOf = async (subscriptionId: string): Promise<string> =>
    String((await state()).subscriptions.find((subscription) => subscription.id === subscriptionId)?.clientState);
  const groupSubscription = async () => {
    const rows = await repos.subscriptions.list({ resource: `groups/${CONTOSO_COLLABORATORS_GROUP}/members` });
    expect(rows.length).toBe(1);
    return rows[0];
  };
  const notification = (subscriptionId: string, clientState: string) => ({
    id: randomUUID(),
    subscriptionId,
    clientState,
    changeType: 'updated',
    resource: `Groups/${CONTOSO_COLLABORATORS_GROUP}`,
    tenantId: WORLD.contoso,
    subscriptionExpirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
    resourceData: { '@odata.type': '#Microsoft.Graph.Group', id: CONTOSO_COLLABORATORS_GROUP },
  });
  const idle = () => eventually(async () => ((await claims.get(P))?.state ?? 'idle') === 'idle', { what: 'the reconcile claim to be released' });

  beforeAll(async () => {
    contoso = stack().deployment('Contoso');
    repos = createRepositories({ storage: { connectionString: stack().azurite.connectionString, tablePrefix: contoso.tablePrefix }, tableConflictRetries: 5 });
    claims = new ReconcileClaimRepository(repos.tables, { leaseSeconds: 600 });
    await activateWoodgrovePartnership(sim(), repos.partnerships, { id: P });
    // What the handshake does at its Active step: the ensureSubscriptions activity.
    const invoked = await api(contoso, 'POST', '/admin/functions/ensureSubscriptions', { key: 'master', body: { input: { partnershipId: P } } });
    expect(invoked.status).toBe(202);
    await eventually(async () => (await repos.subscriptions.list()).length === 2, { what: 'the subscriptions of p1' });
  });

  it('answers the validation handshake of both webhooks with the token as text/plain', async () => {
    for (const route of ['notifications', 'lifecycle']) {
      const token = 'Validation: Testing client application reachability for subscription Request-Id: 1234';
      const response = await api(contoso, 'POST', `/api/graph/${route}?validationToken=${encodeURIComponent(token)}`, { key: 'none', body: '', contentType: 'text/plain' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.text).toBe(token);
    }
  });

  it('subscribed through Graph with its public URL (Graph validated it) and a clientState kept only as a hash', async () => {
    const graph = (await state()).subscriptions;
    expect(graph.map((subscription) => subscription.notificationUrl)).toEqual([
      `${contoso.baseUrl}/api/graph/notifications`,
      `${contoso.baseUrl}/api/graph/notifications`,
    ]);
    expect(graph.every((subscription) => subscription.lifecycleNotificationUrl === `${contoso.baseUrl}/api/graph/lifecycle`)).toBe(true);
    const validations = (await sim().control.notifications()).filter((delivery) => delivery.kind === 'validation');
    expect(validations.length).toBeGreaterThanOrEqual(4);
    expect(validations.every((delivery) => delivery.delivered)).toBe(true);
    for (const row of await repos.subscriptions.list()) expect(JSON.stringify(row)).not.toContain(await clientStateOf(row.subscriptionId));
  });

  it('refuses a forged clientState or an unknown subscription with 403 and starts nothing', async () => {
    const subscription = await groupSubscription();
    const before = await instances(`reconcile-partnership-${P}-`);
    const claimBefore = await claims.get(P);
    for (const forged of [
      notification(subscription.subscriptionId, 'not-the-secret'),
      notification(subscription.subscriptionId, ''),
      notification(randomUUID(), await clientStateOf(subscription.subscriptionId)),
    ]) {
      const response = await api(contoso, 'POST', '/api/graph/notifications', { key: 'none', body: { value: [forged] } });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 403, code: 'notification.rejected', type: expect.stringMatching(/notification\.rejected$/) });
    }
    const lifecycle = await api(contoso, 'POST', '/api/graph/lifecycle', {
      key: 'none',
      body: { value: [{ subscriptionId: subscription.subscriptionId, clientState: 'nope', lifecycleEvent: 'subscriptionRemoved' }] },
    });
    expect(lifecycle.status).toBe(403);
    expect(await instances(`reconcile-partnership-${P}-`)).toEqual(before);
    expect(await instances('subscription-subscriptionRemoved-')).toEqual([]);
    expect(await claims.get(P)).toEqual(claimBefore);
    expect((await state()).subscriptions.length).toBe(2);
  });

  it('refuses a body that is not a notification collection (400) or is too large (413)', async () => {
    const bad = await api(contoso, 'POST', '/api/graph/notifications', { key: 'none', body: { value: [{ clientState: 'x' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'request.invalid', issues: [expect.objectContaining({ field: 'value.0.subscriptionId' })] });
    const notJson = await api(contoso, 'POST', '/api/graph/notifications', { key: 'none', body: '{', contentType: 'application/json' });
    expect(notJson.status).toBe(400);
    const huge = await api(contoso, 'POST', '/api/graph/notifications', { key: 'none', body: 'x'.repeat(1_100_000), contentType: 'application/json' });
    expect(huge.status).toBe(413);
  });

  it('collapses a burst of 100 notifications for one partnership into exactly one reconcile, which repairs the drift', async () => {
    await idle();
    const subscription = await groupSubscription();
    const clientState = await clientStateOf(subscription.subscriptionId);
    const before = (await instances(`reconcile-partnership-${P}-`)).map((instance) => instance.instanceId);
    const repairsBefore = (await repos.events.list(P, { type: 'drift.repaired' })).length;
    const logFrom = contoso.output().length;
    await deletePartner();

    const answers = await Promise.all(
      Array.from({ length: 100 }, () => api(contoso, 'POST', '/api/graph/notifications', { key: 'none', body: { value: [notification(subscription.subscriptionId, clientState)] } })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(202));

    await eventually(partnerPresent, { what: 'the partner entry to be recreated' });
    await idle();
    const started = (await instances(`reconcile-partnership-${P}-`)).filter((instance) => !before.includes(instance.instanceId));
    expect(started.length).toBe(1);
    const finished = await eventually(async () => {
      const [instance] = await instances(started[0].instanceId);
      return instance.runtimeStatus === 'Completed' ? instance : undefined;
    });
    // What each request did: one started the run, the others found it pending (covered); one that
    // landed after the read had begun (a loaded machine) is queued and makes the same run read again.
    const outcomes = [...contoso.output().slice(logFrom).matchAll(/"event":"notifications\.accepted".*?"outcome":"(\w+)"/g)].map((match) => match[1]);
    expect(outcomes.length).toBe(100);
    expect(outcomes.filter((outcome) => outcome === 'start').length).toBe(1);
    const queued = outcomes.filter((outcome) => outcome === 'queued').length;
    expect(finished.output).toMatchObject({ pass: queued > 0 ? 2 : 1, trigger: 'notification', mode: 'enforce' });
    // One repair (a second pass finds nothing left to do).
    expect((await repos.events.list(P, { type: 'drift.repaired' })).length).toBe(repairsBefore + 1);
  });

  it('a body of 1,000 notifications (Graph batches them) is accepted as one: 202, one reconcile of the partnership', async () => {
    await idle();
    const subscription = await groupSubscription();
    const clientState = await clientStateOf(subscription.subscriptionId);
    const logFrom = contoso.output().length;
    const body = { value: Array.from({ length: 1_000 }, () => notification(subscription.subscriptionId, clientState)) };
    const answer = await api(contoso, 'POST', '/api/graph/notifications', { key: 'none', body });
    expect(answer.status).toBe(202);
    const logged = await eventually(async () => /"event":"notifications\.accepted","accepted":1000,"duplicates":0,"refused":0,"partnerships":1/.exec(contoso.output().slice(logFrom)));
    expect(logged).toBeTruthy();
    await idle();
  });

  it('repairs after a real change notification from Graph (a member leaves a scoping group)', async () => {
    await idle();
    await deletePartner();
    const contosoUsers = (await state()).users;
    const megan = contosoUsers.find((user) => user.userPrincipalName === 'megan.bowen@contoso.com')!;
    const removed = await sim().control.admin(WORLD.contoso, { method: 'DELETE', path: `/groups/${CONTOSO_COLLABORATORS_GROUP}/members/${megan.id}/$ref` });
    expect(removed.status).toBe(204);
    await eventually(partnerPresent, { what: 'the partner entry to be recreated after the notification' });
    const deliveries = (await sim().control.notifications()).filter((delivery) => delivery.kind === 'change');
    expect(deliveries.some((delivery) => delivery.delivered && delivery.status === 202)).toBe(true);
    await sim().control.admin(WORLD.contoso, { method: 'POST', path: `/groups/${CONTOSO_COLLABORATORS_GROUP}/members/$ref`, body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${megan.id}` } });
    await idle();
  });

  it('lifecycle reauthorizationRequired → reauthorizes the subscription', async () => {
    const subscription = await groupSubscription();
    await sim().control.resetCounters();
    const delivery = await sim().control.triggerLifecycle(subscription.subscriptionId, 'reauthorizationRequired');
    expect(delivery).toMatchObject({ delivered: true, status: 202 });
    await eventually(async () => {
      const rows = await sim().control.counters({ tenantId: WORLD.contoso });
      return rows.some((row) => /reauthorize/i.test(row.operation) && (row.statuses['204'] ?? 0) > 0);
    }, { what: 'the reauthorize request' });
    expect(await repos.subscriptions.get(subscription.subscriptionId)).toBeDefined();
  });

  it('lifecycle subscriptionRemoved → creates the subscription again (new id, same resource and partnerships)', async () => {
    const subscription = await groupSubscription();
    const delivery = await sim().control.triggerLifecycle(subscription.subscriptionId, 'subscriptionRemoved');
    expect(delivery).toMatchObject({ delivered: true, status: 202 });
    const recreated = await eventually(async () => {
      const rows = await repos.subscriptions.list({ resource: subscription.resource });
      return rows.length === 1 && rows[0].subscriptionId !== subscription.subscriptionId ? rows[0] : undefined;
    }, { what: 'the subscription to be recreated' });
    expect(recreated.partnershipIds).toEqual([P]);
    const graph = (await state()).subscriptions.map((entry) => entry.id);
    expect(graph).toContain(recreated.subscriptionId);
    expect(graph).not.toContain(subscription.subscriptionId);
  });

  it('lifecycle missed → reconciles the partnerships the subscription serves', async () => {
    await idle();
    const subscription = await groupSubscription();
    await deletePartner();
    const delivery = await sim().control.triggerLifecycle(subscription.subscriptionId, 'missed');
    expect(delivery).toMatchObject({ delivered: true, status: 202 });
    await eventually(partnerPresent, { what: 'the partner entry to be recreated after missed' });
    await idle();
    const claim = await claims.get(P);
    expect(claim?.trigger).toBe('missed');
  });

  it('POST /api/partnerships/{id}/reconcile reports without changing anything, then enforces', async () => {
    await idle();
    await deletePartner();
    const client = (await state()).teams.TeamsClientConfiguration;
    await sim().control.admin(WORLD.contoso, { service: 'teams', method: 'PUT', path: TEAMS_CLIENT_PATH, body: { ...client, AllowGuestUser: false } });

    const report = await api(contoso, 'POST', `/api/partnerships/${P}/reconcile?mode=report`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ id: P, mode: 'report', driftStatus: 'Drifted', partnerDeleted: true, repaired: false });
    expect(report.body.drift.map((item: { operationId: string }) => item.operationId)).toEqual(
      expect.arrayContaining([`partner.create:${WORLD.china}`, 'teams.update:TeamsClientConfiguration']),
    );
    expect(await partnerPresent()).toBe(false);

    const enforce = await api(contoso, 'POST', `/api/partnerships/${P}/reconcile?mode=enforce`);
    expect(enforce.status).toBe(200);
    expect(enforce.body).toMatchObject({ mode: 'enforce', driftStatus: 'Repaired', repaired: true });
    expect(await partnerPresent()).toBe(true);
    expect((await state()).teams.TeamsClientConfiguration).toMatchObject({ AllowGuestUser: true });

    const clean = await api(contoso, 'POST', `/api/partnerships/${P}/reconcile`);
    expect(clean.body).toMatchObject({ driftStatus: 'InSync', drift: [] });
  });

  it('the admin route answers with the error the run ended with, carried typed (a tenant that keeps failing: 503 tenant.unavailable)', async () => {
    await idle();
    await sim().control.addScriptedFault({ status: 503, count: 1_000, tenantId: WORLD.contoso, method: 'GET', pathContains: '/crossTenantAccessPolicy/partners' });
    try {
      const failed = await api(contoso, 'POST', `/api/partnerships/${P}/reconcile?mode=report`);
      expect(failed).toMatchObject({ status: 503, body: { code: 'tenant.unavailable' } });
    } finally {
      await sim().control.setFaults({ scripted: [] });
    }
    // The run ended Completed with the refusal in its output (a value, not an exception's text).
    const failedRuns = (await instances(`reconcile-admin-${P}-`)).filter((instance) => instance.output?.ok === false);
    expect(failedRuns).toEqual([expect.objectContaining({ runtimeStatus: 'Completed', output: expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'tenant.unavailable' }) }) })]);
    expect((await api(contoso, 'POST', `/api/partnerships/${P}/reconcile?mode=report`)).status).toBe(200);
  });

  it('the admin route refuses a bad mode, an unknown or inactive partnership, and a missing key', async () => {
    expect(await api(contoso, 'POST', `/api/partnerships/${P}/reconcile?mode=fix`)).toMatchObject({ status: 400, body: { code: 'request.invalid', issues: [{ field: 'mode' }] } });
    expect(await api(contoso, 'POST', '/api/partnerships/nobody/reconcile')).toMatchObject({ status: 404, body: { code: 'partnership.not-found' } });
    await repos.partnerships.create({ id: 'p-draft', role: 'initiator', desired: (await repos.partnerships.require(P)).desired });
    expect(await api(contoso, 'POST', '/api/partnerships/p-draft/reconcile')).toMatchObject({ status: 409, body: { code: 'reconcile.not-active' } });
    expect((await api(contoso, 'POST', `/api/partnerships/${P}/reconcile`, { key: 'none' })).status).toBe(401);
  });

  it('the timer runs one reconcile of the whole deployment under a singleton id, never two at once', async () => {
    await idle();
    await deletePartner();
    // Slow the tenant down so the first run is surely still going when the timer fires again.
    await sim().control.setFaults({ latencyMs: 1_500 });
    try {
      expect((await api(contoso, 'POST', '/admin/functions/reconcileTimer', { key: 'master', body: {} })).status).toBe(202);
      const first = await eventually(async () => (await instances('reconcile-deployment'))[0], { what: 'the timer run' });
      await api(contoso, 'POST', `/runtime/webhooks/durabletask/instances/reconcile-deployment/suspend?code=${contoso.systemKey}`, { key: 'none' });
      expect((await api(contoso, 'POST', '/admin/functions/reconcileTimer', { key: 'master', body: {} })).status).toBe(202);
      await eventually(async () => /"event":"reconcile\.timer","run":"already-running"/.test(contoso.output()), { what: 'the second timer run to be skipped' });
      expect((await instances('reconcile-deployment'))[0].createdTime).toBe(first.createdTime);
      await api(contoso, 'POST', `/runtime/webhooks/durabletask/instances/reconcile-deployment/resume?code=${contoso.systemKey}`, { key: 'none' });
    } finally {
      await sim().control.setFaults({ latencyMs: 0 });
    }
    const done = await eventually(async () => {
      const [instance] = await instances('reconcile-deployment');
      return instance.runtimeStatus === 'Completed' ? instance : undefined;
    }, { what: 'the timer run to complete' });
    expect(done.output).toMatchObject({ trigger: 'timer', mode: 'enforce', examined: 1, drifted: [expect.objectContaining({ partnershipId: P, repaired: true })] });
    expect(await partnerPresent()).toBe(true);
  });

  it('a notification of a subscription several partnerships share starts ONE run of all of them', async () => {
    await idle();
    await repos.partnerships.create({ id: 'p2', role: 'initiator', status: 'Active', desired: (await repos.partnerships.require(P)).desired, partnerDomains: ['woodgrove.cn'] });
    expect((await api(contoso, 'POST', '/admin/functions/ensureSubscriptions', { key: 'master', body: { input: { partnershipId: 'p2' } } })).status).toBe(202);
    const shared = await eventually(async () => {
      const row = (await repos.subscriptions.list({ resource: `groups/${CONTOSO_COLLABORATORS_GROUP}/members` }))[0];
      return row?.partnershipIds.length === 2 ? row : undefined;
    }, { what: 'the group subscription to serve both partnerships' });
    await deletePartner();
    const answer = await api(contoso, 'POST', '/api/graph/notifications', { key: 'none', body: { value: [notification(shared.subscriptionId, await clientStateOf(shared.subscriptionId))] } });
    expect(answer.status).toBe(202);
    const run = await eventually(async () => {
      const [instance] = await instances('reconcile-all-');
      return instance?.runtimeStatus === 'Completed' ? instance : undefined;
    }, { what: 'the run of every partnership' });
    expect(run.output).toMatchObject({ examined: 2, trigger: 'notification' });
    expect(run.output.drifted.map((entry: { partnershipId: string }) => entry.partnershipId).sort()).toEqual([P, 'p2']);
    expect(await instances('reconcile-partnership-p2-')).toEqual([]);
    expect(await partnerPresent()).toBe(true);
  });
});
