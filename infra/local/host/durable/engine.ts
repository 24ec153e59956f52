// The Durable Functions runtime of the host: runs orchestration episodes (durable-functions does
// the replay; this decides what to schedule, see replay.ts), activities, timers and
// sub-orchestrations, and commits each episode atomically (store.ts).
//
// Durability: work that arrives from outside (start, raise event, terminate, suspend/resume) is
// written to the instance's inbox before it is acknowledged. Everything else is derived from the
// history: a TaskScheduled without its result is an activity to (re-)run, a TimerCreated without
// TimerFired a timer to arm, a SubOrchestrationInstanceCreated without result a child to check.
// On start the host does exactly that for every instance not yet finished, so a host killed at
// any moment resumes; activity results not yet committed are recomputed (at least once), and an
// instance's state advances exactly once (ETag-guarded transactions).
import { randomUUID } from 'node:crypto';
import { AppFunction } from '../app/loader';
import { Invoker, formatError, typedDataToJson } from '../app/invoker';
import { Logger } from '../logger';
import { Semaphore, delay, setLongTimeout } from '../util';
import { EventType, HistoryEvent, OrchestrationStatus, RuntimeStatus, events, isTerminal } from './history';
import { OrchestratorAction, planEpisode } from './replay';
import { ConcurrencyError, DurableStore, EpisodeTooLargeError, InboxItem, InstanceRecord, ParentRef, StatusQuery, STATE_ROW, newInboxRowKey } from './store';

/** Out-of-proc schema the host offers durable-functions (V3: actions as one list, retries by history). */
const UPPER_SCHEMA_VERSION = 1;
const UPPER_SCHEMA_VERSION_NEW = 2;
/** As the Azure Storage provider: timers up to 6 days, longer ones in 3-day steps. */
const MAXIMUM_SHORT_TIMER = '6.00:00:00';
const LONG_TIMER_INTERVAL = '3.00:00:00';
const HTTP_ASYNC_SLEEP_MS = 30_000;
/** Inbox rows one episode consumes at most (each is one operation of the transaction). */
const INBOX_PER_EPISODE = 60;
/** Row deletions that may ride along in an episode's transaction. */
const INLINE_DELETES = 20;
const MAX_CACHED_FINISHED = 2_000;

export class DurableError extends Error {
  override readonly name = 'DurableError';
  constructor(
    readonly code: 'not-found' | 'conflict' | 'bad-request' | 'gone',
    message: string,
  ) {
    super(message);
  }
}

interface PendingEvent {
  event: HistoryEvent;
  /** Inbox row holding the event (absent for in-memory results: activities, timers, children). */
  inboxRowKey?: string;
  /** Execution the event belongs to (results of an earlier execution are dropped). */
  executionId?: string;
}

class Instance {
  record?: InstanceRecord;
  history: HistoryEvent[] = [];
  historyRowKeys: string[] = [];
  loaded = false;
  pending: PendingEvent[] = [];
  running = false;
  queued = false;
  again = false;
  readonly activitiesInFlight = new Set<string>();
  readonly timers = new Map<number, { clear(): void }>();
  readonly waiters = new Set<(record: InstanceRecord) => void>();
  failures = 0;
  constructor(readonly id: string) {}
}

export interface DurableEngineOptions {
  store: DurableStore;
  hubName: string;
  invoker: Invoker;
  functions: AppFunction[];
  logger: Logger;
  maxConcurrentActivities: number;
  maxConcurrentOrchestrations: number;
}

export interface StartOptions {
  instanceId?: string;
  /** JSON text of the input, or null. */
  input: string | null;
}

export class DurableEngine {
  readonly metrics = { episodes: 0, activitiesRun: 0, activitiesCompleted: 0, timersFired: 0, conflicts: 0 };
  private readonly instances = new Map<string, Instance>();
  private readonly orchestrations = new Map<string, AppFunction>();
  private readonly activities = new Map<string, AppFunction>();
  private readonly activitySlots: Semaphore;
  private readonly episodeSlots: Semaphore;
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly finishedOrder: string[] = [];

  constructor(private readonly options: DurableEngineOptions) {
    for (const fn of options.functions) {
      if (fn.kind === 'orchestration') this.orchestrations.set(fn.name.toLowerCase(), fn);
      if (fn.kind === 'activity') this.activities.set(fn.name.toLowerCase(), fn);
    }
    this.activitySlots = new Semaphore(options.maxConcurrentActivities);
    this.episodeSlots = new Semaphore(options.maxConcurrentOrchestrations);
  }

  get hubName(): string {
    return this.options.hubName;
  }

  hasOrchestration(name: string): boolean {
    return this.orchestrations.has(name.toLowerCase());
  }

  /** Resumes every instance that has not finished (after a restart or a crash). */
  async recover(): Promise<number> {
    let continuationToken: string | undefined;
    let count = 0;
    do {
      const page = await this.options.store.list({ runtimeStatus: ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'], continuationToken });
      continuationToken = page.continuationToken;
      for (const record of page.records) {
        count++;
        const instance = this.instance(record.instanceId);
        try {
          await this.load(instance);
          await this.resumeDerivedWork(instance);
          this.wake(instance);
        } catch (error) {
          this.options.logger.error(`Could not resume orchestration ${record.instanceId}: ${formatError(error)}`);
        }
      }
    } while (continuationToken);
    return count;
  }

  /** Stops timers and waits (up to `graceMs`) for running episodes and activities. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    for (const instance of this.instances.values()) for (const timer of instance.timers.values()) timer.clear();
    const all = Promise.allSettled([...this.inFlight]);
    await Promise.race([all, delay(graceMs)]);
  }

  // ---- client operations --------------------------------------------------------------------

  async startNew(name: string, options: StartOptions, parent?: ParentRef): Promise<string> {
    const fn = this.orchestrations.get(name.toLowerCase());
    if (!fn) throw new DurableError('bad-request', `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    const instanceId = options.instanceId ?? randomUUID().replace(/-/g, '');
    validateInstanceId(instanceId);
    if (options.input !== null) assertJson(options.input, 'input');
    await this.createInstance(instanceId, fn.name, options.input, parent);
    return instanceId;
  }

  async raiseEvent(instanceId: string, eventName: string, input: string | null): Promise<void> {
    if (!eventName) throw new DurableError('bad-request', 'An event name is required');
    if (input !== null) assertJson(input, 'event data');
    await this.appendToInbox(instanceId, events.eventRaised(new Date(), eventName, input), { rejectTerminal: true });
  }

  async terminate(instanceId: string, reason: string | null): Promise<void> {
    await this.appendToInbox(instanceId, events.executionTerminated(new Date(), reason), { rejectTerminal: true });
  }

  async suspend(instanceId: string, reason: string | null): Promise<void> {
    await this.appendToInbox(instanceId, events.executionSuspended(new Date(), reason), { rejectTerminal: true });
  }

  async resume(instanceId: string, reason: string | null): Promise<void> {
    await this.appendToInbox(instanceId, events.executionResumed(new Date(), reason), { rejectTerminal: true });
  }

  /** Starts the same orchestration again with the same input (new id unless `sameId`). */
  async restart(instanceId: string, newInstanceId: boolean): Promise<string> {
    const record = await this.readRecord(instanceId);
    if (!record) throw new DurableError('bad-request', `An orchestration with the instanceId ${instanceId} was not found.`);
    return this.startNew(record.name, { instanceId: newInstanceId ? undefined : instanceId, input: record.input });
  }

  async getStatus(instanceId: string, withHistory: boolean): Promise<{ record: InstanceRecord; history?: HistoryEvent[] } | undefined> {
    const instance = this.instances.get(instanceId);
    if (instance?.loaded && instance.record) {
      return { record: instance.record, history: withHistory ? instance.history : undefined };
    }
    if (!withHistory) {
      const record = await this.options.store.readState(instanceId);
      return record ? { record } : undefined;
    }
    const loaded = await this.options.store.load(instanceId);
    return loaded ? { record: loaded.record, history: loaded.history } : undefined;
  }

  list(query: StatusQuery): Promise<{ records: InstanceRecord[]; continuationToken?: string }> {
    return this.options.store.list(query);
  }

  /** Deletes a finished instance; 'not-found' / 'conflict' (still running) otherwise. */
  async purge(instanceId: string): Promise<void> {
    const record = await this.readRecord(instanceId);
    if (!record) throw new DurableError('not-found', `No instance with ID '${instanceId}' found.`);
    if (!isTerminal(record.runtimeStatus)) {
      throw new DurableError('conflict', `Instance '${instanceId}' is ${record.runtimeStatus}; terminate it before purging its history.`);
    }
    const instance = this.instances.get(instanceId);
    if (instance) {
      for (const timer of instance.timers.values()) timer.clear();
      this.instances.delete(instanceId);
    }
    await this.options.store.purge(instanceId);
  }

  /** Purges finished instances matching the filter; resolves with how many. */
  async purgeBy(filter: { createdTimeFrom: Date; createdTimeTo?: Date; runtimeStatus?: RuntimeStatus[] }): Promise<number> {
    const statuses = (filter.runtimeStatus && filter.runtimeStatus.length > 0 ? filter.runtimeStatus : ['Completed', 'Failed', 'Terminated', 'Canceled']).filter((s) =>
      isTerminal(s as RuntimeStatus),
    ) as RuntimeStatus[];
    if (statuses.length === 0) return 0;
    let deleted = 0;
    let continuationToken: string | undefined;
    do {
      const page = await this.options.store.list({ runtimeStatus: statuses, createdTimeFrom: filter.createdTimeFrom, createdTimeTo: filter.createdTimeTo ?? new Date(), continuationToken });
      continuationToken = page.continuationToken;
      for (const record of page.records) {
        try {
          await this.purge(record.instanceId);
          deleted++;
        } catch (error) {
          if (!(error instanceof DurableError)) throw error;
        }
      }
    } while (continuationToken);
    return deleted;
  }

  /** Resolves with the record once the instance finishes, or undefined after `timeoutMs`. */
  async waitForCompletion(instanceId: string, timeoutMs: number): Promise<InstanceRecord | undefined> {
    const record = await this.readRecord(instanceId);
    if (!record) return undefined;
    if (isTerminal(record.runtimeStatus)) return record;
    const instance = this.instance(instanceId);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        instance.waiters.delete(done);
        resolve(undefined);
      }, timeoutMs);
      const done = (finished: InstanceRecord): void => {
        clearTimeout(timer);
        resolve(finished);
      };
      instance.waiters.add(done);
      // It may have finished while we were reading.
      if (instance.record && isTerminal(instance.record.runtimeStatus)) {
        instance.waiters.delete(done);
        done(instance.record);
      }
    });
  }

  // ---- instances ----------------------------------------------------------------------------

  private instance(id: string): Instance {
    let instance = this.instances.get(id);
    if (!instance) {
      instance = new Instance(id);
      this.instances.set(id, instance);
    }
    return instance;
  }

  private async readRecord(instanceId: string): Promise<InstanceRecord | undefined> {
    const instance = this.instances.get(instanceId);
    if (instance?.loaded && instance.record) return instance.record;
    return this.options.store.readState(instanceId);
  }

  private async load(instance: Instance): Promise<void> {
    const loaded = await this.options.store.load(instance.id);
    // Inbox events are re-read from storage; in-memory results are kept.
    instance.pending = instance.pending.filter((p) => p.inboxRowKey === undefined);
    if (!loaded) {
      instance.record = undefined;
      instance.history = [];
      instance.historyRowKeys = [];
      instance.loaded = true;
      return;
    }
    instance.record = loaded.record;
    instance.history = loaded.history;
    instance.historyRowKeys = loaded.historyRowKeys;
    instance.loaded = true;
    for (const item of loaded.inbox) instance.pending.push({ event: item.event, inboxRowKey: item.rowKey });
    if (loaded.staleRowKeys.length > 0) this.background(this.options.store.deleteRows(instance.id, loaded.staleRowKeys));
  }

  private async createInstance(instanceId: string, name: string, input: string | null, parent?: ParentRef): Promise<void> {
    const now = new Date();
    const executionId = randomUUID().replace(/-/g, '');
    const record: InstanceRecord = {
      instanceId,
      name,
      executionId,
      runtimeStatus: 'Pending',
      input,
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      episodes: 0,
      parent,
    };
    const started = events.executionStarted(now, { name, input, instanceId, executionId, parent });
    const instance = this.instance(instanceId);
    let result: { etag: string; inbox: InboxItem[] };
    try {
      result = await this.options.store.createInstance(record, [started]);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      // The id exists: a finished instance may be replaced, a running one may not.
      const existing = await this.options.store.load(instanceId);
      if (!existing) return this.createInstance(instanceId, name, input, parent);
      if (parent && sameParent(existing.record.parent, parent)) return; // created before a crash
      if (!isTerminal(existing.record.runtimeStatus)) {
        throw new DurableError('conflict', `An orchestration instance with the ID '${instanceId}' already exists and is ${existing.record.runtimeStatus}.`);
      }
      const oldRows = [...existing.inbox.map((i) => i.rowKey), ...(await this.options.store.rowKeys(instanceId)).filter((k) => k !== STATE_ROW && !k.startsWith('i|'))];
      const inline = oldRows.slice(0, 90);
      if (oldRows.length > inline.length) await this.options.store.deleteRows(instanceId, oldRows.slice(inline.length));
      for (const timer of instance.timers.values()) timer.clear();
      instance.timers.clear();
      result = await this.options.store.createInstance(record, [started], { replaceEtag: existing.record.etag, deleteRowKeys: inline });
    }
    instance.record = { ...record, etag: result.etag };
    instance.history = [];
    instance.historyRowKeys = [];
    instance.loaded = true;
    instance.pending = result.inbox.map((item) => ({ event: item.event, inboxRowKey: item.rowKey }));
    this.wake(instance);
  }

  private async appendToInbox(instanceId: string, event: HistoryEvent, options: { rejectTerminal: boolean }): Promise<void> {
    const record = await this.readRecord(instanceId);
    if (!record) throw new DurableError('not-found', `No instance with ID '${instanceId}' found.`);
    if (options.rejectTerminal && isTerminal(record.runtimeStatus)) {
      throw new DurableError('gone', `Instance '${instanceId}' is ${record.runtimeStatus}.`);
    }
    const item = await this.options.store.appendInbox(instanceId, event);
    const instance = this.instance(instanceId);
    if (instance.loaded) instance.pending.push({ event: item.event, inboxRowKey: item.rowKey });
    this.wake(instance);
  }

  /** Delivers a result computed in memory (activity, timer, child orchestration). */
  private deliver(instanceId: string, event: HistoryEvent, executionId: string | undefined): void {
    if (this.stopping) return;
    const instance = this.instance(instanceId);
    instance.pending.push({ event, executionId });
    this.wake(instance);
  }

  private wake(instance: Instance): void {
    if (this.stopping) return;
    if (instance.running) {
      instance.again = true;
      return;
    }
    if (instance.queued) return;
    instance.queued = true;
    // Let results that arrive in the same turn join one episode.
    setImmediate(() => {
      const work = this.episodeSlots.run(() => this.runEpisodes(instance));
      this.track(work);
    });
  }

  private async runEpisodes(instance: Instance): Promise<void> {
    instance.queued = false;
    if (instance.running || this.stopping) return;
    instance.running = true;
    try {
      do {
        instance.again = false;
        await this.episode(instance);
      } while ((instance.again || this.hasWork(instance)) && !this.stopping);
      instance.failures = 0;
    } catch (error) {
      instance.failures++;
      const wait = Math.min(5_000, 100 * 2 ** Math.min(instance.failures, 6));
      this.options.logger.error(`Orchestration ${instance.id}: episode failed, retrying in ${wait} ms: ${formatError(error)}`);
      instance.loaded = false;
      setTimeout(() => this.wake(instance), wait).unref();
    } finally {
      instance.running = false;
    }
  }

  private hasWork(instance: Instance): boolean {
    if (!instance.loaded || !instance.record) return false;
    if (instance.record.runtimeStatus === 'Suspended') {
      return instance.pending.some((p) => p.event.EventType === EventType.ExecutionResumed || p.event.EventType === EventType.ExecutionTerminated);
    }
    return instance.pending.length > 0;
  }

  // ---- one episode --------------------------------------------------------------------------

  private async episode(instance: Instance): Promise<void> {
    if (!instance.loaded) {
      await this.load(instance);
      // After a reload (a conflict, or a commit whose outcome is unknown) make sure the work the
      // stored history schedules is under way; what already is, is not started twice.
      await this.resumeDerivedWork(instance);
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
    const batch = this.takeBatch(instance, record);
    if (batch.length === 0) return;
    try {
      await this.process(instance, record, batch);
    } catch (error) {
      // Nothing of the batch was committed (or we cannot tell): keep it, re-read storage first.
      instance.pending.unshift(...batch);
      instance.loaded = false;
      if (error instanceof ConcurrencyError) {
        this.metrics.conflicts++;
        this.options.logger.warn(`Orchestration ${instance.id}: ${error.message}; reloading`);
        instance.again = true;
        return;
      }
      throw error;
    }
  }

  private async process(instance: Instance, record: InstanceRecord, batch: PendingEvent[]): Promise<void> {
    const now = new Date(Math.max(Date.now(), lastTimestamp(instance.history) + 1));
    const newEvents = this.filterNewEvents(instance, batch);
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

  private takeBatch(instance: Instance, record: InstanceRecord): PendingEvent[] {
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

  /** Drops results that do not belong: unknown or duplicate ids, earlier executions. */
  private filterNewEvents(instance: Instance, batch: PendingEvent[]): HistoryEvent[] {
    const record = instance.record!;
    const scheduled = new Set<string>();
    const completed = new Set<string>();
    let started = false;
    for (const event of instance.history) {
      if (event.EventType === EventType.ExecutionStarted) started = true;
      if (event.EventType === EventType.TaskScheduled || event.EventType === EventType.SubOrchestrationInstanceCreated) scheduled.add(`t${event.EventId}`);
      if (event.EventType === EventType.TimerCreated) scheduled.add(`x${event.EventId}`);
      const key = completionKey(event);
      if (key) completed.add(key);
    }
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
      const key = completionKey(event);
      if (key) {
        if (!scheduled.has(key.startsWith('x') ? key : `t${key.slice(1)}`) || completed.has(key)) continue;
        completed.add(key);
      }
      result.push(event);
    }
    return result;
  }

  private async runOrchestrator(
    instance: Instance,
    record: InstanceRecord,
    newEvents: HistoryEvent[],
    consumedInbox: string[],
    now: Date,
  ): Promise<void> {
    const fn = this.orchestrations.get(record.name.toLowerCase());
    const started = events.orchestratorStarted(now);
    const replayHistory = [...instance.history.map((e) => ({ ...e, IsPlayed: true })), started, ...newEvents.map((e) => ({ ...e, IsPlayed: false }))];
    const fullHistory = [...instance.history, started, ...newEvents];
    const fail = (message: string): Promise<void> =>
      this.commit(instance, consumedInbox, now, {
        status: 'Failed',
        output: JSON.stringify(message),
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
    this.metrics.episodes++;
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
      const message = `Orchestrator function '${fn.name}' failed: ${failure}`;
      this.options.logger.warn(`Orchestration ${record.instanceId} (${fn.name}) failed: ${failure}`);
      return this.commit(instance, consumedInbox, now, {
        status: 'Failed',
        output: JSON.stringify(message),
        customStatus,
        events: [started, ...newEvents, events.executionCompleted(now, OrchestrationStatus.Failed, JSON.stringify(message)), events.orchestratorCompleted(now)],
      });
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
    {
      const { etag } = await this.options.store.commitEpisode({
        record: updated,
        historyEvents: [],
        historyExecutionId: record.executionId,
        episode: record.episodes,
        consumedInbox,
        newInbox: inbox,
        deleteRowKeys: inlineDeletes,
      });
      for (const timer of instance.timers.values()) timer.clear();
      instance.timers.clear();
      instance.record = { ...updated, etag };
      instance.history = [];
      instance.historyRowKeys = [];
      instance.pending.unshift(...inbox.map((item) => ({ event: item.event, inboxRowKey: item.rowKey })));
      if (inlineDeletes.length === 0 && staleRows.length > 0) this.background(this.options.store.deleteRows(instance.id, staleRows));
      this.options.logger.debug(`Orchestration ${record.instanceId} continued as new (execution ${executionId})`);
    }
  }

  private async commit(
    instance: Instance,
    consumedInbox: string[],
    now: Date,
    change: {
      status: RuntimeStatus;
      events: HistoryEvent[];
      output?: string | null;
      customStatus?: string | null;
      scheduled?: HistoryEvent[];
      suspendedFrom?: RuntimeStatus;
    },
  ): Promise<void> {
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
      committed = await this.options.store.commitEpisode({
        record: updated,
        historyEvents: change.events,
        historyExecutionId: record.executionId,
        episode: record.episodes,
        consumedInbox,
      });
    } catch (error) {
      if (error instanceof EpisodeTooLargeError && !terminal) {
        this.options.logger.warn(`Orchestration ${record.instanceId}: ${error.message}; failing it`);
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
    for (const event of change.scheduled ?? []) this.dispatch(instance, event);
    if (terminal) this.finished(instance);
  }

  private async discardPending(instance: Instance): Promise<void> {
    const rows = instance.pending.filter((p) => p.inboxRowKey).map((p) => p.inboxRowKey!);
    instance.pending = [];
    if (rows.length > 0) await this.options.store.deleteRows(instance.id, rows);
  }

  private finished(instance: Instance): void {
    const record = instance.record!;
    for (const timer of instance.timers.values()) timer.clear();
    instance.timers.clear();
    for (const waiter of [...instance.waiters]) waiter(record);
    instance.waiters.clear();
    this.options.logger.info(`Orchestration ${record.instanceId} (${record.name}) ${record.runtimeStatus}`);
    if (record.parent) {
      const now = new Date();
      const parent = record.parent;
      const event =
        record.runtimeStatus === 'Completed'
          ? events.subOrchestrationCompleted(now, parent.taskScheduledId, record.output ?? 'null')
          : events.subOrchestrationFailed(now, parent.taskScheduledId, failureReason(record), failureDetails(record));
      this.deliver(parent.instanceId, event, parent.executionId);
    }
    this.finishedOrder.push(instance.id);
    while (this.finishedOrder.length > MAX_CACHED_FINISHED) {
      const id = this.finishedOrder.shift()!;
      const old = this.instances.get(id);
      if (old && old.record && isTerminal(old.record.runtimeStatus) && !old.running && old.waiters.size === 0 && old.pending.length === 0) {
        this.instances.delete(id);
      }
    }
  }

  // ---- scheduled work -----------------------------------------------------------------------

  private dispatch(instance: Instance, event: HistoryEvent): void {
    const record = instance.record!;
    switch (event.EventType) {
      case EventType.TaskScheduled:
        this.runActivity(instance, record.executionId, event);
        break;
      case EventType.TimerCreated:
        this.armTimer(instance, record.executionId, event);
        break;
      case EventType.SubOrchestrationInstanceCreated:
        this.track(this.startChild(instance, record, event));
        break;
      default:
        break;
    }
  }

  /** After a restart: re-run unfinished activities, re-arm timers, check children. */
  private async resumeDerivedWork(instance: Instance): Promise<void> {
    const record = instance.record;
    if (!record || isTerminal(record.runtimeStatus)) return;
    const done = new Set<string>();
    for (const event of instance.history) {
      const key = completionKey(event);
      if (key) done.add(key.startsWith('x') ? key : `t${key.slice(1)}`);
    }
    for (const event of instance.history) {
      if (event.EventType === EventType.TaskScheduled && !done.has(`t${event.EventId}`)) this.runActivity(instance, record.executionId, event);
      if (event.EventType === EventType.TimerCreated && !done.has(`x${event.EventId}`)) this.armTimer(instance, record.executionId, event);
      if (event.EventType === EventType.SubOrchestrationInstanceCreated && !done.has(`t${event.EventId}`)) {
        const child = await this.options.store.readState(event.InstanceId!);
        if (child && sameParent(child.parent, parentRefOf(record, event))) {
          // Ours: a running child reports back itself; a finished one may not have yet.
          if (isTerminal(child.runtimeStatus)) {
            const now = new Date();
            this.deliver(
              instance.id,
              child.runtimeStatus === 'Completed'
                ? events.subOrchestrationCompleted(now, event.EventId, child.output ?? 'null')
                : events.subOrchestrationFailed(now, event.EventId, failureReason(child), failureDetails(child)),
              record.executionId,
            );
          }
        } else {
          this.track(this.startChild(instance, record, event));
        }
      }
    }
  }

  private runActivity(instance: Instance, executionId: string, scheduled: HistoryEvent): void {
    const key = `${executionId}:${scheduled.EventId}`;
    if (instance.activitiesInFlight.has(key)) return;
    instance.activitiesInFlight.add(key);
    const work = this.activitySlots.run(async () => {
      if (this.stopping) return;
      const name = scheduled.Name ?? '';
      const fn = this.activities.get(name.toLowerCase());
      const now = (): Date => new Date();
      let result: HistoryEvent;
      if (!fn) {
        const message = `Activity function '${name}' does not exist.`;
        result = events.taskFailed(now(), scheduled.EventId, `Activity function '${name}' failed: ${message}`, JSON.stringify({ Message: message }));
      } else {
        this.metrics.activitiesRun++;
        const input = scheduled.Input ?? null;
        const outcome = await this.options.invoker.invoke(fn, {
          inputData: [{ name: fn.triggerName, data: input === null ? null : { string: input } }],
          reason: `Activity of ${instance.id}`,
          quiet: true,
        });
        if (outcome.ok) {
          result = events.taskCompleted(now(), scheduled.EventId, typedDataToJson(outcome.response.returnValue) ?? 'null');
        } else {
          const error = outcome.error;
          const message = error instanceof Error ? error.message : String(error);
          result = events.taskFailed(
            now(),
            scheduled.EventId,
            `Activity function '${fn.name}' failed: ${message}`,
            JSON.stringify({ Message: message, StackTrace: error instanceof Error ? error.stack : undefined }),
          );
        }
      }
      this.metrics.activitiesCompleted++;
      this.deliver(instance.id, result, executionId);
    });
    this.track(work.finally(() => instance.activitiesInFlight.delete(key)));
  }

  private armTimer(instance: Instance, executionId: string, created: HistoryEvent): void {
    const id = created.EventId;
    if (instance.timers.has(id) || this.stopping) return;
    const fireAt = created.FireAt ?? new Date().toISOString();
    const timer = setLongTimeout(() => {
      instance.timers.delete(id);
      this.metrics.timersFired++;
      this.deliver(instance.id, events.timerFired(new Date(), id, fireAt), executionId);
    }, new Date(fireAt).getTime() - Date.now());
    instance.timers.set(id, timer);
  }

  private async startChild(parent: Instance, record: InstanceRecord, created: HistoryEvent): Promise<void> {
    const parentRef = parentRefOf(record, created);
    try {
      await this.startNew(created.Name ?? '', { instanceId: created.InstanceId, input: created.Input ?? null }, parentRef);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn(`Orchestration ${parent.id}: could not start sub-orchestration ${created.InstanceId}: ${message}`);
      if (error instanceof DurableError) {
        this.deliver(parent.id, events.subOrchestrationFailed(new Date(), created.EventId, message, JSON.stringify({ Message: message })), record.executionId);
      } else {
        // Storage trouble: try again shortly (the child's id makes this idempotent).
        setTimeout(() => this.track(this.startChild(parent, record, created)), 1_000).unref();
      }
    }
  }

  private track<T>(work: Promise<T>): void {
    this.inFlight.add(work);
    work.then(
      () => this.inFlight.delete(work),
      (error: unknown) => {
        this.inFlight.delete(work);
        this.options.logger.error(`Durable task failed: ${formatError(error)}`);
      },
    );
  }

  private background(work: Promise<unknown>): void {
    this.track(work.catch((error: unknown) => this.options.logger.debug(`Background clean-up failed: ${formatError(error)}`)));
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function completionKey(event: HistoryEvent): string | undefined {
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return `c${event.TaskScheduledId}`;
    case EventType.TimerFired:
      return `x${event.TimerId}`;
    default:
      return undefined;
  }
}

function lastTimestamp(history: HistoryEvent[]): number {
  const last = history[history.length - 1];
  return last ? new Date(last.Timestamp).getTime() : 0;
}

function parentRefOf(record: InstanceRecord, created: HistoryEvent): ParentRef {
  return { name: record.name, instanceId: record.instanceId, executionId: record.executionId, taskScheduledId: created.EventId };
}

function sameParent(a: ParentRef | undefined, b: ParentRef | undefined): boolean {
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

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

interface OrchestratorResult {
  isDone: boolean;
  actions: OrchestratorAction[];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

/** Reads what durable-functions returned (or threw, with its state after `$OutOfProcData$:`). */
export function readOrchestratorResult(returnValue: { json?: string | null; string?: string | null } | null | undefined, error: unknown): OrchestratorResult {
  let stateText: string | undefined;
  let errorMessage: string | undefined;
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    const at = message.indexOf(OUT_OF_PROC_LABEL);
    if (at >= 0) {
      stateText = message.slice(at + OUT_OF_PROC_LABEL.length);
      errorMessage = message.slice(0, at);
    } else {
      return { isDone: false, actions: [], error: message || 'The orchestrator function failed' };
    }
  } else {
    stateText = returnValue?.json ?? returnValue?.string ?? undefined;
  }
  if (stateText === undefined) return { isDone: false, actions: [], error: 'The orchestrator function returned no state (is it registered with df.app.orchestration?)' };
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(stateText) as Record<string, unknown>;
  } catch {
    return { isDone: false, actions: [], error: 'The orchestrator function returned a state that is not JSON' };
  }
  const rawActions = Array.isArray(state.actions) ? (state.actions as unknown[]) : [];
  // Schema V2+: one list (nested once for compatibility); V1: one list per episode.
  const actions = (Number(state.schemaVersion ?? 0) >= 1 ? (rawActions[0] as OrchestratorAction[] | undefined) ?? [] : (rawActions as OrchestratorAction[][]).flat()) ?? [];
  const result: OrchestratorResult = { isDone: state.isDone === true, actions, output: state.output, customStatus: state.customStatus };
  const stateError = typeof state.error === 'string' ? state.error : undefined;
  if (stateError !== undefined || errorMessage !== undefined) result.error = stateError ?? errorMessage;
  return result;
}

const INVALID_ID = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

export function validateInstanceId(instanceId: string): void {
  if (instanceId.trim() === '' || instanceId.length > 256 || INVALID_ID.test(instanceId) || instanceId.startsWith('@')) {
    throw new DurableError('bad-request', `Invalid instance ID '${instanceId}': it must be 1-256 characters, without '/', '\\', '#', '?', control characters or a leading '@'.`);
  }
}

function assertJson(text: string, what: string): void {
  try {
    JSON.parse(text);
  } catch {
    throw new DurableError('bad-request', `The ${what} is not valid JSON`);
  }
}
