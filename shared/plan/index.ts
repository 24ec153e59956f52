// Desired vs actual: read, diff, plan, remove-plan, apply (design §6, issue 5).
export * from './operations';
export { plan, partnerSettingsDiff, sameB2BSetting } from './plan';
export type { PlanOptions } from './plan';
export { removePlan } from './remove';
export type { RemovePlanOptions } from './remove';
export { needsOf, partnerSettingsFor, teamsTypesNeeded, b2bSetting, syncDirections } from './requirements';
export type { PartnershipTarget } from './requirements';
export { simulateApply } from './simulate';
export { planSyncSources, removeSyncSources, syncSourceOf, SYNC_JOB_ACTIVE } from './syncSource';
export { readTenantState } from './read';
export type { TenantAdapters, ReadOptions } from './read';
export { applyPlan } from './apply';
export type { ApplyResult, AppliedOperation, PartialFailureDetails } from './apply';
export { verifyTenantState } from './verify';
export type { Verification } from './verify';
export { auditEvents } from './audit';
export type { AuditContext } from './audit';
