// TenantWriters table: who is writing to the tenant on behalf of which partnerships right now — a
// reconcile run, a configure step of a handshake. A writer registers BEFORE it reads which
// partnerships to serve and leaves when it is done; offboarding moves the partnership out of the
// statuses writers serve, then waits for the writers registered at that moment to leave. A writer
// that registers later reads the new status and skips the partnership, so no repair re-adds what
// offboarding removes (see docs/offboarding.md). A writer that died is presumed gone after its lease.
import { odata, type TableClient } from '@azure/data-tables';
import { DomainError } from '../errors';
import { storageError, storageStatus, type TableClientFactory } from './client';

export const TENANT_WRITERS_TABLE = 'TenantWriters';
const PARTITION = 'writer';
const WRITER_ID = /^[A-Za-z0-9_.:-]{1,250}$/;
/** Every partnership of the deployment (a run over all Active partnerships). */
export const ALL_PARTNERSHIPS_SCOPE = '*';

export interface TenantWriter {
  writerId: string;
  /** The partnerships it serves, or every one. */
  scope: readonly string[] | typeof ALL_PARTNERSHIPS_SCOPE;
  startedAt: string;
  /** After this it is presumed dead (its process crashed). */
  expiresAt: string;
}

export class TenantWriterRepository {
  constructor(private readonly tables: TableClientFactory, private readonly now: () => Date = () => new Date()) {}

  /** Registers (or renews, for a retried attempt) a writer for `leaseSeconds`. */
  async begin(writerId: string, scope: TenantWriter['scope'], leaseSeconds: number): Promise<TenantWriter> {
    assertWriterId(writerId);
    const startedAt = this.now();
    const writer: TenantWriter = {
      writerId,
      scope: scope === ALL_PARTNERSHIPS_SCOPE ? scope : [...scope],
      startedAt: startedAt.toISOString(),
      expiresAt: new Date(startedAt.getTime() + leaseSeconds * 1000).toISOString(),
    };
    const table = await this.table();
    try {
      await table.upsertEntity(
        { partitionKey: PARTITION, rowKey: writerId, scope: JSON.stringify(writer.scope), startedAt: writer.startedAt, expiresAt: writer.expiresAt },
        'Replace',
      );
    } catch (error) {
      throw storageError('Could not register the tenant writer', error);
    }
    return writer;
  }

  /** The writer is done (leaving twice is fine). */
  async end(writerId: string): Promise<void> {
    assertWriterId(writerId);
    const table = await this.table();
    try {
      await table.deleteEntity(PARTITION, writerId);
    } catch (error) {
      if (storageStatus(error) !== 404) throw storageError('Could not remove the tenant writer', error);
    }
  }

  /** Runs `work` as a registered writer; it leaves however `work` ends. */
  async whileRegistered<T>(writerId: string, scope: TenantWriter['scope'], leaseSeconds: number, work: () => Promise<T>): Promise<T> {
    await this.begin(writerId, scope, leaseSeconds);
    try {
      return await work();
    } finally {
      // A writer that cannot leave is presumed gone once its lease ends.
      await this.end(writerId).catch(() => undefined);
    }
  }

  /** Writers whose lease still runs and that serve `partnershipId` (or every partnership); optionally only those named. */
  async inFlight(partnershipId: string, only?: readonly string[]): Promise<TenantWriter[]> {
    const table = await this.table();
    const now = this.now().toISOString();
    const writers: TenantWriter[] = [];
    try {
      for await (const entity of table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${PARTITION} and expiresAt gt ${now}` },
      })) {
        const writer = fromEntity(entity);
        if (only && !only.includes(writer.writerId)) continue;
        if (writer.scope === ALL_PARTNERSHIPS_SCOPE || writer.scope.includes(partnershipId)) writers.push(writer);
      }
    } catch (error) {
      throw storageError('Could not list the tenant writers', error);
    }
    return writers.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.writerId.localeCompare(b.writerId));
  }

  private table(): Promise<TableClient> {
    return this.tables.getTable(TENANT_WRITERS_TABLE);
  }
}

/** A writer id from parts that may hold other characters (run ids, step names, times). */
export function tenantWriterId(...parts: string[]): string {
  return parts.join(':').replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 250);
}

function assertWriterId(writerId: string): void {
  if (!WRITER_ID.test(writerId)) throw new DomainError('request.invalid', `Tenant writer id "${writerId}" is not valid.`);
}

function fromEntity(entity: Record<string, unknown>): TenantWriter {
  let scope: TenantWriter['scope'] = [];
  try {
    const parsed = JSON.parse(String(entity.scope)) as unknown;
    scope = parsed === ALL_PARTNERSHIPS_SCOPE ? ALL_PARTNERSHIPS_SCOPE : Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    // A row that cannot be read serves nobody we know: treat it as serving everyone (safe side).
    scope = ALL_PARTNERSHIPS_SCOPE;
  }
  return { writerId: String(entity.rowKey), scope, startedAt: String(entity.startedAt), expiresAt: String(entity.expiresAt) };
}
