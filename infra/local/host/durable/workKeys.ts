// Names for the work an orchestration schedules and the events that complete it. An activity or
// a sub-orchestration is a `task` named by the EventId of its TaskScheduled /
// SubOrchestrationInstanceCreated event (its results carry it as TaskScheduledId); a durable timer
// is a `timer` named by the EventId of its TimerCreated event (TimerFired carries it as TimerId).
import { EventType, HistoryEvent } from './history';

export type WorkKind = 'task' | 'timer';

export interface WorkKey {
  readonly kind: WorkKind;
  readonly eventId: number;
}

/** Event id of a result that names no work: nothing was scheduled under it, so it is dropped. */
const NO_EVENT = -1;

/** The work an event schedules, or undefined when it schedules none. */
export function scheduledWork(event: HistoryEvent): WorkKey | undefined {
  switch (event.EventType) {
    case EventType.TaskScheduled:
    case EventType.SubOrchestrationInstanceCreated:
      return { kind: 'task', eventId: event.EventId };
    case EventType.TimerCreated:
      return { kind: 'timer', eventId: event.EventId };
    default:
      return undefined;
  }
}

/** The work an event completes (a result, a failure, a timer firing), or undefined. */
export function completedWork(event: HistoryEvent): WorkKey | undefined {
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return { kind: 'task', eventId: event.TaskScheduledId ?? NO_EVENT };
    case EventType.TimerFired:
      return { kind: 'timer', eventId: event.TimerId ?? NO_EVENT };
    default:
      return undefined;
  }
}

/** A set of work keys (compared by kind and event id). */
export class WorkKeySet {
  private readonly keys = new Set<string>();

  add(key: WorkKey): void {
    this.keys.add(WorkKeySet.text(key));
  }

  has(key: WorkKey): boolean {
    return this.keys.has(WorkKeySet.text(key));
  }

  private static text(key: WorkKey): string {
    return `${key.kind}:${key.eventId}`;
  }
}

/** What the history already has: the work it scheduled and the work it holds a result for. */
export function workOf(history: readonly HistoryEvent[]): { scheduled: WorkKeySet; completed: WorkKeySet } {
  const scheduled = new WorkKeySet();
  const completed = new WorkKeySet();
  for (const event of history) {
    const started = scheduledWork(event);
    if (started) scheduled.add(started);
    const done = completedWork(event);
    if (done) completed.add(done);
  }
  return { scheduled, completed };
}
