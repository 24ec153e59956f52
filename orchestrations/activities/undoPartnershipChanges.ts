// undoPartnershipChanges: the compensation of an onboarding that was rejected, expired or failed
// before the partner took part — remove what THIS partnership added to the own tenant and nothing
// else (removePlan): what another partnership still needs is handed over to it, what an admin
// changed since is left alone, invited guests stay (deleting users needs another permission).
// Intents an interrupted configure step left behind are settled first: what landed is undone too.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { DomainError, isDomainError } from '../../shared/errors';
import { ownershipAfter, partnershipsInChange, type OwnershipChange } from '../../shared/ownership';
import type { PartnershipStatus } from '../../shared/partnership';
import { applyPlan, auditEvents, readTenantState, removePlan, type PartialFailureDetails, type PartnershipTarget } from '../../shared/plan';
import { handshakeDeployment } from '../deployment';
import { settleRecordedIntents } from '../ownershipIntents';
import { UNDO_PARTNERSHIP_CHANGES_ACTIVITY } from '../names';
import { outcomeOf, type Outcome } from './outcome';

export interface UndoPartnershipChangesInput {
  partnershipId: string;
  step: string;
  at: string;
}

export type UndoPartnershipChangesOutcome = Outcome<{ removed: string[]; handedOver: number; warnings: string[] }>;

/** Partnerships whose needs a removal must keep (their own onboarding is under way or done). */
const KEEPING_STATUSES: readonly PartnershipStatus[] = ['ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active', 'Failed', 'Offboarding'];

export async function undoPartnershipChanges(input: UndoPartnershipChangesInput): Promise<UndoPartnershipChangesOutcome> {
  return outcomeOf(async () => {
    const deployment = handshakeDeployment();
    const { partnerships, events } = deployment.repositories;
    const localCloud = deployment.config.cloud;
    const recorded = await partnerships.require(input.partnershipId);
    if (recorded.ownership.length === 0 && recorded.intents.length === 0) return { removed: [], handedOver: 0, warnings: [] };

    const others: PartnershipTarget[] = (await partnerships.list({ statuses: KEEPING_STATUSES }))
      .filter((other) => other.id !== recorded.id)
      .map((other) => ({ partnershipId: other.id, desired: other.desired, partnerDomains: other.partnerDomains }));
    const adapters = deployment.adapters();
    const actual = await readTenantState(adapters, [], { localCloud, ownership: [...recorded.ownership, ...recorded.intents] });
    // A write an interrupted run made without recording it is undone like any owned change.
    const record = await settleRecordedIntents(deployment, recorded, actual, { at: input.at, idPrefix: `${recorded.id}:${input.step}` });
    if (record.ownership.length === 0) return { removed: [], handedOver: 0, warnings: [] };
    const removal = removePlan({ partnershipId: record.id, desired: record.desired, partnerDomains: record.partnerDomains }, record.ownership, others, actual, {
      localCloud,
    });

    let change: OwnershipChange & { applied: PartialFailureDetails['applied'] };
    let failure: DomainError | undefined;
    try {
      const result = await applyPlan(adapters, removal);
      change = { claims: result.claims, releases: result.releases, handOvers: result.handOvers, applied: result.applied };
    } catch (error) {
      if (!isDomainError(error, 'apply.partial-failure')) throw error;
      const details = error.details as PartialFailureDetails;
      change = { claims: details.claims, releases: details.releases, handOvers: [], applied: details.applied };
      failure = error;
    }
    // Every partnership the change names gets its ownership record updated (hand-overs go to others).
    for (const partnershipId of partnershipsInChange(change)) {
      await partnerships.update(partnershipId, (current) => ({ ownership: ownershipAfter(current.ownership, partnershipId, change) }));
    }
    const context = { actor: 'orchestration', at: input.at, idPrefix: `${record.id}:${input.step}` };
    const rows = [
      ...auditEvents(removal, change, context).filter((event) => event.partnershipId === record.id),
      ...removal.warnings.map((warning, index) => ({
        partnershipId: record.id,
        id: `${record.id}:${input.step}:warning:${index}`,
        at: input.at,
        type: 'warning',
        actor: 'orchestration',
        message: warning.message,
      })),
    ];
    if (rows.length > 0) await events.appendMany(rows);
    if (failure) throw failure;
    return {
      removed: change.applied.filter((applied) => applied.outcome !== 'unchanged').map((applied) => applied.operationId),
      handedOver: change.handOvers?.length ?? 0,
      warnings: removal.warnings.map((warning) => warning.message),
    };
  });
}

const handler: ActivityHandler = (input: unknown) => undoPartnershipChanges(input as UndoPartnershipChangesInput);
df.app.activity(UNDO_PARTNERSHIP_CHANGES_ACTIVITY, { handler });
