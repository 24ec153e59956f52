import { clientStateMatches, hashClientState, SubscriptionRepository } from '../../../shared/tables';
import { useAzurite } from '../../support/azurite';

const subscription = (id: string, partnershipIds: string[], expiration = '2025-02-01T00:00:00Z') => ({
  subscriptionId: id,
  resource: `groups/${id}/members`,
  changeType: 'updated',
  expirationDateTime: expiration,
  clientStateHash: hashClientState('secret-' + id),
  notificationUrl: 'https://contoso.example/api/graph/notifications',
  lifecycleNotificationUrl: 'https://contoso.example/api/graph/lifecycle',
  partnershipIds,
});

describe('SubscriptionRepository (Azurite)', () => {
  const env = useAzurite();

  it('saves, finds by resource and expiry, renews', async () => {
    const subscriptions = new SubscriptionRepository(env().freshTables());
    await subscriptions.save(subscription('s1', ['p1']));
    await subscriptions.save(subscription('s2', ['p2'], '2025-03-01T00:00:00Z'));
    expect((await subscriptions.list({ resource: 'groups/s1/members' })).map((s) => s.subscriptionId)).toEqual(['s1']);
    expect((await subscriptions.list({ expiringBefore: new Date('2025-02-15T00:00:00Z') })).map((s) => s.subscriptionId)).toEqual(['s1']);
    await subscriptions.renewed('s1', '2025-04-01T00:00:00Z');
    expect((await subscriptions.get('s1'))?.expirationDateTime).toBe('2025-04-01T00:00:00.000Z');
    expect(await subscriptions.list({ expiringBefore: new Date('2025-02-15T00:00:00Z') })).toEqual([]);
  });

  it('tells which subscriptions no partnership needs after one is released', async () => {
    const subscriptions = new SubscriptionRepository(env().freshTables());
    await subscriptions.save(subscription('shared', ['p1', 'p2']));
    await subscriptions.save(subscription('own', ['p1']));
    const unneeded = await subscriptions.releasePartnership('p1');
    expect(unneeded.map((s) => s.subscriptionId)).toEqual(['own']);
    expect((await subscriptions.get('shared'))?.partnershipIds).toEqual(['p2']);
    await subscriptions.delete('own');
    expect(await subscriptions.get('own')).toBeUndefined();
  });

  it('keeps concurrent partnership additions', async () => {
    const subscriptions = new SubscriptionRepository(env().freshTables());
    await subscriptions.save(subscription('s', []));
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => subscriptions.addPartnership('s', id)));
    expect((await subscriptions.get('s'))?.partnershipIds.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses an invalid id', async () => {
    const subscriptions = new SubscriptionRepository(env().freshTables());
    await expect(subscriptions.get('../x')).rejects.toMatchObject({ code: 'request.invalid' });
  });

  it('checks clientState against its hash', () => {
    const hash = hashClientState('s3cret');
    expect(clientStateMatches('s3cret', hash)).toBe(true);
    expect(clientStateMatches('s3cret!', hash)).toBe(false);
    expect(clientStateMatches(undefined, hash)).toBe(false);
  });
});
