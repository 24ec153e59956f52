// The compensation helper on its own: newest first, a failing compensation does not stop the
// others, refusals answered as values count as failures, inputs made when they run. The durable
// context is the boundary here: a stand-in records the activity calls and the test answers them.
import type { OrchestrationContext, RetryOptions } from 'durable-functions';
import { Compensations, type CompensationResult } from '../../orchestrations/saga';

interface Call {
  activity: string;
  input: unknown;
}

function standInContext(): { context: OrchestrationContext; calls: Call[] } {
  const calls: Call[] = [];
  const df = {
    callActivityWithRetry: (activity: string, _retry: RetryOptions, input: unknown): Call => {
      const call = { activity, input };
      calls.push(call);
      return call;
    },
  };
  return { context: { df } as unknown as OrchestrationContext, calls };
}

/** Drives the generator as the durable runtime would, answering each call with `answer`. */
function drive(compensations: Compensations, context: OrchestrationContext, answer: (call: Call) => unknown): CompensationResult[] {
  const run = compensations.run(context, {} as RetryOptions);
  let step = run.next();
  while (!step.done) {
    const call = step.value as unknown as Call;
    let result: unknown;
    let failure: Error | undefined;
    try {
      result = answer(call);
    } catch (error) {
      failure = error as Error;
    }
    step = failure ? run.throw(failure) : run.next(result);
  }
  return step.value;
}

describe('Compensations', () => {
  it('runs every compensation newest first and empties itself', () => {
    const { context, calls } = standInContext();
    const saga = new Compensations();
    saga.add({ name: 'first', activity: 'undoA', input: 1 });
    saga.add({ name: 'second', activity: 'undoB', input: 2 });
    const results = drive(saga, context, () => ({ ok: true, removed: ['x'] }));
    expect(calls.map((call) => call.activity)).toEqual(['undoB', 'undoA']);
    expect(results).toEqual([
      { name: 'second', ok: true, output: { ok: true, removed: ['x'] } },
      { name: 'first', ok: true, output: { ok: true, removed: ['x'] } },
    ]);
    expect(saga.size).toBe(0);
    expect(drive(saga, context, () => ({}))).toEqual([]);
  });

  it('records a failed compensation (thrown or answered as a refusal) and still runs the rest', () => {
    const { context, calls } = standInContext();
    const saga = new Compensations();
    saga.add({ name: 'refused', activity: 'undoA', input: null });
    saga.add({ name: 'throws', activity: 'undoB', input: null });
    const results = drive(saga, context, (call) => {
      if (call.activity === 'undoB') throw new Error("Activity function 'undoB' failed: storage down");
      return { ok: false, error: { code: 'tenant.permission-denied', message: 'no right' } };
    });
    expect(calls).toHaveLength(2);
    expect(results).toEqual([
      { name: 'throws', ok: false, error: "Activity function 'undoB' failed: storage down" },
      { name: 'refused', ok: false, output: expect.any(Object), error: 'no right' },
    ]);
  });

  it('makes an input given as a function when the compensation runs, and forgets everything on clear()', () => {
    const { context, calls } = standInContext();
    const saga = new Compensations();
    let now = 'registration time';
    saga.add({ name: 'stamped', activity: 'undo', input: () => ({ at: now }) });
    now = 'run time';
    drive(saga, context, () => ({ ok: true }));
    expect(calls[0].input).toEqual({ at: 'run time' });

    saga.add({ name: 'dropped', activity: 'undo', input: null });
    saga.clear();
    expect(drive(saga, context, () => ({ ok: true }))).toEqual([]);
  });
});
