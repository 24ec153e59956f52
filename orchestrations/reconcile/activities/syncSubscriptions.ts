// Activities that keep the Graph subscriptions in line with the Active partnerships:
// - syncSubscriptions (the monitor): create / share / renew / recreate / remove, and when to wake next;
// - ensureSubscriptions (the handshake, when a partnership becomes Active): the same sync now,
//   counting that partnership in, then a nudge to the monitor so it plans its next wake with them.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { ALL_PARTNERSHIPS_SCOPE, isBeingRemoved, tenantWriterId, TERMINAL_STATUSES, type PartnershipRecord } from '../../../shared';
import { ensureSubscriptionMonitor } from '../client';
import { currentDeployment, type ReconcileDeployment } from '../deployment';
import { ENSURE_SUBSCRIPTIONS_ACTIVITY, SYNC_SUBSCRIPTIONS_ACTIVITY } from '../names';
import { assertPublicBaseUrl, subscriptionsNeeded, syncSubscriptions as sync, type SubscriptionSyncResult } from '../../../shared/reconcile/subscriptions';

/**
 * Partnerships whose changes are watched: Active ones, and those verifying just before Active (the
 * handshake ensures their subscriptions then, so a sync meanwhile must not take them away).
 */
export const SUBSCRIBED_STATUSES = ['Verifying', 'Active'] as const;

/** The monitor never sleeps less than this, even when a renewal keeps failing. */
export const MONITOR_MIN_SLEEP_MS = 30_000;

export interface MonitorSyncResult extends SubscriptionSyncResult {
  /** When the monitor should sync again (ISO). */
  wakeAt: string;
}

async function syncFor(deployment: ReconcileDeployment, include: string | undefined, context: InvocationContext): Promise<SubscriptionSyncResult> {
  const { config, repositories } = deployment;
  // A registered writer: an offboarding that removes a partnership's subscriptions waits for a sync
  // that may still count it in, and a sync that starts later reads it Offboarding.
  const writer = tenantWriterId('subscriptions', include ?? 'all', String(Date.now()));
  return repositories.writers.whileRegistered(writer, include ? [include] : ALL_PARTNERSHIPS_SCOPE, config.tenantWriterLeaseSeconds, () =>
    syncAsWriter(deployment, include, context),
  );
}

async function syncAsWriter(deployment: ReconcileDeployment, include: string | undefined, context: InvocationContext): Promise<SubscriptionSyncResult> {
  const { config, repositories } = deployment;
  const active = await repositories.partnerships.list({ statuses: SUBSCRIBED_STATUSES });
  const extra: PartnershipRecord[] = [];
  if (include && !active.some((record) => record.id === include)) {
    const record = await repositories.partnerships.require(include);
    if (!TERMINAL_STATUSES.includes(record.status) && !isBeingRemoved(record.status)) extra.push(record);
  }
  const result = await sync(subscriptionsNeeded([...active, ...extra]), {
    graph: deployment.adapters().graph,
    subscriptions: repositories.subscriptions,
    publicBaseUrl: assertPublicBaseUrl(config.publicBaseUrl),
    lifetimeMinutes: config.subscriptionLifetimeMinutes,
    renewBeforeMinutes: config.subscriptionRenewBeforeMinutes,
    now: new Date(),
  });
  const { nextDueAt: _next, ...counts } = result;
  context.log(JSON.stringify({ event: 'subscriptions.sync', ...Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, Array.isArray(value) ? value.length : value])) }));
  for (const failure of result.failures) context.warn(JSON.stringify({ event: 'subscriptions.failure', ...failure }));
  return result;
}

export const syncSubscriptions: ActivityHandler = async (_input: unknown, context: InvocationContext): Promise<MonitorSyncResult> => {
  const deployment = currentDeployment();
  const result = await syncFor(deployment, undefined, context);
  const now = Date.now();
  const latest = now + deployment.config.subscriptionMonitorMaxSleepMinutes * 60_000;
  const due = result.nextDueAt ? Date.parse(result.nextDueAt) : latest;
  return { ...result, wakeAt: new Date(Math.max(now + MONITOR_MIN_SLEEP_MS, Math.min(due, latest))).toISOString() };
};

export const ensureSubscriptions: ActivityHandler = async (input: { partnershipId: string }, context: InvocationContext): Promise<SubscriptionSyncResult> => {
  const deployment = currentDeployment();
  const result = await syncFor(deployment, input.partnershipId, context);
  await ensureSubscriptionMonitor(df.getClient(context), deployment.config, { nudge: true });
  return result;
};

df.app.activity(SYNC_SUBSCRIPTIONS_ACTIVITY, { handler: syncSubscriptions });
df.app.activity(ENSURE_SUBSCRIPTIONS_ACTIVITY, { handler: ensureSubscriptions, extraInputs: [df.input.durableClient()] });
