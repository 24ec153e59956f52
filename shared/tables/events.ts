// Events table (see docs/architecture.md): the append-only audit of every partnership — who did what when,
// with the before/after of each change. Rows are only ever inserted. An event given an `id`
// (and `at`) is idempotent: the same event appended twice (an activity retried) is stored once.
import { randomUUID } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { DomainError } from '../errors';
import { storageError, storageStatus, type TableClientFactory } from './client';
import { packJson, unpackJson } from './json';

export const EVENTS_TABLE = 'Events';
/** Partition of events that concern the whole deployment (reconcile runs, subscriptions). */
export const DEPLOYMENT_EVENTS = 'deployment';
const MAX_TRANSACTION = 100;

export interface NewEvent {
  /** The partnership (or DEPLOYMENT_EVENTS). */
  partnershipId: string;
  /** What happened, e.g. "status.changed", "operation.applied", "drift.detected", "message.sent". */
  type: string;
  /** Who: "orchestration", "reconcile", "admin", "partner", "admin-portal". */
  actor: string;
  /** One sentence. */
  message: string;
  /** When (an orchestration passes its currentUtcDateTime, so a replay appends the same event). Default now. */
  at?: string;
  /** Stable id making the append idempotent (e.g. `${instanceId}:${step}`). Default random. */
  id?: string;
  step?: string;
  operationId?: string;
  before?: unknown;
  after?: unknown;
  data?: Record<string, unknown>;
}

export interface StoredEvent extends Required<Pick<NewEvent, 'partnershipId' | 'type' | 'actor' | 'message' | 'at' | 'id'>> {
  step?: string;
  operationId?: string;
  before?: unknown;
  after?: unknown;
  data?: Record<string, unknown>;
}

const EVENT_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

export class EventRepository {
  constructor(private readonly tables: TableClientFactory, private readonly now: () => Date = () => new Date()) {}

  /** Appends one event (a second append of the same `id` and `at` is ignored). */
  async append(event: NewEvent): Promise<StoredEvent> {
    const stored = this.complete(event);
    const entity = toEntity(stored);
    const table = await this.table();
    try {
      await table.createEntity(entity);
    } catch (error) {
      if (storageStatus(error) !== 409) throw storageError('Could not append the event', error);
    }
    return stored;
  }

  /**
   * Appends several events of one partnership in entity-group transactions (100 per request);
   * falls back to one by one when some were already stored (a retried activity).
   */
  async appendMany(events: readonly NewEvent[]): Promise<StoredEvent[]> {
    const stored = events.map((event) => this.complete(event));
    stored.forEach(toEntity); // validates every event before anything is written
    const table = await this.table();
    const byPartition = new Map<string, StoredEvent[]>();
    for (const event of stored) byPartition.set(event.partnershipId, [...(byPartition.get(event.partnershipId) ?? []), event]);
    for (const group of byPartition.values()) {
      for (let start = 0; start < group.length; start += MAX_TRANSACTION) {
        const chunk = group.slice(start, start + MAX_TRANSACTION);
        try {
          await table.submitTransaction(chunk.map((event): TransactionAction => ['create', toEntity(event)]));
        } catch (error) {
          if (storageStatus(error) !== 409) throw storageError('Could not append the events', error);
          for (const event of chunk) {
            try {
              await table.createEntity(toEntity(event));
            } catch (single) {
              if (storageStatus(single) !== 409) throw storageError('Could not append the event', single);
            }
          }
        }
      }
    }
    return stored;
  }

  /** The events of a partnership in the order they happened. */
  async list(partnershipId: string, options: { since?: string; type?: string; limit?: number } = {}): Promise<StoredEvent[]> {
    const clauses = [odata`PartitionKey eq ${partitionKey(partnershipId)}`];
    const table = await this.table();
    if (options.since) clauses.push(odata`RowKey gt ${options.since}`);
    if (options.type) clauses.push(odata`type eq ${options.type}`);
    const events: StoredEvent[] = [];
    try {
      for await (const entity of table.listEntities({ queryOptions: { filter: clauses.join(' and ') } })) {
        events.push(fromEntity(entity));
        if (options.limit && events.length >= options.limit) break;
      }
    } catch (error) {
      throw storageError('Could not list the events', error);
    }
    return events;
  }

  /**
   * One page of events across partnerships (audit), filtered (`actor` ending in `*`: a prefix); in
   * table order (by partnership, then time). `continuationToken` is the one the previous page
   * returned (opaque).
   */
  async page(
    filter: { partnershipId?: string; actor?: string; type?: string; since?: string },
    paging: { top: number; continuationToken?: string },
  ): Promise<{ events: StoredEvent[]; continuationToken?: string }> {
    if (paging.continuationToken !== undefined && !isTableContinuationToken(paging.continuationToken)) {
      throw new DomainError('request.invalid', 'The request is not valid: continuationToken: is not a token this API issued.', {
        details: { issues: [{ field: 'continuationToken', message: 'is not a token this API issued' }] },
      });
    }
    const clauses: string[] = [];
    if (filter.partnershipId) clauses.push(odata`PartitionKey eq ${partitionKey(filter.partnershipId)}`);
    if (filter.actor?.endsWith('*') && filter.actor.length > 1) {
      // A prefix (`admin:*`, `partner:*`): every string from the prefix up to the next one.
      const prefix = filter.actor.slice(0, -1);
      const after = `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
      clauses.push(odata`actor ge ${prefix}`, odata`actor lt ${after}`);
    } else if (filter.actor) {
      clauses.push(odata`actor eq ${filter.actor}`);
    }
    if (filter.type) clauses.push(odata`type eq ${filter.type}`);
    if (filter.since) clauses.push(odata`at ge ${filter.since}`);
    const table = await this.table();
    const pages = table
      .listEntities({ queryOptions: clauses.length > 0 ? { filter: clauses.join(' and ') } : {} })
      .byPage({ maxPageSize: paging.top, ...(paging.continuationToken ? { continuationToken: paging.continuationToken } : {}) });
    try {
      const next = await pages.next();
      if (next.done || !next.value) return { events: [] };
      const page = next.value as Array<Record<string, unknown>> & { continuationToken?: string };
      return { events: page.map(fromEntity), ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
    } catch (error) {
      throw storageError('Could not list the events', error);
    }
  }

  private complete(event: NewEvent): StoredEvent {
    const id = event.id ?? randomUUID();
    if (!EVENT_ID.test(id)) throw new DomainError('request.invalid', `Event id "${id}" is not valid.`);
    const at = event.at ?? this.now().toISOString();
    if (Number.isNaN(Date.parse(at))) throw new DomainError('request.invalid', `Event time "${at}" is not an ISO date.`);
    return { ...event, id, at: new Date(at).toISOString() };
  }

  private table(): Promise<TableClient> {
    return this.tables.getTable(EVENTS_TABLE);
  }
}

/** The Table SDK's continuation token: base64 JSON `{nextPartitionKey, nextRowKey?}`. */
function isTableContinuationToken(token: string): boolean {
  if (!/^[A-Za-z0-9+/=_-]{1,4000}$/.test(token)) return false;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { nextPartitionKey?: unknown; nextRowKey?: unknown };
    return typeof decoded?.nextPartitionKey === 'string' && (decoded.nextRowKey === undefined || typeof decoded.nextRowKey === 'string');
  } catch {
    return false;
  }
}

/** Keys may not hold / \ # ? or control characters. */
function partitionKey(partnershipId: string): string {
  if (!/^[^/\\#?\u0000-\u001f\u007f-\u009f]{1,200}$/.test(partnershipId)) {
    throw new DomainError('request.invalid', `"${partnershipId}" cannot be used as an Events partition.`);
  }
  return partnershipId;
}

function toEntity(event: StoredEvent): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  // Row keys sort by time, then id: listing a partition returns the history in order.
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: partitionKey(event.partnershipId),
    rowKey: `${event.at}_${event.id}`,
    type: event.type,
    actor: event.actor,
    message: event.message,
    at: event.at,
    eventId: event.id,
    step: event.step ?? '',
    operationId: event.operationId ?? '',
  };
  if (event.before !== undefined) packJson(entity, 'before', event.before);
  if (event.after !== undefined) packJson(entity, 'after', event.after);
  if (event.data !== undefined) packJson(entity, 'data', event.data);
  return entity;
}

function fromEntity(entity: Record<string, unknown>): StoredEvent {
  const event: StoredEvent = {
    partnershipId: String(entity.partitionKey),
    id: String(entity.eventId),
    at: String(entity.at),
    type: String(entity.type),
    actor: String(entity.actor),
    message: String(entity.message),
  };
  if (entity.step) event.step = String(entity.step);
  if (entity.operationId) event.operationId = String(entity.operationId);
  if ('before' in entity) event.before = unpackJson(entity, 'before', null);
  if ('after' in entity) event.after = unpackJson(entity, 'after', null);
  if ('data' in entity) event.data = unpackJson(entity, 'data', {});
  return event;
}
