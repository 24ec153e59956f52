// The deployment key in Azure: the private JWK kept as a Key Vault secret. Key Vault keys cannot
// hold Ed25519, so the key is a secret the app reads once per process with its managed identity.
//
// Created once, whatever the number of instances starting together: Key Vault has no conditional
// create (every write adds a version), so every instance applies one deterministic rule — the
// OLDEST ENABLED version is the key (ties on Key Vault's one-second `created` broken by version
// id). An instance that created a version reads the versions again only once a full second of the
// vault's clock has passed since its write: any version written later carries a later `created`
// and can never win, and every version that could is already visible — so all instances pick the
// same one. A creator whose version lost disables it. Rotation: disable the current version and
// let the next one (or a new one) be the oldest enabled. See docs/robustness.md.
import type { TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { DomainError } from '../errors';
import { deploymentKeyFromPrivateJwk, generateDeploymentKey, PersistentDeploymentKeyStore, type DeploymentKey } from './keys';

/** What the store reads of a secret version (SecretProperties of `@azure/keyvault-secrets`). */
export interface SecretVersionProperties {
  version?: string;
  enabled?: boolean;
  createdOn?: Date;
}

/** The part of `@azure/keyvault-secrets`' SecretClient this store uses. */
export interface SecretStoreClient {
  getSecret(name: string, options?: { version?: string }): Promise<{ value?: string }>;
  setSecret(name: string, value: string, options?: { contentType?: string; tags?: Record<string, string> }): Promise<{ properties: SecretVersionProperties }>;
  listPropertiesOfSecretVersions(name: string): AsyncIterable<SecretVersionProperties>;
  updateSecretProperties(name: string, version: string, options: { enabled?: boolean }): Promise<unknown>;
}

export interface KeyVaultDeploymentKeyStoreOptions {
  /** Secret name (letters, digits, dashes), e.g. "handshake-deployment-key". */
  secretName: string;
  client: SecretStoreClient;
  /** Wait after a write before deciding (must exceed Key Vault's one-second `created` resolution). */
  settleMs?: number;
}

const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
/** Key Vault's `created` counts whole seconds; a little more than one covers the rounding. */
export const KEY_VAULT_SETTLE_MS = 1_200;
/** A winning version younger than this (local clock) may still have a same-second rival: settle first. */
const RECENT_VERSION_MS = 10_000;

export class KeyVaultDeploymentKeyStore extends PersistentDeploymentKeyStore {
  private readonly secretName: string;
  private readonly client: SecretStoreClient;
  private readonly settleMs: number;

  constructor(options: KeyVaultDeploymentKeyStoreOptions) {
    if (!SECRET_NAME.test(options.secretName)) {
      throw new DomainError('config.invalid', `Key Vault secret name "${options.secretName}" is not valid (letters, digits and dashes).`);
    }
    super();
    this.secretName = options.secretName;
    this.client = options.client;
    this.settleMs = options.settleMs ?? KEY_VAULT_SETTLE_MS;
  }

  protected async create(): Promise<DeploymentKey> {
    const { privateJwk } = await generateDeploymentKey();
    let mine: string | undefined;
    try {
      mine = (
        await this.client.setSecret(this.secretName, JSON.stringify(privateJwk), {
          contentType: 'application/jwk+json',
          tags: { purpose: 'cross-cloud-handshake deployment signing key' },
        })
      ).properties.version;
    } catch (error) {
      throw keyVaultError('write', this.secretName, error);
    }
    await sleep(this.settleMs);
    const winner = await this.oldestEnabledVersion();
    if (!winner?.version) throw new DomainError('config.invalid', `Key Vault secret ${this.secretName} has no enabled version right after one was written.`);
    if (mine && winner.version !== mine) {
      // Another instance's version is older: ours is never used. Disabled so nobody picks it up
      // after that one is rotated away; if this fails it stays enabled and still never wins.
      await this.client.updateSecretProperties(this.secretName, mine, { enabled: false }).catch(() => undefined);
    }
    return this.readVersion(winner.version);
  }

  protected async read(): Promise<DeploymentKey | undefined> {
    let winner = await this.oldestEnabledVersion();
    if (!winner?.version) return undefined;
    if (!winner.createdOn || Date.now() - winner.createdOn.getTime() < RECENT_VERSION_MS) {
      // Written moments ago: a rival from the same second may not be visible yet.
      await sleep(this.settleMs);
      winner = await this.oldestEnabledVersion();
      if (!winner?.version) return undefined;
    }
    return this.readVersion(winner.version);
  }

  /** The version every instance agrees on: the oldest enabled one (version id breaks a tie). */
  private async oldestEnabledVersion(): Promise<SecretVersionProperties | undefined> {
    const versions: SecretVersionProperties[] = [];
    try {
      for await (const properties of this.client.listPropertiesOfSecretVersions(this.secretName)) {
        if (properties.enabled !== false && properties.version) versions.push(properties);
      }
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw keyVaultError('read', this.secretName, error);
    }
    const created = (properties: SecretVersionProperties): number => properties.createdOn?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return versions.sort((a, b) => created(a) - created(b) || a.version!.localeCompare(b.version!))[0];
  }

  private async readVersion(version: string): Promise<DeploymentKey> {
    let value: string | undefined;
    try {
      value = (await this.client.getSecret(this.secretName, { version })).value;
    } catch (error) {
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
