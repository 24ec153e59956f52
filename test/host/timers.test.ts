// Timer triggers on a host process: a per-second schedule, runOnStartup, admin invocation, and
// isPastDue after a restart that missed an occurrence (schedule status kept in table storage).
import { TableClient } from '@azure/data-tables';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../infra/local/azurite';
import { WORKFLOWS_APP, launchHost, request, tempDir, waitForStatus } from '../support/host';

interface Tick {
  at: string;
  isPastDue: boolean;
  last: string | null;
  instanceId: string | null;
}

function ticks(dir: string): Tick[] {
  const file = join(dir, 'ticks.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Tick);
}

async function waitForTicks(dir: string, count: number, timeoutMs = 30_000): Promise<Tick[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const seen = ticks(dir);
    if (seen.length >= count) return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Expected ${count} ticks in ${dir}, saw ${ticks(dir).length}`);
}

describe('timer triggers', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true });
  }, 60_000);
  afterAll(async () => azurite?.stop());

  it('fires a */1 * * * * * schedule every second', async () => {
    const state = tempDir('host-timer-fast');
    const host = await launchHost({ appDir: WORKFLOWS_APP, storageConnectionString: azurite.connectionString, taskHub: 'TimerFast', env: { TEST_STATE_DIR: state.path, TICK_SCHEDULE: '*/1 * * * * *' } });
    try {
      const seen = await waitForTicks(state.path, 3);
      expect(seen.every((t) => t.isPastDue === false)).toBe(true);
      const times = seen.map((t) => Date.parse(t.at));
      // Successive occurrences are whole seconds apart (never two in the same second).
      for (let i = 1; i < times.length; i++) expect(Math.floor(times[i] / 1000)).toBeGreaterThan(Math.floor(times[i - 1] / 1000));
    } finally {
      await host.stop();
      state.remove();
    }
  });

  it('runs on startup when asked (starting an orchestration through its durable client), and on demand through the admin API', async () => {
    const state = tempDir('host-timer-startup');
    const host = await launchHost({
      appDir: WORKFLOWS_APP,
      storageConnectionString: azurite.connectionString,
      taskHub: 'TimerStartup',
      env: { TEST_STATE_DIR: state.path, TICK_SCHEDULE: '0 0 0 1 1 *', TICK_RUN_ON_STARTUP: 'true', TICK_ORCHESTRATION: 'chain' },
    });
    try {
      const [first] = await waitForTicks(state.path, 1);
      expect(first.instanceId).toBeTruthy();
      const started = await waitForStatus(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${first.instanceId}?code=${host.systemKey}`);
      expect(started).toMatchObject({ name: 'chain', runtimeStatus: 'Completed', output: ['Hello, from a timer!'] });
      expect((await request(host, 'POST', '/admin/functions/tick', { body: { input: '' }, key: 'function' })).status).toBe(401);
      expect((await request(host, 'POST', '/admin/functions/tick', { body: { input: '' }, key: 'master' })).status).toBe(202);
      expect(await waitForTicks(state.path, 2)).toHaveLength(2);
    } finally {
      await host.stop();
      state.remove();
    }
  });

  it('invokes with isPastDue after a restart that missed an occurrence', async () => {
    const state = tempDir('host-timer-pastdue');
    const options = {
      appDir: WORKFLOWS_APP,
      storageConnectionString: azurite.connectionString,
      taskHub: 'TimerPastDue',
      env: { TEST_STATE_DIR: state.path, TICK_SCHEDULE: '0 0 0 1 1 *' },
    };
    let host = await launchHost(options);
    await host.stop();
    expect(ticks(state.path)).toEqual([]);
    // The host was down when the (yearly) occurrence fell due: move it into the past.
    const table = TableClient.fromConnectionString(azurite.connectionString, 'LocalHostTimers', { allowInsecureConnection: true });
    const status = await table.getEntity<{ Next: string }>('timerpastdue', 'tick');
    expect(Date.parse(status.Next)).toBeGreaterThan(Date.now());
    await table.updateEntity({ partitionKey: 'timerpastdue', rowKey: 'tick', Next: new Date(Date.now() - 60_000).toISOString() }, 'Merge');

    host = await launchHost(options);
    try {
      const [tick] = await waitForTicks(state.path, 1);
      expect(tick.isPastDue).toBe(true);
      const updated = await table.getEntity<{ Next: string; Last: string }>('timerpastdue', 'tick');
      expect(Date.parse(updated.Next)).toBeGreaterThan(Date.now());
    } finally {
      await host.stop();
      state.remove();
    }
  });
});
