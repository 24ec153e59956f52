// Faults and counters: throttling per app per tenant (requests per window → 429 + Retry-After),
// random 503/504, extra latency, scripted faults for deterministic tests, and request counters
// per tenant, app and operation. All of it can be changed at run time through /_sim/faults.
import { z } from 'zod';

export const DEFAULT_THROTTLE_WINDOW_SECONDS = 10;

const scriptedFaultSchema = z
  .object({
    /**
     * Status to answer: 429 (with Retry-After), 500, 503 or 504. Required before handling; after
     * handling, absent means the normal answer (sent after `holdMs`).
     */
    status: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal(504)]).optional(),
    /**
     * `before` (default): the request fails without being handled. `after`: the request is handled
     * (its change is made), then answered with `status` and/or only after `holdMs` — a write that
     * landed although its caller was told it failed, or never heard back.
     */
    phase: z.enum(['before', 'after']).default('before'),
    /** After handling: how long the answer is held back. */
    holdMs: z.number().int().nonnegative().max(3_600_000).default(0),
    /** How many matching requests fail (then the fault is used up). */
    count: z.number().int().positive().default(1),
    tenantId: z.string().optional(),
    clientId: z.string().optional(),
    /** Operation id (e.g. `policies.crossTenantAccessPolicy.UpdatePartners`, `teams.PutTenantFederationSettings`). */
    operation: z.string().optional(),
    method: z.string().optional(),
    pathContains: z.string().optional(),
    retryAfterSeconds: z.number().int().nonnegative().default(1),
  })
  .strict()
  .refine((fault) => (fault.phase === 'before' ? fault.status !== undefined && fault.holdMs === 0 : fault.status !== undefined || fault.holdMs > 0), {
    message: 'a scripted fault needs a status; holdMs only applies after handling (phase "after"), where it may replace the status',
  });

export const faultSettingsSchema = z
  .object({
    latencyMs: z.number().int().nonnegative().default(0),
    /** Probability (0..1) that a Graph or Teams request fails with 503 or 504. */
    transientErrorRate: z.number().min(0).max(1).default(0),
    /** Requests allowed per app per tenant per window; null = unlimited. */
    throttle: z
      .object({
        limit: z.number().int().positive(),
        windowSeconds: z.number().positive().default(DEFAULT_THROTTLE_WINDOW_SECONDS),
      })
      .strict()
      .nullable()
      .default(null),
    throttleOverrides: z
      .array(z.object({ tenantId: z.string().optional(), clientId: z.string().optional(), limit: z.number().int().positive() }).strict())
      .default([]),
    scripted: z.array(scriptedFaultSchema).default([]),
  })
  .strict();

export type FaultSettings = z.output<typeof faultSettingsSchema>;
export type FaultSettingsInput = z.input<typeof faultSettingsSchema>;
export type ScriptedFault = z.output<typeof scriptedFaultSchema>;
export type ScriptedFaultInput = z.input<typeof scriptedFaultSchema>;

export interface RequestIdentity {
  /** Graph and the Teams admin API throttle separately. */
  service: 'graph' | 'teams';
  tenantId: string;
  clientId: string;
  operation: string;
  method: string;
  path: string;
}

export interface FaultDecision {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export class Faults {
  settings: FaultSettings;
  private readonly windows = new Map<string, number[]>();

  constructor(initial: FaultSettingsInput = {}) {
    this.settings = faultSettingsSchema.parse(initial);
  }

  /** Merges a partial update (top-level keys replace); returns the new settings. */
  update(patch: FaultSettingsInput): FaultSettings {
    this.settings = faultSettingsSchema.parse({ ...this.settings, ...patch });
    if (patch.throttle !== undefined || patch.throttleOverrides !== undefined) this.windows.clear();
    return this.settings;
  }

  addScripted(fault: ScriptedFaultInput): void {
    this.settings.scripted.push(scriptedFaultSchema.parse(fault));
  }

  /** The fault a request meets, if any: scripted first, then throttling, then random 503/504. */
  decide(request: RequestIdentity, random: () => number = Math.random): FaultDecision | undefined {
    const scripted = this.takeScripted(request, 'before');
    if (scripted) return scriptedDecision(scripted);
    const limit = this.limitFor(request);
    if (limit !== undefined) {
      const windowMs = (this.settings.throttle?.windowSeconds ?? DEFAULT_THROTTLE_WINDOW_SECONDS) * 1000;
      const key = `${request.service}|${request.tenantId.toLowerCase()}|${request.clientId.toLowerCase()}`;
      const now = Date.now();
      const stamps = this.windows.get(key) ?? [];
      while (stamps.length > 0 && stamps[0] <= now - windowMs) stamps.shift();
      if (stamps.length >= limit) {
        this.windows.set(key, stamps);
        return throttled(Math.max(1, Math.ceil((stamps[0] + windowMs - now) / 1000)));
      }
      stamps.push(now);
      this.windows.set(key, stamps);
    }
    if (this.settings.transientErrorRate > 0 && random() < this.settings.transientErrorRate) {
      const status = random() < 0.5 ? 503 : 504;
      return { status, code: codeFor(status), message: messageFor(status) };
    }
    return undefined;
  }

  private limitFor(request: RequestIdentity): number | undefined {
    const override = this.settings.throttleOverrides.find(
      (entry) =>
        (!entry.tenantId || entry.tenantId.toLowerCase() === request.tenantId.toLowerCase()) &&
        (!entry.clientId || entry.clientId.toLowerCase() === request.clientId.toLowerCase()),
    );
    return override?.limit ?? this.settings.throttle?.limit;
  }

  /**
   * After a request was handled: a scripted `after` fault holds its answer back (`holdMs`) and/or
   * replaces it with an error. Undefined: answer as handled.
   */
  async afterHandling(request: RequestIdentity): Promise<FaultDecision | undefined> {
    const scripted = this.takeScripted(request, 'after');
    if (!scripted) return undefined;
    // unref: a held answer never keeps the simulator's process alive.
    if (scripted.holdMs > 0) await new Promise((resolve) => setTimeout(resolve, scripted.holdMs).unref());
    return scripted.status === undefined ? undefined : scriptedDecision(scripted);
  }

  private takeScripted(request: RequestIdentity, phase: ScriptedFault['phase']): ScriptedFault | undefined {
    const index = this.settings.scripted.findIndex(
      (fault) =>
        fault.phase === phase &&
        (!fault.tenantId || fault.tenantId.toLowerCase() === request.tenantId.toLowerCase()) &&
        (!fault.clientId || fault.clientId.toLowerCase() === request.clientId.toLowerCase()) &&
        (!fault.operation || fault.operation === request.operation) &&
        (!fault.method || fault.method.toUpperCase() === request.method.toUpperCase()) &&
        (!fault.pathContains || request.path.toLowerCase().includes(fault.pathContains.toLowerCase())),
    );
    if (index < 0) return undefined;
    const fault = this.settings.scripted[index];
    fault.count -= 1;
    if (fault.count <= 0) this.settings.scripted.splice(index, 1);
    return fault;
  }
}

function scriptedDecision(fault: ScriptedFault): FaultDecision {
  const status = fault.status ?? 500;
  return status === 429
    ? throttled(fault.retryAfterSeconds)
    : { status, code: codeFor(status), message: messageFor(status), retryAfterSeconds: fault.retryAfterSeconds };
}

function throttled(retryAfterSeconds: number): FaultDecision {
  return {
    status: 429,
    code: 'TooManyRequests',
    message: 'Too many requests. The request has been throttled; retry after the number of seconds in the Retry-After header.',
    retryAfterSeconds,
  };
}

function codeFor(status: number): string {
  return status === 503 ? 'serviceNotAvailable' : status === 504 ? 'gatewayTimeout' : 'generalException';
}

function messageFor(status: number): string {
  return status === 503
    ? 'The service is temporarily unavailable. Please try again later.'
    : status === 504
      ? 'The gateway did not receive a response from the service in time.'
      : 'An unexpected error occurred.';
}

// ---------------------------------------------------------------------------------------------

export interface CounterRow {
  tenantId: string;
  clientId: string;
  operation: string;
  count: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
}

export class Counters {
  private readonly rows = new Map<string, CounterRow>();

  record(tenantId: string, clientId: string, operation: string, status: number): void {
    const key = `${tenantId.toLowerCase()}|${clientId.toLowerCase()}|${operation}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { tenantId: tenantId.toLowerCase(), clientId: clientId.toLowerCase(), operation, count: 0, statuses: {} };
      this.rows.set(key, row);
    }
    row.count += 1;
    row.statuses[String(status)] = (row.statuses[String(status)] ?? 0) + 1;
  }

  list(filter: { tenantId?: string; clientId?: string; operation?: string } = {}): CounterRow[] {
    return [...this.rows.values()]
      .filter(
        (row) =>
          (!filter.tenantId || row.tenantId === filter.tenantId.toLowerCase()) &&
          (!filter.clientId || row.clientId === filter.clientId.toLowerCase()) &&
          (!filter.operation || row.operation === filter.operation),
      )
      .map((row) => ({ ...row, statuses: { ...row.statuses } }));
  }

  reset(): void {
    this.rows.clear();
  }
}
