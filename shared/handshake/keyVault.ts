// The deployment key in Azure: the private JWK kept as a Key Vault secret. Key Vault keys cannot
// hold Ed25519, so the key is a secret the app reads once per process with its managed identity.
// NOT exercised against a real vault here (nothing reaches Azure); the logic is tested through
// the `SecretStoreClient` boundary, which the real SecretClient satisfies.
import type { TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { DomainError } from '../errors';
import { deploymentKeyFromPrivateJwk, generateDeploymentKey, PersistentDeploymentKeyStore, type DeploymentKey } from './keys';

/** The part of `@azure/keyvault-secrets`' SecretClient this store uses. */
export interface SecretStoreClient {
  getSecret(name: string): Promise<{ value?: string }>;
  setSecret(name: string, value: string, options?: { contentType?: string; tags?: Record<string, string> }): Promise<unknown>;
}

export interface KeyVaultDeploymentKeyStoreOptions {
  /** Secret name (letters, digits, dashes), e.g. "handshake-deployment-key". */
  secretName: string;
  client: SecretStoreClient;
}

const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

export class KeyVaultDeploymentKeyStore extends PersistentDeploymentKeyStore {
  private readonly secretName: string;
  private readonly client: SecretStoreClient;

  constructor(options: KeyVaultDeploymentKeyStoreOptions) {
    if (!SECRET_NAME.test(options.secretName)) {
      throw new DomainError('config.invalid', `Key Vault secret name "${options.secretName}" is not valid (letters, digits and dashes).`);
    }
    super();
    this.secretName = options.secretName;
    this.client = options.client;
  }

  protected async create(): Promise<DeploymentKey> {
    const { privateJwk } = await generateDeploymentKey();
    try {
      await this.client.setSecret(this.secretName, JSON.stringify(privateJwk), {
        contentType: 'application/jwk+json',
        tags: { purpose: 'cross-cloud-handshake deployment signing key' },
      });
    } catch (error) {
      throw keyVaultError('write', this.secretName, error);
    }
    // Read back the latest version: if two instances raced, both end up with the last one written.
    const created = await this.read();
    if (!created) throw new DomainError('config.invalid', `Key Vault secret ${this.secretName} is missing right after it was written.`);
    return created;
  }

  protected async read(): Promise<DeploymentKey | undefined> {
    let value: string | undefined;
    try {
      value = (await this.client.getSecret(this.secretName)).value;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw keyVaultError('read', this.secretName, error);
    }
    let privateJwk: unknown;
    try {
      privateJwk = JSON.parse(value ?? '');
    } catch {
      throw new DomainError('config.invalid', `Key Vault secret ${this.secretName} is not a JSON private JWK.`);
    }
    return deploymentKeyFromPrivateJwk(privateJwk, `Key Vault secret ${this.secretName}`);
  }
}

export interface KeyVaultDeploymentKeyStoreConfig {
  /** e.g. https://my-vault.vault.azure.net (or .vault.usgovcloudapi.net / .vault.azure.cn). */
  vaultUrl: string;
  secretName: string;
  /** Defaults to the Function App's managed identity (user-assigned when `managedIdentityClientId` is set). */
  credential?: TokenCredential;
  managedIdentityClientId?: string;
}

/** The Azure wiring: a real SecretClient authenticated with the app's managed identity. */
export function createKeyVaultDeploymentKeyStore(config: KeyVaultDeploymentKeyStoreConfig): KeyVaultDeploymentKeyStore {
  let url: URL;
  try {
    url = new URL(config.vaultUrl);
  } catch {
    throw new DomainError('config.invalid', `Key Vault URL "${config.vaultUrl}" is not a URL.`);
  }
  if (url.protocol !== 'https:') throw new DomainError('config.invalid', `Key Vault URL "${config.vaultUrl}" must use https.`);
  const credential =
    config.credential ??
    (config.managedIdentityClientId
      ? new ManagedIdentityCredential({ clientId: config.managedIdentityClientId })
      : new ManagedIdentityCredential());
  return new KeyVaultDeploymentKeyStore({ secretName: config.secretName, client: new SecretClient(url.toString(), credential) });
}

function keyVaultError(action: 'read' | 'write', secretName: string, error: unknown): DomainError {
  const status = (error as { statusCode?: number }).statusCode;
  const code = (error as { code?: string }).code;
  const domainCode = status === 403 || status === 401 ? 'tenant.permission-denied' : 'storage.unavailable';
  return new DomainError(domainCode, `Could not ${action} Key Vault secret ${secretName}: ${status ?? 'no response'}${code ? ` ${code}` : ''}.`, {
    cause: error,
    details: { keyVaultStatus: status ?? null },
  });
}
