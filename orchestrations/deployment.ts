// The deployment as the handshake triggers and activities see it: configuration, Table
// repositories, the own signing key, pre-trust rules and the tenant adapters — built once per
// process from the app settings, lazily (an app started without settings still loads and answers
// with a clear `config.invalid` problem on first use).
import { loadConfig, type AppConfig } from '../shared/config';
import { createRepositories, createTenantAdapters, type Repositories } from '../shared/deployment';
import { DomainError } from '../shared/errors';
import {
  createKeyVaultDeploymentKeyStore,
  FileDeploymentKeyStore,
  parsePreTrustRules,
  PRE_TRUST_SETTING,
  type DeploymentKeyStore,
  type PreTrustRule,
} from '../shared/handshake';
import type { TenantAdapters } from '../shared/plan';
import { NonceRepository, PartnerKeyRepository } from '../shared/tables';

export interface HandshakeDeployment {
  config: AppConfig;
  repositories: Repositories & { nonces: NonceRepository; keys: PartnerKeyRepository };
  keyStore: DeploymentKeyStore;
  preTrustRules: readonly PreTrustRule[];
  /** The Graph and Teams adapters of the own tenant (one credential and token cache per process). */
  adapters(): TenantAdapters;
  /** PUBLIC_BASE_URL without a trailing slash (`config.invalid` when unset: partners could not call back). */
  publicBaseUrl(): string;
}

let cached: HandshakeDeployment | undefined;

/** The process-wide deployment (throws `config.invalid` naming every missing or bad setting). */
export function handshakeDeployment(): HandshakeDeployment {
  cached ??= createHandshakeDeployment(process.env);
  return cached;
}

export function createHandshakeDeployment(env: Record<string, string | undefined>): HandshakeDeployment {
  const config = loadConfig(env);
  const repositories = createRepositories(config);
  const keyStore = createKeyStore(config);
  const preTrustRules = parsePreTrustRules(env[PRE_TRUST_SETTING]);
  let adapters: TenantAdapters | undefined;
  return {
    config,
    repositories: { ...repositories, nonces: new NonceRepository(repositories.tables), keys: new PartnerKeyRepository(repositories.tables) },
    keyStore,
    preTrustRules,
    adapters: () => (adapters ??= createTenantAdapters(config)),
    publicBaseUrl: () => {
      if (!config.publicBaseUrl) {
        throw new DomainError('config.invalid', 'PUBLIC_BASE_URL is not set: partners could not reach this deployment.', {
          details: { problems: ['PUBLIC_BASE_URL is required'] },
        });
      }
      return config.publicBaseUrl.replace(/\/+$/, '');
    },
  };
}

function createKeyStore(config: AppConfig): DeploymentKeyStore {
  const key = config.deploymentKey;
  if (key?.kind === 'file') return new FileDeploymentKeyStore({ path: key.path });
  if (key?.kind === 'keyVault') {
    const managedIdentityClientId = config.credential.kind === 'managedIdentity' ? config.credential.clientId : undefined;
    return createKeyVaultDeploymentKeyStore({ vaultUrl: key.vaultUrl, secretName: key.secretName, managedIdentityClientId });
  }
  // Fail on first use, not at load: the app's other functions keep working.
  return {
    getDeploymentKey: () =>
      Promise.reject(
        new DomainError('config.invalid', 'No signing key is configured: set HANDSHAKE_KEY_FILE (local) or KEY_VAULT_URL (Azure).', {
          details: { problems: ['HANDSHAKE_KEY_FILE or KEY_VAULT_URL is required'] },
        }),
      ),
  };
}
