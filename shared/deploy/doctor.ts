// The health check of a running deployment (`GET /api/health`, printed by `handshake doctor`):
// one result per check — configuration, storage, signing key, Graph permissions in the
// identity's token, the Teams admin API (or manual mode), the public webhook, the clock — each
// ok / warn / fail with the fix. A check never throws; secrets never appear in a result.
import type { TokenCredential } from '@azure/core-auth';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { AppConfig } from '../config';
import { DomainError } from '../errors';
import type { DeploymentKeyStore } from '../handshake/keys';
import { EVENTS_TABLE } from '../tables/events';
import { KEYS_TABLE } from '../tables/keys';
import { NONCES_TABLE } from '../tables/nonces';
import { PARTNERSHIPS_TABLE } from '../tables/partnerships';
import { SUBSCRIPTIONS_TABLE } from '../tables/subscriptions';
import type { TableClientFactory } from '../tables/client';
import { TeamsRestAdapter } from '../teams/rest';
import { manualTeamsReason, recommendedTeamsMode, requiredGraphPermissions, TEAMS_ADMINISTRATOR_ROLE_ID } from './permissions';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export const CHECK_NAMES = ['configuration', 'storage', 'signing-key', 'graph-permissions', 'teams', 'webhook', 'clock'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult {
  name: CheckName;
  status: CheckStatus;
  message: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

export interface DoctorReport {
  status: CheckStatus;
  checkedAt: string;
  checks: CheckResult[];
}

/** What the checks look at: the deployment as the app builds it from its settings. */
export interface DoctorTarget {
  config: AppConfig;
  tables: TableClientFactory;
  keyStore: DeploymentKeyStore;
  /** The deployment's own credential (its managed identity in Azure). */
  credential: TokenCredential;
}

export interface DoctorOptions {
  /** Path of the Graph change-notification webhook below the public URL, e.g. `/api/graph/notifications`. */
  webhookPath: string;
  /** Largest clock difference accepted (the handshake's message skew). */
  maxClockSkewMs: number;
  requestTimeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

const TABLES = [PARTNERSHIPS_TABLE, EVENTS_TABLE, NONCES_TABLE, KEYS_TABLE, SUBSCRIPTIONS_TABLE];
const SETUP_FIX = 'run `handshake setup` for this deployment (see README, "Deploy to Azure")';

/** Runs every check; `load` builds the deployment from its settings (a throw is the configuration check failing). */
export async function runDoctor(load: () => DoctorTarget, options: DoctorOptions): Promise<DoctorReport> {
  const now = options.now ?? Date.now;
  const checks: CheckResult[] = [];
  let target: DoctorTarget | undefined;
  try {
    target = load();
    const { config } = target;
    checks.push({
      name: 'configuration',
      status: 'ok',
      message: `tenant ${config.tenantId} in ${config.cloud}, Teams mode ${config.teamsAdapter}, reconcile ${config.reconcileMode} on "${config.reconcileSchedule}"`,
    });
  } catch (error) {
    const problems = error instanceof DomainError && Array.isArray(error.details?.problems) ? (error.details.problems as string[]) : [messageOf(error)];
    checks.push({ name: 'configuration', status: 'fail', message: `the app settings do not load: ${problems.join('; ')}`, fix: 'set the app settings named (README, "Settings")' });
    for (const name of CHECK_NAMES.slice(1)) checks.push({ name, status: 'warn', message: 'not checked: the configuration does not load' });
    return finish(checks, now);
  }
  const context: CheckContext = { target, options, now, fetch: options.fetch ?? fetch, timeoutMs: options.requestTimeoutMs ?? 10_000 };
  checks.push(await checkStorage(context));
  checks.push(await checkSigningKey(context));
  checks.push(await checkGraphPermissions(context));
  checks.push(await checkTeams(context));
  checks.push(await checkWebhook(context));
  checks.push(await checkClock(context));
  return finish(checks, now);
}

interface CheckContext {
  target: DoctorTarget;
  options: DoctorOptions;
  now: () => number;
  fetch: typeof fetch;
  timeoutMs: number;
}

async function checkStorage({ target }: CheckContext): Promise<CheckResult> {
  try {
    for (const table of TABLES) {
      const client = await target.tables.getTable(table);
      await client.listEntities().byPage({ maxPageSize: 1 }).next();
    }
    return { name: 'storage', status: 'ok', message: `tables reachable: ${TABLES.map((table) => target.tables.tableName(table)).join(', ')}` };
  } catch (error) {
    return {
      name: 'storage',
      status: 'fail',
      message: `storage is not reachable: ${messageOf(error)}`,
      fix: 'check the storage settings and that the identity holds Storage Table Data Contributor on the account',
    };
  }
}

async function checkSigningKey({ target }: CheckContext): Promise<CheckResult> {
  try {
    const key = await target.keyStore.getDeploymentKey();
    const kept = target.config.deploymentKey;
    const where = kept?.kind === 'keyVault' ? ` (Key Vault secret ${kept.secretName})` : kept?.kind === 'file' ? ' (key file)' : '';
    return { name: 'signing-key', status: 'ok', message: `signing key ${key.kid} readable${where}` };
  } catch (error) {
    return {
      name: 'signing-key',
      status: 'fail',
      message: `the signing key cannot be read: ${messageOf(error)}`,
      fix: 'set KEY_VAULT_URL (Azure) or HANDSHAKE_KEY_FILE (local); the identity needs Key Vault Secrets Officer on the vault',
    };
  }
}

async function checkGraphPermissions({ target }: CheckContext): Promise<CheckResult> {
  const { config } = target;
  const needed = requiredGraphPermissions(config.cloud).map((need) => need.permission);
  let roles: string[];
  try {
    roles = claimList(await tokenClaims(target.credential, config.endpoints.graphScope), 'roles');
  } catch (error) {
    return { name: 'graph-permissions', status: 'fail', message: `no Microsoft Graph token for the identity: ${messageOf(error)}`, fix: 'check the identity settings (MANAGED_IDENTITY_CLIENT_ID)' };
  }
  const missing = needed.filter((permission) => !roles.includes(permission));
  if (missing.length > 0) {
    return {
      name: 'graph-permissions',
      status: 'fail',
      message: `the identity's token lacks ${missing.join(', ')} (has ${needed.length - missing.length} of ${needed.length})`,
      fix: SETUP_FIX,
    };
  }
  return { name: 'graph-permissions', status: 'ok', message: `the identity's token carries all ${needed.length}: ${needed.join(', ')}` };
}

async function checkTeams({ target, timeoutMs }: CheckContext): Promise<CheckResult> {
  const { config } = target;
  if (config.teamsAdapter === 'manual') {
    return { name: 'teams', status: 'ok', message: `manual mode: ${manualTeamsReason(config.cloud)}` };
  }
  const caution = recommendedTeamsMode(config.cloud).mode === 'manual' ? ` (caution: ${recommendedTeamsMode(config.cloud).why})` : '';
  try {
    const wids = claimList(await tokenClaims(target.credential, config.endpoints.teamsScope), 'wids');
    if (!wids.includes(TEAMS_ADMINISTRATOR_ROLE_ID)) {
      return {
        name: 'teams',
        status: 'fail',
        message: `the identity does not hold the Teams Administrator role (its Teams token has no such role)${caution}`,
        fix: `${SETUP_FIX}, or set TEAMS_ADAPTER=manual`,
      };
    }
    const adapter = new TeamsRestAdapter({
      credential: target.credential,
      endpoints: config.endpoints,
      retry: { ...config.retry, maxRetries: 1 },
      requestTimeoutMs: timeoutMs,
      discovery: config.teamsDiscovery,
      hostBaseUrl: config.endpointOverrides.hostBaseUrl,
    });
    await adapter.read(['TenantFederationSettings']);
    const hostNote = config.endpoints.teamsAdminHostConfirmed ? '' : ' (this cloud\'s Teams admin host is unconfirmed: it answered)';
    return {
      name: 'teams',
      status: caution ? 'warn' : 'ok',
      message: `the Teams admin API answered at ${await adapter.configurationBaseUrl()}${hostNote}${caution}`,
      ...(caution ? { fix: 'consider TEAMS_ADAPTER=manual' } : {}),
    };
  } catch (error) {
    return {
      name: 'teams',
      status: 'fail',
      message: `the Teams admin API did not answer: ${messageOf(error)}${caution}`,
      fix: `check TEAMS_ADMIN_BASE_URL and the Teams Administrator role (${SETUP_FIX}), or set TEAMS_ADAPTER=manual`,
    };
  }
}

async function checkWebhook({ target, options, fetch: fetchImpl, timeoutMs }: CheckContext): Promise<CheckResult> {
  const base = target.config.publicBaseUrl?.replace(/\/+$/, '');
  if (!base) {
    return { name: 'webhook', status: 'fail', message: 'PUBLIC_BASE_URL is not set: partners and Microsoft Graph cannot reach this deployment', fix: 'set PUBLIC_BASE_URL to the app\'s public https URL' };
  }
  const token = `doctor ${randomBytes(9).toString('base64url')}: validation`;
  const url = `${base}${options.webhookPath}?validationToken=${encodeURIComponent(token)}`;
  try {
    const response = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '', signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    if (response.status !== 200 || text !== token) {
      return {
        name: 'webhook',
        status: 'fail',
        message: `${base}${options.webhookPath} answered ${response.status} without echoing the validation token`,
        fix: 'PUBLIC_BASE_URL must be this app\'s own public URL',
      };
    }
    if (new URL(base).protocol !== 'https:') {
      return { name: 'webhook', status: 'warn', message: `${base} answers the validation handshake, but Microsoft Graph only calls https URLs`, fix: 'use an https PUBLIC_BASE_URL' };
    }
    return { name: 'webhook', status: 'ok', message: `${base}${options.webhookPath} answers the validation handshake` };
  } catch (error) {
    return { name: 'webhook', status: 'fail', message: `${base} is not reachable: ${messageOf(error)}`, fix: 'PUBLIC_BASE_URL must be this app\'s public URL, reachable from the internet' };
  }
}

async function checkClock({ target, options, now, fetch: fetchImpl, timeoutMs }: CheckContext): Promise<CheckResult> {
  const { config } = target;
  const url = `${config.endpoints.loginBaseUrl}/${config.tenantId}/v2.0/.well-known/openid-configuration`;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => undefined);
    const date = Date.parse(response.headers.get('date') ?? '');
    if (Number.isNaN(date)) return { name: 'clock', status: 'warn', message: `${new URL(url).host} sent no Date header to compare the clock with` };
    // The header has whole seconds: up to 1 s of the difference is rounding.
    const skewMs = now() - date;
    const text = `${Math.round(Math.abs(skewMs) / 1000)} s ${skewMs >= 0 ? 'ahead of' : 'behind'} the sign-in service`;
    if (Math.abs(skewMs) > options.maxClockSkewMs) {
      return { name: 'clock', status: 'fail', message: `the clock is ${text} (more than ${options.maxClockSkewMs / 60_000} min): partners would refuse its messages`, fix: 'fix the host\'s time synchronisation' };
    }
    return { name: 'clock', status: 'ok', message: `the clock is ${text}` };
  } catch (error) {
    return { name: 'clock', status: 'warn', message: `could not compare the clock with the sign-in service: ${messageOf(error)}` };
  }
}

async function tokenClaims(credential: TokenCredential, scope: string): Promise<Record<string, unknown>> {
  const token = await credential.getToken(scope);
  if (!token) throw new Error(`no token for ${scope}`);
  return decodeJwt(token.token) as Record<string, unknown>;
}

function claimList(claims: Record<string, unknown>, name: string): string[] {
  const value = claims[name];
  return Array.isArray(value) ? value.map(String) : [];
}

function finish(checks: CheckResult[], now: () => number): DoctorReport {
  const status: CheckStatus = checks.some((check) => check.status === 'fail') ? 'fail' : checks.some((check) => check.status === 'warn') ? 'warn' : 'ok';
  return { status, checkedAt: new Date(now()).toISOString(), checks };
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 400);
}
