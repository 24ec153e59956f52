// Durable Functions on the local host: the app's own starters and durable-functions' client,
// the management URLs they hand out, and the HTTP management API, against real Azurite.
import { TableClient } from '@azure/data-tables';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CheckStatusLinks, OrchestrationStatus, raiseEvent, request, useWorkflowsHost, waitForStatus } from '../support/host';

const WEBHOOK = '/runtime/webhooks/durabletask';

describe('durable orchestrations on the local host', () => {
  const { host, azurite, statePath } = useWorkflowsHost('host-durable');

  async function start(name: string, input?: unknown, instanceId?: string): Promise<CheckStatusLinks> {
    const response = await request(host(), 'POST', `/api/orchestrators/${name}${instanceId ? `/${instanceId}` : ''}`, { rawBody: input === undefined ? '' : JSON.stringify(input) });
    expect(response.status).toBe(202);
    const links = response.json<CheckStatusLinks>();
    expect(response.headers.get('location')).toBe(links.statusQueryGetUri);
    return links;
  }
  const finish = (links: CheckStatusLinks): Promise<OrchestrationStatus> => waitForStatus(links.statusQueryGetUri);
  const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

  it('runs a chain; the check-status links point at this host and work', async () => {
    const links = await start('chain', ['Tokyo', 'Seattle']);
    expect(links.statusQueryGetUri.startsWith(`${host().baseUrl}${WEBHOOK}/instances/${links.id}?`)).toBe(true);
    const status = await finish(links);
    expect(status).toMatchObject({ name: 'chain', runtimeStatus: 'Completed', input: ['Tokyo', 'Seattle'], output: ['Hello, Tokyo!', 'Hello, Seattle!'] });
    expect(status.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('fans out and in', async () => {
    const status = await finish(await start('fanOut', 50));
    // 2 × (1 + … + 50)
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 2550 });
  });

  it('human interaction: the approval event wins against the timer', async () => {
    const links = await start('approval', { timeoutSeconds: 60 });
    await waitForStatus(links.statusQueryGetUri, { statuses: ['Running'], predicate: (s) => s.customStatus === 'waiting for approval' });
    expect(await raiseEvent(links, 'Approval', { by: 'ann' })).toBe(202);
    expect(await finish(links)).toMatchObject({ runtimeStatus: 'Completed', output: 'approved: {"by":"ann"}' });
  });

  it('human interaction: the timer wins when nobody approves', async () => {
    const links = await start('approval', { timeoutSeconds: 1 });
    expect(await finish(links)).toMatchObject({ runtimeStatus: 'Completed', output: 'timed out' });
  });

  it('retries a failing activity until it succeeds, and gives up after the last attempt', async () => {
    const ok = await finish(await start('retrying', { key: 'ok', failures: 2, attempts: 3 }));
    expect(ok).toMatchObject({ runtimeStatus: 'Completed', output: 'succeeded after 3 attempts' });
    expect(readFileSync(join(statePath, 'flaky-ok.count'), 'utf8')).toBe('3');
    const exhausted = await finish(await start('retrying', { key: 'exhausted', failures: 5, attempts: 2 }));
    expect(exhausted.output).toMatch(/^gave up: Activity function 'flaky' failed: flaky failure 2/);
    expect(readFileSync(join(statePath, 'flaky-exhausted.count'), 'utf8')).toBe('2');
  });

  it('runs sub-orchestrations, with ids, retries and failures', async () => {
    const links = await start('parent', { key: 'parent', failures: 1, attempts: 2 });
    const status = await finish(links);
    expect(status).toMatchObject({
      runtimeStatus: 'Completed',
      output: {
        first: ['Hello, Alpha!', 'Hello, Beta!'],
        second: 12,
        retried: 'succeeded after 2 attempts',
        failed: expect.stringMatching(/^Orchestrator function 'failing' failed: orchestrator failed on purpose: from parent/),
      },
    });
    const child = await request(host(), 'GET', `${WEBHOOK}/instances/${links.id}-child`, { key: 'system' });
    expect(child.json()).toMatchObject({ name: 'fanOut', runtimeStatus: 'Completed', output: 12 });
  });

  it('continues as new, carrying events raised before they were awaited', async () => {
    const links = await start('counter', { generation: 0, max: 3, total: 0 });
    for (const n of [1, 2, 3]) expect(await raiseEvent(links, 'add', n)).toBe(202);
    expect(await finish(links)).toMatchObject({ runtimeStatus: 'Completed', output: { generations: 3, total: 6 } });
  });

  it('buffers events raised before the orchestrator waits for them', async () => {
    const links = await start('eventCollector', 3);
    for (const n of [1, 2, 3]) await raiseEvent(links, 'item', n);
    expect(await finish(links)).toMatchObject({ output: [1, 2, 3] });
  });

  it('reports custom status while running and at the end', async () => {
    const links = await start('statusReporter');
    const waiting = await waitForStatus(links.statusQueryGetUri, { statuses: ['Running'], predicate: (s) => (s.customStatus as { stage?: string } | null)?.stage === 'waiting' });
    expect(waiting.customStatus).toEqual({ stage: 'waiting', progress: 50 });
    await raiseEvent(links, 'go', 'now');
    expect(await finish(links)).toMatchObject({ runtimeStatus: 'Completed', output: 'now', customStatus: { stage: 'done', progress: 100 } });
  });

  it('reports an orchestrator failure and an unhandled activity failure as the extension does', async () => {
    expect(await finish(await start('failing', 'x'))).toMatchObject({ runtimeStatus: 'Failed', output: "Orchestrator function 'failing' failed: orchestrator failed on purpose: x" });
    const failed = await finish(await start('activityFailure', 'why'));
    expect(failed.runtimeStatus).toBe('Failed');
    expect(failed.output).toMatch(/^Orchestrator function 'activityFailure' failed: Activity function 'alwaysFails' failed: activity failed: why/);
    const strict = await request(host(), 'GET', `${WEBHOOK}/instances/${(failed as { instanceId: string }).instanceId}?returnInternalServerErrorOnFailure=true`, { key: 'system' });
    expect(strict.status).toBe(500);
  });

  it('refuses durable entities with a clear failure instead of hanging', async () => {
    const status = await finish(await start('usesEntity'));
    expect(status).toMatchObject({ runtimeStatus: 'Failed' });
    expect(status.output).toMatch(/durable entities \(callEntity\) is not supported by this local host/);
  });

  it('terminates a running instance; later operations answer 410', async () => {
    const links = await start('waitForever');
    await waitForStatus(links.statusQueryGetUri, { statuses: ['Running'] });
    const terminated = await fetch(links.terminatePostUri.replace('{text}', 'no longer needed'), { method: 'POST' });
    expect(terminated.status).toBe(202);
    expect(await finish(links)).toMatchObject({ runtimeStatus: 'Terminated', output: 'no longer needed' });
    expect((await fetch(links.terminatePostUri.replace('{text}', 'again'), { method: 'POST' })).status).toBe(410);
    expect(await raiseEvent(links, 'never', 1)).toBe(410);
  });

  it('suspends and resumes an instance; events wait while it is suspended', async () => {
    const links = await start('statusReporter');
    await waitForStatus(links.statusQueryGetUri, { statuses: ['Running'], predicate: (s) => (s.customStatus as { stage?: string } | null)?.stage === 'waiting' });
    expect((await fetch(links.suspendPostUri.replace('{text}', 'pause'), { method: 'POST' })).status).toBe(202);
    await waitForStatus(links.statusQueryGetUri, { statuses: ['Suspended'] });
    expect(await raiseEvent(links, 'go', 'after resume')).toBe(202);
    expect((await waitForStatus(links.statusQueryGetUri, { statuses: ['Suspended'] })).runtimeStatus).toBe('Suspended');
    expect((await fetch(links.resumePostUri.replace('{text}', 'go on'), { method: 'POST' })).status).toBe(202);
    expect(await finish(links)).toMatchObject({ runtimeStatus: 'Completed', output: 'after resume' });
    // The event raised while suspended was taken only after the resume (the history keeps the order).
    const history = (await waitForStatus(`${links.statusQueryGetUri}&showHistory=true`)).historyEvents ?? [];
    const types = history.map((event) => event.EventType);
    expect(types.indexOf('EventRaised')).toBeGreaterThan(types.indexOf('ExecutionResumed'));
    expect(types.indexOf('ExecutionResumed')).toBeGreaterThan(types.indexOf('ExecutionSuspended'));
  });

  it('purges a finished instance, refuses to purge a running one', async () => {
    const done = await start('chain', ['x']);
    await finish(done);
    const purged = await fetch(done.purgeHistoryDeleteUri, { method: 'DELETE' });
    expect(purged.status).toBe(200);
    expect(await purged.json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(done.statusQueryGetUri)).status).toBe(404);
    expect((await fetch(done.purgeHistoryDeleteUri, { method: 'DELETE' })).status).toBe(404);

    const running = await start('waitForever');
    await waitForStatus(running.statusQueryGetUri, { statuses: ['Running'] });
    expect((await fetch(running.purgeHistoryDeleteUri, { method: 'DELETE' })).status).toBe(409);
    await fetch(running.terminatePostUri.replace('{text}', 'cleanup'), { method: 'POST' });
  });

  it('lists instances with filters and continuation tokens', async () => {
    const prefix = unique('list');
    for (let i = 0; i < 3; i++) await finish(await start('chain', [`n${i}`], `${prefix}-${i}`));
    const base = `${WEBHOOK}/instances/?instanceIdPrefix=${prefix}`;
    const all = await request(host(), 'GET', `${base}&runtimeStatus=Completed,Failed`, { key: 'system' });
    expect(all.json<OrchestrationStatus[]>().map((s) => s.instanceId).sort()).toEqual([0, 1, 2].map((i) => `${prefix}-${i}`));
    expect(all.json<OrchestrationStatus[]>()[0].input).toBeNull();
    const withInput = await request(host(), 'GET', `${base}&showInput=true`, { key: 'system' });
    expect(withInput.json<OrchestrationStatus[]>().every((s) => Array.isArray(s.input))).toBe(true);

    const first = await request(host(), 'GET', `${base}&top=2`, { key: 'system' });
    const token = first.headers.get('x-ms-continuation-token');
    expect(first.json<unknown[]>()).toHaveLength(2);
    expect(token).toBeTruthy();
    const second = await request(host(), 'GET', `${base}&top=2`, { key: 'system', headers: { 'x-ms-continuation-token': token! } });
    expect(second.json<unknown[]>()).toHaveLength(1);

    expect((await request(host(), 'GET', `${base}&runtimeStatus=Running`, { key: 'system' })).json()).toEqual([]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await request(host(), 'GET', `${base}&createdTimeFrom=${future}`, { key: 'system' })).json()).toEqual([]);
    expect((await request(host(), 'GET', `${base}&createdTimeTo=${future}`, { key: 'system' })).json<unknown[]>()).toHaveLength(3);

    // durable-functions' own client follows the continuation tokens.
    const viaClient = await request(host(), 'POST', '/api/client/list', { body: { runtimeStatus: ['Completed'], createdTimeFrom: new Date(Date.now() - 3_600_000).toISOString() } });
    expect(viaClient.json<OrchestrationStatus[]>().filter((s) => s.instanceId.startsWith(prefix))).toHaveLength(3);
    const everything = await request(host(), 'POST', '/api/client/list', { body: {} });
    expect(everything.json<OrchestrationStatus[]>().filter((s) => s.instanceId.startsWith(prefix))).toHaveLength(3);

    const purged = await request(host(), 'DELETE', `${WEBHOOK}/instances/?createdTimeFrom=${new Date(Date.now() - 3_600_000).toISOString()}&runtimeStatus=Terminated`, { key: 'system' });
    expect([200, 404]).toContain(purged.status);
  });

  it('shows history, history output and input on request', async () => {
    const links = await start('chain', ['h']);
    await finish(links);
    type WithHistory = OrchestrationStatus & { historyEvents: { EventType: string; Result?: unknown }[] };
    const plain = (await (await fetch(links.statusQueryGetUri)).json()) as WithHistory;
    expect(plain.historyEvents).toBeUndefined();
    const full = (await (await fetch(`${links.statusQueryGetUri}&showHistory=true&showHistoryOutput=true`)).json()) as WithHistory;
    expect(full.historyEvents.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'ExecutionCompleted']);
    expect(full.historyEvents[1]).toMatchObject({ FunctionName: 'sayHello', Result: 'Hello, h!' });
    const noOutput = (await (await fetch(`${links.statusQueryGetUri}&showHistory=true&showInput=false`)).json()) as WithHistory;
    expect(noOutput.input).toBeNull();
    expect(noOutput.historyEvents[1].Result).toBeUndefined();
  });

  it("drives durable-functions' client from the app: getStatus, raiseEvent, terminate, purge, payload", async () => {
    const links = await start('eventCollector', 1);
    const status = (await request(host(), 'POST', `/api/client/status/${links.id}`, { body: { showHistory: true } })).json<OrchestrationStatus & { history?: unknown }>();
    expect(status).toMatchObject({ instanceId: links.id, name: 'eventCollector' });
    expect((await request(host(), 'POST', `/api/client/raise/${links.id}`, { body: { name: 'item', data: { v: 9 } } })).status).toBe(202);
    expect(await finish(links)).toMatchObject({ output: [{ v: 9 }] });

    const payload = (await request(host(), 'POST', `/api/client/payload/abc`, { body: {} })).json<Record<string, string>>();
    expect(payload.statusQueryGetUri.startsWith(`${host().baseUrl}${WEBHOOK}/instances/abc?`)).toBe(true);

    const doomed = await start('waitForever');
    await waitForStatus(doomed.statusQueryGetUri, { statuses: ['Running'] });
    expect((await request(host(), 'POST', `/api/client/terminate/${doomed.id}`, { body: { reason: 'by client' } })).status).toBe(202);
    expect(await finish(doomed)).toMatchObject({ runtimeStatus: 'Terminated', output: 'by client' });
    expect((await request(host(), 'POST', `/api/client/purge/${doomed.id}`, { body: {} })).json()).toEqual({ instancesDeleted: 1 });
  });

  it('waitForCompletionOrCreateCheckStatusResponse: the output when quick, check-status links when not', async () => {
    const quick = await request(host(), 'POST', '/api/wait/chain', { rawBody: JSON.stringify(['w']) });
    expect(quick.status).toBe(200);
    expect(quick.json()).toEqual(['Hello, w!']);
    const slow = await request(host(), 'POST', '/api/wait/waitForever?timeoutMs=300', { rawBody: '' });
    expect(slow.status).toBe(202);
    const links = slow.json<CheckStatusLinks>();
    await fetch(links.terminatePostUri.replace('{text}', 'done'), { method: 'POST' });
  });

  it('recovers from a concurrent change to the instance row (ETag conflict) without losing or repeating work', async () => {
    const links = await start('eventCollector', 2);
    await raiseEvent(links, 'item', 'first');
    // The first event is in the history (its episode committed) before the row is touched.
    await waitForStatus(`${links.statusQueryGetUri}&showHistory=true`, {
      statuses: ['Running'],
      predicate: (status) => (status.historyEvents ?? []).some((event) => event.EventType === 'EventRaised'),
    });
    // Someone else writes the instance row: the host's next commit must fail, reload, and redo.
    const table = TableClient.fromConnectionString(azurite().connectionString, 'WorkflowsHubInstances', { allowInsecureConnection: true });
    await table.updateEntity({ partitionKey: links.id, rowKey: 'state', TouchedByTest: true }, 'Merge');
    await raiseEvent(links, 'item', 'second');
    expect(await finish(links)).toMatchObject({ runtimeStatus: 'Completed', output: ['first', 'second'] });
    const metrics = (await request(host(), 'GET', '/admin/host/metrics', { key: 'master' })).json<{ durable: { conflicts: number } }>();
    expect(metrics.durable.conflicts).toBeGreaterThanOrEqual(1);
  });

  it('management API: start (and wait), restart, and clear errors', async () => {
    const started = await request(host(), 'POST', `${WEBHOOK}/orchestrators/chain?timeout=20&pollingInterval=1`, { key: 'system', body: ['api'] });
    expect(started.status).toBe(200);
    expect(started.json()).toEqual(['Hello, api!']);

    const id = unique('fixed');
    const first = await request(host(), 'POST', `${WEBHOOK}/orchestrators/waitForever/${id}`, { key: 'system', rawBody: '' });
    expect(first.status).toBe(202);
    const duplicate = await request(host(), 'POST', `${WEBHOOK}/orchestrators/waitForever/${id}`, { key: 'system', rawBody: '' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toMatch(/already exists/);
    await request(host(), 'POST', `${WEBHOOK}/instances/${id}/terminate?reason=x`, { key: 'system' });
    await waitForStatus(first.json<CheckStatusLinks>().statusQueryGetUri, { statuses: ['Terminated'] });
    // A finished id may be reused.
    expect((await request(host(), 'POST', `${WEBHOOK}/orchestrators/chain/${id}`, { key: 'system', body: ['again'] })).status).toBe(202);
    expect(await waitForStatus(first.json<CheckStatusLinks>().statusQueryGetUri)).toMatchObject({ name: 'chain', output: ['Hello, again!'] });

    const restarted = await request(host(), 'POST', `${WEBHOOK}/instances/${id}/restart`, { key: 'system' });
    expect(restarted.status).toBe(202);
    const restartedLinks = restarted.json<CheckStatusLinks>();
    expect(restartedLinks.id).not.toBe(id);
    expect(await finish(restartedLinks)).toMatchObject({ output: ['Hello, again!'] });

    expect((await request(host(), 'GET', `${WEBHOOK}/instances/nope-${id}`, { key: 'system' })).status).toBe(404);
    expect((await request(host(), 'GET', `${WEBHOOK}/instances/${id}`, { key: 'function' })).status).toBe(401);
    expect((await request(host(), 'GET', `${WEBHOOK}/instances/${id}`, { key: 'master' })).status).toBe(200);
    const unknown = await request(host(), 'POST', `${WEBHOOK}/orchestrators/noSuchOrchestrator`, { key: 'system', rawBody: '' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/The function 'noSuchOrchestrator' doesn't exist/);
    expect((await request(host(), 'POST', `${WEBHOOK}/orchestrators/chain`, { key: 'system', rawBody: '{not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await request(host(), 'POST', `${WEBHOOK}/orchestrators/chain/bad%23id`, { key: 'system', rawBody: '' })).status).toBe(400);
    const textEvent = await request(host(), 'POST', `${WEBHOOK}/instances/${id}/raiseEvent/x`, { key: 'system', rawBody: 'hi', headers: { 'content-type': 'text/plain' } });
    expect(textEvent.status).toBe(400);
    expect((await request(host(), 'POST', `${WEBHOOK}/instances/nope-${id}/raiseEvent/x`, { key: 'system', body: 1 })).status).toBe(404);
    expect((await request(host(), 'GET', `${WEBHOOK}/entities/counter/one`, { key: 'system' })).status).toBe(501);
    expect((await request(host(), 'GET', `${WEBHOOK}/instances/${id}?taskHub=OtherHub`, { key: 'system' })).status).toBe(400);
    expect(existsSync(statePath)).toBe(true);
  });
});
