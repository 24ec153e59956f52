import { parseDesiredCollaboration } from '../../../shared/partnership';
import { PartnershipRepository } from '../../../shared/tables';
import { useAzurite } from '../../support/azurite';

const desired = parseDesiredCollaboration({
  partnerTenantId: '9b1c6e0e-1b5a-4f8e-9a7e-2a7b3c4d5e6f',
  partnerCloud: 'China',
  partnerDeploymentUrl: 'https://handshake.woodgrove.cn',
  teams: { federation: true },
  guests: ['bob@woodgrove.cn'],
});

describe('PartnershipRepository (Azurite)', () => {
  const env = useAzurite();
  const repository = (): PartnershipRepository => new PartnershipRepository(env().freshTables());

  it('creates, reads back and lists partnerships', async () => {
    const partnerships = repository();
    const created = await partnerships.create({ id: 'p1', role: 'initiator', desired, data: { pairingCodeShown: true } });
    expect(created).toMatchObject({ id: 'p1', status: 'Draft', version: 1, partnerTenantId: desired.partnerTenantId, partnerCloud: 'China' });
    expect(created.etag).toBeTruthy();
    const read = await partnerships.require('p1');
    expect(read.desired).toEqual(desired);
    expect(read.data).toEqual({ pairingCodeShown: true });
    await partnerships.create({ id: 'p2', role: 'responder', desired, status: 'Active' });
    expect((await partnerships.list()).map((p) => p.id)).toEqual(['p1', 'p2']);
    expect((await partnerships.list({ statuses: ['Active'] })).map((p) => p.id)).toEqual(['p2']);
    expect((await partnerships.list({ partnerTenantId: desired.partnerTenantId.toUpperCase() })).length).toBe(2);
  });

  it('lists in pages (id order), with a status filter, and refuses a token it did not hand out', async () => {
    const partnerships = repository();
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) await partnerships.create({ id, role: 'responder', desired, status: id === 'a3' ? 'Active' : 'Draft' });
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await partnerships.listPage({ top: 2, continuationToken: token });
      expect(page.records.length).toBeLessThanOrEqual(2);
      ids.push(...page.records.map((record) => record.id));
      token = page.continuationToken;
      pages += 1;
    } while (token);
    expect(ids).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(pages).toBe(3);
    const drafts = await partnerships.listPage({ top: 3, statuses: ['Draft'] });
    expect(drafts.records.map((record) => record.id)).toEqual(['a1', 'a2', 'a4']);
    expect((await partnerships.listPage({ top: 3, statuses: ['Draft'], continuationToken: drafts.continuationToken })).records.map((record) => record.id)).toEqual(['a5']);
    await expect(partnerships.listPage({ top: 2, continuationToken: 'bm9wZQ' })).rejects.toMatchObject({ code: 'request.invalid' });
  });

  it('refuses a second partnership with the same id and a bad id, changing nothing', async () => {
    const partnerships = repository();
    await partnerships.create({ id: 'dup', role: 'initiator', desired });
    await expect(partnerships.create({ id: 'dup', role: 'responder', desired })).rejects.toMatchObject({ code: 'partnership.exists' });
    expect((await partnerships.require('dup')).role).toBe('initiator');
    await expect(partnerships.create({ id: 'bad/id', role: 'initiator', desired })).rejects.toMatchObject({ code: 'request.invalid' });
    expect(await partnerships.list()).toHaveLength(1);
  });

  it('creates an Active partnership in sync, as a transition to Active leaves it', async () => {
    const partnerships = repository();
    expect((await partnerships.create({ id: 'active', role: 'initiator', desired, status: 'Active' })).driftStatus).toBe('InSync');
    expect((await partnerships.create({ id: 'draft', role: 'initiator', desired })).driftStatus).toBeNull();
  });

  it('updates many at once in transactions; one changed meanwhile is decided again on fresh data; no change, no write', async () => {
    const partnerships = repository();
    for (let index = 0; index < 150; index++) await partnerships.create({ id: `m${index}`, role: 'initiator', desired, status: 'Active' });
    const read = await partnerships.list();
    // Someone else changes m3 after the read: its change must see that write.
    await partnerships.update('m3', () => ({ data: { note: 'written meanwhile' } }));
    const stored = await partnerships.updateMany(
      read.map((record) => ({
        expected: record,
        change: (current) => (current.id === 'm149' ? undefined : { driftStatus: 'Drifted', data: { ...current.data, seen: true } }),
      })),
    );
    expect(stored).toHaveLength(149);
    const after = await partnerships.list();
    expect(after.filter((record) => record.driftStatus === 'Drifted')).toHaveLength(149);
    expect(after.find((record) => record.id === 'm3')?.data).toEqual({ note: 'written meanwhile', seen: true });
    expect(after.find((record) => record.id === 'm149')).toMatchObject({ driftStatus: 'InSync', version: 1 });
    expect(after.find((record) => record.id === 'm0')).toMatchObject({ version: 2, data: { seen: true } });
  });

  it('reports a missing partnership with a typed error', async () => {
    await expect(repository().require('nope')).rejects.toMatchObject({ code: 'partnership.not-found', status: 404 });
  });

  it('moves through the state machine and refuses an illegal transition without writing', async () => {
    const partnerships = repository();
    await partnerships.create({ id: 'sm', role: 'initiator', desired });
    await partnerships.transition('sm', 'ConfiguringLocal');
    await expect(partnerships.transition('sm', 'Active')).rejects.toMatchObject({ code: 'partnership.illegal-transition' });
    const after = await partnerships.require('sm');
    expect(after.status).toBe('ConfiguringLocal');
    expect(after.version).toBe(2);
    for (const status of ['AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active'] as const) await partnerships.transition('sm', status);
    expect((await partnerships.require('sm')).driftStatus).toBe('InSync');
  });

  it('never loses a concurrent update: conflicting writers are re-applied on fresh data', async () => {
    const partnerships = repository();
    await partnerships.create({ id: 'race', role: 'initiator', desired, data: { counter: 0 } });
    // Each failed attempt of a writer means another writer succeeded: 6 writers always fit 6 attempts.
    const writers = 6;
    await Promise.all(
      Array.from({ length: writers }, (_, index) =>
        partnerships.update('race', (current) => ({
          data: { ...current.data, counter: (current.data.counter as number) + 1, [`writer${index}`]: true },
        })),
      ),
    );
    const final = await partnerships.require('race');
    expect(final.data.counter).toBe(writers);
    expect(Object.keys(final.data).filter((key) => key.startsWith('writer'))).toHaveLength(writers);
    expect(final.version).toBe(1 + writers);
  });

  it('reports a conflict to a caller that wrote from a stale read, keeping the other write', async () => {
    const partnerships = repository();
    const stale = await partnerships.create({ id: 'stale', role: 'initiator', desired });
    await partnerships.update('stale', () => ({ partnerDomains: ['woodgrove.cn'] }));
    await expect(partnerships.updateIfUnchanged(stale, { partnerDomains: ['other.cn'] })).rejects.toMatchObject({ code: 'partnership.conflict' });
    expect((await partnerships.require('stale')).partnerDomains).toEqual(['woodgrove.cn']);
  });

  it('gives up with partnership.conflict after the configured retries, keeping the other write', async () => {
    const tables = env().freshTables();
    const partnerships = new PartnershipRepository(tables, { conflictRetries: 1 });
    const other = new PartnershipRepository(tables);
    await partnerships.create({ id: 'busy', role: 'initiator', desired });
    let attempts = 0;
    // Another writer changes the record between each of our reads and writes.
    const outcome = partnerships.update('busy', async () => {
      attempts += 1;
      await other.update('busy', (current) => ({ data: { ...current.data, foreign: attempts } }));
      return { data: { mine: attempts } };
    });
    await expect(outcome).rejects.toMatchObject({ code: 'partnership.conflict', details: { attempts: 2 } });
    const final = await other.require('busy');
    expect(final.data).toEqual({ foreign: 2 });
  });

  it('stores values larger than one table property', async () => {
    const partnerships = repository();
    await partnerships.create({ id: 'big', role: 'initiator', desired });
    const ownership = Array.from({ length: 2_000 }, (_, index) => ({ kind: 'guest' as const, upn: `user${index}@woodgrove.cn`, userId: `id-${index}` }));
    await partnerships.update('big', () => ({ ownership }));
    expect((await partnerships.require('big')).ownership).toEqual(ownership);
  });
});
