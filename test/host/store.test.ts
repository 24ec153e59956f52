// The durable store against real Azurite: one transaction per episode, ETag-guarded, with long
// values and histories split across properties and rows.
import { events, HistoryEvent } from '../../infra/local/host/durable/history';
import { ConcurrencyError, DurableStore, InstanceRecord } from '../../infra/local/host/durable/store';
import { StorageMetrics, ensureTables } from '../../infra/local/host/storage/tables';
import { useAzurite, uniquePrefix } from '../support/azurite';

describe('DurableStore', () => {
  const azurite = useAzurite();
  let store: DurableStore;
  let metrics: StorageMetrics;

  beforeEach(async () => {
    metrics = new StorageMetrics();
    const hub = uniquePrefix().replace(/^t/, 'H');
    await ensureTables(azurite().azurite.connectionString, [`${hub}Instances`], metrics);
    store = new DurableStore(azurite().azurite.connectionString, hub, metrics);
  });

  const record = (id: string, input: string | null): InstanceRecord => ({
    instanceId: id,
    name: 'orch',
    executionId: 'e1',
    runtimeStatus: 'Pending',
    input,
    output: null,
    customStatus: null,
    createdTime: new Date('2024-01-01T00:00:00Z'),
    lastUpdatedTime: new Date('2024-01-01T00:00:00Z'),
    episodes: 0,
  });

  it('creates an instance with its start event in one round trip, and refuses a duplicate', async () => {
    const start = events.executionStarted(new Date(), { name: 'orch', input: null, instanceId: 'a', executionId: 'e1' });
    const before = metrics.roundTrips;
    const created = await store.createInstance(record('a', null), [start]);
    expect(metrics.roundTrips - before).toBe(1);
    expect(created.inbox).toHaveLength(1);
    await expect(store.createInstance(record('a', null), [start])).rejects.toBeInstanceOf(ConcurrencyError);
    const loaded = await store.load('a');
    expect(loaded?.record.runtimeStatus).toBe('Pending');
    expect(loaded?.inbox.map((i) => i.event)).toEqual([start]);
  });

  it('commits an episode atomically and refuses a stale ETag without changing anything', async () => {
    const start = events.executionStarted(new Date(), { name: 'orch', input: null, instanceId: 'b', executionId: 'e1' });
    const { etag, inbox } = await store.createInstance(record('b', null), [start]);
    const episode: HistoryEvent[] = [events.orchestratorStarted(new Date()), start, events.taskScheduled(new Date(), 0, 'act', '1'), events.orchestratorCompleted(new Date())];
    const before = metrics.roundTrips;
    const { etag: newEtag } = await store.commitEpisode({
      record: { ...record('b', null), runtimeStatus: 'Running', episodes: 1, etag },
      historyEvents: episode,
      historyExecutionId: 'e1',
      episode: 0,
      consumedInbox: inbox.map((i) => i.rowKey),
    });
    expect(metrics.roundTrips - before).toBe(1);
    expect(newEtag).not.toBe(etag);

    // A writer holding the old ETag loses, and nothing of its episode lands.
    await expect(
      store.commitEpisode({
        record: { ...record('b', null), runtimeStatus: 'Completed', episodes: 1, etag },
        historyEvents: [events.orchestratorStarted(new Date())],
        historyExecutionId: 'e1',
        episode: 1,
        consumedInbox: [],
      }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    const loaded = await store.load('b');
    expect(loaded?.record.runtimeStatus).toBe('Running');
    expect(loaded?.history).toEqual(episode);
    expect(loaded?.inbox).toEqual([]);
  });

  it('keeps long inputs and large episodes intact (split over properties and rows)', async () => {
    const bigInput = JSON.stringify({ text: 'é🙂'.repeat(40_000) });
    const start = events.executionStarted(new Date(), { name: 'orch', input: bigInput, instanceId: 'c', executionId: 'e1' });
    const { etag } = await store.createInstance(record('c', bigInput), [start]);
    const many: HistoryEvent[] = [];
    for (let i = 0; i < 2_000; i++) many.push(events.taskScheduled(new Date(), i, 'act', JSON.stringify({ i, pad: 'x'.repeat(200) })));
    await store.commitEpisode({ record: { ...record('c', bigInput), runtimeStatus: 'Running', episodes: 1, etag }, historyEvents: many, historyExecutionId: 'e1', episode: 0, consumedInbox: [] });
    const loaded = await store.load('c');
    expect(loaded?.record.input).toBe(bigInput);
    expect(loaded?.history).toEqual(many);
    expect(loaded?.historyRowKeys.length).toBeGreaterThan(1);
  });

  it('lists instance rows with filters and pages, and purges every row of an instance', async () => {
    for (const id of ['list-1', 'list-2', 'list-3', 'other-1']) {
      await store.createInstance(record(id, null), []);
    }
    const page1 = await store.list({ instanceIdPrefix: 'list-', top: 2 });
    expect(page1.records).toHaveLength(2);
    expect(page1.continuationToken).toBeDefined();
    const page2 = await store.list({ instanceIdPrefix: 'list-', top: 2, continuationToken: page1.continuationToken });
    expect([...page1.records, ...page2.records].map((r) => r.instanceId).sort()).toEqual(['list-1', 'list-2', 'list-3']);
    expect((await store.list({ runtimeStatus: ['Completed'] })).records).toEqual([]);
    expect(await store.purge('list-1')).toBe(1);
    expect(await store.readState('list-1')).toBeUndefined();
  });
});
