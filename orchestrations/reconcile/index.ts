// Reconciliation (see docs/reconciliation.md): importing this module registers the reconcile
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
export { ReconcileClaimRepository, RECONCILE_CLAIMS_TABLE, ALL_PARTNERSHIPS } from '../../shared/tables/reconcileClaims';
export type { ReconcileClaim, ClaimRequestOutcome, ClaimReleaseOutcome } from '../../shared/tables/reconcileClaims';
export { currentDeployment, createReconcileDeployment } from './deployment';
export type { ReconcileDeployment } from './deployment';
export { runReconcile } from '../../shared/reconcile/run';
export type { ReconcileRunInput, ReconcileRunResult, DriftedPartnership, PartnershipReconcileRecord } from '../../shared/reconcile/run';
export {
  subscriptionsNeeded,
  syncSubscriptions,
  notificationUrls,
  releaseSubscriptions,
  NOTIFICATIONS_ROUTE,
  LIFECYCLE_ROUTE,
} from '../../shared/reconcile/subscriptions';
export type { SubscriptionNeed, SubscriptionSyncResult, SubscriptionRelease } from '../../shared/reconcile/subscriptions';
export { requestReconcile, ensureSubscriptionMonitor, reconcilePartnershipNow, startDeploymentRun } from './client';
export type { ReconcileNowAnswer } from './client';
export type { ReconcilePartnershipOutput, ReconcileTenantOutcome } from './outcome';
export type { ReconcileTenantInput } from './activities/reconcileTenant';
