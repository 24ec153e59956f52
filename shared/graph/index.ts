// Microsoft Graph adapter (see docs/architecture.md).
export { GraphAdapter, invitedAddress } from './client';
export type { GraphAdapterOptions, BatchRequest, BatchResponse, HttpMethod, GraphSubscription } from './client';
export { createCredential } from './credential';
export {
  CROSS_TENANT_SYNC_TEMPLATE_ID,
  SYNC_JOB_TEMPLATE_ID,
  DEFAULT_ACCESS_APP_ROLE_ID,
  syncConfigurationName,
  readSyncConfiguration,
  scopeAppRoleId,
} from './sync';
export { RequestCounter, requestKey } from './counter';
export { graphError, toDomainError, domainCodeForGraph } from './errors';
export type { GraphFailure } from './errors';
export { isTransientStatus, parseRetryAfter, retryDelayMs } from './retry';
export { RetryMiddleware, CountingMiddleware } from './middleware';
export { grantedApplicationPermissions } from './permissions';
