// Host keys kept in the storage account, as Azure Functions keeps them (secret storage type
// "blob", the default): container `azure-webjobs-secrets`, blob `{hostId}/host.json`, holding the
// master key, the host function keys and the system keys. A key the host generates is written
// there; a host that starts again on the same storage reads it back, so every key handed out
// before — a function key, the `code=` of a durable management URL — still works after a restart
// or a crash. A key given as a setting wins and is not written.
import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import { HostError, describeError } from '../errors';

export const SECRETS_CONTAINER = 'azure-webjobs-secrets';
/** Names Azure gives these keys inside host.json. */
export const STORED_KEY_NAMES = { functionDefault: 'default', durableSystem: 'durabletask_extension' } as const;

interface StoredKey {
  name: string;
  value: string;
  encrypted: boolean;
}

/** The shape of `azure-webjobs-secrets/{hostId}/host.json`. */
export interface HostSecretsDocument {
  masterKey: StoredKey;
  functionKeys: StoredKey[];
  systemKeys: StoredKey[];
  hostName: string | null;
  instanceId: string;
  source: string;
  decryptionKeyId: string;
}

export interface StoredHostKeys {
  master: string;
  functionDefault: string;
  durableSystem: string;
}

export class HostSecretStore {
  private readonly container: ContainerClient;
  readonly blobName: string;

  constructor(connectionString: string, hostId: string) {
    try {
      const service = BlobServiceClient.fromConnectionString(connectionString, {
        retryOptions: { maxTries: 4, retryDelayInMs: 100, maxRetryDelayInMs: 2_000 },
      });
      this.container = service.getContainerClient(SECRETS_CONTAINER);
    } catch (error) {
      throw new HostError('storage.invalid', `The storage connection string is not usable for host keys: ${describeError(error)}`);
    }
    this.blobName = `${hostId.toLowerCase()}/host.json`;
  }

  /** Where the keys live, for messages: `azure-webjobs-secrets/{hostId}/host.json`. */
  get location(): string {
    return `${SECRETS_CONTAINER}/${this.blobName}`;
  }

  /** The stored keys, or undefined when none are stored yet. */
  async read(): Promise<StoredHostKeys | undefined> {
    let text: string;
    try {
      const body = await this.container.getBlockBlobClient(this.blobName).downloadToBuffer();
      text = body.toString('utf8');
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw new HostError('storage.unreachable', `Could not read the host keys from ${this.location}: ${describeError(error)}`);
    }
    return parseSecrets(text, this.location);
  }

  /**
   * Stores `keys` unless keys are already stored (another host on the same storage was first);
   * resolves with the keys that are stored afterwards.
   */
  async create(keys: StoredHostKeys, hostName: string | null): Promise<StoredHostKeys> {
    const document: HostSecretsDocument = {
      masterKey: { name: 'master', value: keys.master, encrypted: false },
      functionKeys: [{ name: STORED_KEY_NAMES.functionDefault, value: keys.functionDefault, encrypted: false }],
      systemKeys: [{ name: STORED_KEY_NAMES.durableSystem, value: keys.durableSystem, encrypted: false }],
      hostName,
      instanceId: String(process.pid),
      source: 'runtime',
      decryptionKeyId: '',
    };
    const text = JSON.stringify(document, null, 2);
    try {
      await this.container.createIfNotExists();
      await this.container.getBlockBlobClient(this.blobName).upload(text, Buffer.byteLength(text), {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return keys;
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) {
        const stored = await this.read();
        if (stored) return stored;
      }
      throw new HostError('storage.unreachable', `Could not store the host keys in ${this.location}: ${describeError(error)}`);
    }
  }
}

function parseSecrets(text: string, location: string): StoredHostKeys {
  const invalid = (why: string): HostError => new HostError('settings.invalid', `The host keys in ${location} are not usable: ${why}. Delete the blob to have new keys generated.`);
  let document: Partial<HostSecretsDocument>;
  try {
    document = JSON.parse(text) as Partial<HostSecretsDocument>;
  } catch {
    throw invalid('not JSON');
  }
  const value = (key: StoredKey | undefined, what: string): string => {
    if (!key || typeof key.value !== 'string' || key.value.length < 16) throw invalid(`${what} is missing`);
    if (key.encrypted) throw invalid(`${what} is encrypted (this host stores and reads plain keys only)`);
    return key.value;
  };
  return {
    master: value(document.masterKey, 'the master key'),
    functionDefault: value(document.functionKeys?.find((key) => key.name === STORED_KEY_NAMES.functionDefault), `function key "${STORED_KEY_NAMES.functionDefault}"`),
    durableSystem: value(document.systemKeys?.find((key) => key.name === STORED_KEY_NAMES.durableSystem), `system key "${STORED_KEY_NAMES.durableSystem}"`),
  };
}
