// The episode loop: whenever something arrives for an instance (a start, an event, a result),
// one episode takes what is pending, lets durable-functions replay the orchestrator over the
// history plus the new events, plans what to schedule from the actions it answers (replay.ts),
// and commits all of it in one ETag-guarded transaction (store.ts). Only then is the scheduled
// work handed to the dispatcher. One episode per instance at a time; results that arrive while it
// runs join the next one.
import { randomUUID } from 'node:crypto';
import { AppFunction } from '../app/loader';
import { Invoker, formatError } from '../app/invoker';
import { Semaphore } from '../util';
import { childResult, WorkDispatcher } from './dispatcher';
import { EventType, HistoryEvent, OrchestrationStatus, RuntimeStatus, events, isTerminal } from './history';
import { readOrchestratorResult } from './orchestratorResult';
import { planEpisode } from './replay';
import { DurableRuntime, Instance, PendingEvent } from './runtime';
import { ConcurrencyError, EpisodeTooLargeError, InboxItem, InstanceRecord, newInboxRowKey } from './store';
import { completedWork, workOf } from './workKeys';

/** Out-of-proc schema the host offers durable-functions (V3: actions as one list, retries by history). */
const UPPER_SCHEMA_VERSION = 1;
const UPPER_SCHEMA_VERSION_NEW = 2;
/** As the Azure Storage provider: timers up to 6 days, longer ones in 3-day steps. */
const MAXIMUM_SHORT_TIMER = '6.00:00:00';
const LONG_TIMER_INTERVAL = '3.00:00:00';
const HTTP_ASYNC_SLEEP_MS = 30_000;
/** Inbox rows one episode consumes at most (each is one operation of the transaction). */
export const INBOX_PER_EPISODE = 60;
/** Row deletions that may ride along in an episode's transaction. */
const INLINE_DELETES = 20;
const MAX_RETRY_WAIT_MS = 5_000;

export interface EpisodeLoopOptions {
  invoker: Invoker;
  /** Orchestrator functions by lower-cased name. */
  orchestrations: Map<string, AppFunction>;
  maxConcurrentOrchestrations: number;
}

/** What an episode writes besides the inbox rows it consumed. */
interface EpisodeChange {
  status: RuntimeStatus;
  events: HistoryEvent[];
  output?: string | null;
  customStatus?: string | null;
  /** Work to hand to the dispatcher once committed. */
  scheduled?: HistoryEvent[];
  suspendedFrom?: RuntimeStatus;
}

export class EpisodeLoop {
  private readonly episodeSlots: Semaphore;

  constructor(
    private readonly runtime: DurableRuntime,
    private readonly dispatcher: WorkDispatcher,
    private readonly options: EpisodeLoopOptions,
  ) {
    this.episodeSlots = new Semaphore(options.maxConcurrentOrchestrations);
  }

  /** Delivers a result computed in memory (activity, timer, child orchestration). */
  deliver(instanceId: string, event: HistoryEvent, executionId: string | undefined): void {
    if (this.runtime.stopping) return;
    const instance = this.runtime.instance(instanceId);
    instance.pending.push({ event, executionId });
    this.wake(instance);
  }

  /** Schedules an episode for the instance (or another one after the running one). */
  wake(instance: Instance): void {
    if (this.runtime.stopping) return;
    if (instance.running) {
      instance.again = true;
      return;
    }
    if (instance.queued) return;
    instance.queued = true;
    // Let results that arrive in the same turn join one episode.
    setImmediate(() => {
      const work = this.episodeSlots.run(() => this.runEpisodes(instance));
      this.runtime.track(work);
    });
  }

  private async runEpisodes(instance: Instance): Promise<void> {
    instance.queued = false;
    if (instance.running || this.runtime.stopping) return;
    instance.running = true;
    try {
      do {
        instance.again = false;
        await this.episode(instance);
      } while ((instance.again || hasWork(instance)) && !this.runtime.stopping);
      instance.failures = 0;
    } catch (error) {
      instance.failures++;
      const wait = Math.min(MAX_RETRY_WAIT_MS, 100 * 2 ** Math.min(instance.failures, 6));
      this.runtime.logger.error(`Orchestration ${instance.id}: episode failed, retrying in ${wait} ms: ${formatError(error)}`);
      instance.loaded = false;
      setTimeout(() => this.wake(instance), wait).unref();
    } finally {
      instance.running = false;
    }
  }

  // ---- one episode --------------------------------------------------------------------------

  private async episode(instance: Instance): Promise<void> {
    if (!instance.loaded) {
      await this.runtime.load(instance);
      // After a reload (a conflict, or a commit whose outcome is unknown) make sure the work the
      // stored history schedules is under way; what already is, is not started twice.
      await this.dispatcher.resume(instance);
    }
    const record = instance.record;
    if (!record) {
      instance.pending = [];
      return;
    }
    if (instance.pending.length === 0) return;
    if (isTerminal(record.runtimeStatus)) {
      await this.discardPending(instance);
      return;
    }
    const batch = takeBatch(instance, record);
    if (batch.length === 0) return;
    try {
      await this.process(instance, record, batch);
    } catch (error) {
      // Nothing of the batch was committed (or we cannot tell): keep it, re-read storage first.
      instance.pending.unshift(...batch);
      instance.loaded = false;
      if (error instanceof ConcurrencyError) {
        this.runtime.metrics.conflicts++;
        this.runtime.logger.warn(`Orchestration ${instance.id}: ${error.message}; reloading`);
        instance.again = true;
        return;
      }
      throw error;
    }
  }

  private async process(instance: Instance, record: InstanceRecord, batch: PendingEvent[]): Promise<void> {
    const now = new Date(Math.max(Date.now(), lastTimestamp(instance.history) + 1));
    const newEvents = newEventsOf(instance, batch);
    const consumedInbox = batch.filter((p) => p.inboxRowKey).map((p) => p.inboxRowKey!);

    const control = newEvents.find(
      (e) => e.EventType === EventType.ExecutionTerminated || e.EventType === EventType.ExecutionSuspended || e.EventType === EventType.ExecutionResumed,
    );
    if (control?.EventType === EventType.ExecutionTerminated) {
      const reason = control.Input ?? null;
      await this.commit(instance, consumedInbox, now, {
        status: 'Terminated',
        output: JSON.stringify(reason ?? ''),
        events: [events.orchestratorStarted(now), control, events.executionCompleted(now, OrchestrationStatus.Terminated, JSON.stringify(reason ?? '')), events.orchestratorCompleted(now)],
      });
      return;
    }
    if (control) {
      const suspending = control.EventType === EventType.ExecutionSuspended;
      const status: RuntimeStatus = suspending ? 'Suspended' : (record.suspendedFrom ?? 'Running');
      await this.commit(instance, consumedInbox, now, {
        status,
        suspendedFrom: suspending ? (record.runtimeStatus === 'Suspended' ? record.suspendedFrom : record.runtimeStatus) : undefined,
        events: [events.orchestratorStarted(now), control, events.orchestratorCompleted(now)],
      });
      return;
    }
    if (newEvents.length === 0) {
      await this.commit(instance, consumedInbox, now, { status: record.runtimeStatus, events: [] });
      return;
    }
    const hasStart = instance.history.some((e) => e.EventType === EventType.ExecutionStarted) || newEvents.some((e) => e.EventType === EventType.ExecutionStarted);
    if (!hasStart) {
      // Results for an execution that has not started cannot be replayed; drop them.
      await this.commit(instance, consumedInbox, now, { status: record.runtimeStatus, events: [] });
      return;
    }
    await this.runOrchestrator(instance, record, newEvents, consumedInbox, now);
  }

  private async runOrchestrator(instance: Instance, record: InstanceRecord, newEvents: HistoryEvent[], consumedInbox: string[], now: Date): Promise<void> {
    const fn = this.options.orchestrations.get(record.name.toLowerCase());
    const started = events.orchestratorStarted(now);
    const replayHistory = [...instance.history.map((e) => ({ ...e, IsPlayed: true })), started, ...newEvents.map((e) => ({ ...e, IsPlayed: false }))];
    const fullHistory = [...instance.history, started, ...newEvents];
    const fail = (message: string, customStatus?: string | null): Promise<void> =>
      this.commit(instance, consumedInbox, now, {
        status: 'Failed',
        output: JSON.stringify(message),
        customStatus,
        events: [started, ...newEvents, events.executionCompleted(now, OrchestrationStatus.Failed, JSON.stringify(message)), events.orchestratorCompleted(now)],
      });
    if (!fn) return fail(`The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.`);

    const binding = {
      history: replayHistory,
      input: record.input === null ? null : JSON.parse(record.input),
      instanceId: record.instanceId,
      isReplaying: instance.history.length > 0,
      parentInstanceId: record.parent?.instanceId ?? null,
      upperSchemaVersion: UPPER_SCHEMA_VERSION,
      upperSchemaVersionNew: UPPER_SCHEMA_VERSION_NEW,
      longRunningTimerIntervalDuration: LONG_TIMER_INTERVAL,
      maximumShortTimerDuration: MAXIMUM_SHORT_TIMER,
      defaultHttpAsyncRequestSleepTimeMillseconds: HTTP_ASYNC_SLEEP_MS,
    };
    this.runtime.metrics.episodes++;
    const outcome = await this.options.invoker.invoke(fn, {
      inputData: [{ name: fn.triggerName, data: { string: JSON.stringify(binding) } }],
      reason: `Orchestration ${record.instanceId}`,
      quiet: true,
    });
    const result = readOrchestratorResult(outcome.ok ? outcome.response.returnValue : undefined, outcome.ok ? undefined : outcome.error);
    const plan = planEpisode({ instanceId: record.instanceId, history: fullHistory, actions: result.actions, now });
    const customStatus = result.customStatus !== undefined ? JSON.stringify(result.customStatus) : record.customStatus;

    let failure = result.error;
    if (!failure && plan.nonDeterminism) failure = plan.nonDeterminism;
    if (!failure && plan.unsupported) failure = `${plan.unsupported} is not supported by this local host`;
    if (failure) {
      this.runtime.logger.warn(`Orchestration ${record.instanceId} (${fn.name}) failed: ${failure}`);
      return fail(`Orchestrator function '${fn.name}' failed: ${failure}`, customStatus);
    }
    if (result.isDone && plan.continueAsNew) {
      return this.continueAsNew(instance, record, consumedInbox, now, plan.continueAsNew.input, plan.unconsumedEvents, customStatus);
    }
    if (result.isDone) {
      const output = result.output === undefined ? null : JSON.stringify(result.output);
      return this.commit(instance, consumedInbox, now, {
        status: 'Completed',
        output,
        customStatus,
        events: [started, ...newEvents, events.executionCompleted(now, OrchestrationStatus.Completed, output), events.orchestratorCompleted(now)],
      });
    }
    for (const id of plan.canceledTimerIds) {
      instance.timers.get(id)?.clear();
      instance.timers.delete(id);
    }
    await this.commit(instance, consumedInbox, now, {
      status: 'Running',
      customStatus,
      events: [started, ...newEvents, ...plan.scheduled, events.orchestratorCompleted(now)],
      scheduled: plan.scheduled,
    });
  }

  private async continueAsNew(
    instance: Instance,
    record: InstanceRecord,
    consumedInbox: string[],
    now: Date,
    input: string | null,
    carried: HistoryEvent[],
    customStatus: string | null,
  ): Promise<void> {
    const executionId = randomUUID().replace(/-/g, '');
    const inbox: InboxItem[] = [
      { rowKey: '', event: events.executionStarted(now, { name: record.name, input, instanceId: record.instanceId, executionId, parent: record.parent }) },
      ...carried.map((e) => ({ rowKey: '', event: events.eventRaised(new Date(e.Timestamp), e.Name ?? '', e.Input ?? null) })),
    ];
    for (const item of inbox) item.rowKey = newInboxRowKey();
    const staleRows = instance.historyRowKeys;
    const inlineDeletes = staleRows.length <= INLINE_DELETES ? staleRows : [];
    const updated: InstanceRecord = {
      ...record,
      executionId,
      runtimeStatus: 'ContinuedAsNew',
      input,
      output: null,
      customStatus,
      lastUpdatedTime: now,
      episodes: 0,
    };
    const { etag } = await this.runtime.store.commitEpisode({
      record: updated,
      historyEvents: [],
      historyExecutionId: record.executionId,
      episode: record.episodes,
      consumedInbox,
      newInbox: inbox,
      deleteRowKeys: inlineDeletes,
    });
    instance.clearTimers();
    instance.record = { ...updated, etag };
    instance.history = [];
    instance.historyRowKeys = [];
    instance.pending.unshift(...inbox.map((item) => ({ event: item.event, inboxRowKey: item.rowKey })));
    if (inlineDeletes.length === 0 && staleRows.length > 0) this.runtime.background(this.runtime.store.deleteRows(instance.id, staleRows));
    this.runtime.logger.debug(`Orchestration ${record.instanceId} continued as new (execution ${executionId})`);
  }

  /** Commits one episode; then hands its scheduled work to the dispatcher, or reports the end. */
  private async commit(instance: Instance, consumedInbox: string[], now: Date, change: EpisodeChange): Promise<void> {
    const record = instance.record!;
    const terminal = isTerminal(change.status);
    const updated: InstanceRecord = {
      ...record,
      runtimeStatus: change.status,
      output: change.output !== undefined ? change.output : record.output,
      customStatus: change.customStatus !== undefined ? change.customStatus : record.customStatus,
      lastUpdatedTime: change.events.length > 0 ? now : record.lastUpdatedTime,
      episodes: change.events.length > 0 ? record.episodes + 1 : record.episodes,
      completedTime: terminal ? now : record.completedTime,
      suspendedFrom: change.status === 'Suspended' ? change.suspendedFrom : undefined,
    };
    if (change.events.length === 0 && consumedInbox.length === 0 && change.status === record.runtimeStatus) return;
    let committed: { etag: string; historyRowKeys: string[] };
    try {
      committed = await this.runtime.store.commitEpisode({
        record: updated,
        historyEvents: change.events,
        historyExecutionId: record.executionId,
        episode: record.episodes,
        consumedInbox,
      });
    } catch (error) {
      if (error instanceof EpisodeTooLargeError && !terminal) {
        this.runtime.logger.warn(`Orchestration ${record.instanceId}: ${error.message}; failing it`);
        const message = `Orchestrator function '${record.name}' failed: ${error.message}`;
        return this.commit(instance, consumedInbox.slice(0, INBOX_PER_EPISODE), now, {
          status: 'Failed',
          output: JSON.stringify(message),
          events: [events.orchestratorStarted(now), events.executionCompleted(now, OrchestrationStatus.Failed, JSON.stringify(message)), events.orchestratorCompleted(now)],
        });
      }
      throw error;
    }
    instance.record = { ...updated, etag: committed.etag };
    if (change.events.length > 0) {
      instance.history.push(...change.events.map((e) => ({ ...e, IsPlayed: true })));
      instance.historyRowKeys.push(...committed.historyRowKeys);
    }
    for (const event of change.scheduled ?? []) this.dispatcher.dispatch(instance, event);
    if (terminal) this.finished(instance);
  }

  private async discardPending(instance: Instance): Promise<void> {
    const rows = instance.pending.filter((p) => p.inboxRowKey).map((p) => p.inboxRowKey!);
    instance.pending = [];
    if (rows.length > 0) await this.runtime.store.deleteRows(instance.id, rows);
  }

  /** The instance ended: wake its waiters, tell its parent, let the cache forget it in time. */
  private finished(instance: Instance): void {
    const record = instance.record!;
    instance.clearTimers();
    for (const waiter of [...instance.waiters]) waiter(record);
    instance.waiters.clear();
    this.runtime.logger.info(`Orchestration ${record.instanceId} (${record.name}) ${record.runtimeStatus}`);
    if (record.parent) this.deliver(record.parent.instanceId, childResult(record, record.parent.taskScheduledId), record.parent.executionId);
    this.runtime.finished(instance);
  }
}

function hasWork(instance: Instance): boolean {
  if (!instance.loaded || !instance.record) return false;
  if (instance.record.runtimeStatus === 'Suspended') {
    return instance.pending.some((p) => p.event.EventType === EventType.ExecutionResumed || p.event.EventType === EventType.ExecutionTerminated);
  }
  return instance.pending.length > 0;
}

/** What this episode takes from the pending events (the rest waits for the next one). */
function takeBatch(instance: Instance, record: InstanceRecord): PendingEvent[] {
  const batch: PendingEvent[] = [];
  const rest: PendingEvent[] = [];
  let inboxCount = 0;
  // Once something must wait (a suspend/resume applied on its own, a full batch), so does all after it.
  let blocked = false;
  const suspended = record.runtimeStatus === 'Suspended';
  for (const pending of instance.pending) {
    const type = pending.event.EventType;
    if (blocked) {
      rest.push(pending);
      continue;
    }
    if (suspended && type !== EventType.ExecutionResumed && type !== EventType.ExecutionTerminated) {
      rest.push(pending);
      continue;
    }
    if (type === EventType.ExecutionSuspended || type === EventType.ExecutionResumed) {
      if (batch.length === 0) batch.push(pending);
      else rest.push(pending);
      blocked = true;
      continue;
    }
    if (pending.inboxRowKey && inboxCount >= INBOX_PER_EPISODE) {
      rest.push(pending);
      blocked = true;
      continue;
    }
    if (pending.inboxRowKey) inboxCount++;
    batch.push(pending);
  }
  instance.pending = rest;
  return batch;
}

/** The batch's events that belong: results of work the history scheduled and has no result for yet, of this execution. */
function newEventsOf(instance: Instance, batch: PendingEvent[]): HistoryEvent[] {
  const record = instance.record!;
  const { scheduled, completed } = workOf(instance.history);
  let started = instance.history.some((event) => event.EventType === EventType.ExecutionStarted);
  const result: HistoryEvent[] = [];
  for (const pending of batch) {
    const event = pending.event;
    if (pending.executionId !== undefined && pending.executionId !== record.executionId) continue;
    if (event.EventType === EventType.ExecutionStarted) {
      if (started || event.OrchestrationInstance?.ExecutionId !== record.executionId) continue;
      started = true;
      result.push(event);
      continue;
    }
    const work = completedWork(event);
    if (work) {
      if (!scheduled.has(work) || completed.has(work)) continue;
      completed.add(work);
    }
    result.push(event);
  }
  return result;
}

function lastTimestamp(history: HistoryEvent[]): number {
  const last = history[history.length - 1];
  return last ? new Date(last.Timestamp).getTime() : 0;
}
