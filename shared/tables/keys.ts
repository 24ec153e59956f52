// Keys table (see docs/architecture.md): the public key of each partner deployment, pinned once it is
// authenticated (see shared/handshake/partnerKeys and docs/security.md), with the evidence it was
// pinned on. PartitionKey = partnership id, RowKey = partner tenant id.
import { odata, type TableClient } from '@azure/data-tables';
import { DomainError } from '../errors';
import { handshakeError } from '../handshake/errors';
import { toPublicJwk, type PublicJwk } from '../handshake/keys';
import { PARTNER_KEY_SOURCES, type PartnerKeySource } from '../handshake/partnerKeys';
import { partnershipIdSchema, tenantIdSchema } from '../handshake/messages';
import { storageError, storageStatus, type TableClientFactory } from './client';

export const KEYS_TABLE = 'Keys';

export interface PinnedPartnerKey {
  partnershipId: string;
  /** Partner tenant id (lower case). */
  tenantId: string;
  jwk: PublicJwk;
  /** RFC 7638 thumbprint (= jwk.kid). */
  thumbprint: string;
  pinnedAt: Date;
  /** The evidence the key was pinned on (`unknown`: pinned before sources were recorded). */
  source: PartnerKeySource | 'unknown';
}

export interface PinPartnerKeyRequest {
  partnershipId: string;
  tenantId: string;
  jwk: PublicJwk;
  source: PartnerKeySource;
  now?: Date;
}

interface KeyEntity {
  partitionKey: string;
  rowKey: string;
  thumbprint: string;
  /** JSON of the public JWK. */
  jwk: string;
  pinnedAt: Date;
  source?: string;
}

export class PartnerKeyRepository {
  constructor(private readonly tables: TableClientFactory) {}

  /** The pinned key of this partner in this partnership, if any. */
  async get(partnershipId: string, tenantId: string): Promise<PinnedPartnerKey | undefined> {
    const { partitionKey, rowKey } = keys(partnershipId, tenantId);
    const table = await this.table();
    try {
      return await toPinned(await table.getEntity<KeyEntity>(partitionKey, rowKey));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      if (error instanceof DomainError) throw error;
      throw storageError('Could not read a pinned key', error);
    }
  }

  /**
   * Pins the partner key (insert-if-absent). Pinning the same key again returns the existing pin;
   * a different key throws `handshake.key-mismatch` and leaves the pin unchanged.
   */
  async pin(request: PinPartnerKeyRequest): Promise<PinnedPartnerKey> {
    const { partitionKey, rowKey } = keys(request.partnershipId, request.tenantId);
    let jwk: PublicJwk;
    try {
      jwk = await toPublicJwk(request.jwk);
    } catch {
      throw new DomainError('request.invalid', 'Only an Ed25519 public JWK can be pinned.');
    }
    const table = await this.table();
    const entity: KeyEntity = { partitionKey, rowKey, thumbprint: jwk.kid, jwk: JSON.stringify(jwk), pinnedAt: request.now ?? new Date(), source: request.source };
    try {
      await table.createEntity(entity);
      return { partnershipId: partitionKey, tenantId: rowKey, jwk, thumbprint: jwk.kid, pinnedAt: entity.pinnedAt, source: request.source };
    } catch (error) {
      if (storageStatus(error) !== 409) throw storageError('Could not pin a partner key', error);
    }
    const existing = await this.get(partitionKey, rowKey);
    if (!existing) throw new DomainError('storage.unavailable', `The pinned key of ${rowKey} vanished while it was being pinned.`);
    if (existing.thumbprint !== jwk.kid) {
      // Reaches an anonymous caller only through a race with another pin: the pinned key is not named.
      throw handshakeError('handshake.key-mismatch', `Another key than ${jwk.kid} is already trusted for partner ${rowKey} in partnership ${partitionKey}.`, {
        partnershipId: partitionKey,
        kid: jwk.kid,
      });
    }
    return existing;
  }

  /** Removes a pin (offboarding, compensation). True if there was one. */
  async unpin(partnershipId: string, tenantId: string): Promise<boolean> {
    const { partitionKey, rowKey } = keys(partnershipId, tenantId);
    const table = await this.table();
    try {
      await table.deleteEntity(partitionKey, rowKey);
      return true;
    } catch (error) {
      if (storageStatus(error) === 404) return false;
      throw storageError('Could not remove a pinned key', error);
    }
  }

  /** Every partner key pinned for one partnership. */
  async listForPartnership(partnershipId: string): Promise<PinnedPartnerKey[]> {
    const { partitionKey } = keys(partnershipId, '00000000-0000-0000-0000-000000000000');
    const table = await this.table();
    const pinned: PinnedPartnerKey[] = [];
    try {
      for await (const entity of table.listEntities<KeyEntity>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })) {
        pinned.push(await toPinned(entity as KeyEntity));
      }
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw storageError('Could not list pinned keys', error);
    }
    return pinned;
  }

  private table(): Promise<TableClient> {
    return this.tables.getTable(KEYS_TABLE);
  }
}

function keys(partnershipId: string, tenantId: string): { partitionKey: string; rowKey: string } {
  const partnership = partnershipIdSchema.safeParse(partnershipId);
  if (!partnership.success) throw new DomainError('request.invalid', `Partnership id "${partnershipId}" is not valid.`);
  const tenant = tenantIdSchema.safeParse(tenantId);
  if (!tenant.success) throw new DomainError('request.invalid', `Partner tenant "${tenantId}" is not a tenant ID.`);
  return { partitionKey: partnership.data, rowKey: tenant.data };
}

async function toPinned(entity: KeyEntity): Promise<PinnedPartnerKey> {
  let jwk: PublicJwk;
  try {
    jwk = await toPublicJwk(JSON.parse(entity.jwk));
  } catch {
    throw new DomainError('storage.unavailable', `The pinned key of ${entity.rowKey} in partnership ${entity.partitionKey} is corrupt.`);
  }
  if (jwk.kid !== entity.thumbprint) {
    throw new DomainError('storage.unavailable', `The pinned key of ${entity.rowKey} in partnership ${entity.partitionKey} does not match its thumbprint.`);
  }
  const pinnedAt = entity.pinnedAt instanceof Date ? entity.pinnedAt : new Date(entity.pinnedAt);
  const source = (PARTNER_KEY_SOURCES as readonly string[]).includes(entity.source ?? '') ? (entity.source as PartnerKeySource) : 'unknown';
  return { partnershipId: entity.partitionKey, tenantId: entity.rowKey, jwk, thumbprint: entity.thumbprint, pinnedAt, source };
}
