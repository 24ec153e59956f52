// The episode planner (which sequence numbers new work gets) against hand-made histories, and
// against the real durable-functions replay: a small in-process loop runs orchestrators with the
// library, schedules with the planner and completes work in random orders; the library must
// always find its results under the ids it expects.
import * as df from 'durable-functions';
import fc from 'fast-check';
import { readOrchestratorResult } from '../../infra/local/host/durable/engine';
import { EventType, HistoryEvent, events } from '../../infra/local/host/durable/history';
import { ActionType, OrchestratorAction, planEpisode, retryDelayMs } from '../../infra/local/host/durable/replay';

const T0 = new Date('2024-01-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const start = (input: string | null = null): HistoryEvent =>
  events.executionStarted(T0, { name: 'orch', input, instanceId: 'i1', executionId: 'e1' });
const activity = (name: string, input?: unknown): OrchestratorAction => ({ actionType: ActionType.CallActivity, functionName: name, input });

describe('planEpisode', () => {
  it('schedules the first activity with id 0', () => {
    const plan = planEpisode({ instanceId: 'i1', history: [events.orchestratorStarted(T0), start()], actions: [activity('a', 'x')], now: T0 });
    expect(plan.scheduled).toEqual([events.taskScheduled(T0, 0, 'a', 'x')]);
  });

  it('does not schedule again what the history already holds', () => {
    const history = [
      events.orchestratorStarted(T0), start(), events.taskScheduled(T0, 0, 'a', '"x"'), events.orchestratorCompleted(T0),
      events.orchestratorStarted(at(1)), events.taskCompleted(at(1), 0, '"r"'),
    ];
    const plan = planEpisode({ instanceId: 'i1', history, actions: [activity('a', '"x"'), activity('b', { n: 1 })], now: at(1) });
    expect(plan.scheduled.map((e) => [e.EventType, e.EventId, e.Name, e.Input])).toEqual([[EventType.TaskScheduled, 1, 'b', '{"n":1}']]);
  });

  it('numbers the tasks of Task.all depth first', () => {
    const plan = planEpisode({
      instanceId: 'i1',
      history: [events.orchestratorStarted(T0), start()],
      actions: [{ actionType: ActionType.WhenAll, compoundActions: [activity('a'), { actionType: ActionType.WhenAny, compoundActions: [activity('b'), { actionType: ActionType.CreateTimer, fireAt: at(60).toISOString() }] }, activity('c')] }],
      now: T0,
    });
    expect(plan.scheduled.map((e) => [e.EventId, e.EventType, e.Name ?? e.FireAt])).toEqual([
      [0, EventType.TaskScheduled, 'a'],
      [1, EventType.TaskScheduled, 'b'],
      [2, EventType.TimerCreated, at(60).toISOString()],
      [3, EventType.TaskScheduled, 'c'],
    ]);
  });

  it('gives a failed retry attempt a timer, then the next attempt, with backoff', () => {
    const retryOptions = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3, backoffCoefficient: 2 };
    const action: OrchestratorAction = { actionType: ActionType.CallActivityWithRetry, functionName: 'f', retryOptions };
    const history: HistoryEvent[] = [events.orchestratorStarted(T0), start(), events.taskScheduled(T0, 0, 'f', null), events.orchestratorCompleted(T0), events.orchestratorStarted(at(1)), events.taskFailed(at(1), 0, 'boom', '')];
    let plan = planEpisode({ instanceId: 'i1', history, actions: [action], now: at(1) });
    expect(plan.scheduled).toEqual([events.timerCreated(at(1), 1, at(2).toISOString())]);

    history.push(...plan.scheduled, events.orchestratorCompleted(at(1)), events.orchestratorStarted(at(2)), events.timerFired(at(2), 1, at(2).toISOString()));
    plan = planEpisode({ instanceId: 'i1', history, actions: [action], now: at(2) });
    expect(plan.scheduled).toEqual([events.taskScheduled(at(2), 2, 'f', null)]);

    history.push(...plan.scheduled, events.orchestratorCompleted(at(2)), events.orchestratorStarted(at(3)), events.taskFailed(at(3), 2, 'boom', ''));
    plan = planEpisode({ instanceId: 'i1', history, actions: [action], now: at(3) });
    // Second failure: 1000 ms × 2.
    expect(plan.scheduled).toEqual([events.timerCreated(at(3), 3, at(5).toISOString())]);
    expect(retryDelayMs({ ...retryOptions, maxRetryIntervalInMilliseconds: 1500 }, 2)).toBe(1500);
  });

  it('leaves a cancelled timer unscheduled and reports it', () => {
    const plan = planEpisode({
      instanceId: 'i1',
      history: [events.orchestratorStarted(T0), start()],
      actions: [{ actionType: ActionType.CreateTimer, fireAt: at(10).toISOString(), isCanceled: true }, activity('next')],
      now: T0,
    });
    expect(plan.canceledTimerIds).toEqual([0]);
    expect(plan.scheduled.map((e) => [e.EventId, e.Name])).toEqual([[1, 'next']]);
  });

  it('buffers an event raised before the orchestrator waits for it, and consumes it later', () => {
    const history = [events.orchestratorStarted(T0), start(), events.eventRaised(T0, 'go', '1'), events.taskScheduled(T0, 0, 'a', null), events.orchestratorCompleted(T0), events.orchestratorStarted(at(1)), events.taskCompleted(at(1), 0, '1')];
    const plan = planEpisode({ instanceId: 'i1', history, actions: [activity('a'), { actionType: ActionType.WaitForExternalEvent, externalEventName: 'go' }, activity('b')], now: at(1) });
    expect(plan.scheduled.map((e) => [e.EventId, e.Name])).toEqual([[1, 'b']]);
    expect(plan.unconsumedEvents).toEqual([]);
  });

  it('reports events nobody waited for, for continue-as-new to carry over', () => {
    const raised = events.eventRaised(T0, 'later', '"x"');
    const plan = planEpisode({ instanceId: 'i1', history: [events.orchestratorStarted(T0), start(), raised], actions: [{ actionType: ActionType.ContinueAsNew, input: { n: 1 } }], now: T0 });
    expect(plan.continueAsNew).toEqual({ input: '{"n":1}' });
    expect(plan.unconsumedEvents).toEqual([raised]);
  });

  it('names a sub-orchestration after its parent when no id is given', () => {
    const plan = planEpisode({ instanceId: 'parent', history: [events.orchestratorStarted(T0), start()], actions: [{ actionType: ActionType.CallSubOrchestrator, functionName: 'child', input: 'hi' }], now: T0 });
    expect(plan.scheduled).toEqual([events.subOrchestrationCreated(T0, 0, 'child', 'parent:0000', '"hi"')]);
  });

  it('detects a non-deterministic orchestrator', () => {
    const history = [events.orchestratorStarted(T0), start(), events.taskScheduled(T0, 0, 'a', null), events.orchestratorCompleted(T0)];
    const plan = planEpisode({ instanceId: 'i1', history, actions: [activity('different')], now: at(1) });
    expect(plan.nonDeterminism).toMatch(/Non-Deterministic workflow detected/);
  });

  it('reports actions this host does not implement', () => {
    const plan = planEpisode({ instanceId: 'i1', history: [events.orchestratorStarted(T0), start()], actions: [{ actionType: ActionType.CallEntity }], now: T0 });
    expect(plan.unsupported).toMatch(/entities/);
  });
});

// ---- conformance with durable-functions' own replay ---------------------------------------------

type Generator = df.OrchestrationHandler;

interface World {
  /** Activity outcome for a call (attempt counts per name+input start at 1). */
  activity(name: string, input: unknown, attempt: number): { ok: true; value: unknown } | { ok: false; message: string };
  /** Picks the order completions arrive in (default: as scheduled). */
  order?<T>(items: T[]): T[];
  /** External events to raise after the given episode number. */
  events?: { afterEpisode: number; name: string; data: unknown }[];
  /** Sub-orchestrators by name. */
  orchestrators?: Record<string, Generator>;
  /** Calls so far per activity name and input (shared with sub-orchestrations). */
  attempts?: Map<string, number>;
}

// The library's own test helper: runs an orchestrator function on a binding, as the host does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createOrchestrator } = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator(fn: Generator): (trigger: unknown, context: unknown) => Promise<unknown>;
};

/** Runs an orchestration to its end: durable-functions replays, planEpisode schedules. */
async function simulate(fn: Generator, input: unknown, world: World, instanceId = 'i1'): Promise<{ status: string; output: unknown; episodes: number }> {
  const orchestrator = createOrchestrator(fn);
  let history: HistoryEvent[] = [];
  let pending: HistoryEvent[] = [events.executionStarted(T0, { name: 'orch', input: JSON.stringify(input ?? null), instanceId, executionId: 'e1' })];
  // Results produced but not yet delivered: each episode gets about half of them.
  let inFlight: HistoryEvent[] = [];
  let clock = T0.getTime();
  const attempts = (world.attempts ??= new Map<string, number>());
  const timers: HistoryEvent[] = [];
  let currentInput = input;
  for (let episode = 0; episode < 500; episode++) {
    clock += 1000;
    for (const e of world.events ?? []) if (e.afterEpisode === episode) pending.push(events.eventRaised(new Date(clock), e.name, JSON.stringify(e.data)));
    if (pending.length === 0 && inFlight.length > 0) {
      const take = Math.ceil(inFlight.length / 2);
      pending.push(...inFlight.slice(0, take));
      inFlight = inFlight.slice(take);
    }
    if (pending.length === 0 && timers.length > 0) {
      timers.sort((a, b) => Date.parse(a.FireAt!) - Date.parse(b.FireAt!));
      const timer = timers.shift()!;
      clock = Math.max(clock, Date.parse(timer.FireAt!));
      pending.push(events.timerFired(new Date(clock), timer.EventId, timer.FireAt!));
    }
    if (pending.length === 0) throw new Error(`Stuck after ${episode} episodes: nothing left to deliver`);
    const now = new Date(clock);
    const started = events.orchestratorStarted(now);
    const replay = [...history.map((e) => ({ ...e, IsPlayed: true })), started, ...pending];
    const binding = {
      history: replay,
      input: currentInput ?? null,
      instanceId,
      isReplaying: history.length > 0,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    let returned: unknown;
    let thrown: unknown;
    try {
      returned = await orchestrator(JSON.parse(JSON.stringify(binding)), new df.DummyOrchestrationContext());
    } catch (error) {
      thrown = error;
    }
    const result = readOrchestratorResult(returned === undefined ? undefined : { json: JSON.stringify(returned) }, thrown);
    const actions = JSON.parse(JSON.stringify(result.actions)) as OrchestratorAction[];
    const plan = planEpisode({ instanceId, history: [...history, started, ...pending], actions, now });
    if (plan.nonDeterminism) throw new Error(plan.nonDeterminism);
    if (result.error) return { status: 'Failed', output: result.error, episodes: episode + 1 };
    if (result.isDone && plan.continueAsNew) {
      currentInput = plan.continueAsNew.input === null ? null : JSON.parse(plan.continueAsNew.input);
      history = [];
      pending = [events.executionStarted(now, { name: 'orch', input: plan.continueAsNew.input, instanceId, executionId: `e${episode}` }), ...plan.unconsumedEvents];
      inFlight = [];
      timers.length = 0;
      continue;
    }
    if (result.isDone) return { status: 'Completed', output: result.output, episodes: episode + 1 };
    history.push(started, ...pending, ...plan.scheduled, events.orchestratorCompleted(now));
    pending = [];
    const completions: HistoryEvent[] = [];
    for (const scheduled of plan.scheduled) {
      if (scheduled.EventType === EventType.TimerCreated) timers.push(scheduled);
      if (scheduled.EventType === EventType.TaskScheduled) {
        const parsed = scheduled.Input === null ? undefined : JSON.parse(scheduled.Input!);
        const key = `${scheduled.Name}:${JSON.stringify(parsed)}`;
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const outcome = world.activity(scheduled.Name!, parsed, attempt);
        completions.push(outcome.ok ? events.taskCompleted(now, scheduled.EventId, JSON.stringify(outcome.value ?? null)) : events.taskFailed(now, scheduled.EventId, outcome.message, ''));
      }
      if (scheduled.EventType === EventType.SubOrchestrationInstanceCreated) {
        const child = world.orchestrators?.[scheduled.Name!];
        if (!child) throw new Error(`no sub-orchestrator ${scheduled.Name}`);
        const childResult = await simulate(child, scheduled.Input === null ? undefined : JSON.parse(scheduled.Input!), { ...world, events: [] }, scheduled.InstanceId);
        completions.push(
          childResult.status === 'Completed'
            ? events.subOrchestrationCompleted(now, scheduled.EventId, JSON.stringify(childResult.output ?? null))
            : events.subOrchestrationFailed(now, scheduled.EventId, String(childResult.output), ''),
        );
      }
    }
    inFlight = world.order ? world.order([...inFlight, ...completions]) : [...inFlight, ...completions];
  }
  throw new Error('The orchestration did not finish in 500 episodes');
}

const succeed = (): World['activity'] => (name, input) => ({ ok: true, value: `${name}(${JSON.stringify(input)})` });

describe('planner + durable-functions replay', () => {
  it('runs a chain', async () => {
    const chain: Generator = function* (context) {
      const a = yield context.df.callActivity('a', 1);
      const b = yield context.df.callActivity('b', a);
      return [a, b];
    };
    await expect(simulate(chain, null, { activity: succeed() })).resolves.toMatchObject({ status: 'Completed', output: ['a(1)', 'b("a(1)")'] });
  });

  it('runs fan-out/fan-in with results arriving in any order', async () => {
    const fanOut: Generator = function* (context) {
      const tasks = [];
      for (let i = 0; i < 12; i++) tasks.push(context.df.callActivity('square', i));
      const results = (yield context.df.Task.all(tasks)) as number[];
      return results;
    };
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const result = await simulate(fanOut, null, { activity: (_n, input) => ({ ok: true, value: (input as number) ** 2 }), order: shuffleWith(seed) });
        expect(result).toMatchObject({ status: 'Completed', output: Array.from({ length: 12 }, (_, i) => i * i) });
      }),
      { numRuns: 25 },
    );
  });

  it('retries inside a fan-out, failures interleaving in any order', async () => {
    const retryFanOut: Generator = function* (context) {
      const retry = new df.RetryOptions(1000, 3);
      const tasks = [0, 1, 2, 3].map((i) => context.df.callActivityWithRetry('flaky', retry, i));
      const results = (yield context.df.Task.all(tasks)) as string[];
      const after = yield context.df.callActivity('after', results.length);
      return { results, after };
    };
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        // Activity i fails i % 3 times, then succeeds (attempts ≤ 3).
        const world: World = {
          activity: (name, input, attempt) =>
            name === 'flaky' && attempt <= (input as number) % 3 ? { ok: false, message: `fail ${attempt}` } : { ok: true, value: `${name}:${String(input)}:${attempt}` },
          order: shuffleWith(seed),
        };
        const result = await simulate(retryFanOut, null, world);
        expect(result).toMatchObject({ status: 'Completed', output: { results: ['flaky:0:1', 'flaky:1:2', 'flaky:2:3', 'flaky:3:1'], after: 'after:4:1' } });
      }),
      { numRuns: 25 },
    );
  });

  it('gives up after the last attempt and surfaces the failure', async () => {
    const giveUp: Generator = function* (context) {
      try {
        yield context.df.callActivityWithRetry('never', new df.RetryOptions(500, 2), 'x');
        return 'unexpected';
      } catch (error) {
        return `caught: ${(error as Error).message.split('\n')[0]}`;
      }
    };
    const result = await simulate(giveUp, null, { activity: (_n, _i, attempt) => ({ ok: false, message: `attempt ${attempt} failed` }) });
    expect(result).toMatchObject({ status: 'Completed', output: 'caught: attempt 2 failed ' });
  });

  it('races an event with a timer, both ways', async () => {
    const approval: Generator = function* (context) {
      const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
      const event = context.df.waitForExternalEvent('approve');
      const winner = yield context.df.Task.any([event, timer]);
      if (winner === event) {
        timer.cancel();
        return `approved ${JSON.stringify(event.result)}`;
      }
      return 'timed out';
    };
    await expect(simulate(approval, null, { activity: succeed(), events: [{ afterEpisode: 1, name: 'approve', data: { by: 'ann' } }] })).resolves.toMatchObject({ output: 'approved {"by":"ann"}' });
    await expect(simulate(approval, null, { activity: succeed() })).resolves.toMatchObject({ output: 'timed out' });
  });

  it('retries a sub-orchestration and runs continue-as-new with carried events', async () => {
    const child: Generator = function* (context) {
      const n = context.df.getInput() as number;
      return yield context.df.callActivity('childWork', n);
    };
    const parent: Generator = function* (context) {
      const first = yield context.df.callSubOrchestratorWithRetry('child', new df.RetryOptions(100, 3), 5);
      const second = yield context.df.callSubOrchestrator('child', 6);
      return [first, second];
    };
    const world: World = {
      activity: (name, input, attempt) => (input === 5 && attempt === 1 ? { ok: false, message: 'first child attempt fails' } : { ok: true, value: `${name}:${String(input)}` }),
      orchestrators: { child },
    };
    await expect(simulate(parent, null, world)).resolves.toMatchObject({ status: 'Completed', output: ['childWork:5', 'childWork:6'] });

    const counter: Generator = function* (context) {
      const n = context.df.getInput() as number;
      const value = yield context.df.waitForExternalEvent('tick');
      if (n >= 2) return `done with ${String(value)}`;
      context.df.continueAsNew(n + 1);
      return undefined;
    };
    // Three events raised at once: one per generation, the rest carried over.
    const events3 = [1, 2, 3].map((i) => ({ afterEpisode: 0, name: 'tick', data: i }));
    await expect(simulate(counter, 0, { activity: succeed(), events: events3 })).resolves.toMatchObject({ status: 'Completed', output: expect.stringMatching(/^done with [123]$/) });
  });

  it('reports an orchestrator failure', async () => {
    const failing: Generator = function* (context) {
      yield context.df.callActivity('a', 1);
      throw new Error('bad input');
    };
    await expect(simulate(failing, null, { activity: succeed() })).resolves.toMatchObject({ status: 'Failed', output: 'bad input' });
  });
});

function shuffleWith(seed: number) {
  return <T>(items: T[]): T[] => {
    const copy = [...items];
    let state = seed >>> 0 || 1;
    for (let i = copy.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) >>> 0;
      const j = state % (i + 1);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
}
