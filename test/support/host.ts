// Helpers for tests that run apps on the local Functions host (real host processes, real HTTP).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../infra/local/azurite';
import { launchHost, type LaunchHostOptions, type RunningHost } from '../../infra/local/host';
import { useFixture } from './fixture';

export { launchHost, HostLaunchError } from '../../infra/local/host';
export type { LaunchHostOptions, RunningHost } from '../../infra/local/host';

export const PROJECT_ROOT = resolve(__dirname, '../..');
/** The host's own test app (HTTP, timers, durable), plain CommonJS. */
export const WORKFLOWS_APP = join(PROJECT_ROOT, 'test/host/apps/workflows');

/**
 * Launches a host in beforeAll and stops it in afterAll; call inside describe. The options
 * function runs in beforeAll, so it may use fixtures (e.g. Azurite) started earlier.
 */
export function useHost(options: () => LaunchHostOptions | Promise<LaunchHostOptions>): () => RunningHost {
  return useFixture({
    what: 'The host',
    helper: 'useHost',
    start: async () => launchHost(await options()),
    stop: (host) => host.stop(),
    startTimeoutMs: 90_000,
    stopTimeoutMs: 30_000,
  });
}

export interface WorkflowsHostFixture {
  host(): RunningHost;
  azurite(): RunningAzurite;
  /** The app's TEST_STATE_DIR (files its retried activities and timers write). */
  statePath: string;
}

/**
 * The host's test app (WORKFLOWS_APP) on a fresh Azurite in memory, with a state folder of its own:
 * started in beforeAll; host stopped, Azurite stopped and the folder removed in afterAll. Call
 * inside describe. `options.env` comes over TEST_STATE_DIR.
 */
export function useWorkflowsHost(name: string, options: Omit<LaunchHostOptions, 'appDir' | 'storageConnectionString'> = {}): WorkflowsHostFixture {
  const state = tempDir(name);
  const started = useFixture({
    what: 'The host',
    helper: 'useWorkflowsHost',
    start: async () => {
      const azurite = await startAzurite({ inMemory: true });
      try {
        const env = { TEST_STATE_DIR: state.path, ...options.env };
        return { azurite, host: await launchHost({ ...options, appDir: WORKFLOWS_APP, storageConnectionString: azurite.connectionString, env }) };
      } catch (error) {
        await azurite.stop();
        throw error;
      }
    },
    stop: async ({ azurite, host }) => {
      await host.stop();
      await azurite.stop();
    },
    startTimeoutMs: 150_000,
    stopTimeoutMs: 60_000,
  });
  afterAll(() => state.remove());
  return { host: () => started().host, azurite: () => started().azurite, statePath: state.path };
}

export type KeyChoice = 'function' | 'master' | 'system' | 'none' | { key: string };

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (throws with the text when it is not JSON). */
  json<T = unknown>(): T;
}

/** Sends a request to a host; `key` picks which key goes into x-functions-key. */
export async function request(
  host: RunningHost,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; key?: KeyChoice } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  const key = keyFor(host, options.key ?? 'function');
  if (key) headers['x-functions-key'] = key;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const url = /^https?:/.test(path) ? path : `${host.baseUrl}${path}`;
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json<T>(): T {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Error(`Expected JSON from ${method} ${path} (HTTP ${response.status}), got: ${text.slice(0, 500)}`);
      }
    },
  };
}

function keyFor(host: RunningHost, choice: KeyChoice): string | undefined {
  if (typeof choice === 'object') return choice.key;
  switch (choice) {
    case 'function':
      return host.functionKey;
    case 'master':
      return host.masterKey;
    case 'system':
      return host.systemKey;
    case 'none':
      return undefined;
  }
}

/** The check-status payload an orchestration starter returns (createCheckStatusResponse). */
export interface CheckStatusLinks {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

/** Polls a status URL until the instance reaches one of `statuses` (default: any finished one). */
export async function waitForStatus(
  statusUrl: string,
  options: { statuses?: string[]; timeoutMs?: number; intervalMs?: number; predicate?: (status: OrchestrationStatus) => boolean } = {},
): Promise<OrchestrationStatus> {
  const statuses = options.statuses ?? ['Completed', 'Failed', 'Terminated', 'Canceled'];
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  let last: OrchestrationStatus | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(statusUrl);
      if (response.status === 200 || response.status === 202) {
        last = (await response.json()) as OrchestrationStatus;
        if (statuses.includes(last.runtimeStatus) && (!options.predicate || options.predicate(last))) return last;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
  throw new Error(`Instance at ${statusUrl.split('?')[0]} did not reach ${statuses.join('/')} in time; last: ${JSON.stringify(last) ?? String(lastError)}`);
}

/** Starts an orchestration through the durable management API (any app, no starter function needed). */
export async function startOrchestration(host: RunningHost, name: string, input?: unknown, instanceId?: string): Promise<CheckStatusLinks> {
  const path = `/runtime/webhooks/durabletask/orchestrators/${encodeURIComponent(name)}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`;
  const response = await request(host, 'POST', path, { key: 'system', rawBody: input === undefined ? '' : JSON.stringify(input), headers: { 'content-type': 'application/json' } });
  if (response.status !== 202) throw new Error(`Starting ${name} answered HTTP ${response.status}: ${response.text}`);
  return response.json<CheckStatusLinks>();
}

/** Status of an instance by id (undefined when the host does not know it). */
export async function instanceStatus(host: RunningHost, instanceId: string, options: { showHistory?: boolean } = {}): Promise<OrchestrationStatus | undefined> {
  const query = options.showHistory ? '?showHistory=true&showHistoryOutput=true' : '';
  const response = await request(host, 'GET', `/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}${query}`, { key: 'system' });
  if (response.status === 404) return undefined;
  return response.json<OrchestrationStatus>();
}

/** Waits until an instance (by id) finishes, or reaches one of `statuses`. */
export function waitForInstance(host: RunningHost, instanceId: string, options: Parameters<typeof waitForStatus>[1] = {}): Promise<OrchestrationStatus> {
  return waitForStatus(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?code=${encodeURIComponent(host.systemKey)}`, options);
}

/** Posts an external event through a sendEventPostUri template. */
export async function raiseEvent(links: CheckStatusLinks, eventName: string, data: unknown): Promise<number> {
  const response = await fetch(links.sendEventPostUri.replace('{eventName}', encodeURIComponent(eventName)), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(data),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Points a URL minted by one host process at another (a restarted host listens elsewhere). */
export function rebase(url: string, host: RunningHost): string {
  return url.replace(/^https?:\/\/[^/]+/, host.baseUrl);
}

/** A temporary folder removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Copies packages and everything they depend on (from this project's node_modules) into
 * `targetDir/node_modules`, so an app in `targetDir` has its own copy, as a deployed app does.
 */
export function copyPackages(targetDir: string, packageNames: string[]): string[] {
  const copied = new Map<string, string>();
  const visit = (name: string, fromDir: string): void => {
    const source = findPackageDir(name, fromDir);
    if (!source) throw new Error(`Cannot find package ${name} from ${fromDir}`);
    // Keep nesting: a package found inside another package's node_modules stays there.
    const relativeToRoot = source.slice(PROJECT_ROOT.length + 1);
    const destination = join(targetDir, relativeToRoot);
    if (copied.has(destination)) return;
    copied.set(destination, source);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(source, destination, { recursive: true, dereference: true, filter: (src) => !src.slice(source.length).includes('/node_modules/') });
    const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      if (findPackageDir(dependency, source)) visit(dependency, source);
    }
  };
  for (const name of packageNames) visit(name, PROJECT_ROOT);
  return [...copied.keys()];
}

function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === PROJECT_ROOT || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}
