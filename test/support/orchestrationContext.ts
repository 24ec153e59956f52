// A stand-in durable context for unit tests of an orchestrator: the durable runtime is the boundary.
// It runs the orchestrator's generator as replay would see it: every activity call, timer and
// wait for an external event is recorded; the test answers the activities (by name) and says which
// external events arrive and when; time moves only with the timers and the events.
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { RecordStepInput } from '../../orchestrations/activities/recordStep';
import { RECORD_STEP_ACTIVITY } from '../../orchestrations/names';

export const ORCHESTRATION_START = new Date('2026-12-01T10:00:00Z');

export interface ActivityCall {
  kind: 'activity';
  name: string;
  input: any;
}
export interface TimerCall {
  kind: 'timer';
  fireAt: Date;
  /** The orchestrator cancelled it (an event won the race). */
  cancelled: boolean;
  cancel(): void;
}
export interface EventCall {
  kind: 'event';
  name: string;
  /** The event's data once it arrived. */
  result: unknown;
}
/** `Task.any` of one external event and one timer: the event arrives before the timer fires, or the timer wins. */
export interface RaceCall {
  kind: 'race';
  event: string;
  deadline: Date;
  winner: 'event' | 'timer';
  /** The timer raced (cancelled by the orchestrator when the event won). */
  timer: TimerCall;
}
export type Call = ActivityCall | TimerCall | EventCall | RaceCall;

/**
 * How an activity answers: a function of its input and the how-many-th call of that activity this
 * is (1 for the first) returning the activity's output or throwing (the retries exhausted); or an
 * error the call fails with.
 */
export type Answer = ((input: any, call: number) => unknown) | Error;
export type Answers = Record<string, Answer>;

/** An external event that arrives `afterMs` after the orchestration starts waiting for it (0 by default). */
export interface ArrivingEvent {
  data: unknown;
  afterMs?: number;
}

export interface RunOptions {
  input: unknown;
  instanceId: string;
  /** The activities' answers; any activity without one fails the run. */
  answers: Answers;
  /**
   * The external events, by name: one that is absent never arrives (a race against a timer is won by
   * the timer, a plain wait fails the run); one arriving at or after the timer's time loses to it.
   */
  events?: Record<string, ArrivingEvent | ArrivingEvent[]>;
  start?: Date;
}

export interface OrchestrationRun {
  calls: Call[];
  /** What each call was: the activity's name, `timer`, `event:<name>`, or `race:<event>` (won by the event or the timer). */
  activities: string[];
  /** The inputs of the recordStep calls, in order. */
  steps: RecordStepInput[];
  /** Every customStatus set, in order. */
  statuses: unknown[];
  output: any;
  /** The orchestration's time when it ended. */
  endedAt: Date;
}

type Yielded = ActivityCall | TimerCall | EventCall | { kind: 'any'; tasks: unknown[] };

/** Runs the orchestrator to its end as the durable runtime would, answering every call. */
export function runOrchestration(orchestrator: OrchestrationHandler, options: RunOptions): OrchestrationRun {
  const calls: Call[] = [];
  const statuses: unknown[] = [];
  const counts: Record<string, number> = {};
  const arrivals: Record<string, ArrivingEvent[]> = Object.fromEntries(
    Object.entries(options.events ?? {}).map(([name, arriving]) => [name, Array.isArray(arriving) ? [...arriving] : [arriving]]),
  );
  let now = options.start ?? ORCHESTRATION_START;

  const timer = (fireAt: Date): TimerCall => ({
    kind: 'timer',
    fireAt,
    cancelled: false,
    cancel() {
      this.cancelled = true;
    },
  });
  const df = {
    instanceId: options.instanceId,
    get currentUtcDateTime() {
      return now;
    },
    getInput: () => options.input,
    setCustomStatus: (status: unknown) => void statuses.push(status),
    callActivityWithRetry: (name: string, _retry: unknown, input: unknown): ActivityCall => ({ kind: 'activity', name, input }),
    createTimer: timer,
    waitForExternalEvent: (name: string): EventCall => ({ kind: 'event', name, result: undefined }),
    Task: { any: (tasks: unknown[]) => ({ kind: 'any', tasks }) },
  };

  const generator = orchestrator({ df } as unknown as OrchestrationContext) as Generator<Yielded, unknown, unknown>;
  let step = generator.next();
  while (!step.done) {
    const yielded = step.value;
    if (yielded.kind === 'timer') {
      calls.push(yielded);
      if (yielded.fireAt > now) now = yielded.fireAt;
      step = generator.next(undefined);
    } else if (yielded.kind === 'event') {
      calls.push(yielded);
      const arriving = arrivals[yielded.name]?.shift();
      if (!arriving) throw new Error(`The orchestration waits for ${yielded.name} without a deadline and the test sends none.`);
      now = new Date(now.getTime() + (arriving.afterMs ?? 0));
      yielded.result = arriving.data;
      step = generator.next(arriving.data);
    } else if (yielded.kind === 'any') {
      const { event, deadline } = raceOf(yielded.tasks);
      const arriving = arrivals[event.name]?.[0];
      const arrivesAt = arriving ? now.getTime() + (arriving.afterMs ?? 0) : Infinity;
      const eventWins = arrivesAt < deadline.fireAt.getTime();
      calls.push({ kind: 'race', event: event.name, deadline: deadline.fireAt, winner: eventWins ? 'event' : 'timer', timer: deadline });
      if (eventWins) {
        arrivals[event.name]!.shift();
        now = new Date(arrivesAt);
        event.result = arriving!.data;
        step = generator.next(event);
      } else {
        if (deadline.fireAt > now) now = deadline.fireAt;
        step = generator.next(deadline);
      }
    } else if (yielded.kind === 'activity') {
      calls.push(yielded);
      const answer = options.answers[yielded.name];
      if (!answer) throw new Error(`The orchestration called ${yielded.name} and the test has no answer for it.`);
      counts[yielded.name] = (counts[yielded.name] ?? 0) + 1;
      let result: unknown;
      try {
        if (answer instanceof Error) throw answer;
        result = answer(yielded.input, counts[yielded.name]!);
      } catch (error) {
        step = generator.throw(error);
        continue;
      }
      step = generator.next(result);
    } else {
      throw new Error(`The orchestration yielded something the stand-in does not know: ${JSON.stringify(yielded)}`);
    }
  }

  const activities = calls.map((call) =>
    call.kind === 'activity' ? call.name : call.kind === 'timer' ? 'timer' : call.kind === 'event' ? `event:${call.name}` : `race:${call.event}`,
  );
  const steps = calls.flatMap((call) => (call.kind === 'activity' && call.name === RECORD_STEP_ACTIVITY ? [call.input as RecordStepInput] : []));
  return { calls, activities, steps, statuses, output: step.value, endedAt: now };
}

function raceOf(tasks: unknown[]): { event: EventCall; deadline: TimerCall } {
  const event = tasks.find((task): task is EventCall => (task as Call).kind === 'event');
  const deadline = tasks.find((task): task is TimerCall => (task as Call).kind === 'timer');
  if (tasks.length !== 2 || !event || !deadline) throw new Error('The stand-in races one external event against one timer only.');
  return { event, deadline };
}

/** The calls of one kind, e.g. `only(run.calls, 'timer')`. */
export function only<K extends Call['kind']>(calls: Call[], kind: K): Extract<Call, { kind: K }>[] {
  return calls.filter((call): call is Extract<Call, { kind: K }> => call.kind === kind);
}

/** The calls of one activity, in order. */
export function callsOf(calls: Call[], activity: string): ActivityCall[] {
  return only(calls, 'activity').filter((call) => call.name === activity);
}

/** Answer that fails the call as the durable runtime does once an activity's retries are exhausted. */
export function exhausted(activity: string, reason: string): Error {
  return new Error(`Activity function '${activity}' failed: ${reason}`);
}

/**
 * A record's stamp for something that happened at `time`: the workflow stamps each record strictly
 * later than the one before (orchestrations/workflow.ts `stamp`), so records made in one episode
 * are a millisecond or a few apart.
 */
export function stampedAt(time: Date): unknown {
  const from = time.getTime();
  return {
    asymmetricMatch: (stamp: unknown) => typeof stamp === 'string' && Date.parse(stamp) >= from && Date.parse(stamp) < from + 1_000,
    toAsymmetricMatcher: () => `a stamp from ${time.toISOString()} to a second later`,
  };
}
