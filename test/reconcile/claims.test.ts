// The ReconcileClaims table on Azurite: a burst of requests starts exactly one run; a change
// during the read makes the same run read again; a dead run's claim is taken over.
import { ALL_PARTNERSHIPS, ReconcileClaimRepository } from '../../shared/tables/reconcileClaims';
import { useAzurite } from '../support/azurite';

describe('reconcile claims', () => {
  const azurite = useAzurite();
  let clock: Date;
  const claims = (leaseSeconds = 60): ReconcileClaimRepository =>
    new ReconcileClaimRepository(azurite().freshTables(), { leaseSeconds, now: () => clock });

  beforeEach(() => {
    clock = new Date('2030-01-01T00:00:00Z');
  });

  it('a burst of 100 concurrent requests starts exactly one run; the others are covered by it', async () => {
    const repository = claims();
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => repository.request('p1', 'notification')));
    expect(outcomes.filter((outcome) => outcome.outcome === 'start')).toEqual([{ outcome: 'start', run: 1 }]);
    expect(outcomes.filter((outcome) => outcome.outcome === 'covered').length).toBe(99);
    expect(await repository.get('p1')).toMatchObject({ state: 'pending', run: 1, trigger: 'notification' });
  });

  it('a change while the run reads is queued once, and the same run reads again', async () => {
    const repository = claims();
    await repository.request('p1', 'notification');
    expect(await repository.markReading('p1', 1)).toBe('reading');
    const during = await Promise.all(Array.from({ length: 10 }, () => repository.request('p1', 'notification')));
    expect(during.every((outcome) => outcome.outcome === 'queued')).toBe(true);
    expect(await repository.release('p1', 1)).toBe('again');
    expect(await repository.get('p1')).toMatchObject({ state: 'pending', dirty: false, run: 1 });
    // A request now is covered by the read to come.
    expect(await repository.request('p1', 'notification')).toEqual({ outcome: 'covered', run: 1 });
    await repository.markReading('p1', 1);
    expect(await repository.release('p1', 1)).toBe('released');
    expect(await repository.request('p1', 'notification')).toEqual({ outcome: 'start', run: 2 });
  });

  it('takes over a claim whose run stopped refreshing it, and the stale run cannot release the new one', async () => {
    const repository = claims(30);
    await repository.request('p1', 'notification');
    await repository.markReading('p1', 1);
    clock = new Date(clock.getTime() + 31_000);
    expect(await repository.request('p1', 'missed')).toEqual({ outcome: 'start', run: 2 });
    expect(await repository.release('p1', 1)).toBe('superseded');
    expect(await repository.markReading('p1', 1)).toBe('superseded');
    expect(await repository.get('p1')).toMatchObject({ state: 'pending', run: 2, trigger: 'missed' });
  });

  it('abandons a claim whose run could not be started, so the next request starts one', async () => {
    const repository = claims();
    await repository.request('p1', 'notification');
    await repository.abandon('p1', 1);
    expect(await repository.request('p1', 'notification')).toEqual({ outcome: 'start', run: 2 });
  });

  it('keeps a separate claim for runs over every partnership (a notification several of them share)', async () => {
    const repository = claims();
    expect(await repository.request(ALL_PARTNERSHIPS, 'notification')).toEqual({ outcome: 'start', run: 1 });
    expect(await repository.request('p1', 'notification')).toEqual({ outcome: 'start', run: 1 });
    expect(await repository.request(ALL_PARTNERSHIPS, 'notification')).toEqual({ outcome: 'covered', run: 1 });
    expect(await repository.get(ALL_PARTNERSHIPS)).toMatchObject({ scope: ALL_PARTNERSHIPS, state: 'pending' });
  });

  it('refuses an id that cannot be a row key, writing nothing', async () => {
    const repository = claims();
    await expect(repository.request('bad/id', 'notification')).rejects.toMatchObject({ code: 'request.invalid' });
    expect(await repository.get('p1')).toBeUndefined();
  });
});
