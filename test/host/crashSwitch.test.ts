// The host's fault switch (LOCAL_HOST_CRASH_AT): the host kills itself before or after the named
// invocation of an activity, once — restarted with the same settings on the same storage it runs
// on, and the orchestration finishes (an activity cut off after it returned runs again).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../infra/local/azurite';
import { parseCrashPoint } from '../../infra/local/host/crashSwitch';
import { HostLaunchError, launchHost, rebase, request, tempDir, waitForStatus, WORKFLOWS_APP, type CheckStatusLinks, type LaunchHostOptions } from '../support/host';

jest.setTimeout(180_000);

const KEYS = { masterKey: 'crash-switch-master-key-01', functionKey: 'crash-switch-function-key', systemKey: 'crash-switch-system-key-01' };

describe('crash switch', () => {
  let azurite: RunningAzurite;
  const state = tempDir('crash-switch');
  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true });
  });
  afterAll(async () => {
    await azurite?.stop();
    state.remove();
  });

  const steps = (runId: string): string[] => {
    const file = join(state.path, `steps-${runId}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  };
  const options = (taskHub: string, crashAt: string): LaunchHostOptions => ({
    appDir: WORKFLOWS_APP,
    storageConnectionString: azurite.connectionString,
    taskHub,
    env: { TEST_STATE_DIR: state.path, LOCAL_HOST_CRASH_AT: crashAt },
    ...KEYS,
  });

  async function crashThenResume(taskHub: string, crashAt: string, runId: string): Promise<{ beforeRestart: string[]; afterRestart: string[]; output: string }> {
    const first = await launchHost(options(taskHub, crashAt));
    const started = await request(first, 'POST', '/api/orchestrators/slowChain', { rawBody: JSON.stringify({ runId, steps: 3, delayMs: 0 }) });
    expect(started.status).toBe(202);
    const links = started.json<CheckStatusLinks>();
    // The host dies on its own, as a crash: SIGKILL, no graceful stop.
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(first.output()).toMatch(/LOCAL_HOST_CRASH_AT: killing the host/);
    const beforeRestart = steps(runId);

    const second = await launchHost(options(taskHub, crashAt));
    try {
      const status = await waitForStatus(rebase(links.statusQueryGetUri, second), { timeoutMs: 60_000 });
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: [10, 20, 30, 40, 50, 60] });
      return { beforeRestart, afterRestart: steps(runId), output: second.output() };
    } finally {
      await second.stop();
    }
  }

  it('after: the second invocation returned, its result never delivered; the restarted host runs it again and the switch stays off', async () => {
    const { beforeRestart, afterRestart, output } = await crashThenResume('CrashAfterHub', 'recordStep:after:2', 'after');
    expect(beforeRestart).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(afterRestart.filter((line) => line === 'end 2')).toHaveLength(2);
    expect(output).toMatch(/LOCAL_HOST_CRASH_AT=recordStep:after:2 was used by an earlier run of this host: not armed/);
    expect(output).not.toMatch(/killing the host/);
  });

  it('before: the first invocation never starts before the crash', async () => {
    const { beforeRestart, afterRestart } = await crashThenResume('CrashBeforeHub', 'recordStep:before', 'before');
    expect(beforeRestart).toEqual([]);
    expect(afterRestart.filter((line) => line.startsWith('end'))).toHaveLength(6);
  });

  it('refuses a malformed setting or an unknown activity with one error line, before serving anything', async () => {
    await expect(launchHost(options('CrashBadHub', 'recordStep:during'))).rejects.toMatchObject({
      message: expect.stringMatching(/LOCAL_HOST_CRASH_AT must be <activity>:<before\|after>\[:<n>\]/),
    });
    const unknown = launchHost(options('CrashBadHub', 'noSuchActivity:before'));
    await expect(unknown).rejects.toBeInstanceOf(HostLaunchError);
    await expect(unknown).rejects.toMatchObject({ message: expect.stringMatching(/names activity "noSuchActivity", which the app does not have \(activities: .*recordStep/) });
  });

  it('parses the occurrence (default the first)', () => {
    expect(parseCrashPoint('configureTenant:after')).toEqual({ activity: 'configureTenant', phase: 'after', occurrence: 1 });
    expect(parseCrashPoint(' sendMessage:before:3 ')).toEqual({ activity: 'sendMessage', phase: 'before', occurrence: 3 });
    expect(() => parseCrashPoint('sendMessage:before:0')).toThrow(/LOCAL_HOST_CRASH_AT must be/);
  });
});
