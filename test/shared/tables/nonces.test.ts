import type { TableClientFactory } from '../../../shared/tables';
import type { NonceClaimRequest } from '../../../shared/handshake';
import { NonceRepository, NONCES_TABLE } from '../../../shared/tables/nonces';
import { useAzurite } from '../../support/azurite';

const ISSUER = '11111111-1111-4111-8111-111111111111';
const T0 = new Date('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
let counter = 0;
const freshJti = () => `jti-${Date.now().toString(36)}-${(counter += 1).toString().padStart(8, '0')}`;

function request(overrides: Partial<NonceClaimRequest> = {}): NonceClaimRequest {
  return {
    issuer: ISSUER,
    jti: freshJti(),
    digest: 'digest-one',
    type: 'invitation',
    partnershipId: 'p-1',
    expiresAt: at(3600),
    now: T0,
    leaseSeconds: 120,
    ...overrides,
  };
}

async function rows(tables: TableClientFactory): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const row of (await tables.getTable(NONCES_TABLE)).listEntities()) out.push(row);
  return out;
}

describe('NonceRepository (Azurite)', () => {
  const env = useAzurite();
  let tables: TableClientFactory;
  let nonces: NonceRepository;
  beforeEach(() => {
    tables = env().freshTables();
    nonces = new NonceRepository(tables);
  });

  it('records a new nonce as processing with a lease', async () => {
    const claim = request();
    const outcome = await nonces.claim(claim);
    expect(outcome).toMatchObject({ outcome: 'claimed', claim: { issuer: ISSUER, jti: claim.jti, resumed: false } });
    expect(await nonces.find(ISSUER, claim.jti)).toEqual({
      issuer: ISSUER,
      jti: claim.jti,
      digest: 'digest-one',
      type: 'invitation',
      partnershipId: 'p-1',
      expiresAt: at(3600),
      state: 'processing',
      leaseUntil: at(120),
    });
    expect(await nonces.find(ISSUER, freshJti())).toBeUndefined();
  });

  it('lets exactly one of concurrent deliveries of the same message claim it', async () => {
    const claim = request();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => nonces.claim(claim)));
    expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in-progress')).toHaveLength(7);
    expect(outcomes.find((o) => o.outcome === 'in-progress')).toEqual({ outcome: 'in-progress', retryAfterSeconds: 120 });
  });

  it('lets exactly one of two different messages reusing a jti claim it; the other is a replay', async () => {
    const jti = freshJti();
    const outcomes = await Promise.all([nonces.claim(request({ jti, digest: 'a' })), nonces.claim(request({ jti, digest: 'b' }))]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['claimed', 'replay']);
    expect(await rows(tables)).toHaveLength(1);
  });

  it('stores the answer and hands it to every later delivery of the same message', async () => {
    const claim = request();
    const first = await nonces.claim(claim);
    if (first.outcome !== 'claimed') throw new Error('not claimed');
    const answer = { status: 202, body: { partnershipId: 'p-1', status: 'AwaitingApproval' } };
    expect(await nonces.complete(first.claim, answer, at(5))).toEqual(answer);
    expect(await nonces.claim({ ...claim, now: at(10) })).toEqual({ outcome: 'answered', answer });
    expect(await nonces.find(ISSUER, claim.jti)).toMatchObject({ state: 'answered', answer });
    // A different message with the same jti is still a replay after the answer.
    expect(await nonces.claim({ ...claim, digest: 'other', now: at(10) })).toEqual({ outcome: 'replay' });
  });

  it('forgets a released claim, so the message can be delivered again', async () => {
    const claim = request();
    const first = await nonces.claim(claim);
    if (first.outcome !== 'claimed') throw new Error('not claimed');
    await nonces.release(first.claim);
    expect(await nonces.find(ISSUER, claim.jti)).toBeUndefined();
    expect(await nonces.claim(claim)).toMatchObject({ outcome: 'claimed', claim: { resumed: false } });
  });

  it('lets a redelivery take over a claim whose lease lapsed (the first receiver crashed)', async () => {
    const claim = request();
    const crashed = await nonces.claim(claim);
    if (crashed.outcome !== 'claimed') throw new Error('not claimed');
    expect(await nonces.claim({ ...claim, now: at(119) })).toEqual({ outcome: 'in-progress', retryAfterSeconds: 1 });

    const resumed = await nonces.claim({ ...claim, now: at(121) });
    expect(resumed).toMatchObject({ outcome: 'claimed', claim: { resumed: true } });
    if (resumed.outcome !== 'claimed') throw new Error('not claimed');
    const answer = { status: 202, body: { by: 'second' } };
    await nonces.complete(resumed.claim, answer, at(122));

    // The first receiver wakes up late: its release is ignored, its answer yields to the stored one.
    await nonces.release(crashed.claim);
    expect(await nonces.find(ISSUER, claim.jti)).toMatchObject({ state: 'answered', answer });
    expect(await nonces.complete(crashed.claim, { status: 202, body: { by: 'first' } }, at(123))).toEqual(answer);
    expect(await nonces.find(ISSUER, claim.jti)).toMatchObject({ answer });
  });

  it('refuses an answer too large to store, leaving the claim as it was', async () => {
    const claim = request();
    const first = await nonces.claim(claim);
    if (first.outcome !== 'claimed') throw new Error('not claimed');
    await expect(nonces.complete(first.claim, { status: 200, body: 'x'.repeat(20_000) }, at(1))).rejects.toMatchObject({ code: 'internal' });
    expect(await nonces.find(ISSUER, claim.jti)).toMatchObject({ state: 'processing' });
  });

  it('purges only nonces whose messages can no longer be accepted', async () => {
    const old = request({ expiresAt: at(60) });
    const current = request({ expiresAt: at(3600) });
    await nonces.claim(old);
    await nonces.claim(current);
    expect(await nonces.purgeExpired(at(61))).toBe(1);
    expect(await nonces.find(ISSUER, old.jti)).toBeUndefined();
    expect(await nonces.find(ISSUER, current.jti)).toBeDefined();
  });

  it('refuses keys that are not a tenant id and a nonce, writing nothing', async () => {
    await expect(nonces.claim(request({ issuer: 'contoso.com' }))).rejects.toMatchObject({ code: 'request.invalid' });
    await expect(nonces.claim(request({ jti: 'bad/jti#with?chars' }))).rejects.toMatchObject({ code: 'request.invalid' });
    expect(await rows(tables)).toEqual([]);
  });
});
