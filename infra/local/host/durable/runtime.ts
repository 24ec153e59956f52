// What every part of the durable runtime shares: the store, the log, the counters the metrics
// endpoint shows, the instances held in memory, and the work in flight (so stop() can wait for it).
import { formatError } from '../app/invoker';
import { Logger } from '../logger';
import { delay } from '../util';
import { HistoryEvent, isTerminal } from './history';
import { DurableStore, InstanceRecord } from './store';

/** An event waiting for the next episode of its instance. */
export interface PendingEvent {
  event: HistoryEvent;
  /** Inbox row holding the event (absent for in-memory results: activities, timers, children). */
  inboxRowKey?: string;
  /** Execution the event belongs to (results of an earlier execution are dropped). */
  executionId?: string;
}

/** One orchestration instance as the host holds it in memory. */
export class Instance {
  record?: InstanceRecord;
  history: HistoryEvent[] = [];
  historyRowKeys: string[] = [];
  loaded = false;
  pending: PendingEvent[] = [];
  /** An episode runs now. */
  running = false;
  /** An episode is about to run (setImmediate). */
  queued = false;
  /** Something arrived while an episode ran: run another. */
  again = false;
  readonly activitiesInFlight = new Set<string>();
  readonly timers = new Map<number, { clear(): void }>();
  readonly waiters = new Set<(record: InstanceRecord) => void>();
  /** Episodes that failed in a row (backoff). */
  failures = 0;
  constructor(readonly id: string) {}

  clearTimers(): void {
    for (const timer of this.timers.values()) timer.clear();
    this.timers.clear();
  }
}

const MAX_CACHED_FINISHED = 2_000;

export class DurableRuntime {
  readonly metrics = { episodes: 0, activitiesRun: 0, activitiesCompleted: 0, timersFired: 0, conflicts: 0 };
  /** Set by stop(): nothing new starts. */
  stopping = false;
  private readonly instances = new Map<string, Instance>();
  private readonly finishedOrder: string[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly store: DurableStore,
    readonly logger: Logger,
  ) {}

  /** The instance held in memory, created (not loaded) when there is none. */
  instance(id: string): Instance {
    let instance = this.instances.get(id);
    if (!instance) {
      instance = new Instance(id);
      this.instances.set(id, instance);
    }
    return instance;
  }

  /** The instance if it is held in memory. */
  peek(id: string): Instance | undefined {
    return this.instances.get(id);
  }

  all(): IterableIterator<Instance> {
    return this.instances.values();
  }

  forget(id: string): void {
    this.instances.delete(id);
  }

  /** The instance's record, from memory when loaded, else from storage. */
  async readRecord(instanceId: string): Promise<InstanceRecord | undefined> {
    const instance = this.instances.get(instanceId);
    if (instance?.loaded && instance.record) return instance.record;
    return this.store.readState(instanceId);
  }

  /** (Re)reads the instance from storage; inbox events are re-read, in-memory results kept. */
  async load(instance: Instance): Promise<void> {
    const loaded = await this.store.load(instance.id);
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
    if (loaded.staleRowKeys.length > 0) this.background(this.store.deleteRows(instance.id, loaded.staleRowKeys));
  }

  /** Remembers that an instance finished; the oldest finished ones idle in memory are dropped. */
  finished(instance: Instance): void {
    this.finishedOrder.push(instance.id);
    while (this.finishedOrder.length > MAX_CACHED_FINISHED) {
      const id = this.finishedOrder.shift()!;
      const old = this.instances.get(id);
      if (old && old.record && isTerminal(old.record.runtimeStatus) && !old.running && old.waiters.size === 0 && old.pending.length === 0) {
        this.instances.delete(id);
      }
    }
  }

  /** Keeps `work` in the set stop() waits for; its failure is logged. */
  track<T>(work: Promise<T>): void {
    this.inFlight.add(work);
    work.then(
      () => this.inFlight.delete(work),
      (error: unknown) => {
        this.inFlight.delete(work);
        this.logger.error(`Durable task failed: ${formatError(error)}`);
      },
    );
  }

  /** Clean-up whose failure does not matter (logged at debug level). */
  background(work: Promise<unknown>): void {
    this.track(work.catch((error: unknown) => this.logger.debug(`Background clean-up failed: ${formatError(error)}`)));
  }

  /** Waits (up to `graceMs`) for the work in flight. */
  async settle(graceMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.inFlight]), delay(graceMs)]);
  }
}

