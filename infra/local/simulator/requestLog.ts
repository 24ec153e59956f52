// The request log: every Graph and Teams admin request the simulator answered, in order, with
// who sent it and what it was answered ($batch items are logged one by one, as Graph handles
// them). Tests and benchmarks compare runs with it: which writes happened, how often, in which
// tenant. Bounded: the oldest entries go first.
import type { RequestIdentity } from './faults';

export const REQUEST_LOG_CAPACITY = 100_000;

/** One answered request: who sent what (as faults and counters see it) and its status. */
export interface LoggedRequest extends RequestIdentity {
  /** Increases by one per logged request (survives trimming, so `since` works). */
  seq: number;
  at: string;
  status: number;
}

export interface RequestLogFilter {
  tenantId?: string;
  clientId?: string;
  /** Only entries with a greater `seq`. */
  since?: number;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private next = 1;

  constructor(private readonly capacity = REQUEST_LOG_CAPACITY) {}

  record(entry: Omit<LoggedRequest, 'seq' | 'at'>): void {
    this.entries.push({ seq: this.next++, at: new Date().toISOString(), ...entry, tenantId: entry.tenantId.toLowerCase(), clientId: entry.clientId.toLowerCase() });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(filter: RequestLogFilter = {}): LoggedRequest[] {
    const tenantId = filter.tenantId?.toLowerCase();
    const clientId = filter.clientId?.toLowerCase();
    return this.entries.filter(
      (entry) =>
        (!tenantId || entry.tenantId === tenantId) && (!clientId || entry.clientId === clientId) && (filter.since === undefined || entry.seq > filter.since),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
