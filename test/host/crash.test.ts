// A host killed with SIGKILL mid-orchestration and started again on the same storage resumes
// every instance: activities that had not reported run again (at least once), timers and waits
// carry on, and no activity result is lost.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startAzurite, type RunningAzurite } from '../../infra/local/azurite';
import { CheckStatusLinks, LaunchHostOptions, RunningHost, WORKFLOWS_APP, launchHost, raiseEvent, rebase, request, tempDir, waitForStatus } from '../support/host';

const KEYS = { masterKey: 'crash-test-master-key-0001', functionKey: 'crash-test-function-key-01', systemKey: 'crash-test-system-key-0001' };

function stepLog(dir: string, runId: string): string[] {
  const file = join(dir, `steps-${runId}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

async function waitForLine(dir: string, runId: string, line: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!stepLog(dir, runId).includes(line)) {
    if (Date.now() > deadline) throw new Error(`"${line}" never appeared in the step log of ${runId}: ${stepLog(dir, runId).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function start(host: RunningHost, name: string, input: unknown): Promise<CheckStatusLinks> {
  const response = await request(host, 'POST', `/api/orchestrators/${name}`, { rawBody: JSON.stringify(input) });
  expect(response.status).toBe(202);
  return response.json<CheckStatusLinks>();
}

/** Runs the crash scenario: kill twice, mid-activity, then check every instance finished whole. */
async function crashAndResume(options: LaunchHostOptions, state: string): Promise<void> {
  const runId = `run-${randomBytes(3).toString('hex')}`;
  const steps = 6;
  let host = await launchHost(options);
  let chain: CheckStatusLinks;
  let timer: CheckStatusLinks;
  let waiting: CheckStatusLinks;
  try {
    chain = await start(host, 'slowChain', { runId, steps, delayMs: 300 });
    timer = await start(host, 'timerOnly', 3);
    waiting = await start(host, 'eventCollector', 1);
    await waitForStatus(waiting.statusQueryGetUri, { statuses: ['Running'] });
    await waitForLine(state, runId, 'start 2');
  } finally {
    await host.kill('SIGKILL');
  }
  expect(stepLog(state, runId)).not.toContain(`end ${steps}`);

  // Second life, killed again mid-activity.
  host = await launchHost(options);
  try {
    await waitForLine(state, runId, 'start 4');
  } finally {
    await host.kill('SIGKILL');
  }

  // Third life: everything finishes.
  host = await launchHost(options);
  try {
    expect(await raiseEvent({ ...waiting, sendEventPostUri: rebase(waiting.sendEventPostUri, host) }, 'item', 'after the crashes')).toBe(202);
    const chainStatus = await waitForStatus(rebase(chain.statusQueryGetUri, host), { timeoutMs: 60_000 });
    expect(chainStatus).toMatchObject({ runtimeStatus: 'Completed', output: [10, 20, 30, 40, 50, 60, 70, 80, 90] });
    expect(await waitForStatus(rebase(timer.statusQueryGetUri, host))).toMatchObject({ runtimeStatus: 'Completed', output: 'slept 3s' });
    expect(await waitForStatus(rebase(waiting.statusQueryGetUri, host))).toMatchObject({ runtimeStatus: 'Completed', output: ['after the crashes'] });
    // Every step ran to its end at least once (a step cut off by a kill ran again).
    const log = stepLog(state, runId);
    for (let step = 1; step <= steps + 3; step++) expect(log).toContain(`end ${step}`);
    expect(host.output()).toMatch(/Resumed \d+ unfinished orchestration instance\(s\)/);
  } finally {
    await host.stop();
  }
}

describe('crash and resume', () => {
  it('resumes every in-flight instance on shared Azurite after SIGKILL', async () => {
    const azurite: RunningAzurite = await startAzurite({ inMemory: true });
    const state = tempDir('host-crash');
    try {
      await crashAndResume({ appDir: WORKFLOWS_APP, storageConnectionString: azurite.connectionString, taskHub: 'CrashHub', env: { TEST_STATE_DIR: state.path }, ...KEYS }, state.path);
    } finally {
      await azurite.stop();
      state.remove();
    }
  }, 180_000);

  it('resumes with the embedded Azurite the host starts itself (UseDevelopmentStorage=true)', async () => {
    const state = tempDir('host-crash-embedded');
    const data = tempDir('host-crash-azurite');
    try {
      await crashAndResume(
        { appDir: WORKFLOWS_APP, azuriteLocation: data.path, env: { TEST_STATE_DIR: state.path, AzureWebJobsStorage: 'UseDevelopmentStorage=true' }, ...KEYS },
        state.path,
      );
    } finally {
      state.remove();
      data.remove();
    }
  }, 180_000);
});
