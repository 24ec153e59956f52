// How callers start the reconcile workflows (the triggers in functions/, and the handshake's
// ensureSubscriptions): singleton instances that never overlap (see ../instances.ts), and the
// claim-guarded start of a notification-driven run.
import type { DurableClient } from 'durable-functions';
import { startInstance } from '../instances';
import type { AppConfig } from '../../shared';
import { ALL_PARTNERSHIPS, type ClaimRequestOutcome } from './claims';
import type { ReconcileDeployment } from './deployment';
import { activityRetryOf, type ReconcilePartnershipInput, type SubscriptionMonitorInput } from './inputs';
import {
  partnershipRunInstance,
  RECONCILE_PARTNERSHIP_ORCHESTRATION,
  SUBSCRIPTION_MONITOR_INSTANCE,
  SUBSCRIPTION_MONITOR_ORCHESTRATION,
  SUBSCRIPTION_SYNC_EVENT,
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
