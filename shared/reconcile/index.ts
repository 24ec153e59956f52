// Reconciliation's domain: one reconcile run (read the tenant once, diff, report or repair), the
// Graph subscriptions Active partnerships need, and the bounded lookup of a notification's
// sources. Plain async code on the tenant adapters and the Table repositories: the reconcile
// activities call it (orchestrations/reconcile/), tests call it against the simulator and Azurite.
// Not re-exported from shared/index.ts: it builds on that index.
export * from './modes';
export * from './run';
export * from './subscriptions';
export * from './notificationSources';
