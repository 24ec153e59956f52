// How a reconcile run may act and what started it: the run records both with the drift it finds.
export const RECONCILE_MODES = ['report', 'enforce'] as const;
export type ReconcileMode = (typeof RECONCILE_MODES)[number];

/** What started a run (recorded with the drift it finds). */
export const RECONCILE_TRIGGERS = ['timer', 'notification', 'missed', 'admin'] as const;
export type ReconcileTrigger = (typeof RECONCILE_TRIGGERS)[number];
