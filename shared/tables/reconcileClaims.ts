// ReconcileClaims table: which scopes (a partnership, or ALL_PARTNERSHIPS) have a notification-
// driven reconcile under way, so a burst of change notifications starts ONE run per scope and a
// change that lands while a run is reading the tenant is never lost.
//
// Why a table and not only "raise an event to the running instance": an event raised while an
// instance completes is dropped (the Durable client even treats 410 Gone as success), so a late
// notification could vanish. A claim row changed under ETags closes every gap:
//   idle ──request──▶ pending ──run marks it──▶ reading ──run ends──▶ idle
//                        ▲                          │ a request meanwhile sets `dirty`
//                        └───── run ends: dirty ────┘ (the same run reads again)
// - pending: a run will read the tenant later, so it sees any change made before now: nothing to do.
// - reading: the read may already be past the change: set `dirty`; the run reads again when done.
// - idle (or a claim older than the lease, whose run died): claim it and start a run.
import { type TableClient } from '@azure/data-tables';
import { DomainError } from '../errors';
import { storageError, storageStatus, type TableClientFactory } from './client';

export const RECONCILE_CLAIMS_TABLE = 'ReconcileClaims';
/**
 * Scope of a run over every Active partnership: one change notification that concerns several
 * partnerships (a subscription they share) asks for one run of all of them — a run reads the
 * tenant once whatever the number of partnerships, so N runs would only read it N times.
 */
export const ALL_PARTNERSHIPS = '*';
const PARTITION = 'claim';
const MAX_ATTEMPTS = 20;
const CONFLICT_BACKOFF_MS = 10;

export type ClaimState = 'idle' | 'pending' | 'reading';

export interface ReconcileClaim {
  /** A partnership id, or ALL_PARTNERSHIPS. */
  scope: string;
  state: ClaimState;
  /** Run number, incremented by every claim (names the run's orchestration instance). */
  run: number;
  /** A change arrived while the run was reading. */
  dirty: boolean;
  /** What asked for the current run (first request of the burst). */
  trigger: string;
  /** Last time the claim was taken or refreshed (ISO). */
  claimedAt: string;
  etag: string;
}

/** What a request did: started a run (start it!), found one that will see the change, or queued a re-read. */
export type ClaimRequestOutcome =
  | { outcome: 'start'; run: number }
  | { outcome: 'covered'; run: number }
  | { outcome: 'queued'; run: number };

/** What ending a run did: released the claim, or kept it because a change arrived while reading. */
export type ClaimReleaseOutcome = 'released' | 'again' | 'superseded';

export interface ReconcileClaimsOptions {
  /** A claim not refreshed for this long belongs to a run that died: it may be taken over. */
  leaseSeconds: number;
  now?: () => Date;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ReconcileClaimRepository {
  private readonly now: () => Date;

  constructor(
    private readonly tables: TableClientFactory,
    private readonly options: ReconcileClaimsOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async get(scope: string): Promise<ReconcileClaim | undefined> {
    const key = rowKey(scope);
    const table = await this.table();
    try {
      return fromEntity(await table.getEntity(PARTITION, key));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw storageError('Could not read the reconcile claim', error);
    }
  }

  /** A change concerns the scope: decide (atomically) whether a run must be started. */
  async request(scope: string, trigger: string): Promise<ClaimRequestOutcome> {
    return this.retrying<ClaimRequestOutcome>(scope, async (current) => {
      const live = current && current.state !== 'idle' && !this.expired(current);
      if (live && current.state === 'pending') return { result: { outcome: 'covered', run: current.run } };
      if (live && current.state === 'reading') {
        if (current.dirty) return { result: { outcome: 'queued', run: current.run } };
        return { write: { ...current, dirty: true }, result: { outcome: 'queued', run: current.run } };
      }
      const run = (current?.run ?? 0) + 1;
      const next: ReconcileClaim = {
        scope,
        state: 'pending',
        run,
        dirty: false,
        trigger,
        claimedAt: this.now().toISOString(),
        etag: current?.etag ?? '',
      };
      return { write: next, create: !current, result: { outcome: 'start', run } };
    });
  }

  /** The run is about to read the tenant (changes from now on set `dirty`). */
  async markReading(scope: string, run: number): Promise<'reading' | 'superseded'> {
    return this.retrying<'reading' | 'superseded'>(scope, async (current) => {
      if (!current || current.run !== run) return { result: 'superseded' as const };
      return { write: { ...current, state: 'reading', dirty: false, claimedAt: this.now().toISOString() }, result: 'reading' as const };
    });
  }

  /** The run ended: release the claim, or keep it (state pending) when a change arrived while it read. */
  async release(scope: string, run: number): Promise<ClaimReleaseOutcome> {
    return this.retrying<ClaimReleaseOutcome>(scope, async (current) => {
      if (!current || current.run !== run || current.state === 'idle') return { result: 'superseded' as const };
      if (current.dirty) {
        return { write: { ...current, state: 'pending', dirty: false, claimedAt: this.now().toISOString() }, result: 'again' as const };
      }
      return { write: { ...current, state: 'idle', dirty: false }, result: 'released' as const };
    });
  }

  /** Gives a claim back without a run (its run could not be started). */
  async abandon(scope: string, run: number): Promise<void> {
    await this.retrying<void>(scope, async (current) => {
      if (!current || current.run !== run || current.state === 'idle') return { result: undefined };
      return { write: { ...current, state: 'idle', dirty: false }, result: undefined };
    });
  }

  private expired(claim: ReconcileClaim): boolean {
    return this.now().getTime() - Date.parse(claim.claimedAt) > this.options.leaseSeconds * 1_000;
  }

  /** Read → decide → conditional write, again on an ETag conflict (the decision is a pure function of the row). */
  private async retrying<R>(
    scope: string,
    decide: (current: ReconcileClaim | undefined) => Promise<{ result: R; write?: ReconcileClaim; create?: boolean }>,
  ): Promise<R> {
    const table = await this.table();
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.get(scope);
      const { result, write, create } = await decide(current);
      if (!write) return result;
      try {
        if (create) await table.createEntity(toEntity(write));
        else await table.updateEntity(toEntity(write), 'Replace', { etag: current!.etag });
        return result;
      } catch (error) {
        const status = storageStatus(error);
        if (status !== 409 && status !== 412) throw storageError('Could not write the reconcile claim', error);
        if (attempt >= MAX_ATTEMPTS) {
          throw new DomainError('storage.unavailable', `The reconcile claim of ${scope} kept changing (${attempt} attempts).`, {
            details: { scope },
          });
        }
        await sleep(Math.random() * CONFLICT_BACKOFF_MS * Math.min(attempt, 8));
      }
    }
  }

  private table(): Promise<TableClient> {
    return this.tables.getTable(RECONCILE_CLAIMS_TABLE);
  }
}

function rowKey(scope: string): string {
  if (scope !== ALL_PARTNERSHIPS && !/^[A-Za-z0-9_-]{1,128}$/.test(scope)) {
    throw new DomainError('request.invalid', `Partnership id "${scope}" is not valid.`);
  }
  return scope;
}

function toEntity(claim: ReconcileClaim): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: PARTITION,
    rowKey: rowKey(claim.scope),
    state: claim.state,
    run: claim.run,
    dirty: claim.dirty,
    trigger: claim.trigger,
    claimedAt: claim.claimedAt,
  };
}

function fromEntity(entity: Record<string, unknown>): ReconcileClaim {
  return {
    scope: String(entity.rowKey),
    state: (entity.state as ClaimState) ?? 'idle',
    run: Number(entity.run ?? 0),
    dirty: entity.dirty === true,
    trigger: String(entity.trigger ?? ''),
    claimedAt: String(entity.claimedAt ?? new Date(0).toISOString()),
    etag: String(entity.etag ?? ''),
  };
}
