// How callers start the reconcile workflows (the triggers in functions/, and the handshake's
// ensureSubscriptions): singleton instances that never overlap (see ../instances.ts), and the
// claim-guarded start of a notification-driven run.
import { randomUUID } from 'node:crypto';
import type { DurableClient } from 'durable-functions';
import { startInstance, waitForInstance, type StartOutcome } from '../instances';
import { DomainError, reviveDomainError, type AppConfig, type DriftItem, type DriftStatus } from '../../shared';
import type { ReconcileRunResult } from '../../shared/reconcile/run';
import { ALL_PARTNERSHIPS, type ClaimRequestOutcome } from '../../shared/tables/reconcileClaims';
import type { ReconcileDeployment } from './deployment';
import { activityRetryOf, type ReconcileDeploymentInput, type ReconcilePartnershipInput, type SubscriptionMonitorInput } from './inputs';
import type { ReconcilePartnershipOutput } from './outcome';
import {
  adminRunInstance,
  RECONCILE_DEPLOYMENT_INSTANCE,
  RECONCILE_DEPLOYMENT_ORCHESTRATION,
  RECONCILE_MODES,
  partnershipRunInstance,
  RECONCILE_PARTNERSHIP_ORCHESTRATION,
  SUBSCRIPTION_MONITOR_INSTANCE,
  SUBSCRIPTION_MONITOR_ORCHESTRATION,
  SUBSCRIPTION_SYNC_EVENT,
  type ReconcileMode,
  type ReconcileTrigger,
} from './names';

/**
 * A change concerns these partnerships: start a reconcile run unless one will see the change
 * anyway (see claims.ts). One partnership → a run of it; several (a subscription they share) →
 * one run of every Active partnership, which reads the tenant once like a run of one. A run that
 * cannot be started gives its claim back, so a redelivery starts it.
 */
export async function requestReconcile(
  client: DurableClient,
  deployment: Pick<ReconcileDeployment, 'claims' | 'config'>,
  partnershipIds: readonly string[],
  trigger: Extract<ReconcileTrigger, 'notification' | 'missed'>,
): Promise<ClaimRequestOutcome & { scope: string; instanceId: string }> {
  const scope = partnershipIds.length === 1 ? partnershipIds[0] : ALL_PARTNERSHIPS;
  const outcome = await deployment.claims.request(scope, trigger);
  const instanceId = partnershipRunInstance(scope, outcome.run);
  if (outcome.outcome !== 'start') return { ...outcome, scope, instanceId };
  const input: ReconcilePartnershipInput = {
    ...(scope === ALL_PARTNERSHIPS ? {} : { partnershipId: scope }),
    mode: deployment.config.reconcileMode,
    trigger,
    debounceMs: deployment.config.reconcileDebounceMs,
    claimRun: outcome.run,
    retry: activityRetryOf(deployment.config),
  };
  try {
    await startInstance(client, RECONCILE_PARTNERSHIP_ORCHESTRATION, instanceId, input, { unless: 'running' });
  } catch (error) {
    await deployment.claims.abandon(scope, outcome.run).catch(() => undefined);
    throw error;
  }
  return { ...outcome, scope, instanceId };
}

/**
 * Makes sure the eternal subscription monitor runs; with `nudge`, a running monitor syncs now
 * (and plans its next wake with the subscriptions just made).
 */
export async function ensureSubscriptionMonitor(
  client: DurableClient,
  config: Pick<AppConfig, 'activityRetry'>,
  options: { nudge?: boolean } = {},
): Promise<'started' | 'already-running' | 'nudged'> {
  const input: SubscriptionMonitorInput = { retry: activityRetryOf(config) };
  const started = await startInstance(client, SUBSCRIPTION_MONITOR_ORCHESTRATION, SUBSCRIPTION_MONITOR_INSTANCE, input, { unless: 'running' });
  if (started === 'started' || !options.nudge) return started;
  await client.raiseEvent(SUBSCRIPTION_MONITOR_INSTANCE, SUBSCRIPTION_SYNC_EVENT, { at: new Date().toISOString() });
  return 'nudged';
}

/**
 * The timer's run: one run over the whole deployment under its singleton instance (never two at
 * once), and the subscription monitor kept alive when Graph can reach this deployment.
 */
export async function startDeploymentRun(
  client: DurableClient,
  deployment: Pick<ReconcileDeployment, 'config'>,
): Promise<{ run: StartOutcome; mode: ReconcileMode; subscriptionMonitor: string }> {
  const { config } = deployment;
  const input: ReconcileDeploymentInput = { mode: config.reconcileMode, trigger: 'timer', retry: activityRetryOf(config) };
  const run = await startInstance(client, RECONCILE_DEPLOYMENT_ORCHESTRATION, RECONCILE_DEPLOYMENT_INSTANCE, input, { unless: 'running' });
  const subscriptionMonitor = config.publicBaseUrl ? await ensureSubscriptionMonitor(client, config) : 'no PUBLIC_BASE_URL';
  return { run, mode: input.mode, subscriptionMonitor };
}

/** What an admin's "reconcile now" answers once the run has ended. */
export interface ReconcileNowAnswer extends Pick<ReconcileRunResult, 'runId' | 'operations' | 'applied' | 'warnings' | 'requests'> {
  id: string;
  mode: ReconcileMode;
  driftStatus: DriftStatus | null | undefined;
  drift: DriftItem[];
  partnerDeleted: boolean;
  repaired: boolean;
}

/**
 * An admin's "reconcile now" of one Active partnership: a run of its own, waited for up to
 * `waitMs`; still running then → its instance id (the trigger answers 202 with status links). A run
 * the tenant refused fails with the domain error it carries.
 */
export async function reconcilePartnershipNow(
  client: DurableClient,
  deployment: Pick<ReconcileDeployment, 'config' | 'repositories'>,
  request: { partnershipId: string; mode: string | null; requestedBy: string },
  waitMs: number,
): Promise<{ finished: false; instanceId: string } | { finished: true; answer: ReconcileNowAnswer }> {
  const { partnershipId } = request;
  const mode = parseMode(request.mode, deployment.config.reconcileMode);
  const record = await deployment.repositories.partnerships.require(partnershipId);
  if (record.status !== 'Active') {
    throw new DomainError('reconcile.not-active', `Partnership ${partnershipId} is ${record.status}; only an Active partnership can be reconciled.`, {
      details: { id: partnershipId, status: record.status },
    });
  }
  const instanceId = adminRunInstance(partnershipId, randomUUID().slice(0, 8));
  const input: ReconcilePartnershipInput = {
    partnershipId,
    mode,
    trigger: 'admin',
    requestedBy: request.requestedBy,
    debounceMs: 0,
    retry: activityRetryOf(deployment.config),
  };
  await client.startNew(RECONCILE_PARTNERSHIP_ORCHESTRATION, { instanceId, input });

  const ended = await waitForInstance<ReconcilePartnershipOutput>(client, instanceId, waitMs);
  if (!ended) return { finished: false, instanceId };
  const output = ended.runtimeStatus === 'Completed' ? ended.output : undefined;
  if (!output?.ok) throw failureOf(output, partnershipId);
  const after = await deployment.repositories.partnerships.require(partnershipId);
  const drifted = output.drifted.find((entry) => entry.partnershipId === partnershipId);
  return {
    finished: true,
    answer: {
      id: partnershipId,
      mode,
      runId: output.runId,
      driftStatus: after.driftStatus,
      drift: drifted?.items ?? [],
      partnerDeleted: drifted?.partnerDeleted ?? false,
      repaired: drifted?.repaired ?? false,
      operations: output.operations,
      applied: output.applied,
      warnings: output.warnings,
      requests: output.requests,
    },
  };
}

function parseMode(value: string | null, fallback: ReconcileMode): ReconcileMode {
  if (value === null || value === '') return fallback;
  if ((RECONCILE_MODES as readonly string[]).includes(value)) return value as ReconcileMode;
  throw new DomainError('request.invalid', `The request is not valid: mode: must be one of ${RECONCILE_MODES.join(', ')} (got "${value}").`, {
    details: { issues: [{ field: 'mode', message: `must be one of ${RECONCILE_MODES.join(', ')}` }] },
  });
}

/** The domain error a refused run carries; a run that ended otherwise (terminated, crashed) is a generic upstream error. */
function failureOf(output: ReconcilePartnershipOutput | undefined, partnershipId: string): DomainError {
  const carried = output && !output.ok ? reviveDomainError(output.error) : undefined;
  return carried ?? new DomainError('tenant.upstream-error', `The reconcile run of partnership ${partnershipId} failed.`, { details: { id: partnershipId } });
}
