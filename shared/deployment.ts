// Wiring of one deployment from its configuration: the tenant adapters (Graph + Teams) and the
// Table repositories. Activities build these once per process and reuse them.
import type { TokenCredential } from '@azure/core-auth';
import type { AppConfig } from './config';
import { ManagedIdentityCredential } from '@azure/identity';
import { createCredential } from './graph/credential';
import { GraphAdapter } from './graph/client';
import { RequestCounter } from './graph/counter';
import type { TenantAdapters } from './plan/read';
import { ManualTeamsAdapter } from './teams/manual';
import { TeamsRestAdapter } from './teams/rest';
import { createTableClientFactory, type TableClientFactory } from './tables/client';
import { EventRepository } from './tables/events';
import { PartnershipRepository } from './tables/partnerships';
import { SubscriptionRepository } from './tables/subscriptions';
import { TenantWriterRepository } from './tables/writers';

export interface TenantAdapterOptions {
  /** Another credential than the configured one (tests). */
  credential?: TokenCredential;
  /** Counters of Graph and Teams requests (benchmarks, demo). */
  graphCounter?: RequestCounter;
  teamsCounter?: RequestCounter;
}

/** The Graph and Teams adapters of the deployment's own tenant. */
export function createTenantAdapters(config: AppConfig, options: TenantAdapterOptions = {}): TenantAdapters {
  const credential = options.credential ?? createCredential(config.credential, config.tenantId, config.endpoints);
  const graph = new GraphAdapter({
    credential,
    endpoints: config.endpoints,
    retry: config.retry,
    pageSize: config.graphPageSize,
    batchSize: config.graphBatchSize,
    requestTimeoutMs: config.graphRequestTimeoutMs,
    counter: options.graphCounter,
  });
  const rest = new TeamsRestAdapter({
    credential,
    endpoints: config.endpoints,
    retry: config.retry,
    requestTimeoutMs: config.graphRequestTimeoutMs,
    counter: options.teamsCounter,
    discovery: config.teamsDiscovery,
    hostBaseUrl: config.endpointOverrides.hostBaseUrl,
  });
  // Manual mode still tries to read back (works when the app holds a read-capable role).
  const teams = config.teamsAdapter === 'manual' ? new ManualTeamsAdapter({ reader: rest }) : rest;
  return { graph, teams };
}

export interface Repositories {
  tables: TableClientFactory;
  partnerships: PartnershipRepository;
  events: EventRepository;
  subscriptions: SubscriptionRepository;
  /** Who writes to the tenant right now (offboarding waits for them). */
  writers: TenantWriterRepository;
}

/** The Table repositories of the deployment (tables created on first use). */
export function createRepositories(config: Pick<AppConfig, 'storage' | 'tableConflictRetries'>, options: { tableCredential?: TokenCredential } = {}): Repositories {
  const { storage } = config;
  const tables = storage.connectionString
    ? createTableClientFactory({ connectionString: storage.connectionString, tablePrefix: storage.tablePrefix })
    : createTableClientFactory({
        // Identity-based access: the same endpoint and identity the Functions host uses for AzureWebJobsStorage.
        tableEndpoint: storage.tableEndpoint,
        credential: options.tableCredential ?? managedIdentity(storage.managedIdentityClientId),
        tablePrefix: storage.tablePrefix,
      });
  return {
    tables,
    partnerships: new PartnershipRepository(tables, { conflictRetries: config.tableConflictRetries }),
    events: new EventRepository(tables),
    subscriptions: new SubscriptionRepository(tables),
    writers: new TenantWriterRepository(tables),
  };
}

function managedIdentity(clientId: string | undefined): TokenCredential {
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}
