// Removing what one partnership added to the own tenant — and nothing else — as compensation of an
// onboarding (undoPartnershipChanges) and as offboarding (removePartnershipConfiguration): read
// what its ownership names, plan the removal (removePlan: dependency order, what another
// partnership still needs handed over to it, what an admin changed since left alone), apply it,
// then record one Events row per removal (before/after), per hand-over and per warning, and the
// ownership of every partnership the change names. A removal that stops part-way records the part
// that was done before it reports the failure, so running it again removes only what is left.
// Each removal is recorded as an intent (with its row) before the writes go out: a run killed
// between a write and its row is settled by the run that resumes — a removal it no longer needs to
// make was written, and its row is appended then (see docs/offboarding.md, "Crashes and repeats").
import { DomainError, isDomainError } from '../../shared/errors';
import { describeOwnedItem, keptItems, type KeptItem } from '../../shared/offboarding';
import { ownedItemKey, ownershipAfter, partnershipsInChange, type OwnershipChange } from '../../shared/ownership';
import type { PartnershipStatus } from '../../shared/partnership';
import {
  applyPlan,
  nextRemovalIndex,
  readTenantState,
  removalEvents,
  removalIntentsOf,
  removePlan,
  settleRemovalIntents,
  type PartialFailureDetails,
  type PartnershipTarget,
} from '../../shared/plan';
import type { NewEvent, PartnershipRecord } from '../../shared/tables';
import type { HandshakeDeployment } from '../deployment';
import { isTransient } from './outcome';
import { settleRecordedIntents } from '../ownershipIntents';
import { handshakeData, withHandshakeData } from '../records';

/**
 * Partnerships whose needs a removal must keep: their own onboarding is under way or done. One
 * being offboarded needs nothing any more (keeping its needs would hand items to it that its own
 * removal may already have passed).
 */
export const KEEPING_STATUSES: readonly PartnershipStatus[] = ['ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active', 'Failed'];

export interface RemovalOptions {
  /** Names the step in event ids, e.g. "undo" or "offboard-remove". */
  step: string;
  /** The orchestration's time (ISO). */
  at: string;
  /** Who the removal rows name (the Events actor convention). */
  actor: string;
  /** Delete the invited guests too (the caller checked the permission). */
  deleteGuests?: boolean;
}

export interface RemovalResult {
  /** Operations performed (ids). */
  removed: string[];
  handedOver: number;
  warnings: string[];
  /** What stays in the tenant, and why. */
  kept: KeptItem[];
}

/** Removes what `record` owns; throws `apply.partial-failure` (after recording what was done) when a write fails. */
export async function removeOwnedConfiguration(deployment: HandshakeDeployment, recorded: PartnershipRecord, options: RemovalOptions): Promise<RemovalResult> {
  const { partnerships, events } = deployment.repositories;
  const localCloud = deployment.config.cloud;
  // Kept with the partnership: a removal run again after it finished (a crash before its result
  // reached the workflow) reports what the first run did and kept.
  const nothingLeft = (current: PartnershipRecord): RemovalResult => {
    const data = handshakeData(current);
    const last = data.lastRemoval?.step === options.step ? data.lastRemoval : undefined;
    return { removed: last?.removed ?? [], handedOver: last?.handedOver ?? 0, warnings: last?.warnings ?? [], kept: data.kept ?? [] };
  };
  const interrupted = handshakeData(recorded).removals ?? [];
  if (recorded.ownership.length === 0 && recorded.intents.length === 0 && interrupted.length === 0) return nothingLeft(recorded);

  const others: PartnershipTarget[] = (await partnerships.list({ statuses: KEEPING_STATUSES }))
    .filter((other) => other.id !== recorded.id)
    .map((other) => ({ partnershipId: other.id, desired: other.desired, partnerDomains: other.partnerDomains }));
  const adapters = deployment.adapters();
  const actual = await readTenantState(adapters, [], { localCloud, ownership: [...recorded.ownership, ...recorded.intents] });
  // A write an interrupted configure step made without recording it is removed like any owned change.
  const record = await settleRecordedIntents(deployment, recorded, actual, { at: options.at, idPrefix: `${recorded.id}:${options.step}`, actor: options.actor });
  if (record.ownership.length === 0 && interrupted.length === 0) return nothingLeft(record);
  const removal = removePlan({ partnershipId: record.id, desired: record.desired, partnerDomains: record.partnerDomains }, record.ownership, others, actual, {
    localCloud,
    deleteGuests: options.deleteGuests,
  });

  // Before any write: the rows of removals an interrupted run wrote without recording them, and
  // what this run is about to remove (numbered after the interrupted run's rows, so the audit
  // lists them in the order they happened).
  const idPrefix = `${record.id}:${options.step}`;
  const { landed } = settleRemovalIntents(interrupted, removal);
  const intents = removalIntentsOf(removal, record.id, { actor: options.actor, at: options.at, idPrefix, firstIndex: nextRemovalIndex(interrupted) });
  if (landed.length > 0) await events.appendMany(landed.map((intent) => intent.event));
  if (intents.length > 0 || interrupted.length > 0) {
    await partnerships.update(record.id, (current) => ({ data: withHandshakeData(current, { removals: intents }) }));
  }

  let change: OwnershipChange & { applied: PartialFailureDetails['applied'] };
  let failure: DomainError | undefined;
  let notApplied = new Set<string>();
  try {
    const result = await applyPlan(adapters, removal);
    change = { claims: result.claims, releases: result.releases, handOvers: result.handOvers, applied: result.applied };
  } catch (error) {
    if (!isDomainError(error, 'apply.partial-failure')) throw error;
    const details = error.details as PartialFailureDetails;
    // Hand-overs write nothing to the tenant: they hold whatever stopped the writes.
    change = { claims: details.claims, releases: details.releases, handOvers: removal.handOvers, applied: details.applied };
    notApplied = new Set(details.notApplied);
    failure = error;
  }
  // The rows first, then the ownership they end: a crash in between appends the same rows again
  // (same ids) when the intents are settled.
  const rows: NewEvent[] = [
    ...removalEvents(intents, change.applied),
    ...removal.handOvers.flatMap((handOver, index): NewEvent[] => [
      {
        partnershipId: record.id,
        id: `${idPrefix}:handed-over:${index}`,
        at: options.at,
        type: 'ownership.handed-over',
        actor: options.actor,
        message: `${capitalize(describeOwnedItem(handOver.item))} stays: partnership ${handOver.toPartnershipId} still needs it (it owns it from now on).`,
        data: { item: handOver.item, toPartnershipId: handOver.toPartnershipId },
      },
      {
        partnershipId: handOver.toPartnershipId,
        id: `${idPrefix}:handed-over:${index}`,
        at: options.at,
        type: 'ownership.handed-over',
        actor: options.actor,
        message: `${capitalize(describeOwnedItem(handOver.item))} is owned by this partnership from now on (partnership ${record.id} was removed).`,
        data: { item: handOver.item, fromPartnershipId: record.id },
      },
    ]),
    ...removal.warnings.map((warning, index) => ({
      partnershipId: record.id,
      id: `${idPrefix}:warning:${index}`,
      at: options.at,
      type: 'warning',
      actor: options.actor,
      message: warning.message,
      ...(warning.items ? { data: { code: warning.code, items: warning.items } } : {}),
    })),
  ];
  if (rows.length > 0) await events.appendMany(rows);

  const removed = [
    ...landed.map((intent) => intent.operationId),
    ...change.applied.filter((applied) => applied.outcome !== 'unchanged').map((applied) => applied.operationId),
  ];
  const outcome = { step: options.step, removed, handedOver: removal.handOvers.length, warnings: removal.warnings.map((warning) => warning.message) };
  // Every partnership the change names gets its ownership record updated (hand-overs go to others);
  // the removed one also keeps what stays in the tenant, and only the intents of removals that
  // failed (a write may land although its answer was an error: the next run settles them).
  const kept = keptItems(removal);
  let keptSoFar: KeptItem[] = [];
  for (const partnershipId of new Set([record.id, ...partnershipsInChange(change)])) {
    const stored = await partnerships.update(partnershipId, (current) => ({
      ownership: ownershipAfter(current.ownership, partnershipId, change),
      ...(partnershipId === record.id
        ? {
            data: withHandshakeData(current, {
              kept: mergeKept(handshakeData(current).kept ?? [], kept),
              removals: intents.filter((intent) => notApplied.has(intent.operationId)),
              ...(failure ? {} : { lastRemoval: outcome }),
            }),
          }
        : {}),
    }));
    if (partnershipId === record.id) keptSoFar = handshakeData(stored).kept ?? [];
  }
  if (failure) {
    const cause = (failure.details as PartialFailureDetails).error;
    // Throttling or an outage that outlasted the adapters' own retries: the durable retry runs the
    // removal again (it removes only what is left).
    if (isTransient(cause)) throw new DomainError(cause.code, failure.message, { details: failure.details });
    throw failure;
  }
  return { removed, handedOver: outcome.handedOver, warnings: outcome.warnings, kept: keptSoFar };
}

function mergeKept(current: readonly KeptItem[], added: readonly KeptItem[]): KeptItem[] {
  const keys = new Set(current.map((entry) => ownedItemKey(entry.item)));
  return [...current, ...added.filter((entry) => !keys.has(ownedItemKey(entry.item)))];
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
