// `npm run bench -- reconcile [--json] [--partnerships N] [--drift 0.05] [--latency-ms 20] [--debounce-ms 1000] [--seed N]`
//
// One deployment (Contoso, the project's app on the local host over HTTPS) with N Active
// partnerships, 5 % of them drifted at random by an admin (partner entry deleted, or inbound B2B
// blocked), against the simulator with 20 ms latency per request. Measured in the same run, from
// the same drifted state:
//   naive — per partnership: GET the partner + PATCH it (POST when gone) + GET the Teams settings;
//   ours  — one full reconcile run (enforce) as the timer starts it: orchestration → one read of
//           the tenant → plan in memory → $batch writes → drift recorded in Table storage.
// Then the time from one change notification to the repair: an admin deletes one partner entry
// and removes a member of the scoping group; Graph notifies the deployment; the debounced run
// repairs the partner. With --json the last line is
// {"naive":{"requests":…,"ms":…},"ours":{"requests":…,"ms":…},"notificationToRepairMs":…}.
import { startLocalStack, type LocalStackDeployment } from '../../infra/local/stack';
import type { ReconcileRunResult } from '../../orchestrations/reconcile';
import {
  createCredential,
  createRepositories,
  GraphAdapter,
  parseDesiredCollaboration,
  plan,
  readTenantState,
  RequestCounter,
  TeamsRestAdapter,
  type DesiredCollaboration,
  type TenantAdapters,
} from '../../shared';
import { configuredWorld, driftedSet, driftPartners, naivePartnerRepair, parseBenchArgs, partnerCloudOf, trustedOrRelaunched } from '../support/bench';
import { WORLD } from '../support/stack';
import { generatedTenantId as partnerId } from '../support/tenant';

const CONTOSO = WORLD.contoso;
/** Contoso's "Cross-cloud Collaborators": the outbound scoping group of every partnership. */
const COLLABORATORS = '2fda2898-91b5-4a9f-a23b-7ec7fb25509b';
const WAIT_MS = 600_000;
const POLL_MS = 25;

function desiredOf(index: number): DesiredCollaboration {
  return parseDesiredCollaboration({
    partnerTenantId: partnerId(index),
    partnerCloud: partnerCloudOf(index),
    partnerDeploymentUrl: `https://handshake.partner${index}.example`,
    b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: { groupIds: [COLLABORATORS] }, applications: 'office365' } },
    teams: { guestAccess: true },
  });
}

async function naiveLoop(adapters: TenantAdapters, all: DesiredCollaboration[]): Promise<void> {
  for (const desired of all) {
    await naivePartnerRepair(adapters.graph, desired);
    await adapters.teams.read(['TeamsClientConfiguration']);
  }
}

async function call(deployment: LocalStackDeployment, method: string, path: string, options: { body?: unknown; key?: 'master' | 'system' } = {}): Promise<{ status: number; body: any }> {
  const url = new URL(`${deployment.baseUrl}${path}`);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key === 'system') url.searchParams.set('code', deployment.systemKey);
  else if (options.key === 'master') headers['x-functions-key'] = deployment.masterKey;
  const response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, intervalMs = POLL_MS): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Fires the reconcile timer (admin API) and waits for the run it starts; its result and the wall time. */
async function timerRun(deployment: LocalStackDeployment): Promise<{ result: ReconcileRunResult; ms: number }> {
  const started = performance.now();
  const since = Date.now();
  const fired = await call(deployment, 'POST', '/admin/functions/reconcileTimer', { key: 'master', body: {} });
  if (fired.status !== 202) throw new Error(`the timer could not be invoked: ${fired.status}`);
  const status = await until(async () => {
    const current = await call(deployment, 'GET', '/runtime/webhooks/durabletask/instances/reconcile-deployment', { key: 'system' });
    const body = current.body as { runtimeStatus?: string; createdTime?: string; output?: unknown } | undefined;
    if (!body?.createdTime || Date.parse(body.createdTime) < since - 1_000) return undefined;
    if (body.runtimeStatus === 'Failed') throw new Error(`the reconcile run failed: ${JSON.stringify(body.output)}`);
    return body.runtimeStatus === 'Completed' ? body : undefined;
  }, 'the reconcile run');
  return { result: status.output as ReconcileRunResult, ms: Math.round(performance.now() - started) };
}

export async function main(args: string[]): Promise<void> {
  const options = parseBenchArgs(args, { json: false, partnerships: 1000, drift: 0.05, latencyMs: 20, debounceMs: 1000, seed: 7 });
  if (!(await trustedOrRelaunched('reconcile', args))) return;
  const log = (line: string): void => console.log(line);
  const all = Array.from({ length: options.partnerships }, (_, index) => desiredOf(index));
  const chosen = driftedSet(all.length, options.drift, options.seed);
  const drifted = chosen.map((position) => all[position].partnerTenantId);
  log(
    `reconcile benchmark: ${all.length} Active partnerships, ${chosen.length} drifted (${options.drift * 100} %), ` +
      `simulator latency ${options.latencyMs} ms, notification debounce ${options.debounceMs} ms`,
  );

  const stack = await startLocalStack({
    world: configuredWorld(CONTOSO, all),
    simulator: { policySizeLimitBytes: 50_000_000, strict: false },
    inMemoryStorage: true,
    timings: 'short',
    handleSigint: true,
    deployments: [{ name: 'Contoso', tenantId: CONTOSO }],
    settings: {
      RECONCILE_MODE: 'enforce',
      RECONCILE_DEBOUNCE_MS: String(options.debounceMs),
      RECONCILE_SCHEDULE: '0 0 0 1 1 *',
    },
  });
  try {
    const contoso = stack.deployment('Contoso');
    const tenant = contoso.tenant;
    const app = stack.simulator.world.apps.find((candidate) => candidate.tenantId === CONTOSO && candidate.displayName === 'cross-cloud-handshake')!;
    const credential = createCredential({ kind: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret }, CONTOSO, { loginBaseUrl: tenant.loginBaseUrl });
    const adaptersWith = (graphCounter: RequestCounter, teamsCounter: RequestCounter): TenantAdapters => ({
      graph: new GraphAdapter({ credential, endpoints: { graphBaseUrl: `${tenant.graphBaseUrl}/v1.0`, graphScope: tenant.graphScope }, counter: graphCounter }),
      teams: new TeamsRestAdapter({ credential, endpoints: { teamsAdminBaseUrl: tenant.teamsAdminBaseUrl, teamsScope: tenant.teamsScope }, counter: teamsCounter }),
    });
    await credential.getToken(tenant.graphScope);
    await credential.getToken(tenant.teamsScope);

    // The deployment's partnerships, Active, as the handshake leaves them.
    const repos = createRepositories({ storage: { connectionString: stack.azurite.connectionString, tablePrefix: contoso.tablePrefix }, tableConflictRetries: 5 });
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < all.length) {
          const index = next++;
          await repos.partnerships.create({ id: `bench-${index}`, role: 'initiator', status: 'Active', desired: all[index], data: {} });
        }
      }),
    );
    // Subscriptions (one, shared: every partnership scopes the same group), then a warm-up run.
    await call(contoso, 'POST', '/admin/functions/ensureSubscriptions', { key: 'master', body: { input: { partnershipId: 'bench-0' } } });
    await until(async () => (await repos.subscriptions.list()).length === 1, 'the subscription', 200);
    const warm = await timerRun(contoso);
    if (warm.result.drifted.length > 0) throw new Error(`the tenant was not in sync before the drift (${warm.result.drifted.length} drifted)`);
    log(`setup: ${all.length} partnerships stored, 1 shared subscription, warm-up run found no drift`);

    // Naive baseline.
    await driftPartners(stack.simulator.control, CONTOSO, drifted);
    await stack.simulator.control.setFaults({ latencyMs: options.latencyMs });
    const naiveGraph = new RequestCounter();
    const naiveTeams = new RequestCounter();
    let started = performance.now();
    await naiveLoop(adaptersWith(naiveGraph, naiveTeams), all);
    const naive = { requests: naiveGraph.total + naiveTeams.total, ms: Math.round(performance.now() - started) };
    await stack.simulator.control.setFaults({ latencyMs: 0 });
    log(`naive  GET+PATCH partner + GET Teams, per partnership: ${naive.requests} requests (${naiveGraph.total} Graph, ${naiveTeams.total} Teams), ${naive.ms} ms`);

    // Ours: the same drift, one timer-started run on the host.
    await driftPartners(stack.simulator.control, CONTOSO, drifted);
    await stack.simulator.control.setFaults({ latencyMs: options.latencyMs });
    await stack.simulator.control.resetCounters();
    const run = await timerRun(contoso);
    const counted = (await stack.simulator.control.counters({ tenantId: CONTOSO })).reduce((sum, row) => sum + row.count, 0);
    await stack.simulator.control.setFaults({ latencyMs: 0 });
    const ours = { requests: run.result.requests.graph + run.result.requests.teams, ms: run.ms };
    log(
      `ours   one reconcile run (timer → orchestration → read once → plan → $batch): ${ours.requests} requests ` +
        `(${run.result.requests.graph} Graph, ${run.result.requests.teams} Teams; the simulator counted ${counted} operations, each $batch item being one), ${ours.ms} ms; ` +
        `${run.result.drifted.length} drifted partnerships, ${run.result.operations} operations, ${run.result.applied} applied`,
    );
    const repairedAll = run.result.drifted.length === chosen.length && run.result.drifted.every((entry) => entry.repaired);
    if (!repairedAll) throw new Error(`the run did not repair every drifted partnership: ${JSON.stringify(run.result.drifted.slice(0, 3))}`);
    const check = new RequestCounter();
    const targets = all.map((desired, index) => ({ partnershipId: `bench-${index}`, desired }));
    const left = plan(targets, await readTenantState(adaptersWith(check, new RequestCounter()), targets, { localCloud: 'Global' }), { localCloud: 'Global' });
    if (left.operations.length > 0) throw new Error(`the tenant still differs after the run: ${left.operations.length} operations`);

    // One change notification → repair.
    await stack.simulator.control.setFaults({ latencyMs: options.latencyMs });
    const victim = all[chosen[0]].partnerTenantId;
    const partnerPath = `/policies/crossTenantAccessPolicy/partners/${victim}`;
    await stack.simulator.control.admin(CONTOSO, { method: 'DELETE', path: partnerPath });
    const member = stack.simulator.world.tenants.find((candidate) => candidate.id === CONTOSO)!.users.find((user) => user.userPrincipalName === 'megan.bowen@contoso.com')!;
    await stack.simulator.control.clearNotifications();
    const changedAt = performance.now();
    const changedAtWall = Date.now();
    const removed = await stack.simulator.control.admin(CONTOSO, { method: 'DELETE', path: `/groups/${COLLABORATORS}/members/${member.id}/$ref` });
    if (removed.status !== 204) throw new Error(`the membership change failed: ${removed.status}`);
    await until(async () => (await stack.simulator.control.admin(CONTOSO, { method: 'GET', path: partnerPath })).status === 200, 'the repair after the notification');
    const notificationToRepairMs = Math.round(performance.now() - changedAt);
    const delivery = (await stack.simulator.control.notifications()).find((entry) => entry.kind === 'change' && entry.delivered);
    await stack.simulator.control.setFaults({ latencyMs: 0 });
    log(
      `notification → repair: ${notificationToRepairMs} ms from the admin's change to the partner entry back ` +
        `(Graph delivered the notification ${delivery ? `${Date.parse(delivery.at) - changedAtWall} ms` : '?'} after the change; ` +
        `the run waits ${options.debounceMs} ms for the rest of a burst)`,
    );

    // How fast the webhook answers Graph during a burst (Graph wants 202 within 3 s).
    const subscription = (await repos.subscriptions.list())[0];
    const clientState = String((await stack.simulator.control.state(CONTOSO)).subscriptions.find((entry) => entry.id === subscription.subscriptionId)?.clientState);
    const answerMs = await Promise.all(
      Array.from({ length: 100 }, async (_, index) => {
        const sent = performance.now();
        const response = await fetch(`${contoso.baseUrl}/api/graph/notifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ value: [{ id: `burst-${index}`, subscriptionId: subscription.subscriptionId, clientState, changeType: 'updated', resource: `Groups/${COLLABORATORS}` }] }),
        });
        await response.arrayBuffer();
        if (response.status !== 202) throw new Error(`the webhook answered ${response.status}`);
        return performance.now() - sent;
      }),
    );
    answerMs.sort((a, b) => a - b);
    const at = (q: number): number => Math.round(answerMs[Math.min(answerMs.length - 1, Math.floor(q * answerMs.length))]);
    log(`webhook answers to a burst of 100 notifications: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${Math.round(answerMs[answerMs.length - 1])} ms (Graph wants 202 within 3 s)`);

    const fewer = naive.requests / ours.requests;
    const faster = naive.ms / ours.ms;
    log(`ratio: ${fewer.toFixed(1)}x fewer requests, ${faster.toFixed(1)}x faster`);
    log(
      `goal (≤ 30 requests, ≥ 70x fewer, ≥ 30x faster): ${ours.requests <= 30 && fewer >= 70 && faster >= 30 ? 'met' : 'NOT met'}`,
    );
    if (options.json) console.log(JSON.stringify({ naive, ours, notificationToRepairMs }));
  } finally {
    await stack.stop();
  }
}
