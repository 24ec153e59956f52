// Table clients for the host: every request (each retry too) is counted, so the benchmark can
// report storage round trips as measured rather than estimated.
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { HostError, describeError } from '../errors';

export class StorageMetrics {
  roundTrips = 0;
  /** Per table, for diagnostics. */
  readonly byTable = new Map<string, number>();

  record(url: string): void {
    this.roundTrips++;
    const table = /\/([A-Za-z][A-Za-z0-9]*)(?:\(|\?|$)/.exec(new URL(url).pathname)?.[1] ?? '(service)';
    this.byTable.set(table, (this.byTable.get(table) ?? 0) + 1);
  }

  snapshot(): { storageRoundTrips: number; byTable: Record<string, number> } {
    return { storageRoundTrips: this.roundTrips, byTable: Object.fromEntries(this.byTable) };
  }
}

export interface TableFactoryOptions {
  connectionString: string;
  metrics: StorageMetrics;
  /** Retries per request; 0 for probes that should fail fast. */
  maxRetries?: number;
}

export function createTableClient(tableName: string, options: TableFactoryOptions): TableClient {
  const metrics = options.metrics;
  try {
    return TableClient.fromConnectionString(options.connectionString, tableName, {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: 100, maxRetryDelayInMs: 2_000 },
      additionalPolicies: [
        {
          position: 'perRetry',
          policy: {
            name: 'countStorageRoundTrips',
            sendRequest: (request, next) => {
              metrics.record(request.url);
              return next(request);
            },
          },
        },
      ],
    });
  } catch (error) {
    throw new HostError('storage.invalid', `The storage connection string is not usable: ${describeError(error)}`);
  }
}

/** Creates the tables (if absent), failing fast and clearly when storage cannot be reached. */
export async function ensureTables(connectionString: string, tableNames: string[], metrics: StorageMetrics): Promise<void> {
  let service: TableServiceClient;
  try {
    service = TableServiceClient.fromConnectionString(connectionString, {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 1, retryDelayInMs: 200 },
    });
  } catch (error) {
    throw new HostError('storage.invalid', `The storage connection string is not usable: ${describeError(error)}`);
  }
  for (const name of tableNames) {
    try {
      metrics.record(`${service.url}/Tables`);
      await service.createTable(name, { abortSignal: AbortSignal.timeout(15_000) });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 409) continue;
      throw new HostError('storage.unreachable', `Cannot reach table storage at ${service.url}: ${describeError(error)}`, { cause: error });
    }
  }
}

// Azure Tables limit a string property to 64 KiB (32K UTF-16 code units); longer text is split.
const TEXT_CHUNK = 30_000;

/** Stores `value` in `entity[name]`, split over `name`, `name_1`… when long. Null stores nothing. */
export function putText(entity: Record<string, unknown>, name: string, value: string | null | undefined): void {
  if (value === null || value === undefined) return;
  if (value.length <= TEXT_CHUNK) {
    entity[name] = value;
    return;
  }
  const parts = splitText(value);
  entity[name] = parts[0];
  for (let i = 1; i < parts.length; i++) entity[`${name}_${i}`] = parts[i];
  entity[`${name}Parts`] = parts.length;
}

export function getText(entity: Record<string, unknown>, name: string): string | null {
  const first = entity[name];
  if (typeof first !== 'string') return null;
  const parts = entity[`${name}Parts`];
  if (typeof parts !== 'number') return first;
  let text = first;
  for (let i = 1; i < parts; i++) text += String(entity[`${name}_${i}`] ?? '');
  return text;
}

/** Splits text into chunks that never cut a surrogate pair. */
export function splitText(value: string, size = TEXT_CHUNK): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < value.length) {
    let end = Math.min(start + size, value.length);
    const code = value.charCodeAt(end - 1);
    if (end < value.length && code >= 0xd800 && code <= 0xdbff) end--;
    parts.push(value.slice(start, end));
    start = end;
  }
  return parts;
}

/** An entity to write. */
export type Entity = { partitionKey: string; rowKey: string; [key: string]: unknown };
/** An entity as read back (keys and etag may be absent with a select). */
export type EntityResult = { partitionKey?: string; rowKey?: string; etag?: string; [key: string]: unknown };
