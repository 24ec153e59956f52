// Reconciliation (design §6, issue 7): importing this module registers the reconcile
// orchestrations and activities. Triggers call the helpers of ./client; the handshake calls the
// ENSURE_SUBSCRIPTIONS_ACTIVITY activity with { partnershipId } when a partnership becomes Active.
import './activities/reconcileTenant';
import './activities/releaseReconcileClaim';
import './activities/syncSubscriptions';
import './activities/subscriptionLifecycle';
import './reconcileDeployment';
import './reconcilePartnership';
import './subscriptionMonitor';
import './subscriptionLifecycle';

export * from './names';
export * from './inputs';
export { ReconcileClaimRepository, RECONCILE_CLAIMS_TABLE, ALL_PARTNERSHIPS } from './claims';
export type { ReconcileClaim, ClaimRequestOutcome, ClaimReleaseOutcome } from './claims';
export { currentDeployment, createReconcileDeployment } from './deployment';
export type { ReconcileDeployment } from './deployment';
export { runReconcile } from './run';
export type { ReconcileRunInput, ReconcileRunResult, DriftedPartnership, PartnershipReconcileRecord } from './run';
export {
  subscriptionsNeeded,
  syncSubscriptions,
  notificationUrls,
  releaseSubscriptions,
  NOTIFICATIONS_ROUTE,
  LIFECYCLE_ROUTE,
} from './subscriptions';
export type { SubscriptionNeed, SubscriptionSyncResult, SubscriptionRelease } from './subscriptions';
export { requestReconcile, ensureSubscriptionMonitor } from './client';
export type { ReconcilePartnershipOutput, ReconcileTenantOutcome } from './outcome';
export type { ReconcileTenantInput } from './activities/reconcileTenant';
