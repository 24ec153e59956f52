// Typed client of one deployment's HTTP API (used by the `handshake` CLI and the demo).
export { HandshakeClient, SETTLED_STATUSES, DEFAULT_POLL_INTERVAL_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_WAIT_TIMEOUT_MS, formatDuration } from './client';
export type { HandshakeClientOptions, WaitOptions } from './client';
export { progressSince } from './progress';
export type { ProgressItem } from './progress';
export { ApiClientError, ApiProblemError, WaitTimeoutError } from './errors';
export type { ApiClientErrorCode } from './errors';
export type * from './types';
