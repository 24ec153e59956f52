// configureTenant: read → plan → apply the parts of the own tenant a partnership needs now (the
// initiator does Entra before the partner answers, the rest after), then record what it now owns
// and one Events row per change. Running it again applies nothing: the plan of a correct tenant
// is empty. In manual Teams mode the Teams changes come back as the administrator's script; what
// they add is kept with the partnership and recorded as owned once verification finds it done. A change that fails part-way records the part that was applied (ownership + events)
// before it reports the failure, so compensation knows exactly what to undo. What the writes will
// add is recorded as intents before they go out, so an attempt killed between a write and its
// record is settled by the next attempt (orchestrations/ownershipIntents.ts).
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { DomainError, isDomainError } from '../../shared/errors';
import { ownedItemKey, ownershipAfter, type OwnershipClaim } from '../../shared/ownership';
import {
  applyPlan,
  auditEvents,
  intentsLeft,
  intentsOf,
  plan,
  readTenantState,
  type ApplyResult,
  type PartialFailureDetails,
  type PartnershipTarget,
  type Plan,
  type PlanArea,
} from '../../shared/plan';
import { isBeingRemoved } from '../../shared/offboarding';
import { tenantWriterId, type NewEvent } from '../../shared/tables';
import { handshakeDeployment } from '../deployment';
import { CONFIGURE_TENANT_ACTIVITY } from '../names';
import { recordIntents, settleRecordedIntents } from '../ownershipIntents';
import { handshakeData, withHandshakeData } from '../records';
import { manualScript as manualTeamsScript } from '../../shared/teams';
import { isTransient, outcomeOf, type Outcome } from './outcome';

export interface ConfigureTenantInput {
  partnershipId: string;
  areas: readonly PlanArea[];
  /** Names the step in event ids, e.g. "entra" or "teams". */
  step: string;
  at: string;
}

export type ConfigureTenantOutcome = Outcome<{
  /** Operations written (or adapted to a changed tenant). */
  applied: string[];
  /** Manual Teams mode: operations waiting for an administrator to run `script`. */
  manual: string[];
  script?: string;
  warnings: string[];
}>;

export async function configureTenant(input: ConfigureTenantInput): Promise<ConfigureTenantOutcome> {
  const { repositories, config } = handshakeDeployment();
  // Registered before the record is read: an offboarding that begins now waits for this step, and
  // a step that begins after it sees the partnership being removed (see docs/offboarding.md).
  const writer = tenantWriterId('configure', input.partnershipId, input.step, input.at);
  return repositories.writers.whileRegistered(writer, [input.partnershipId], config.tenantWriterLeaseSeconds, () => configureUnlessRemoved(input));
}

async function configureUnlessRemoved(input: ConfigureTenantInput): Promise<ConfigureTenantOutcome> {
  return outcomeOf(async () => {
    const deployment = handshakeDeployment();
    const { partnerships } = deployment.repositories;
    const { config } = deployment;
    const recorded = await partnerships.require(input.partnershipId);
    if (isBeingRemoved(recorded.status)) {
      throw new DomainError('partnership.illegal-transition', `Partnership ${recorded.id} is ${recorded.status}: nothing more is configured for it.`, {
        details: { id: recorded.id, status: recorded.status },
      });
    }
    const target: PartnershipTarget = {
      partnershipId: recorded.id,
      desired: recorded.desired,
      partnerDomains: recorded.partnerDomains,
      areas: input.areas,
    };
    const adapters = deployment.adapters();
    const actual = await readTenantState(adapters, [target], { localCloud: config.cloud, ownership: recorded.intents });
    const context = { actor: 'orchestration', at: input.at, idPrefix: `${recorded.id}:${input.step}` };
    // What an interrupted attempt wrote without recording it is owned before planning (the plan
    // would not ask for it again, so nothing else would ever record it).
    const record = await settleRecordedIntents(deployment, recorded, actual, context);
    const planned = plan([target], actual, { localCloud: config.cloud, guestInviteRedirectUrl: config.guestInviteRedirectUrl });
    await recordIntents(deployment, record.id, intentsOf(planned, record.id));
    const notes = planned.warnings.map((warning) => warning.message);
    const noteEvents: NewEvent[] = notes.map((message, index) => ({
      partnershipId: record.id,
      id: `${record.id}:${input.step}:warning:${index}`,
      at: input.at,
      type: 'warning',
      actor: 'orchestration',
      message,
    }));

    let result: Pick<ApplyResult, 'applied' | 'claims' | 'releases' | 'handOvers' | 'manual'>;
    let failure: DomainError | undefined;
    try {
      result = await applyPlan(adapters, planned);
    } catch (error) {
      if (!isDomainError(error, 'apply.partial-failure')) throw error;
      const details = error.details as PartialFailureDetails;
      result = { applied: details.applied, claims: details.claims, releases: details.releases, handOvers: [], manual: details.manual };
      failure = error;
    }
    const script = result.manual.length > 0 ? manualScript(planned, result.manual.map((entry) => entry.operationId)) : undefined;
    await recordApplied(deployment, record.id, planned, result, context, noteEvents, failure?.details as PartialFailureDetails | undefined);
    if (script) await keepManualClaims(deployment, record.id, result.manual.flatMap((entry) => entry.claims), script, input.at);
    if (failure) {
      const cause = (failure.details as PartialFailureDetails).error;
      // Throttling or an outage that outlasted the adapter's own retries: the durable retry resumes
      // it (the next attempt plans only what is still missing).
      if (isTransient(cause)) throw new DomainError(cause.code, failure.message, { details: failure.details });
      throw failure;
    }
    return {
      applied: result.applied.filter((applied) => applied.outcome === 'applied' || applied.outcome === 'converged').map((applied) => applied.operationId),
      manual: result.manual.map((entry) => entry.operationId),
      ...(script ? { script } : {}),
      warnings: notes,
    };
  });
}

/** One script for the Teams operations waiting for an administrator. */
function manualScript(planned: Plan, operationIds: readonly string[]): string {
  const updates = planned.operations.flatMap((operation) => (operation.kind === 'teams.update' && operationIds.includes(operation.id) ? [operation.update] : []));
  return manualTeamsScript(updates);
}

/** What the administrator's script adds: owned once verified (verifyTenant records it). */
async function keepManualClaims(
  deployment: ReturnType<typeof handshakeDeployment>,
  partnershipId: string,
  claims: readonly OwnershipClaim[],
  script: string,
  at: string,
): Promise<void> {
  const mine = claims.filter((claim) => claim.partnershipId === partnershipId);
  await deployment.repositories.partnerships.update(partnershipId, (current) => {
    const pending = handshakeData(current).manualTeams;
    // A later run (a retry) plans from what the tenant holds then: keep the first `previous` values.
    const kept = new Set((pending?.claims ?? []).map((claim) => ownedItemKey(claim.item)));
    const merged = [...(pending?.claims ?? []), ...mine.filter((claim) => !kept.has(ownedItemKey(claim.item)))];
    return { data: withHandshakeData(current, { manualTeams: { claims: merged, script, at } }) };
  });
}

async function recordApplied(
  deployment: ReturnType<typeof handshakeDeployment>,
  partnershipId: string,
  planned: Plan,
  result: Pick<ApplyResult, 'applied' | 'claims' | 'releases' | 'handOvers'>,
  context: { actor: string; at: string; idPrefix: string },
  extraEvents: NewEvent[],
  failed?: Pick<PartialFailureDetails, 'notApplied'>,
): Promise<void> {
  const { partnerships, events } = deployment.repositories;
  // One write confirms the intents: what was applied becomes owned. The intents of operations that
  // failed stay (a write may land although its answer was an error): the retry or the
  // compensation settles them.
  const notApplied = new Set(failed?.notApplied ?? []);
  const pending = intentsOf({ ...planned, operations: planned.operations.filter((operation) => notApplied.has(operation.id)) }, partnershipId);
  await partnerships.update(partnershipId, (current) => {
    if (result.claims.length === 0 && result.releases.length === 0 && current.intents.length === 0) return undefined;
    const ownership = ownershipAfter(current.ownership, partnershipId, result);
    return { ownership, intents: intentsLeft(pending, ownership) };
  });
  const rows = [...auditEvents(planned, result, context).filter((event) => event.partnershipId === partnershipId), ...extraEvents];
  if (rows.length > 0) await events.appendMany(rows);
}

const handler: ActivityHandler = (input: unknown) => configureTenant(input as ConfigureTenantInput);
df.app.activity(CONFIGURE_TENANT_ACTIVITY, { handler });
