// ReconcileClaims table: which partnerships have a notification-driven reconcile under way, so a
// burst of change notifications starts ONE run per partnership and a change that lands while a
// run is reading the tenant is never lost.
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
import { DomainError, storageError, storageStatus, type TableClientFactory } from '../../shared';

export const RECONCILE_CLAIMS_TABLE = 'ReconcileClaims';
const PARTITION = 'claim';
const MAX_ATTEMPTS = 20;
const CONFLICT_BACKOFF_MS = 10;

export type ClaimState = 'idle' | 'pending' | 'reading';

export interface ReconcileClaim {
  partnershipId: string;
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

  async get(partnershipId: string): Promise<ReconcileClaim | undefined> {
    const key = rowKey(partnershipId);
    const table = await this.table();
    try {
      return fromEntity(await table.getEntity(PARTITION, key));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw storageError('Could not read the reconcile claim', error);
    }
  }

  /** A change concerns the partnership: decide (atomically) whether a run must be started. */
  async request(partnershipId: string, trigger: string): Promise<ClaimRequestOutcome> {
    return this.retrying<ClaimRequestOutcome>(partnershipId, async (current) => {
      const live = current && current.state !== 'idle' && !this.expired(current);
      if (live && current.state === 'pending') return { result: { outcome: 'covered', run: current.run } };
      if (live && current.state === 'reading') {
        if (current.dirty) return { result: { outcome: 'queued', run: current.run } };
        return { write: { ...current, dirty: true }, result: { outcome: 'queued', run: current.run } };
      }
      const run = (current?.run ?? 0) + 1;
      const next: ReconcileClaim = {
        partnershipId,
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
  async markReading(partnershipId: string, run: number): Promise<'reading' | 'superseded'> {
    return this.retrying<'reading' | 'superseded'>(partnershipId, async (current) => {
      if (!current || current.run !== run) return { result: 'superseded' as const };
      return { write: { ...current, state: 'reading', dirty: false, claimedAt: this.now().toISOString() }, result: 'reading' as const };
    });
  }

  /** The run ended: release the claim, or keep it (state pending) when a change arrived while it read. */
  async release(partnershipId: string, run: number): Promise<ClaimReleaseOutcome> {
    return this.retrying<ClaimReleaseOutcome>(partnershipId, async (current) => {
      if (!current || current.run !== run || current.state === 'idle') return { result: 'superseded' as const };
      if (current.dirty) {
        return { write: { ...current, state: 'pending', dirty: false, claimedAt: this.now().toISOString() }, result: 'again' as const };
      }
      return { write: { ...current, state: 'idle', dirty: false }, result: 'released' as const };
    });
  }

  /** Gives a claim back without a run (its run could not be started). */
  async abandon(partnershipId: string, run: number): Promise<void> {
    await this.retrying<void>(partnershipId, async (current) => {
      if (!current || current.run !== run || current.state === 'idle') return { result: undefined };
      return { write: { ...current, state: 'idle', dirty: false }, result: undefined };
    });
  }

  private expired(claim: ReconcileClaim): boolean {
    return this.now().getTime() - Date.parse(claim.claimedAt) > this.options.leaseSeconds * 1_000;
  }

  /** Read → decide → conditional write, again on an ETag conflict (the decision is a pure function of the row). */
  private async retrying<R>(
    partnershipId: string,
    decide: (current: ReconcileClaim | undefined) => Promise<{ result: R; write?: ReconcileClaim; create?: boolean }>,
  ): Promise<R> {
    const table = await this.table();
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.get(partnershipId);
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
          throw new DomainError('storage.unavailable', `The reconcile claim of ${partnershipId} kept changing (${attempt} attempts).`, {
            details: { partnershipId },
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

function rowKey(partnershipId: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(partnershipId)) {
    throw new DomainError('request.invalid', `Partnership id "${partnershipId}" is not valid.`);
  }
  return partnershipId;
}

function toEntity(claim: ReconcileClaim): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: PARTITION,
    rowKey: rowKey(claim.partnershipId),
    state: claim.state,
    run: claim.run,
    dirty: claim.dirty,
    trigger: claim.trigger,
    claimedAt: claim.claimedAt,
  };
}

function fromEntity(entity: Record<string, unknown>): ReconcileClaim {
  return {
    partnershipId: String(entity.rowKey),
    state: (entity.state as ClaimState) ?? 'idle',
    run: Number(entity.run ?? 0),
    dirty: entity.dirty === true,
    trigger: String(entity.trigger ?? ''),
    claimedAt: String(entity.claimedAt ?? new Date(0).toISOString()),
    etag: String(entity.etag ?? ''),
  };
}
