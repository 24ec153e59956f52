// Subscription lookups of a Graph notification body are bounded (Azurite, every storage request
// counted by a pipeline policy on the real client): each distinct id read once, at most
// `lookupConcurrency` at a time, and beyond `pointReadLimit` distinct ids one listing of the
// deployment's subscriptions — 1,000 notifications never become 1,000 reads.
import { randomUUID } from 'node:crypto';
import { authenticNotificationSources } from '../../shared/reconcile/notificationSources';
import { createTableClientFactory, SubscriptionRepository, hashClientState } from '../../shared';
import { uniquePrefix, useAzurite } from '../support/azurite';

const OPTIONS = { lookupConcurrency: 4, pointReadLimit: 20 };

describe('notification sources (Azurite)', () => {
  const env = useAzurite();
  let requests = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  let subscriptions: SubscriptionRepository;
  const secret = 'the-client-state-secret';

  beforeAll(async () => {
    const tables = createTableClientFactory({
      connectionString: env().azurite.connectionString,
      tablePrefix: uniquePrefix(),
      clientOptions: {
        additionalPolicies: [
          {
            position: 'perCall',
            policy: {
              name: 'countRequests',
              sendRequest: async (request, next) => {
                requests += 1;
                mostInFlight = Math.max(mostInFlight, ++inFlight);
                try {
                  return await next(request);
                } finally {
                  inFlight -= 1;
                }
              },
            },
          },
        ],
      },
    });
    subscriptions = new SubscriptionRepository(tables);
    for (const id of ['sub-a', 'sub-b', 'sub-c']) {
      await subscriptions.save({ subscriptionId: id, resource: `users/${id}`, changeType: 'updated', notificationUrl: 'https://handshake.example/api/graph/notifications', expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(), clientStateHash: hashClientState(secret), partnershipIds: ['p1'] });
    }
  });
  beforeEach(() => {
    requests = 0;
    mostInFlight = 0;
  });

  const notification = (subscriptionId: string, clientState = secret) => ({ subscriptionId, clientState });

  it('1,000 notifications of one subscription: one read, every genuine one accepted, a wrong clientState refused', async () => {
    const batch = [...Array.from({ length: 999 }, () => notification('sub-a')), notification('sub-a', 'forged')];
    const sources = await authenticNotificationSources(subscriptions, batch, OPTIONS);
    expect(requests).toBe(1);
    expect(sources.slice(0, 999).every((source) => source?.subscriptionId === 'sub-a')).toBe(true);
    expect(sources[999]).toBeUndefined();
  });

  it('1,000 made-up subscriptions: one listing instead of 1,000 reads, all refused', async () => {
    const batch = Array.from({ length: 1_000 }, () => notification(randomUUID()));
    const sources = await authenticNotificationSources(subscriptions, batch, OPTIONS);
    expect(requests).toBe(1);
    expect(sources.every((source) => source === undefined)).toBe(true);
  });

  it('a mix beyond the point-read limit: the known ones found through the listing', async () => {
    const batch = [...Array.from({ length: 30 }, () => notification(randomUUID())), notification('sub-b'), notification('sub-c', 'forged')];
    const sources = await authenticNotificationSources(subscriptions, batch, OPTIONS);
    expect(requests).toBe(1);
    expect(sources.map((source) => source?.subscriptionId)).toEqual([...Array(30).fill(undefined), 'sub-b', undefined]);
  });

  it('a few distinct ids: one read each, never more than lookupConcurrency at a time', async () => {
    const ids = [...Array.from({ length: 17 }, () => randomUUID()), 'sub-a', 'sub-b', 'sub-c'];
    const batch = [...ids, ...ids].map((id) => notification(id));
    const sources = await authenticNotificationSources(subscriptions, batch, OPTIONS);
    expect(requests).toBe(ids.length);
    expect(mostInFlight).toBeLessThanOrEqual(OPTIONS.lookupConcurrency);
    expect(mostInFlight).toBeGreaterThan(1);
    expect(sources.filter(Boolean)).toHaveLength(6);
  });

  it('ids that cannot be subscription ids are refused without a read', async () => {
    const sources = await authenticNotificationSources(subscriptions, [notification('../etc'), notification(''), { subscriptionId: 42, clientState: secret }], OPTIONS);
    expect(requests).toBe(0);
    expect(sources).toEqual([undefined, undefined, undefined]);
  });
});
