// Timer triggers: fires each timer function on its schedule (one invocation at a time, as the
// Functions timer trigger does), honours runOnStartup, and keeps the schedule status (last/next
// occurrence) in table storage so that a host that was down when a timer was due invokes it with
// isPastDue = true on start ("UseMonitor", on by default for schedules of a minute or more).
import { TableClient, odata } from '@azure/data-tables';
import { AppFunction } from '../app/loader';
import { Invoker } from '../app/invoker';
import { Logger } from '../logger';
import { resolveSettingExpression } from '../settings';
import { StorageMetrics, createTableClient } from '../storage/tables';
import { setLongTimeout } from '../util';
import { Schedule, parseSchedule } from './ncrontab';

export const TIMER_STATUS_TABLE = 'LocalHostTimers';

export interface ScheduleStatus {
  Last: string;
  Next: string;
  LastUpdated: string;
}

interface TimerEntry {
  fn: AppFunction;
  schedule: Schedule;
  runOnStartup: boolean;
  useMonitor: boolean;
  status?: ScheduleStatus;
  handle?: { clear(): void };
  running: boolean;
}

/** Parses every timer function's schedule up front (a bad one stops the host with its name). */
export function compileTimers(functions: AppFunction[], env: NodeJS.ProcessEnv): Map<string, { schedule: Schedule; runOnStartup: boolean; useMonitor: boolean }> {
  const result = new Map<string, { schedule: Schedule; runOnStartup: boolean; useMonitor: boolean }>();
  const timezone = env.WEBSITE_TIME_ZONE || 'UTC';
  for (const fn of functions) {
    if (fn.kind !== 'timer') continue;
    const raw = String(fn.trigger.schedule ?? '');
    const expression = resolveSettingExpression(raw, env, `the schedule of timer function "${fn.name}"`);
    const schedule = parseSchedule(expression, { timezone, functionName: fn.name });
    const useMonitorSetting = fn.trigger.useMonitor;
    const useMonitor = typeof useMonitorSetting === 'boolean' ? useMonitorSetting : scheduleIntervalMs(schedule) >= 60_000;
    result.set(fn.name, { schedule, runOnStartup: fn.trigger.runOnStartup === true, useMonitor });
  }
  return result;
}

function scheduleIntervalMs(schedule: Schedule): number {
  if (schedule.intervalMs) return schedule.intervalMs;
  const first = schedule.next(new Date());
  const second = first && schedule.next(first);
  return first && second ? second.getTime() - first.getTime() : Infinity;
}

export class TimerScheduler {
  private readonly entries = new Map<string, TimerEntry>();
  private readonly table?: TableClient;
  private stopped = false;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly options: {
      functions: AppFunction[];
      compiled: Map<string, { schedule: Schedule; runOnStartup: boolean; useMonitor: boolean }>;
      invoker: Invoker;
      logger: Logger;
      hostId: string;
      connectionString?: string;
      metrics: StorageMetrics;
    },
  ) {
    for (const fn of options.functions) {
      const compiled = options.compiled.get(fn.name);
      if (fn.kind === 'timer' && compiled) this.entries.set(fn.name.toLowerCase(), { fn, ...compiled, running: false });
    }
    if (options.connectionString && this.entries.size > 0) {
      this.table = createTableClient(TIMER_STATUS_TABLE, { connectionString: options.connectionString, metrics: options.metrics });
    }
  }

  async start(): Promise<void> {
    await this.loadStatuses();
    const now = new Date();
    for (const entry of this.entries.values()) {
      const next = entry.schedule.next(now);
      this.options.logger.info(`Timer '${entry.fn.name}' (${entry.schedule.expression}): next occurrence ${next?.toISOString() ?? 'never'}`);
      const pastDue = entry.useMonitor && entry.status && new Date(entry.status.Next) < now;
      if (entry.useMonitor && !entry.status && next) {
        // First start: record when the timer is next due, so a restart after that sees it as past due.
        entry.status = { Last: '0001-01-01T00:00:00.000Z', Next: next.toISOString(), LastUpdated: now.toISOString() };
        await this.writeStatus(entry);
      }
      if (pastDue || entry.runOnStartup) {
        this.fire(entry, now, pastDue === true, pastDue ? 'IsPastDue' : 'RunOnStartup');
      } else {
        this.arm(entry, now);
      }
    }
  }

  stop(): Promise<unknown> {
    this.stopped = true;
    for (const entry of this.entries.values()) entry.handle?.clear();
    return Promise.allSettled([...this.running]);
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  /** Runs a timer function now (admin invocation); resolves once it has been started. */
  invokeNow(name: string): void {
    const entry = this.entries.get(name.toLowerCase());
    if (!entry) throw new Error(`No timer function named '${name}'`);
    void this.invoke(entry, new Date(), false, 'Manual');
  }

  private arm(entry: TimerEntry, after: Date): void {
    if (this.stopped) return;
    const next = entry.schedule.next(after);
    if (!next) return;
    entry.handle = setLongTimeout(() => this.fire(entry, next, false, 'Timer'), next.getTime() - Date.now());
  }

  private fire(entry: TimerEntry, scheduled: Date, isPastDue: boolean, reason: string): void {
    if (this.stopped) return;
    const work = this.invoke(entry, scheduled, isPastDue, reason).finally(() => {
      // The next occurrence after the later of now and this one: no catch-up burst.
      this.arm(entry, new Date(Math.max(Date.now(), scheduled.getTime())));
    });
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  private async invoke(entry: TimerEntry, scheduled: Date, isPastDue: boolean, reason: string): Promise<void> {
    if (entry.running) {
      this.options.logger.debug(`Timer '${entry.fn.name}' is still running; skipping the ${scheduled.toISOString()} occurrence`);
      return;
    }
    entry.running = true;
    try {
      const timerInfo = {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: entry.status ?? null,
        IsPastDue: isPastDue,
      };
      await this.options.invoker.invoke(entry.fn, {
        inputData: [{ name: entry.fn.triggerName, data: { json: JSON.stringify(timerInfo) } }],
        reason,
      });
      if (entry.useMonitor) await this.saveStatus(entry, scheduled);
    } catch (error) {
      this.options.logger.error(`Timer '${entry.fn.name}' failed: ${(error as Error).message}`);
    } finally {
      entry.running = false;
    }
  }

  private async loadStatuses(): Promise<void> {
    if (!this.table) return;
    try {
      const iterator = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${this.options.hostId}` } });
      for await (const row of iterator) {
        const entry = this.entries.get(String(row.rowKey).toLowerCase());
        if (entry && typeof row.Next === 'string') {
          entry.status = { Last: String(row.Last ?? ''), Next: row.Next, LastUpdated: String(row.LastUpdated ?? '') };
        }
      }
    } catch (error) {
      this.options.logger.warn(`Could not read timer schedule status: ${(error as Error).message}`);
    }
  }

  private async saveStatus(entry: TimerEntry, scheduled: Date): Promise<void> {
    const now = new Date();
    const next = entry.schedule.next(new Date(Math.max(now.getTime(), scheduled.getTime())));
    entry.status = { Last: scheduled.toISOString(), Next: (next ?? scheduled).toISOString(), LastUpdated: now.toISOString() };
    await this.writeStatus(entry);
  }

  private async writeStatus(entry: TimerEntry): Promise<void> {
    if (!this.table || !entry.status) return;
    try {
      await this.table.upsertEntity({ partitionKey: this.options.hostId, rowKey: entry.fn.name, ...entry.status }, 'Replace');
    } catch (error) {
      this.options.logger.warn(`Could not save the schedule status of timer '${entry.fn.name}': ${(error as Error).message}`);
    }
  }
}
