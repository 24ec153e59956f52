// Subscriptions table (see docs/architecture.md): the Graph change-notification subscriptions the deployment
// holds, which partnerships need each, when it expires, and a hash of its clientState (the
// secret itself is never stored; notifications are checked against the hash in constant time).
import { createHash, timingSafeEqual } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { DEFAULTS } from '../config';
import { DomainError } from '../errors';
import { storageError, storageStatus, type TableClientFactory } from './client';
import { packJson, unpackJson } from './json';

export const SUBSCRIPTIONS_TABLE = 'Subscriptions';
const PARTITION = 'subscription';

export interface SubscriptionRecord {
  /** Graph subscription id. */
  subscriptionId: string;
  /** e.g. "groups/{id}/members", "users". */
  resource: string;
  changeType: string;
  expirationDateTime: string;
  /** SHA-256 (hex) of the clientState sent to Graph. */
  clientStateHash: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  /** Partnerships that need this subscription. */
  partnershipIds: string[];
  createdAt: string;
  updatedAt: string;
  etag: string;
}

export type NewSubscription = Omit<SubscriptionRecord, 'createdAt' | 'updatedAt' | 'etag'>;

/** Hash of a clientState secret, as stored. */
export function hashClientState(clientState: string): string {
  return createHash('sha256').update(clientState, 'utf8').digest('hex');
}

/** Constant-time check of a received clientState against a stored hash. */
export function clientStateMatches(received: unknown, storedHash: string): boolean {
  if (typeof received !== 'string') return false;
  const actual = Buffer.from(hashClientState(received), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export class SubscriptionRepository {
  constructor(private readonly tables: TableClientFactory, private readonly now: () => Date = () => new Date()) {}

  /** Stores (or replaces) a subscription. */
  async save(subscription: NewSubscription): Promise<SubscriptionRecord> {
    const table = await this.table();
    const existing = await this.get(subscription.subscriptionId);
    const at = this.now().toISOString();
    const record: SubscriptionRecord = { ...subscription, createdAt: existing?.createdAt ?? at, updatedAt: at, etag: '' };
    try {
      const response = await table.upsertEntity(toEntity(record), 'Replace');
      return { ...record, etag: response.etag ?? '' };
    } catch (error) {
      throw storageError('Could not store the subscription', error);
    }
  }

  async get(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    const key = rowKey(subscriptionId);
    const table = await this.table();
    try {
      return fromEntity(await table.getEntity(PARTITION, key));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw storageError('Could not read the subscription', error);
    }
  }

  async list(filter: { resource?: string; expiringBefore?: Date; partnershipId?: string } = {}): Promise<SubscriptionRecord[]> {
    const table = await this.table();
    const clauses = [odata`PartitionKey eq ${PARTITION}`];
    if (filter.resource) clauses.push(odata`resource eq ${filter.resource}`);
    if (filter.expiringBefore) clauses.push(odata`expirationDateTime lt ${filter.expiringBefore.toISOString()}`);
    const records: SubscriptionRecord[] = [];
    try {
      for await (const entity of table.listEntities({ queryOptions: { filter: clauses.join(' and ') } })) {
        const record = fromEntity(entity);
        if (!filter.partnershipId || record.partnershipIds.includes(filter.partnershipId)) records.push(record);
      }
    } catch (error) {
      throw storageError('Could not list the subscriptions', error);
    }
    return records;
  }

  /** Records a renewal (new expiry). */
  async renewed(subscriptionId: string, expirationDateTime: string): Promise<SubscriptionRecord> {
    const current = await this.get(subscriptionId);
    if (!current) throw new DomainError('request.invalid', `Unknown subscription ${subscriptionId}.`);
    const { createdAt: _c, updatedAt: _u, etag: _e, ...rest } = current;
    return this.save({ ...rest, expirationDateTime });
  }

  /** Adds a partnership to a stored subscription (ETag-checked, retried on conflict). */
  async addPartnership(subscriptionId: string, partnershipId: string): Promise<SubscriptionRecord> {
    return this.change(subscriptionId, (ids) => (ids.includes(partnershipId) ? ids : [...ids, partnershipId]));
  }

  /**
   * Removes a partnership from every subscription; returns the subscriptions no partnership needs
   * any more (delete them in Graph, then call `delete`).
   */
  async releasePartnership(partnershipId: string): Promise<SubscriptionRecord[]> {
    const unneeded: SubscriptionRecord[] = [];
    for (const record of await this.list({ partnershipId })) {
      const saved = await this.change(record.subscriptionId, (ids) => ids.filter((id) => id !== partnershipId));
      if (saved.partnershipIds.length === 0) unneeded.push(saved);
    }
    return unneeded;
  }

  private async change(subscriptionId: string, edit: (ids: string[]) => string[]): Promise<SubscriptionRecord> {
    const table = await this.table();
    for (let attempt = 0; ; attempt += 1) {
      const current = await this.get(subscriptionId);
      if (!current) throw new DomainError('request.invalid', `Unknown subscription ${subscriptionId}.`);
      const next = { ...current, partnershipIds: edit(current.partnershipIds), updatedAt: this.now().toISOString() };
      try {
        const response = await table.updateEntity(toEntity(next), 'Replace', { etag: current.etag });
        return { ...next, etag: response.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) !== 412 || attempt >= DEFAULTS.tableConflictRetries) {
          throw storageError('Could not update the subscription', error);
        }
      }
    }
  }

  async delete(subscriptionId: string): Promise<void> {
    const table = await this.table();
    try {
      await table.deleteEntity(PARTITION, rowKey(subscriptionId));
    } catch (error) {
      if (storageStatus(error) !== 404) throw storageError('Could not delete the subscription', error);
    }
  }

  private table(): Promise<TableClient> {
    return this.tables.getTable(SUBSCRIPTIONS_TABLE);
  }
}

function rowKey(subscriptionId: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(subscriptionId)) {
    throw new DomainError('request.invalid', `Subscription id "${subscriptionId}" is not valid.`);
  }
  return subscriptionId;
}

function toEntity(record: SubscriptionRecord): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: PARTITION,
    rowKey: rowKey(record.subscriptionId),
    resource: record.resource,
    changeType: record.changeType,
    expirationDateTime: new Date(record.expirationDateTime).toISOString(),
    clientStateHash: record.clientStateHash,
    notificationUrl: record.notificationUrl,
    lifecycleNotificationUrl: record.lifecycleNotificationUrl ?? '',
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  packJson(entity, 'partnershipIds', record.partnershipIds);
  return entity;
}

function fromEntity(entity: Record<string, unknown>): SubscriptionRecord {
  return {
    subscriptionId: String(entity.rowKey),
    resource: String(entity.resource),
    changeType: String(entity.changeType),
    expirationDateTime: String(entity.expirationDateTime),
    clientStateHash: String(entity.clientStateHash),
    notificationUrl: String(entity.notificationUrl),
    ...(entity.lifecycleNotificationUrl ? { lifecycleNotificationUrl: String(entity.lifecycleNotificationUrl) } : {}),
    partnershipIds: unpackJson(entity, 'partnershipIds', []),
    createdAt: String(entity.createdAt),
    updatedAt: String(entity.updatedAt),
    etag: String(entity.etag ?? ''),
  };
}
