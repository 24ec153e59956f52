// Nonces table (see docs/architecture.md): every accepted handshake `jti`, per sender tenant, with the digest of
// the exact message and the answer given, kept until the message would have expired anyway.
// PartitionKey = sender tenant id, RowKey = jti. Concurrency is settled by the storage itself:
// insert-if-absent (createEntity → 409) and ETag-conditional updates.
import { odata, type TableClient } from '@azure/data-tables';
import { DomainError } from '../errors';
import { MAX_STORED_ANSWER_CHARS } from '../handshake/constants';
import type {
  HandshakeAnswer,
  NonceClaim,
  NonceClaimOutcome,
  NonceClaimRequest,
  NonceRecord,
  NonceStore,
} from '../handshake/nonceStore';
import { storageError, storageStatus, type TableClientFactory } from './client';

export const NONCES_TABLE = 'Nonces';

const MAX_ATTEMPTS = 5;
const TENANT_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NONCE_KEY = /^[A-Za-z0-9_-]{16,128}$/;

/** The record's own fields as they are, keyed by issuer and jti, with the answer as JSON. */
interface NonceEntity extends Omit<NonceRecord, 'issuer' | 'jti' | 'answer'> {
  partitionKey: string;
  rowKey: string;
  /** JSON of the HandshakeAnswer, once answered. */
  answer?: string;
  answeredAt?: Date;
}

export class NonceRepository implements NonceStore {
  constructor(private readonly tables: TableClientFactory) {}

  async find(issuer: string, jti: string): Promise<NonceRecord | undefined> {
    const found = await this.read(await this.table(), keys(issuer, jti));
    return found?.record;
  }

  async claim(request: NonceClaimRequest): Promise<NonceClaimOutcome> {
    const table = await this.table();
    const { partitionKey, rowKey } = keys(request.issuer, request.jti);
    const leaseUntil = new Date(request.now.getTime() + request.leaseSeconds * 1000);
    const entity: NonceEntity = {
      partitionKey,
      rowKey,
      digest: request.digest,
      type: request.type,
      partnershipId: request.partnershipId,
      expiresAt: request.expiresAt,
      state: 'processing',
      leaseUntil,
    };
    const claimOf = (etag: string | undefined, resumed: boolean): NonceClaimOutcome => ({
      outcome: 'claimed',
      claim: { issuer: partitionKey, jti: rowKey, digest: request.digest, resumed, etag: requireEtag(etag) },
    });

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      try {
        return claimOf((await table.createEntity(entity)).etag, false);
      } catch (error) {
        if (storageStatus(error) !== 409) throw storageError('Could not record a nonce', error);
      }
      const existing = await this.read(table, { partitionKey, rowKey });
      if (!existing) continue; // released between our insert and read: try the insert again
      const { record, etag } = existing;
      if (record.digest !== request.digest) return { outcome: 'replay' };
      if (record.state === 'answered' && record.answer) return { outcome: 'answered', answer: record.answer };
      const leaseLeftMs = (record.leaseUntil?.getTime() ?? 0) - request.now.getTime();
      if (leaseLeftMs > 0) return { outcome: 'in-progress', retryAfterSeconds: Math.max(1, Math.ceil(leaseLeftMs / 1000)) };
      // The receiver that claimed it never answered within its lease: take over.
      try {
        return claimOf((await table.updateEntity(entity, 'Replace', { etag })).etag, true);
      } catch (error) {
        const status = storageStatus(error);
        if (status !== 412 && status !== 404) throw storageError('Could not take over a nonce', error);
      }
    }
    throw new DomainError('storage.unavailable', `Could not record nonce ${rowKey}: too much contention.`);
  }

  async complete(claim: NonceClaim, answer: HandshakeAnswer, now: Date): Promise<HandshakeAnswer> {
    const text = JSON.stringify({ status: answer.status, body: answer.body ?? null });
    if (text.length > MAX_STORED_ANSWER_CHARS) {
      throw new DomainError('internal', `The answer to nonce ${claim.jti} is ${text.length} characters; at most ${MAX_STORED_ANSWER_CHARS} can be stored.`);
    }
    const table = await this.table();
    const { partitionKey, rowKey } = keys(claim.issuer, claim.jti);
    const update = { partitionKey, rowKey, state: 'answered' as const, answer: text, answeredAt: now };
    let etag = claim.etag;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      try {
        await table.updateEntity(update, 'Merge', { etag });
        return JSON.parse(text) as HandshakeAnswer;
      } catch (error) {
        const status = storageStatus(error);
        if (status !== 412 && status !== 404) throw storageError('Could not store the answer to a nonce', error);
      }
      // Our lease lapsed and another delivery took over (both acted idempotently).
      const current = await this.read(table, { partitionKey, rowKey });
      if (!current || current.record.digest !== claim.digest) return JSON.parse(text) as HandshakeAnswer;
      if (current.record.state === 'answered' && current.record.answer) return current.record.answer;
      etag = current.etag;
    }
    throw new DomainError('storage.unavailable', `Could not store the answer to nonce ${rowKey}: too much contention.`);
  }

  async release(claim: NonceClaim): Promise<void> {
    const table = await this.table();
    const { partitionKey, rowKey } = keys(claim.issuer, claim.jti);
    try {
      await table.deleteEntity(partitionKey, rowKey, { etag: claim.etag });
    } catch (error) {
      const status = storageStatus(error);
      // Gone, or taken over by another delivery that now owns it: nothing of ours to remove.
      if (status !== 404 && status !== 412) throw storageError('Could not release a nonce', error);
    }
  }

  /** Deletes nonces whose messages can no longer be accepted (expired + skew). Returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    const table = await this.table();
    let removed = 0;
    try {
      const expired = table.listEntities<Pick<NonceEntity, 'expiresAt'>>({
        queryOptions: { filter: odata`expiresAt lt ${now}` },
      });
      for await (const entity of expired) {
        try {
          await table.deleteEntity(entity.partitionKey!, entity.rowKey!, { etag: entity.etag });
          removed += 1;
        } catch (error) {
          if (storageStatus(error) !== 404 && storageStatus(error) !== 412) throw error;
        }
      }
    } catch (error) {
      throw storageError('Could not purge expired nonces', error);
    }
    return removed;
  }

  private table(): Promise<TableClient> {
    return this.tables.getTable(NONCES_TABLE);
  }

  private async read(table: TableClient, key: { partitionKey: string; rowKey: string }): Promise<{ record: NonceRecord; etag: string } | undefined> {
    try {
      const entity = await table.getEntity<NonceEntity>(key.partitionKey, key.rowKey);
      return { record: toRecord(entity), etag: requireEtag(entity.etag) };
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw storageError('Could not read a nonce', error);
    }
  }
}

function keys(issuer: string, jti: string): { partitionKey: string; rowKey: string } {
  const partitionKey = issuer.toLowerCase();
  if (!TENANT_KEY.test(partitionKey)) throw new DomainError('request.invalid', `Nonce issuer "${issuer}" is not a tenant ID.`);
  if (!NONCE_KEY.test(jti)) throw new DomainError('request.invalid', 'Nonce must be 16-128 base64url characters.');
  return { partitionKey, rowKey: jti };
}

function toRecord(entity: NonceEntity): NonceRecord {
  return {
    issuer: entity.partitionKey,
    jti: entity.rowKey,
    digest: entity.digest,
    type: entity.type,
    partnershipId: entity.partnershipId,
    expiresAt: toDate(entity.expiresAt),
    state: entity.state,
    ...(entity.leaseUntil ? { leaseUntil: toDate(entity.leaseUntil) } : {}),
    ...(entity.answer ? { answer: JSON.parse(entity.answer) as HandshakeAnswer } : {}),
  };
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function requireEtag(etag: string | undefined): string {
  if (!etag) throw new DomainError('storage.unavailable', 'Table storage returned no ETag.');
  return etag;
}
