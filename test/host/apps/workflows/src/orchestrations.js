// Durable orchestrations and activities of the host test app. Side effects that tests check
// (retries, crash recovery) are recorded in files under TEST_STATE_DIR.
const df = require('durable-functions');
const { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const stateDir = () => {
  const dir = process.env.TEST_STATE_DIR;
  if (!dir) throw new Error('TEST_STATE_DIR is not set');
  mkdirSync(dir, { recursive: true });
  return dir;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- activities ------------------------------------------------------------------------------
df.app.activity('sayHello', { handler: (name) => `Hello, ${name}!` });
df.app.activity('double', { handler: (n) => n * 2 });
df.app.activity('identity', { handler: (value) => value });
df.app.activity('alwaysFails', {
  handler: (message) => {
    throw new Error(`activity failed: ${message}`);
  },
});
// Fails until it has been called `failures` times for `key` (counts kept in a file).
df.app.activity('flaky', {
  handler: ({ key, failures }) => {
    const file = join(stateDir(), `flaky-${key}.count`);
    const count = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
    writeFileSync(file, String(count + 1));
    if (count < failures) throw new Error(`flaky failure ${count + 1}`);
    return `succeeded after ${count + 1} attempts`;
  },
});
// Records that it ran (one line per execution), then takes its time.
df.app.activity('recordStep', {
  handler: async ({ runId, step, delayMs }) => {
    appendFileSync(join(stateDir(), `steps-${runId}.log`), `start ${step}\n`);
    await sleep(delayMs ?? 0);
    appendFileSync(join(stateDir(), `steps-${runId}.log`), `end ${step}\n`);
    return step * 10;
  },
});

// ---- orchestrations --------------------------------------------------------------------------
df.app.orchestration('chain', function* (context) {
  const names = context.df.getInput() ?? ['Tokyo', 'Seattle', 'London'];
  const results = [];
  for (const name of names) results.push(yield context.df.callActivity('sayHello', name));
  return results;
});

df.app.orchestration('fanOut', function* (context) {
  const count = context.df.getInput() ?? 10;
  const tasks = [];
  for (let i = 1; i <= count; i++) tasks.push(context.df.callActivity('double', i));
  const results = yield context.df.Task.all(tasks);
  return results.reduce((sum, n) => sum + n, 0);
});

// Human interaction: an approval event raced with a timeout; the timer is cancelled when the event wins.
df.app.orchestration('approval', function* (context) {
  const { timeoutSeconds } = context.df.getInput();
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + timeoutSeconds * 1000);
  const timeout = context.df.createTimer(deadline);
  const approval = context.df.waitForExternalEvent('Approval');
  context.df.setCustomStatus('waiting for approval');
  const winner = yield context.df.Task.any([approval, timeout]);
  if (winner === approval) {
    timeout.cancel();
    return `approved: ${JSON.stringify(approval.result)}`;
  }
  return 'timed out';
});

df.app.orchestration('retrying', function* (context) {
  const { key, failures, attempts } = context.df.getInput();
  const retry = new df.RetryOptions(200, attempts);
  try {
    return yield context.df.callActivityWithRetry('flaky', retry, { key, failures });
  } catch (error) {
    return `gave up: ${error.message.split('\n')[0]}`;
  }
});

df.app.orchestration('parent', function* (context) {
  const first = yield context.df.callSubOrchestrator('chain', ['Alpha', 'Beta']);
  const second = yield context.df.callSubOrchestrator('fanOut', 3, `${context.df.instanceId}-child`);
  const retried = yield context.df.callSubOrchestratorWithRetry('retrying', new df.RetryOptions(100, 2), context.df.getInput());
  let failed;
  try {
    yield context.df.callSubOrchestrator('failing', 'from parent');
  } catch (error) {
    failed = error.message.split('\n')[0];
  }
  return { first, second, retried, failed };
});

// Continue-as-new: counts up to `max`, collecting one "add" event per generation.
df.app.orchestration('counter', function* (context) {
  const state = context.df.getInput();
  const added = yield context.df.waitForExternalEvent('add');
  const total = state.total + added;
  if (state.generation + 1 >= state.max) return { generations: state.generation + 1, total };
  context.df.continueAsNew({ generation: state.generation + 1, max: state.max, total });
  return undefined;
});

df.app.orchestration('statusReporter', function* (context) {
  context.df.setCustomStatus({ stage: 'started', progress: 0 });
  yield context.df.callActivity('identity', 1);
  context.df.setCustomStatus({ stage: 'waiting', progress: 50 });
  const go = yield context.df.waitForExternalEvent('go');
  context.df.setCustomStatus({ stage: 'done', progress: 100 });
  return go;
});

df.app.orchestration('failing', function* (context) {
  yield context.df.callActivity('identity', 'before failure');
  throw new Error(`orchestrator failed on purpose: ${context.df.getInput()}`);
});

df.app.orchestration('activityFailure', function* (context) {
  return yield context.df.callActivity('alwaysFails', context.df.getInput() ?? 'no reason');
});

df.app.orchestration('waitForever', function* (context) {
  return yield context.df.waitForExternalEvent('never');
});

df.app.orchestration('eventCollector', function* (context) {
  const count = context.df.getInput();
  const values = [];
  for (let i = 0; i < count; i++) values.push(yield context.df.waitForExternalEvent('item'));
  return values;
});

df.app.orchestration('timerOnly', function* (context) {
  const seconds = context.df.getInput() ?? 1;
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + seconds * 1000));
  return `slept ${seconds}s`;
});

// A slow chain for the crash test: each step records start/end in a file.
df.app.orchestration('slowChain', function* (context) {
  const { runId, steps, delayMs } = context.df.getInput();
  const results = [];
  for (let step = 1; step <= steps; step++) {
    results.push(yield context.df.callActivity('recordStep', { runId, step, delayMs }));
  }
  const parallel = [];
  for (let step = steps + 1; step <= steps + 3; step++) parallel.push(context.df.callActivity('recordStep', { runId, step, delayMs }));
  results.push(...(yield context.df.Task.all(parallel)));
  return results;
});

df.app.orchestration('usesEntity', function* (context) {
  const entityId = new df.EntityId('counter', 'one');
  return yield context.df.callEntity(entityId, 'add', 1);
});
