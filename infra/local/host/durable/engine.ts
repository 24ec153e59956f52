// The Durable Functions runtime of the host, seen from its callers: the client operations the
// management API (httpApi.ts) and the durableClient binding use — start, raise an event,
// terminate, suspend/resume, restart, status, list, purge, wait — plus recovery at start and a
// graceful stop. The work itself is done by two parts:
// - episodes.ts: the episode loop (durable-functions replays; the host commits each episode);
// - dispatcher.ts: the activities, timers and sub-orchestrations an episode schedules.
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
import { Invoker, formatError } from '../app/invoker';
import { Logger } from '../logger';
import { sameParent, WorkDispatcher } from './dispatcher';
import { EpisodeLoop } from './episodes';
import { DurableError, assertJson, validateInstanceId } from './errors';
import { HistoryEvent, RuntimeStatus, events, isTerminal } from './history';
import { DurableRuntime } from './runtime';
import { ConcurrencyError, DurableStore, InboxItem, InstanceRecord, ParentRef, StatusQuery, STATE_ROW } from './store';

export { DurableError, validateInstanceId } from './errors';
export { readOrchestratorResult } from './orchestratorResult';

/** Rows of a replaced instance deleted in the same transaction as its new start (the rest before it). */
const INLINE_REPLACE_DELETES = 90;

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
  private readonly runtime: DurableRuntime;
  private readonly orchestrations = new Map<string, AppFunction>();
  private readonly dispatcher: WorkDispatcher;
  private readonly episodes: EpisodeLoop;

  constructor(private readonly options: DurableEngineOptions) {
    const activities = new Map<string, AppFunction>();
    for (const fn of options.functions) {
      if (fn.kind === 'orchestration') this.orchestrations.set(fn.name.toLowerCase(), fn);
      if (fn.kind === 'activity') activities.set(fn.name.toLowerCase(), fn);
    }
    this.runtime = new DurableRuntime(options.store, options.logger);
    this.dispatcher = new WorkDispatcher(this.runtime, {
      invoker: options.invoker,
      activities,
      maxConcurrentActivities: options.maxConcurrentActivities,
      deliver: (instanceId, event, executionId) => this.episodes.deliver(instanceId, event, executionId),
      startOrchestration: (name, start, parent) => this.startNew(name, start, parent),
    });
    this.episodes = new EpisodeLoop(this.runtime, this.dispatcher, {
      invoker: options.invoker,
      orchestrations: this.orchestrations,
      maxConcurrentOrchestrations: options.maxConcurrentOrchestrations,
    });
  }

  get hubName(): string {
    return this.options.hubName;
  }

  /** Episodes, activities, timers and conflicts so far (the metrics endpoint shows them). */
  get metrics(): DurableRuntime['metrics'] {
    return this.runtime.metrics;
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
        const instance = this.runtime.instance(record.instanceId);
        try {
          await this.runtime.load(instance);
          await this.dispatcher.resume(instance);
          this.episodes.wake(instance);
        } catch (error) {
          this.options.logger.error(`Could not resume orchestration ${record.instanceId}: ${formatError(error)}`);
        }
      }
    } while (continuationToken);
    return count;
  }

  /** Stops timers and waits (up to `graceMs`) for running episodes and activities. */
  async stop(graceMs = 5_000): Promise<void> {
    this.runtime.stopping = true;
    for (const instance of this.runtime.all()) for (const timer of instance.timers.values()) timer.clear();
    await this.runtime.settle(graceMs);
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
    await this.appendToInbox(instanceId, events.eventRaised(new Date(), eventName, input));
  }

  async terminate(instanceId: string, reason: string | null): Promise<void> {
    await this.appendToInbox(instanceId, events.executionTerminated(new Date(), reason));
  }

  async suspend(instanceId: string, reason: string | null): Promise<void> {
    await this.appendToInbox(instanceId, events.executionSuspended(new Date(), reason));
  }

  async resume(instanceId: string, reason: string | null): Promise<void> {
    await this.appendToInbox(instanceId, events.executionResumed(new Date(), reason));
  }

  /** Starts the same orchestration again with the same input (new id unless `sameId`). */
  async restart(instanceId: string, newInstanceId: boolean): Promise<string> {
    const record = await this.runtime.readRecord(instanceId);
    if (!record) throw new DurableError('bad-request', `An orchestration with the instanceId ${instanceId} was not found.`);
    return this.startNew(record.name, { instanceId: newInstanceId ? undefined : instanceId, input: record.input });
  }

  async getStatus(instanceId: string, withHistory: boolean): Promise<{ record: InstanceRecord; history?: HistoryEvent[] } | undefined> {
    const instance = this.runtime.peek(instanceId);
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
    const record = await this.runtime.readRecord(instanceId);
    if (!record) throw new DurableError('not-found', `No instance with ID '${instanceId}' found.`);
    if (!isTerminal(record.runtimeStatus)) {
      throw new DurableError('conflict', `Instance '${instanceId}' is ${record.runtimeStatus}; terminate it before purging its history.`);
    }
    const instance = this.runtime.peek(instanceId);
    if (instance) {
      for (const timer of instance.timers.values()) timer.clear();
      this.runtime.forget(instanceId);
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
    const record = await this.runtime.readRecord(instanceId);
    if (!record) return undefined;
    if (isTerminal(record.runtimeStatus)) return record;
    const instance = this.runtime.instance(instanceId);
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
    const instance = this.runtime.instance(instanceId);
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
      const inline = oldRows.slice(0, INLINE_REPLACE_DELETES);
      if (oldRows.length > inline.length) await this.options.store.deleteRows(instanceId, oldRows.slice(inline.length));
      instance.clearTimers();
      result = await this.options.store.createInstance(record, [started], { replaceEtag: existing.record.etag, deleteRowKeys: inline });
    }
    instance.record = { ...record, etag: result.etag };
    instance.history = [];
    instance.historyRowKeys = [];
    instance.loaded = true;
    instance.pending = result.inbox.map((item) => ({ event: item.event, inboxRowKey: item.rowKey }));
    this.episodes.wake(instance);
  }

  /** Raise, terminate, suspend, resume: written to the inbox first (finished instances refuse, 410). */
  private async appendToInbox(instanceId: string, event: HistoryEvent): Promise<void> {
    const record = await this.runtime.readRecord(instanceId);
    if (!record) throw new DurableError('not-found', `No instance with ID '${instanceId}' found.`);
    if (isTerminal(record.runtimeStatus)) throw new DurableError('gone', `Instance '${instanceId}' is ${record.runtimeStatus}.`);
    const item = await this.options.store.appendInbox(instanceId, event);
    const instance = this.runtime.instance(instanceId);
    if (instance.loaded) instance.pending.push({ event: item.event, inboxRowKey: item.rowKey });
    this.episodes.wake(instance);
  }
}
