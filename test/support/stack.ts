// Helpers for tests on the whole local stack (simulator + Azurite + one HTTPS host per deployment).
import { startLocalStack, type LocalStack, type LocalStackDeployment, type LocalStackOptions } from '../../infra/local/stack';
import type { TenantDump } from '../../infra/local/simulator';
import { createRepositories } from '../../shared/deployment';
import type { StoredEvent } from '../../shared/tables';
import { useFixture } from './fixture';

export { startLocalStack, SHORT_TIMINGS } from '../../infra/local/stack';
export type { LocalStack, LocalStackDeployment, LocalStackOptions } from '../../infra/local/stack';

/** Tenants of the default world. */
export const WORLD = {
  contoso: '14763f8a-fb9a-451a-9f75-c33963a5b05a',
  fabrikam: 'db942a83-feba-4352-8377-e4783b8b9015',
  /** Woodgrove China (21Vianet). */
  china: '7e8be59e-c071-47fb-ab9c-d694c21edb87',
  /** Tailspin Gov (GCC High). */
  usgov: '1df56d2a-1bd5-4423-877d-a12629343cfe',
  /** Northwind GCC (a commercial Entra tenant with GCC Teams). */
  gcc: '3c9a5e71-2d4b-4f6a-8e1c-7b0d9f2a4c65',
} as const;

/** Starts a stack in beforeAll and stops it in afterAll; call inside describe. */
export function useStack(options: () => LocalStackOptions | Promise<LocalStackOptions>): () => LocalStack {
  return useFixture({
    what: 'The stack',
    helper: 'useStack',
    start: async () => startLocalStack(await options()),
    stop: (stack) => stack.stop(),
    startTimeoutMs: 180_000,
    stopTimeoutMs: 60_000,
  });
}

/**
 * The usual stack of an end-to-end test, started in beforeAll and stopped in afterAll (call inside
 * describe): one deployment per tenant given, named by its key, with short timings and Azurite in
 * memory unless `options` say otherwise. Returns the stack and one accessor per deployment, named
 * after it with a lower-case first letter: `{ Contoso: WORLD.contoso }` gives `contoso()`.
 */
export function useDeployments<const Tenants extends Record<string, string>>(
  tenants: Tenants,
  options: Omit<LocalStackOptions, 'deployments'> = {},
): StackAccessors<Tenants> {
  const stack = useStack(() => ({
    deployments: Object.entries(tenants).map(([name, tenantId]) => ({ name, tenantId })),
    timings: 'short',
    inMemoryStorage: true,
    ...options,
  }));
  const accessors = Object.fromEntries(
    Object.keys(tenants).map((name) => [name.charAt(0).toLowerCase() + name.slice(1), () => stack().deployment(name)]),
  );
  return { ...accessors, stack } as StackAccessors<Tenants>;
}

export type StackAccessors<Tenants extends Record<string, string>> = { stack: () => LocalStack } & {
  [Name in keyof Tenants & string as Uncapitalize<Name>]: () => LocalStackDeployment;
};

/** Id of the world's tenant with that display name. */
export function tenantId(stack: LocalStack, displayName: string): string {
  const tenant = stack.simulator.world.tenants.find((candidate) => candidate.displayName === displayName);
  if (!tenant) throw new Error(`No tenant "${displayName}" in the world`);
  return tenant.id;
}

export interface ApiResult<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/**
 * One request to a deployment. `key`: the function key by default, 'master', 'none', or a literal.
 * A JSON body is sent as JSON; a string is sent as it is with the given content type.
 */
export async function api<T = any>(
  deployment: LocalStackDeployment,
  method: string,
  path: string,
  options: { body?: unknown; contentType?: string; key?: 'function' | 'master' | 'none' | { key: string }; headers?: Record<string, string> } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const key =
    options.key === 'none'
      ? undefined
      : options.key === 'master'
        ? deployment.masterKey
        : typeof options.key === 'object'
          ? options.key.key
          : deployment.functionKey;
  if (key) headers['x-functions-key'] = key;
  let body: string | Buffer | undefined;
  if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) {
    body = options.body;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${deployment.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, text, body: parsed as T };
}

/** The pairing code format (16 Crockford base32 characters in groups of four). */
export const PAIRING_CODE_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

/** A well-formed pairing code that is not `code` (a wrong try). */
export function wrongPairingCode(code: string, variant = 0): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const last = code.at(-1)!;
  const other = alphabet[(alphabet.indexOf(last) + 1 + variant) % alphabet.length];
  return `${code.slice(0, -1)}${other === last ? alphabet[(alphabet.indexOf(other) + 1) % 32] : other}`;
}

/** Polls a partnership until `until` holds; fails with the last state seen. */
export async function waitForPartnership(
  deployment: LocalStackDeployment,
  id: string,
  until: (partnership: any) => boolean,
  timeoutMs = 120_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiResult | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await api(deployment, 'GET', `/api/partnerships/${encodeURIComponent(id)}`);
      if (last.status === 200 && until(last.body)) return last.body;
    } catch (error) {
      lastError = error; // the host may be restarting
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `Partnership ${id} on ${deployment.name} did not get there in ${timeoutMs / 1000} s; last: ${last ? `${last.status} ${JSON.stringify(last.body)}` : String(lastError)}`,
  );
}

export const hasStatus =
  (...statuses: string[]) =>
  (partnership: { status?: string }): boolean =>
    statuses.includes(partnership.status ?? '');

/** Graph and Teams write requests the simulator counted for a tenant (every method but GET). */
export async function writeCount(stack: LocalStack, tenantId: string): Promise<number> {
  const rows = await stack.simulator.control.counters({ tenantId });
  return rows.filter((row) => isWrite(row.operation)).reduce((sum, row) => sum + row.count, 0);
}

/** Every counted request (reads and writes) for a tenant. */
export async function requestCount(stack: LocalStack, tenantId: string): Promise<number> {
  const rows = await stack.simulator.control.counters({ tenantId });
  return rows.reduce((sum, row) => sum + row.count, 0);
}

/** A write: Graph Create/Update/Delete/Set operations and actions, Teams PUTs ($batch items are counted on their own). */
export function isWrite(operation: string): boolean {
  if (operation === 'batch') return false;
  if (operation.startsWith('teams.')) return operation.startsWith('teams.Put');
  const last = operation.split('.').pop() ?? '';
  return /^(Create|Update|Delete|Set)/.test(last) || ['instantiate', 'reauthorize', 'resetToSystemDefault', 'start', 'provisionOnDemand', 'validateCredentials'].includes(last);
}

/** The parts of a tenant dump a handshake changes (for before/after comparisons). */
export function collaborationState(dump: TenantDump): Record<string, unknown> {
  return {
    allowedCloudEndpoints: [...dump.policy.allowedCloudEndpoints].sort(),
    partners: dump.partners.map((partner) => partner.tenantId).sort(),
    teams: dump.teams,
    guests: dump.users.filter((user) => user.userType === 'Guest').map((user) => user.userPrincipalName).sort(),
  };
}

/**
 * A realistic request of Contoso (Global) to partner with Woodgrove China, with guests both ways;
 * the partner URL is the stack's China deployment (an address where nothing listens without one).
 */
export function contosoRequest(stack: LocalStack, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    partnerTenantId: WORLD.china,
    partnerCloud: 'China',
    partnerDeploymentUrl: stack.deployments.China?.baseUrl ?? 'https://127.0.0.1:9',
    displayName: 'Woodgrove China',
    b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all', applications: 'office365' } },
    teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: true }, guestAccess: true, anonymousJoin: true },
    guests: ['li.wei@woodgrove.cn'],
    partnerGuests: ['adele.vance@contoso.com'],
    // Across clouds Graph cannot verify the partner's domains: Contoso's admin vouches for them.
    acceptedPartnerDomains: ['woodgrove.cn', 'woodgrovecn.partner.onmschina.cn'],
    ...overrides,
  };
}

/**
 * The handshake to Active: `initiator` asks `responder` with `request`, the responder's admin
 * approves with the pairing code; fails with both states when either side ends otherwise.
 */
export async function activePartnership(initiator: LocalStackDeployment, responder: LocalStackDeployment, request: Record<string, unknown>): Promise<string> {
  const created = await api(initiator, 'POST', '/api/partnerships', { body: request });
  if (created.status !== 202) throw new Error(`The request was answered ${created.status}: ${created.text}`);
  const id = created.body.id as string;
  await waitForPartnership(responder, id, hasStatus('Draft'));
  const approved = await api(responder, 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } });
  if (approved.status !== 202) throw new Error(`The approval was answered ${approved.status}: ${approved.text}`);
  const settled = hasStatus('Active', 'Failed', 'Rejected', 'Expired');
  const [a, b] = await Promise.all([waitForPartnership(initiator, id, settled), waitForPartnership(responder, id, settled)]);
  if (a.status !== 'Active' || b.status !== 'Active') {
    throw new Error(`Partnership ${id} ended ${a.status} / ${b.status}: ${JSON.stringify(a.lastError ?? b.lastError)}`);
  }
  return id;
}

/** The Events rows of a partnership as stored by a deployment (actor, before and after included). */
export async function storedEvents(stack: LocalStack, deployment: LocalStackDeployment, partnershipId: string): Promise<StoredEvent[]> {
  const { events } = createRepositories({ storage: { connectionString: stack.azurite.connectionString, tablePrefix: deployment.tablePrefix }, tableConflictRetries: 5 });
  return events.list(partnershipId);
}
