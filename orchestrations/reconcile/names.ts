// Names shared by the reconcile orchestrations, their activities, the triggers that start them
// and the tests: function names, instance ids, event names and the durable retry policy.

export const RECONCILE_DEPLOYMENT_ORCHESTRATION = 'reconcileDeployment';
export const RECONCILE_PARTNERSHIP_ORCHESTRATION = 'reconcilePartnership';
export const SUBSCRIPTION_MONITOR_ORCHESTRATION = 'subscriptionMonitor';
export const SUBSCRIPTION_LIFECYCLE_ORCHESTRATION = 'subscriptionLifecycle';

export const RECONCILE_TENANT_ACTIVITY = 'reconcileTenant';
export const RELEASE_RECONCILE_CLAIM_ACTIVITY = 'releaseReconcileClaim';
export const SYNC_SUBSCRIPTIONS_ACTIVITY = 'syncSubscriptions';
/** Called by the handshake orchestrations when a partnership becomes Active. */
export const ENSURE_SUBSCRIPTIONS_ACTIVITY = 'ensureSubscriptions';
export const REAUTHORIZE_SUBSCRIPTION_ACTIVITY = 'reauthorizeSubscription';
export const RECREATE_SUBSCRIPTION_ACTIVITY = 'recreateSubscription';

/** Singleton instance of the whole-deployment run: two runs never overlap. */
export const RECONCILE_DEPLOYMENT_INSTANCE = 'reconcile-deployment';
/** Singleton instance of the eternal subscription monitor. */
export const SUBSCRIPTION_MONITOR_INSTANCE = 'subscription-monitor';
/** Raised to the monitor to make it sync now (e.g. after a partnership became Active). */
export const SUBSCRIPTION_SYNC_EVENT = 'sync';

/** Instance of a notification-driven run (one per claim run: see claims.ts); scope '*' is every Active partnership. */
export const partnershipRunInstance = (scope: string, run: number): string =>
  scope === '*' ? `reconcile-all-${run}` : `reconcile-partnership-${scope}-${run}`;
/** Instance of an admin "reconcile now" request. */
export const adminRunInstance = (partnershipId: string, requestId: string): string => `reconcile-admin-${partnershipId}-${requestId}`;
/** Instance handling one lifecycle event of one subscription (a redelivery while it runs is a no-op). */
export const lifecycleInstance = (subscriptionId: string, event: string): string => `subscription-${event}-${subscriptionId}`;

// Modes and triggers are the domain's (the reconcile run records them): see shared/reconcile/modes.ts.
export { RECONCILE_MODES, RECONCILE_TRIGGERS, type ReconcileMode, type ReconcileTrigger } from '../../shared/reconcile/modes';

/** Retry of reconcile activities: tenant reads and writes already retry 429/503 inside; this covers the rest. */
export const RECONCILE_ACTIVITY_RETRY = { firstRetryIntervalMs: 5_000, maxAttempts: 3, backoffCoefficient: 2 } as const;
