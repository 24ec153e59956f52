// The product's own adapters (shared/graph, shared/teams) for a tenant of the simulator's world,
// with the real ClientSecretCredential built the way a deployment builds it (shared/graph/credential).
import { DEFAULT_WORLD_FILE, loadWorld, type RunningSimulator, type SimAppView, type SimTenantView, type World } from '../../infra/local/simulator';
import type { CloudName } from '../../shared/clouds';
import type { RetryPolicy } from '../../shared/config';
import { createCredential, GraphAdapter, RequestCounter } from '../../shared/graph';
import type { TenantAdapters } from '../../shared/plan';
import { TeamsRestAdapter } from '../../shared/teams';
import { appOf, tenantNamed } from './simulator';

/** Short retries so tests with faults on stay quick (Retry-After is still honoured). */
export const TEST_RETRY: RetryPolicy = { maxRetries: 8, baseDelayMs: 20, maxDelayMs: 300, maxRetryAfterMs: 30_000 };

export interface SimTenantAdapters extends TenantAdapters {
  tenant: SimTenantView;
  app: SimAppView;
  cloud: CloudName;
  graphCounter: RequestCounter;
  teamsCounter: RequestCounter;
}

export function adaptersFor(
  sim: RunningSimulator,
  tenantName: string,
  options: { appName?: string; retry?: RetryPolicy; pageSize?: number } = {},
): SimTenantAdapters {
  const tenant = tenantNamed(sim, tenantName);
  const app = appOf(sim, tenant, options.appName);
  const credential = createCredential({ kind: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret }, tenant.id, {
    loginBaseUrl: tenant.loginBaseUrl,
  });
  const graphCounter = new RequestCounter();
  const teamsCounter = new RequestCounter();
  const retry = options.retry ?? TEST_RETRY;
  return {
    tenant,
    app,
    cloud: tenant.cloud as CloudName,
    graphCounter,
    teamsCounter,
    graph: new GraphAdapter({
      credential,
      endpoints: { graphBaseUrl: `${tenant.graphBaseUrl}/v1.0`, graphScope: tenant.graphScope },
      retry,
      counter: graphCounter,
      pageSize: options.pageSize,
    }),
    teams: new TeamsRestAdapter({
      credential,
      endpoints: { teamsAdminBaseUrl: tenant.teamsAdminBaseUrl, teamsScope: tenant.teamsScope },
      retry,
      counter: teamsCounter,
    }),
  };
}

/** Tenant id of the n-th generated partner tenant of `worldWithExtraTenants`. */
export const generatedTenantId = (index: number): string =>
  `${(0x10000000 + index).toString(16)}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;

/** The default world plus `count` small Global tenants (partners need tenants that exist). */
export function worldWithExtraTenants(count: number, cloudOf: (index: number) => CloudName = () => 'Global'): World {
  const world = loadWorld(DEFAULT_WORLD_FILE) as World;
  const extra = Array.from({ length: count }, (_, index) => ({
    id: generatedTenantId(index),
    cloud: cloudOf(index),
    displayName: `Partner ${index}`,
    domains: [`partner${index}.example`],
  }));
  return { ...world, tenants: [...world.tenants, ...extra] };
}
