// One factory for every Table repository: a connection string plus a table-name prefix, so two
// deployments (or two test suites) can share one storage account without seeing each other's
// rows. A table is created the first time it is asked for, once per factory.
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import { DomainError } from '../errors';

export interface TableClientFactoryOptions {
  /** Storage connection string (Azurite's development one locally). */
  connectionString?: string;
  /** Alternatively (Azure, managed identity): the table endpoint and a credential. */
  tableEndpoint?: string;
  credential?: TokenCredential;
  /**
   * Prepended to every table name, letters and digits only (table names are alphanumeric,
   * 3-63 chars, starting with a letter). Empty by default.
   */
  tablePrefix?: string;
  /** Extra pipeline options (retry policy, additional policies). */
  clientOptions?: TableServiceClientOptions;
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const TABLE_PREFIX = /^([A-Za-z][A-Za-z0-9]*)?$/;

export class TableClientFactory {
  readonly tablePrefix: string;
  private readonly newClient: (tableName: string) => TableClient;
  private readonly ready = new Map<string, Promise<TableClient>>();

  constructor(options: TableClientFactoryOptions) {
    const { connectionString, tableEndpoint, credential } = options;
    if (!connectionString && !(tableEndpoint && credential)) {
      throw new DomainError(
        'config.invalid',
        'The Table repositories need a storage connection string, or a table endpoint and a credential.',
      );
    }
    const prefix = options.tablePrefix ?? '';
    if (!TABLE_PREFIX.test(prefix)) {
      throw new DomainError(
        'config.invalid',
        `Table prefix "${prefix}" is not valid: use letters and digits only, starting with a letter.`,
      );
    }
    this.tablePrefix = prefix;
    if (connectionString) {
      // Azurite speaks plain http; the SDK refuses shared-key auth over http unless told.
      const insecure = /DefaultEndpointsProtocol=http;|TableEndpoint=http:\/\/|UseDevelopmentStorage=true/i.test(connectionString);
      const clientOptions = { allowInsecureConnection: insecure, ...options.clientOptions };
      this.newClient = (name) => TableClient.fromConnectionString(connectionString, name, clientOptions);
    } else {
      this.newClient = (name) => new TableClient(tableEndpoint!, name, credential!, options.clientOptions);
    }
  }

  /** Full table name for a base name such as "Partnerships". */
  tableName(baseName: string): string {
    const name = `${this.tablePrefix}${baseName}`;
    if (!TABLE_NAME.test(name)) {
      throw new DomainError('config.invalid', `Table name "${name}" is not valid (letters and digits, 3-63 characters).`);
    }
    return name;
  }

  /** A client of the table, created in storage on first use (concurrent callers share one creation). */
  async getTable(baseName: string): Promise<TableClient> {
    const name = this.tableName(baseName);
    let pending = this.ready.get(name);
    if (!pending) {
      const client = this.newClient(name);
      pending = client.createTable().then(
        () => client,
        (error: unknown) => {
          this.ready.delete(name);
          throw storageError(`Could not create table ${name}`, error);
        },
      );
      this.ready.set(name, pending);
    }
    return pending;
  }
}

export function createTableClientFactory(options: TableClientFactoryOptions): TableClientFactory {
  return new TableClientFactory(options);
}

/** HTTP status of an @azure/data-tables (RestError) failure, if any. */
export function storageStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Wraps a storage failure in the domain vocabulary (keeps the storage code, never the key). */
export function storageError(message: string, error: unknown): DomainError {
  const status = storageStatus(error);
  const code = (error as { code?: unknown } | null)?.code;
  return new DomainError('storage.unavailable', `${message}: ${status ?? 'no response'}${code ? ` ${String(code)}` : ''}.`, {
    cause: error,
    details: { storageStatus: status ?? null },
  });
}
