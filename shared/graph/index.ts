// Microsoft Graph adapter (design §7).
export { GraphAdapter, invitedAddress } from './client';
export type { GraphAdapterOptions, BatchRequest, BatchResponse, HttpMethod, GraphSubscription } from './client';
export { createCredential } from './credential';
export { RequestCounter, requestKey } from './counter';
export { graphError, toDomainError, domainCodeForGraph } from './errors';
export type { GraphFailure } from './errors';
export { isTransientStatus, parseRetryAfter, retryDelayMs } from './retry';
export { RetryMiddleware, CountingMiddleware } from './middleware';
