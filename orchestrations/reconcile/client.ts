// How callers start the reconcile workflows (the triggers in functions/, and the handshake's
// ensureSubscriptions): singleton instances that never overlap, and the claim-guarded start of
// a notification-driven run.
//
// startNew with the id of an instance that still runs is refused by the local host (409) and by
// Durable Functions since 2.x (`overridableExistingInstanceStates` = NonRunningStates: an error),
// while older settings (AnyState) would silently replace it. So the status is checked first, and
// a refused start is followed by a second look rather than trusting the error's shape.
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
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

const RUNNING = new Set(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

/** The instance's status, or undefined when there is none. */
export async function instanceStatus(client: DurableClient, instanceId: string): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: false });
  } catch (error) {
    // The client reports an unknown instance as an error mentioning the 404.
    if (error instanceof Error && /\b404\b/.test(error.message)) return undefined;
    throw error;
  }
}

export function isRunning(status: DurableOrchestrationStatus | undefined): boolean {
  return status !== undefined && RUNNING.has(String(status.runtimeStatus));
}

/** Starts `instanceId` unless it is running; never replaces a running instance. */
export async function startSingleton(client: DurableClient, orchestration: string, instanceId: string, input: unknown): Promise<'started' | 'already-running'> {
  if (isRunning(await instanceStatus(client, instanceId))) return 'already-running';
  try {
    await client.startNew(orchestration, { instanceId, input });
    return 'started';
  } catch (error) {
    // Someone started it between the check and the start.
    if (isRunning(await instanceStatus(client, instanceId))) return 'already-running';
    throw error;
  }
}

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
    await startSingleton(client, RECONCILE_PARTNERSHIP_ORCHESTRATION, instanceId, input);
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
  const started = await startSingleton(client, SUBSCRIPTION_MONITOR_ORCHESTRATION, SUBSCRIPTION_MONITOR_INSTANCE, input);
  if (started === 'started' || !options.nudge) return started;
  await client.raiseEvent(SUBSCRIPTION_MONITOR_INSTANCE, SUBSCRIPTION_SYNC_EVENT, { at: new Date().toISOString() });
  return 'nudged';
}
