// Partnerships table (design §5): desired state, status, drift status, ownership and the data
// the orchestrations keep with a partnership. Every write is conditional on the ETag read: a
// conflicting update is re-read and re-applied (the change is a pure function), or reported as
// `partnership.conflict` after the configured attempts — never silently lost.
import { randomUUID } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { parseEnvironment, type CloudName } from '../clouds';
import { DEFAULTS } from '../config';
import { DomainError, type SerializedDomainError } from '../errors';
import type { OwnedItem } from '../ownership';
import {
  transition,
  type DesiredCollaboration,
  type DriftStatus,
  type PartnershipStatus,
} from '../partnership';
import { storageError, storageStatus, type TableClientFactory } from './client';
import { packJson, unpackJson } from './json';

export const PARTNERSHIPS_TABLE = 'Partnerships';
const PARTITION = 'partnership';
/** Operations per entity-group transaction (Table storage's limit). */
const MAX_TRANSACTION = 100;
/** Well under a transaction's 4 MiB payload. */
const MAX_TRANSACTION_CHARS = 2_000_000;
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const CONFLICT_BACKOFF_MS = 15;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export type PartnershipRole = 'initiator' | 'responder';

export interface PartnershipRecord {
  id: string;
  role: PartnershipRole;
  status: PartnershipStatus;
  /** Set while Active (and after a reconcile run). */
  driftStatus: DriftStatus | null;
  partnerTenantId: string;
  partnerCloud: CloudName;
  desired: DesiredCollaboration;
  /** The partner's verified domains, once the handshake carried them. */
  partnerDomains: string[];
  /** What this partnership added to the tenant (see shared/ownership). */
  ownership: OwnedItem[];
  /**
   * What an operation under way is about to add: recorded before the tenant write, cleared when
   * its ownership is recorded (see shared/plan/intents and docs/robustness.md).
   */
  intents: OwnedItem[];
  lastError: SerializedDomainError | null;
  /** Workflow data kept with the partnership (invitation jti, key thumbprint, instance ids...). */
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** Incremented by every write. */
  version: number;
  /** Storage ETag of the version read. */
  etag: string;
}

export interface NewPartnership {
  /** Defaults to a random UUID. */
  id?: string;
  role: PartnershipRole;
  desired: DesiredCollaboration;
  status?: PartnershipStatus;
  partnerDomains?: string[];
  data?: Record<string, unknown>;
}

/** The fields an update may change. */
export type PartnershipChanges = Partial<
  Pick<PartnershipRecord, 'status' | 'driftStatus' | 'desired' | 'partnerDomains' | 'ownership' | 'intents' | 'lastError' | 'data'>
>;

export interface PartnershipsOptions {
  /** Re-reads after an ETag conflict before giving up (default DEFAULTS.tableConflictRetries). */
  conflictRetries?: number;
  /** Clock (tests). */
  now?: () => Date;
}

export class PartnershipRepository {
  private readonly conflictRetries: number;
  private readonly now: () => Date;

  constructor(private readonly tables: TableClientFactory, options: PartnershipsOptions = {}) {
    this.conflictRetries = options.conflictRetries ?? DEFAULTS.tableConflictRetries;
    this.now = options.now ?? (() => new Date());
  }

  /** Stores a new partnership (status Draft unless given); `partnership.exists` if the id is taken. */
  async create(input: NewPartnership): Promise<PartnershipRecord> {
    const id = input.id ?? randomUUID();
    assertId(id);
    const at = this.now().toISOString();
    const record: PartnershipRecord = {
      id,
      role: input.role,
      status: input.status ?? 'Draft',
      // Active always carries a drift status (as a transition to Active sets it).
      driftStatus: input.status === 'Active' ? 'InSync' : null,
      partnerTenantId: input.desired.partnerTenantId,
      partnerCloud: input.desired.partnerCloud,
      desired: input.desired,
      partnerDomains: input.partnerDomains ?? [],
      ownership: [],
      intents: [],
      lastError: null,
      data: input.data ?? {},
      createdAt: at,
      updatedAt: at,
      version: 1,
      etag: '',
    };
    const table = await this.table();
    try {
      const response = await table.createEntity(toEntity(record));
      return { ...record, etag: response.etag ?? '' };
    } catch (error) {
      if (storageStatus(error) === 409) throw new DomainError('partnership.exists', `A partnership with id ${id} already exists.`, { details: { id } });
      throw storageError('Could not store the partnership', error);
    }
  }

  async get(id: string): Promise<PartnershipRecord | undefined> {
    assertId(id);
    const table = await this.table();
    try {
      return fromEntity(await table.getEntity(PARTITION, id));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw storageError('Could not read the partnership', error);
    }
  }

  /** The partnership, or `partnership.not-found`. */
  async require(id: string): Promise<PartnershipRecord> {
    const record = await this.get(id);
    if (!record) throw new DomainError('partnership.not-found', `No partnership with id ${id}.`, { details: { id } });
    return record;
  }

  /** Every partnership, optionally only those in the given statuses, with the given partner, or created since a time. */
  async list(filter: { statuses?: readonly PartnershipStatus[]; partnerTenantId?: string; createdSince?: Date } = {}): Promise<PartnershipRecord[]> {
    const table = await this.table();
    const clauses = [odata`PartitionKey eq ${PARTITION}`];
    if (filter.createdSince) clauses.push(odata`createdAt ge ${filter.createdSince.toISOString()}`);
    if (filter.partnerTenantId) clauses.push(odata`partnerTenantId eq ${filter.partnerTenantId.toLowerCase()}`);
    if (filter.statuses?.length) {
      clauses.push(`(${filter.statuses.map((status) => odata`status eq ${status}`).join(' or ')})`);
    }
    const records: PartnershipRecord[] = [];
    try {
      for await (const entity of table.listEntities({ queryOptions: { filter: clauses.join(' and ') } })) {
        records.push(fromEntity(entity));
      }
    } catch (error) {
      throw storageError('Could not list the partnerships', error);
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * One page of partnerships in id order (optionally only those in the given statuses): at most
   * `top`, and a continuation token while more may follow. A token this did not hand out is
   * `request.invalid`.
   */
  async listPage(query: { statuses?: readonly PartnershipStatus[]; top: number; continuationToken?: string }): Promise<PartnershipPage> {
    const table = await this.table();
    const clauses = [odata`PartitionKey eq ${PARTITION}`];
    if (query.statuses?.length) clauses.push(`(${query.statuses.map((status) => odata`status eq ${status}`).join(' or ')})`);
    const records: PartnershipRecord[] = [];
    let token = query.continuationToken === undefined ? undefined : storageToken(query.continuationToken);
    try {
      // Pages of a filtered query may come back short (even empty) with a token: ask for the rest.
      while (records.length < query.top) {
        const pages = table.listEntities({ queryOptions: { filter: clauses.join(' and ') } }).byPage({ maxPageSize: query.top - records.length, continuationToken: token });
        const page = await pages.next();
        if (page.done) {
          token = undefined;
          break;
        }
        for (const entity of page.value) records.push(fromEntity(entity));
        token = page.value.continuationToken;
        if (!token) break;
      }
    } catch (error) {
      // Storage refuses a continuation that does not point into the table: the caller's token was bad.
      if (query.continuationToken !== undefined && storageStatus(error) === 400) throw badToken();
      throw storageError('Could not list the partnerships', error);
    }
    return { records, ...(token ? { continuationToken: apiToken(token) } : {}) };
  }

  /**
   * Reads, applies `change` (a pure function of the current record; it may run again after a
   * conflict), and writes if the record was not changed meanwhile. Returns the stored record.
   * `change` may return undefined to leave the record as it is.
   */
  async update(
    id: string,
    change: (current: PartnershipRecord) => PartnershipChanges | undefined | Promise<PartnershipChanges | undefined>,
  ): Promise<PartnershipRecord> {
    const table = await this.table();
    for (let attempt = 0; ; attempt += 1) {
      const current = await this.require(id);
      const changes = await change(current);
      if (!changes || Object.keys(changes).length === 0) return current;
      const next = this.apply(current, changes);
      try {
        const response = await table.updateEntity(toEntity(next), 'Replace', { etag: current.etag });
        return { ...next, etag: response.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) !== 412) throw storageError('Could not update the partnership', error);
        if (attempt >= this.conflictRetries) {
          throw new DomainError(
            'partnership.conflict',
            `Partnership ${id} kept changing while it was being updated (${attempt + 1} attempts); the update was not written.`,
            { details: { id, attempts: attempt + 1 } },
          );
        }
        // Spread competing writers apart before reading again.
        await sleep(Math.random() * CONFLICT_BACKOFF_MS * 2 ** attempt);
      }
    }
  }

  /**
   * Many updates at once, as `update` would make them one by one: each change is applied to the
   * record as the caller read it (`expected`) and written if that record is unchanged, up to 100
   * per entity-group transaction (all partnerships share one partition; at most 2 MB of them). A
   * transaction that meets a record changed meanwhile is written again one by one through `update`
   * (read, change, write). Resolves with the records as stored.
   */
  async updateMany(
    items: readonly { expected: PartnershipRecord; change: (current: PartnershipRecord) => PartnershipChanges | undefined }[],
  ): Promise<PartnershipRecord[]> {
    const table = await this.table();
    const planned = items.flatMap(({ expected, change }) => {
      const changes = change(expected);
      return changes && Object.keys(changes).length > 0 ? [{ expected, change, next: this.apply(expected, changes) }] : [];
    });
    const stored: PartnershipRecord[] = [];
    const chunks: (typeof planned)[] = [];
    let size = 0;
    for (const item of planned) {
      const itemSize = JSON.stringify(toEntity(item.next)).length;
      const last = chunks[chunks.length - 1];
      if (!last || last.length >= MAX_TRANSACTION || size + itemSize > MAX_TRANSACTION_CHARS) {
        chunks.push([item]);
        size = itemSize;
      } else {
        last.push(item);
        size += itemSize;
      }
    }
    for (const chunk of chunks) {
      try {
        const response = await table.submitTransaction(
          chunk.map(({ expected, next }): TransactionAction => ['update', toEntity(next), 'Replace', { etag: expected.etag }]),
        );
        chunk.forEach(({ next }, index) => stored.push({ ...next, etag: response.subResponses[index]?.etag ?? '' }));
      } catch (error) {
        const status = storageStatus(error);
        if (status !== 412 && status !== 404) throw storageError('Could not update the partnerships', error);
        // Someone changed (or removed) one of them since it was read: decide again on fresh data.
        for (const { expected, change } of chunk) {
          try {
            stored.push(await this.update(expected.id, change));
          } catch (single) {
            if (!(single instanceof DomainError && single.code === 'partnership.not-found')) throw single;
          }
        }
      }
    }
    return stored;
  }

  /**
   * Writes `changes` only if the record is still the version `expected` (its ETag); otherwise
   * `partnership.conflict` — for callers that must decide again on fresh data.
   */
  async updateIfUnchanged(expected: PartnershipRecord, changes: PartnershipChanges): Promise<PartnershipRecord> {
    const table = await this.table();
    const next = this.apply(expected, changes);
    try {
      const response = await table.updateEntity(toEntity(next), 'Replace', { etag: expected.etag });
      return { ...next, etag: response.etag ?? '' };
    } catch (error) {
      const status = storageStatus(error);
      if (status === 412) {
        throw new DomainError('partnership.conflict', `Partnership ${expected.id} was changed by someone else since it was read.`, {
          details: { id: expected.id, version: expected.version },
        });
      }
      if (status === 404) throw new DomainError('partnership.not-found', `No partnership with id ${expected.id}.`, { details: { id: expected.id } });
      throw storageError('Could not update the partnership', error);
    }
  }

  /**
   * Moves the partnership to `to` (checked by the state machine) with optional other changes.
   * Moving to Active sets the drift status to InSync; leaving Active clears it.
   */
  async transition(id: string, to: PartnershipStatus, changes: Omit<PartnershipChanges, 'status'> = {}): Promise<PartnershipRecord> {
    return this.update(id, (current) => {
      transition(current.status, to);
      const driftStatus = to === 'Active' ? (changes.driftStatus ?? 'InSync') : (changes.driftStatus ?? null);
      return { ...changes, status: to, driftStatus };
    });
  }

  private apply(current: PartnershipRecord, changes: PartnershipChanges): PartnershipRecord {
    if (changes.status && changes.status !== current.status) transition(current.status, changes.status);
    const next: PartnershipRecord = { ...current, ...changes, version: current.version + 1, updatedAt: this.now().toISOString() };
    if (changes.desired) {
      next.partnerTenantId = changes.desired.partnerTenantId;
      next.partnerCloud = changes.desired.partnerCloud;
    }
    return next;
  }

  private table(): Promise<TableClient> {
    return this.tables.getTable(PARTNERSHIPS_TABLE);
  }
}

export interface PartnershipPage {
  records: PartnershipRecord[];
  continuationToken?: string;
}

/**
 * The API's continuation token: the storage's (where the next page starts), re-encoded as
 * base64url so it travels in a query string unescaped. The storage's own keys are opaque.
 */
function apiToken(storage: string): string {
  const decoded = JSON.parse(Buffer.from(storage, 'base64').toString('utf8')) as { nextPartitionKey?: string; nextRowKey?: string };
  return Buffer.from(JSON.stringify({ p: decoded.nextPartitionKey ?? '', r: decoded.nextRowKey ?? '' }), 'utf8').toString('base64url');
}

const STORAGE_KEY = /^[A-Za-z0-9!*_.=+/-]{1,400}$/;

function storageToken(api: string): string {
  let token: { p?: unknown; r?: unknown } | undefined;
  try {
    token = api.length <= 1_024 ? (JSON.parse(Buffer.from(api, 'base64url').toString('utf8')) as { p?: unknown; r?: unknown }) : undefined;
  } catch {
    token = undefined;
  }
  const valid = typeof token?.p === 'string' && STORAGE_KEY.test(token.p) && (token.r === '' || (typeof token?.r === 'string' && STORAGE_KEY.test(token.r)));
  if (!valid) throw badToken();
  return Buffer.from(JSON.stringify({ nextPartitionKey: token!.p, ...(token!.r ? { nextRowKey: token!.r } : {}) }), 'utf8').toString('base64');
}

function badToken(): DomainError {
  return new DomainError('request.invalid', 'The request is not valid: continuationToken: is not a token this API handed out.', {
    details: { issues: [{ field: 'continuationToken', message: 'is not a token this API handed out' }] },
  });
}

function assertId(id: string): void {
  if (!ID.test(id)) {
    throw new DomainError('request.invalid', `Partnership id "${id}" is not valid: use letters, digits, "-" and "_" (at most 128).`);
  }
}

function toEntity(record: PartnershipRecord): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: PARTITION,
    rowKey: record.id,
    role: record.role,
    status: record.status,
    driftStatus: record.driftStatus ?? '',
    partnerTenantId: record.partnerTenantId.toLowerCase(),
    partnerCloud: record.partnerCloud,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    version: record.version,
  };
  packJson(entity, 'desired', record.desired);
  packJson(entity, 'partnerDomains', record.partnerDomains);
  packJson(entity, 'ownership', record.ownership);
  packJson(entity, 'intents', record.intents);
  packJson(entity, 'lastError', record.lastError);
  packJson(entity, 'data', record.data);
  return entity;
}

function fromEntity(entity: Record<string, unknown>): PartnershipRecord {
  const desired = unpackJson(entity, 'desired', {} as DesiredCollaboration);
  // Records stored before environments name GCC High and DoD by their earlier names.
  if (desired.partnerCloud) desired.partnerCloud = parseEnvironment(desired.partnerCloud) ?? desired.partnerCloud;
  return {
    id: String(entity.rowKey),
    role: entity.role as PartnershipRole,
    status: entity.status as PartnershipStatus,
    driftStatus: entity.driftStatus ? (entity.driftStatus as DriftStatus) : null,
    partnerTenantId: String(entity.partnerTenantId),
    partnerCloud: (parseEnvironment(entity.partnerCloud) ?? entity.partnerCloud) as CloudName,
    desired,
    partnerDomains: unpackJson(entity, 'partnerDomains', []),
    ownership: unpackJson(entity, 'ownership', []),
    intents: unpackJson(entity, 'intents', []),
    lastError: unpackJson(entity, 'lastError', null),
    data: unpackJson(entity, 'data', {}),
    createdAt: String(entity.createdAt),
    updatedAt: String(entity.updatedAt),
    version: Number(entity.version ?? 1),
    etag: String(entity.etag ?? ''),
  };
}
