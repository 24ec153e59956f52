// configureTenant: read → plan → apply the parts of the own tenant a partnership needs now (the
// initiator does Entra before the partner answers, the rest after), then record what it now owns
// and one Events row per change. Running it again applies nothing: the plan of a correct tenant
// is empty. A change that fails part-way records the part that was applied (ownership + events)
// before it reports the failure, so compensation knows exactly what to undo.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { DomainError, isDomainError } from '../../shared/errors';
import { ownershipAfter } from '../../shared/ownership';
import type { DesiredCollaboration } from '../../shared/partnership';
import {
  applyPlan,
  auditEvents,
  plan,
  readTenantState,
  type ApplyResult,
  type PartialFailureDetails,
  type PartnershipTarget,
  type Plan,
  type PlanArea,
} from '../../shared/plan';
import type { NewEvent } from '../../shared/tables';
import { handshakeDeployment } from '../deployment';
import { CONFIGURE_TENANT_ACTIVITY } from '../names';
import { isTransient, outcomeOf, type Outcome } from './outcome';

export interface ConfigureTenantInput {
  partnershipId: string;
  areas: readonly PlanArea[];
  /** Names the step in event ids, e.g. "entra" or "teams". */
  step: string;
  at: string;
}

export type ConfigureTenantOutcome = Outcome<{ applied: string[]; warnings: string[] }>;

export async function configureTenant(input: ConfigureTenantInput): Promise<ConfigureTenantOutcome> {
  return outcomeOf(async () => {
    const deployment = handshakeDeployment();
    const { partnerships } = deployment.repositories;
    const { config } = deployment;
    const record = await partnerships.require(input.partnershipId);
    const target: PartnershipTarget = {
      partnershipId: record.id,
      desired: record.desired,
      partnerDomains: record.partnerDomains,
      areas: input.areas,
    };
    const adapters = deployment.adapters();
    const actual = await readTenantState(adapters, [target], { localCloud: config.cloud });
    const planned = plan([target], actual, { localCloud: config.cloud, guestInviteRedirectUrl: config.guestInviteRedirectUrl });
    const context = { actor: 'orchestration', at: input.at, idPrefix: `${record.id}:${input.step}` };
    const notes = [...planned.warnings.map((warning) => warning.message), ...unconfiguredSyncNotes(record.desired, input.areas)];
    const noteEvents: NewEvent[] = notes.map((message, index) => ({
      partnershipId: record.id,
      id: `${record.id}:${input.step}:warning:${index}`,
      at: input.at,
      type: 'warning',
      actor: 'orchestration',
      message,
    }));

    let result: Pick<ApplyResult, 'applied' | 'claims' | 'releases' | 'handOvers'>;
    let failure: DomainError | undefined;
    try {
      result = await applyPlan(adapters, planned);
    } catch (error) {
      if (!isDomainError(error, 'apply.partial-failure')) throw error;
      const details = error.details as PartialFailureDetails;
      result = { applied: details.applied, claims: details.claims, releases: details.releases, handOvers: [] };
      failure = error;
    }
    await recordApplied(deployment, record.id, planned, result, context, noteEvents);
    if (failure) {
      const cause = (failure.details as PartialFailureDetails).error;
      // Throttling or an outage that outlasted the adapter's own retries: the durable retry resumes
      // it (the next attempt plans only what is still missing).
      if (isTransient(cause)) throw new DomainError(cause.code, failure.message, { details: failure.details });
      throw failure;
    }
    return { applied: result.applied.filter((applied) => applied.outcome !== 'unchanged').map((applied) => applied.operationId), warnings: notes };
  });
}

async function recordApplied(
  deployment: ReturnType<typeof handshakeDeployment>,
  partnershipId: string,
  planned: Plan,
  result: Pick<ApplyResult, 'applied' | 'claims' | 'releases' | 'handOvers'>,
  context: { actor: string; at: string; idPrefix: string },
  extraEvents: NewEvent[],
): Promise<void> {
  const { partnerships, events } = deployment.repositories;
  if (result.claims.length > 0 || result.releases.length > 0) {
    await partnerships.update(partnershipId, (current) => ({ ownership: ownershipAfter(current.ownership, partnershipId, result) }));
  }
  const rows = [...auditEvents(planned, result, context).filter((event) => event.partnershipId === partnershipId), ...extraEvents];
  if (rows.length > 0) await events.appendMany(rows);
}

/**
 * Cross-tenant synchronisation has two sides. The domain configures the target side (the partner
 * entry's identity sync settings); the source side (the sync job) is not part of it yet, so the
 * admin is told rather than shown a success that did not happen.
 */
function unconfiguredSyncNotes(desired: DesiredCollaboration, areas: readonly PlanArea[]): string[] {
  const sync = desired.crossTenantSync;
  if (!sync || !areas.includes('identitySync')) return [];
  if (sync.direction === 'inbound') return [];
  return [
    'Cross-tenant synchronization: this tenant is a source (outbound). The product configures only the target side ' +
      '(the partner\u2019s identity synchronization settings); create the synchronization job in the Entra admin center ' +
      '(Cross-tenant synchronization > Configurations) to start provisioning users.',
  ];
}

const handler: ActivityHandler = (input: unknown) => configureTenant(input as ConfigureTenantInput);
df.app.activity(CONFIGURE_TENANT_ACTIVITY, { handler });
