// TenantWriters against Azurite: who writes to the tenant for which partnerships, until when; a
// writer leaves however its work ends, and one that died stops counting after its lease.
import { ALL_PARTNERSHIPS_SCOPE, TenantWriterRepository, tenantWriterId } from '../../../shared/tables';
import { useAzurite } from '../../support/azurite';

describe('TenantWriterRepository', () => {
  const env = useAzurite();

  it('lists the writers serving a partnership: those naming it and those serving every partnership', async () => {
    const writers = new TenantWriterRepository(env().freshTables());
    await writers.begin('reconcile:run-1', ALL_PARTNERSHIPS_SCOPE, 60);
    await writers.begin('configure:p1:teams', ['p1'], 60);
    await writers.begin('configure:p2:teams', ['p2'], 60);
    expect((await writers.inFlight('p1')).map((writer) => writer.writerId)).toEqual(['reconcile:run-1', 'configure:p1:teams']);
    expect((await writers.inFlight('p3')).map((writer) => writer.writerId)).toEqual(['reconcile:run-1']);
    // Only the ones asked about (writers registered later are not waited for).
    expect((await writers.inFlight('p1', ['configure:p1:teams', 'gone'])).map((writer) => writer.writerId)).toEqual(['configure:p1:teams']);
    await writers.end('reconcile:run-1');
    await writers.end('reconcile:run-1');
    expect((await writers.inFlight('p1')).map((writer) => writer.writerId)).toEqual(['configure:p1:teams']);
  });

  it('leaves when its work is done and when it fails', async () => {
    const writers = new TenantWriterRepository(env().freshTables());
    const seen = await writers.whileRegistered('w1', ['p1'], 60, async () => (await writers.inFlight('p1')).map((writer) => writer.writerId));
    expect(seen).toEqual(['w1']);
    await expect(writers.whileRegistered('w2', ['p1'], 60, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await writers.inFlight('p1')).toEqual([]);
  });

  it('stops counting a writer once its lease has run out (a writer that crashed)', async () => {
    let now = new Date('2026-12-01T10:00:00Z');
    const tables = env().freshTables();
    const writers = new TenantWriterRepository(tables, () => now);
    await writers.begin('crashed', ['p1'], 30);
    expect(await writers.inFlight('p1')).toEqual([
      { writerId: 'crashed', scope: ['p1'], startedAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-01T10:00:30.000Z' },
    ]);
    now = new Date('2026-12-01T10:00:31Z');
    expect(await writers.inFlight('p1')).toEqual([]);
    // A retried attempt registers again with a fresh lease.
    await writers.begin('crashed', ['p1'], 30);
    expect(await writers.inFlight('p1')).toHaveLength(1);
  });

  it('makes writer ids from parts that hold any character, and refuses an id that is not one', async () => {
    expect(tenantWriterId('configure', 'p1', 'teams', '2026-12-01T10:00:00.000Z')).toBe('configure:p1:teams:2026-12-01T10:00:00.000Z');
    expect(tenantWriterId('reconcile', 'run/1#x')).toBe('reconcile:run_1_x');
    const writers = new TenantWriterRepository(env().freshTables());
    await expect(writers.begin('bad/id', ['p1'], 60)).rejects.toMatchObject({ code: 'request.invalid' });
  });
});
