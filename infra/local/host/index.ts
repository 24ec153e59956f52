// The local Azure Functions + Durable Functions host: run a compiled v4 Node.js app like
// `func start` (see README.md in this folder).
export { launchHost, hostCliPath, HostLaunchError } from './launch';
export type { LaunchHostOptions, RunningHost } from './launch';
export { startHost } from './host';
export type { StartHostOptions, StartedHost } from './host';
export { HostError, isHostError } from './errors';
export type { HostErrorCode } from './errors';
export { KEY_SETTINGS, DEFAULT_HUB_NAME, generateKey } from './settings';
export { WEBHOOK_PATH } from './durable/httpApi';
