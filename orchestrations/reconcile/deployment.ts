// The deployment as the reconcile activities and triggers see it: configuration, repositories,
// claims and tenant adapters, built once per process from the app settings (lazily, so an app
// started without settings still loads and its other functions work).
import type { TokenCredential } from '@azure/core-auth';
import {
  createCredential,
  createRepositories,
  createTenantAdapters,
  loadConfig,
  RequestCounter,
  type AppConfig,
  type Repositories,
  type TenantAdapters,
} from '../../shared';
import { ReconcileClaimRepository } from '../../shared/tables/reconcileClaims';

export interface ReconcileDeployment {
  config: AppConfig;
  repositories: Repositories;
  claims: ReconcileClaimRepository;
  /** Fresh adapters with their own request counters (one per run), sharing the credential's token cache. */
  adapters(): TenantAdapters;
}

let cached: ReconcileDeployment | undefined;

/** The process-wide deployment (throws `config.invalid` naming every missing or bad setting). */
export function currentDeployment(): ReconcileDeployment {
  cached ??= createReconcileDeployment(loadConfig(process.env));
  return cached;
}

export function createReconcileDeployment(config: AppConfig, options: { credential?: TokenCredential } = {}): ReconcileDeployment {
  const repositories = createRepositories(config);
  const credential = options.credential ?? createCredential(config.credential, config.tenantId, config.endpoints);
  return {
    config,
    repositories,
    claims: new ReconcileClaimRepository(repositories.tables, { leaseSeconds: config.reconcileClaimLeaseSeconds }),
    adapters: () => createTenantAdapters(config, { credential, graphCounter: new RequestCounter(), teamsCounter: new RequestCounter() }),
  };
}
