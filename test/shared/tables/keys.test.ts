import { generateDeploymentKey, type PublicJwk } from '../../../shared/handshake';
import type { TableClientFactory } from '../../../shared/tables';
import { KEYS_TABLE, PartnerKeyRepository } from '../../../shared/tables/keys';
import { useAzurite } from '../../support/azurite';

const TENANT = '22222222-2222-4222-8222-222222222222';
const T0 = new Date('2026-03-01T12:00:00Z');

async function newJwk(): Promise<PublicJwk> {
  return (await generateDeploymentKey()).key.publicJwk;
}

async function rows(tables: TableClientFactory): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const row of (await tables.getTable(KEYS_TABLE)).listEntities()) out.push(row);
  return out;
}

describe('PartnerKeyRepository (Azurite)', () => {
  const env = useAzurite();
  let tables: TableClientFactory;
  let keys: PartnerKeyRepository;
  let jwkA: PublicJwk;
  let jwkC: PublicJwk;
  beforeAll(async () => {
    [jwkA, jwkC] = await Promise.all([newJwk(), newJwk()]);
  });
  beforeEach(() => {
    tables = env().freshTables();
    keys = new PartnerKeyRepository(tables);
  });

  it('pins an authenticated partner key with its evidence and returns it afterwards', async () => {
    expect(await keys.get('p-1', TENANT)).toBeUndefined();
    const pinned = await keys.pin({ partnershipId: 'p-1', tenantId: TENANT.toUpperCase(), jwk: jwkA, source: 'jwks', now: T0 });
    expect(pinned).toEqual({ partnershipId: 'p-1', tenantId: TENANT, jwk: jwkA, thumbprint: jwkA.kid, pinnedAt: T0, source: 'jwks' });
    expect(await keys.get('p-1', TENANT)).toEqual(pinned);
  });

  it('pins the same key again without change (idempotent redelivery)', async () => {
    const first = await keys.pin({ partnershipId: 'p-1', tenantId: TENANT, jwk: jwkA, source: 'jwks', now: T0 });
    const again = await keys.pin({ partnershipId: 'p-1', tenantId: TENANT, jwk: jwkA, source: 'jwks', now: new Date(T0.getTime() + 60_000) });
    expect(again).toEqual(first);
  });

  it('refuses a different key afterwards and keeps the pinned one', async () => {
    await keys.pin({ partnershipId: 'p-1', tenantId: TENANT, jwk: jwkA, source: 'jwks', now: T0 });
    await expect(keys.pin({ partnershipId: 'p-1', tenantId: TENANT, jwk: jwkC, source: 'pairing-code' })).rejects.toMatchObject({
      code: 'handshake.key-mismatch',
      status: 401,
      details: { kid: jwkC.kid },
    });
    expect((await keys.get('p-1', TENANT))?.thumbprint).toBe(jwkA.kid);
  });

  it('lets exactly one of two concurrent first contacts with different keys win', async () => {
    const results = await Promise.allSettled([
      keys.pin({ partnershipId: 'p-2', tenantId: TENANT, jwk: jwkA, source: 'pairing-code' }),
      keys.pin({ partnershipId: 'p-2', tenantId: TENANT, jwk: jwkC, source: 'pairing-code' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'handshake.key-mismatch' });
    const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ thumbprint: string }>).value;
    expect((await keys.get('p-2', TENANT))?.thumbprint).toBe(winner.thumbprint);
  });

  it('keeps pins per partnership, lists and removes them', async () => {
    await keys.pin({ partnershipId: 'p-1', tenantId: TENANT, jwk: jwkA, source: 'pairing-code' });
    await keys.pin({ partnershipId: 'p-3', tenantId: TENANT, jwk: jwkC, source: 'pairing-code' });
    expect((await keys.listForPartnership('p-1')).map((k) => k.thumbprint)).toEqual([jwkA.kid]);
    expect(await keys.unpin('p-1', TENANT)).toBe(true);
    expect(await keys.unpin('p-1', TENANT)).toBe(false);
    expect(await keys.get('p-1', TENANT)).toBeUndefined();
    expect((await keys.get('p-3', TENANT))?.thumbprint).toBe(jwkC.kid);
  });

  it('refuses bad ids and non-Ed25519 keys, writing nothing', async () => {
    await expect(keys.pin({ partnershipId: 'p/1', tenantId: TENANT, jwk: jwkA, source: 'pairing-code' })).rejects.toMatchObject({ code: 'request.invalid' });
    await expect(keys.pin({ partnershipId: 'p-1', tenantId: 'fabrikam.cn', jwk: jwkA, source: 'pairing-code' })).rejects.toMatchObject({ code: 'request.invalid' });
    const rsa = { kty: 'RSA', n: 'AQAB', e: 'AQAB' } as unknown as PublicJwk;
    await expect(keys.pin({ partnershipId: 'p-1', tenantId: TENANT, jwk: rsa, source: 'pairing-code' })).rejects.toMatchObject({ code: 'request.invalid' });
    expect(await rows(tables)).toEqual([]);
  });
});
