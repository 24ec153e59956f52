// The work an episode schedules, carried out: activities (run through the app's invoker, at most
// `maxConcurrentActivities` at once), durable timers, and sub-orchestrations. Results are delivered
// in memory to the instance's next episode, which makes them durable. After a restart the same
// work is derived again from the stored history (resume): activities without a result run again
// (at least once), timers are re-armed, children are checked.
import { AppFunction } from '../app/loader';
import { Invoker, typedDataToJson } from '../app/invoker';
import { Semaphore, setLongTimeout } from '../util';
import { DurableError } from './errors';
import { EventType, HistoryEvent, events, isTerminal } from './history';
import { DurableRuntime, Instance } from './runtime';
import { InstanceRecord, ParentRef } from './store';
import { workOf } from './workKeys';

const CHILD_START_RETRY_MS = 1_000;

export interface WorkDispatcherOptions {
  invoker: Invoker;
  /** Activity functions by lower-cased name. */
  activities: Map<string, AppFunction>;
  maxConcurrentActivities: number;
  /** Hands a result to the instance's next episode. */
  deliver(instanceId: string, event: HistoryEvent, executionId: string | undefined): void;
  /** Starts a sub-orchestration (the client's startNew, with the parent's reference). */
  startOrchestration(name: string, options: { instanceId?: string; input: string | null }, parent: ParentRef): Promise<string>;
}

export class WorkDispatcher {
  private readonly activitySlots: Semaphore;

  constructor(
    private readonly runtime: DurableRuntime,
    private readonly options: WorkDispatcherOptions,
  ) {
    this.activitySlots = new Semaphore(options.maxConcurrentActivities);
  }

  /** Starts the work one newly committed event schedules. */
  dispatch(instance: Instance, event: HistoryEvent): void {
    const record = instance.record!;
    switch (event.EventType) {
      case EventType.TaskScheduled:
        this.runActivity(instance, record.executionId, event);
        break;
      case EventType.TimerCreated:
        this.armTimer(instance, record.executionId, event);
        break;
      case EventType.SubOrchestrationInstanceCreated:
        this.runtime.track(this.startChild(instance, record, event));
        break;
      default:
        break;
    }
  }

  /** After a (re)load: re-runs unfinished activities, re-arms timers, checks children. */
  async resume(instance: Instance): Promise<void> {
    const record = instance.record;
    if (!record || isTerminal(record.runtimeStatus)) return;
    const { completed } = workOf(instance.history);
    for (const event of instance.history) {
      if (event.EventType === EventType.TaskScheduled && !completed.has({ kind: 'task', eventId: event.EventId })) {
        this.runActivity(instance, record.executionId, event);
      }
      if (event.EventType === EventType.TimerCreated && !completed.has({ kind: 'timer', eventId: event.EventId })) {
        this.armTimer(instance, record.executionId, event);
      }
      if (event.EventType === EventType.SubOrchestrationInstanceCreated && !completed.has({ kind: 'task', eventId: event.EventId })) {
        await this.checkChild(instance, record, event);
      }
    }
  }

  // ---- activities ------------------------------------------------------------------------

  /** Runs one scheduled activity (once per execution and event id while in flight). */
  private runActivity(instance: Instance, executionId: string, scheduled: HistoryEvent): void {
    const key = `${executionId}:${scheduled.EventId}`;
    if (instance.activitiesInFlight.has(key)) return;
    instance.activitiesInFlight.add(key);
    const work = this.activitySlots.run(async () => {
      if (this.runtime.stopping) return;
      const result = await this.invokeActivity(instance, scheduled);
      this.runtime.metrics.activitiesCompleted++;
      this.options.deliver(instance.id, result, executionId);
    });
    this.runtime.track(work.finally(() => instance.activitiesInFlight.delete(key)));
  }

  /** The activity call itself: its TaskCompleted or TaskFailed event. */
  private async invokeActivity(instance: Instance, scheduled: HistoryEvent): Promise<HistoryEvent> {
    const name = scheduled.Name ?? '';
    const fn = this.options.activities.get(name.toLowerCase());
    if (!fn) {
      const message = `Activity function '${name}' does not exist.`;
      return events.taskFailed(new Date(), scheduled.EventId, `Activity function '${name}' failed: ${message}`, JSON.stringify({ Message: message }));
    }
    this.runtime.metrics.activitiesRun++;
    const input = scheduled.Input ?? null;
    const outcome = await this.options.invoker.invoke(fn, {
      inputData: [{ name: fn.triggerName, data: input === null ? null : { string: input } }],
      reason: `Activity of ${instance.id}`,
      quiet: true,
    });
    if (outcome.ok) return events.taskCompleted(new Date(), scheduled.EventId, typedDataToJson(outcome.response.returnValue) ?? 'null');
    const error = outcome.error;
    const message = error instanceof Error ? error.message : String(error);
    return events.taskFailed(
      new Date(),
      scheduled.EventId,
      `Activity function '${fn.name}' failed: ${message}`,
      JSON.stringify({ Message: message, StackTrace: error instanceof Error ? error.stack : undefined }),
    );
  }

  // ---- timers ----------------------------------------------------------------------------

  private armTimer(instance: Instance, executionId: string, created: HistoryEvent): void {
    const id = created.EventId;
    if (instance.timers.has(id) || this.runtime.stopping) return;
    const fireAt = created.FireAt ?? new Date().toISOString();
    const timer = setLongTimeout(() => {
      instance.timers.delete(id);
      this.runtime.metrics.timersFired++;
      this.options.deliver(instance.id, events.timerFired(new Date(), id, fireAt), executionId);
    }, new Date(fireAt).getTime() - Date.now());
    instance.timers.set(id, timer);
  }

  // ---- sub-orchestrations ----------------------------------------------------------------

  /** A child without a result in the parent's history: ours and finished → report it; not ours → start it. */
  private async checkChild(parent: Instance, record: InstanceRecord, created: HistoryEvent): Promise<void> {
    const child = await this.runtime.store.readState(created.InstanceId!);
    if (!child || !sameParent(child.parent, parentRefOf(record, created))) {
      this.runtime.track(this.startChild(parent, record, created));
      return;
    }
    // Ours: a running child reports back itself; a finished one may not have yet.
    if (isTerminal(child.runtimeStatus)) this.options.deliver(parent.id, childResult(child, created.EventId), record.executionId);
  }

  private async startChild(parent: Instance, record: InstanceRecord, created: HistoryEvent): Promise<void> {
    try {
      await this.options.startOrchestration(created.Name ?? '', { instanceId: created.InstanceId, input: created.Input ?? null }, parentRefOf(record, created));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.runtime.logger.warn(`Orchestration ${parent.id}: could not start sub-orchestration ${created.InstanceId}: ${message}`);
      if (error instanceof DurableError) {
        this.options.deliver(parent.id, events.subOrchestrationFailed(new Date(), created.EventId, message, JSON.stringify({ Message: message })), record.executionId);
      } else {
        // Storage trouble: try again shortly (the child's id makes this idempotent).
        setTimeout(() => this.runtime.track(this.startChild(parent, record, created)), CHILD_START_RETRY_MS).unref();
      }
    }
  }
}

/** The event that tells a parent how its finished child ended. */
export function childResult(child: InstanceRecord, taskScheduledId: number): HistoryEvent {
  const now = new Date();
  return child.runtimeStatus === 'Completed'
    ? events.subOrchestrationCompleted(now, taskScheduledId, child.output ?? 'null')
    : events.subOrchestrationFailed(now, taskScheduledId, failureReason(child), failureDetails(child));
}

export function parentRefOf(record: InstanceRecord, created: HistoryEvent): ParentRef {
  return { name: record.name, instanceId: record.instanceId, executionId: record.executionId, taskScheduledId: created.EventId };
}

export function sameParent(a: ParentRef | undefined, b: ParentRef | undefined): boolean {
  return !!a && !!b && a.instanceId === b.instanceId && a.executionId === b.executionId && a.taskScheduledId === b.taskScheduledId;
}

function failureReason(record: InstanceRecord): string {
  if (record.runtimeStatus === 'Terminated') return `Sub-orchestration '${record.instanceId}' was terminated: ${parseJsonText(record.output)}`;
  return String(parseJsonText(record.output) ?? `Orchestrator function '${record.name}' failed`);
}

function failureDetails(record: InstanceRecord): string {
  return JSON.stringify({ Message: failureReason(record), InstanceId: record.instanceId });
}

function parseJsonText(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
