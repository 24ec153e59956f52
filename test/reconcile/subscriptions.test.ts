// Subscriptions of the deployment: which ones partnerships need (pure), and the sync against the
// simulator (real validation handshake to a real HTTP receiver) and Azurite: create, share, renew
// before expiry (simulated clock), recreate what Graph lost, delete what nobody needs, orphans.
import type { RunningSimulator } from '../../infra/local/simulator';
import {
  MAX_GUEST_SUBSCRIPTIONS,
  notificationUrls,
  releaseSubscriptions,
  subscriptionsNeeded,
  syncSubscriptions,
  type SubscriptionSyncOptions,
} from '../../shared/reconcile/subscriptions';
import { createRepositories, hashClientState, type PartnershipRecord, type Repositories } from '../../shared';
import { uniquePrefix, useAzurite } from '../support/azurite';
import { NotificationReceiver, startTestSimulator } from '../support/simulator';
import { adaptersFor, type SimTenantAdapters } from '../support/tenant';
import { activateWoodgrovePartnership, CONTOSO_COLLABORATORS_GROUP, woodgroveDesired } from './support';

jest.setTimeout(120_000);

const LIFETIME = 60;
const RENEW_BEFORE = 20;

function record(id: string, desired: PartnershipRecord['desired'], ownership: PartnershipRecord['ownership'] = []): PartnershipRecord {
  return {
    id,
    role: 'initiator',
    status: 'Active',
    driftStatus: 'InSync',
    partnerTenantId: desired.partnerTenantId,
    partnerCloud: desired.partnerCloud,
    desired,
    partnerDomains: [],
    ownership,
    intents: [],
    lastError: null,
    data: {},
    createdAt: '',
    updatedAt: '',
    version: 1,
    etag: '',
  };
}

describe('subscriptions a partnership needs', () => {
  const sim = { world: { tenants: [{ id: '7e8be59e-c071-47fb-ab9c-d694c21edb87', displayName: 'Woodgrove China' }] } } as unknown as RunningSimulator;
  const guest = (n: number) => ({ kind: 'guest' as const, upn: `g${n}@woodgrove.cn`, userId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` });

  it('watches the outbound scoping groups and each invited guest, shared between partnerships', () => {
    const scoped = woodgroveDesired(sim);
    const needs = subscriptionsNeeded([record('a', scoped, [guest(1)]), record('b', scoped, [guest(2), { kind: 'guest', upn: 'pending@woodgrove.cn' }])]);
    expect(needs).toEqual([
      { resource: `groups/${CONTOSO_COLLABORATORS_GROUP}/members`, changeType: 'updated', partnershipIds: ['a', 'b'] },
      { resource: `users/${guest(1).userId}`, changeType: 'updated,deleted', partnershipIds: ['a'] },
      { resource: `users/${guest(2).userId}`, changeType: 'updated,deleted', partnershipIds: ['b'] },
    ]);
  });

  it('watches the tenant’s users where scoping is "all", and folds every guest into it', () => {
    const all = woodgroveDesired(sim, { b2bCollaboration: { outbound: { users: 'all' } } });
    const needs = subscriptionsNeeded([record('a', all), record('b', woodgroveDesired(sim), [guest(1)])]);
    expect(needs).toEqual([
      { resource: `groups/${CONTOSO_COLLABORATORS_GROUP}/members`, changeType: 'updated', partnershipIds: ['b'] },
      { resource: 'users', changeType: 'updated,deleted', partnershipIds: ['a', 'b'] },
    ]);
  });

  it(`uses one users subscription for a partnership with more than ${MAX_GUEST_SUBSCRIPTIONS} guests, and none for one with nothing to watch`, () => {
    const many = Array.from({ length: MAX_GUEST_SUBSCRIPTIONS + 1 }, (_, n) => guest(n));
    const inboundOnly = woodgroveDesired(sim, { b2bCollaboration: { inbound: { users: 'all' } }, guests: [] });
    expect(subscriptionsNeeded([record('a', woodgroveDesired(sim, { b2bCollaboration: { inbound: { users: 'all' } } }), many), record('b', inboundOnly)])).toEqual([
      { resource: 'users', changeType: 'updated,deleted', partnershipIds: ['a'] },
    ]);
  });
});

describe('syncing subscriptions with Graph', () => {
  const azurite = useAzurite();
  let sim: RunningSimulator;
  let receiver: NotificationReceiver;
  let repos: Repositories;
  let contoso: SimTenantAdapters;

  beforeAll(async () => {
    sim = await startTestSimulator();
    receiver = await NotificationReceiver.start();
  });
  afterAll(async () => {
    await receiver?.stop();
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.control.reset();
    repos = createRepositories({ storage: { connectionString: azurite().azurite.connectionString, tablePrefix: uniquePrefix() }, tableConflictRetries: 5 });
    contoso = adaptersFor(sim, 'Contoso');
  });

  const options = (now = new Date()): SubscriptionSyncOptions => ({
    graph: contoso.graph,
    subscriptions: repos.subscriptions,
    publicBaseUrl: receiver.url,
    lifetimeMinutes: LIFETIME,
    renewBeforeMinutes: RENEW_BEFORE,
    now,
  });
  const graphSubscriptions = async () => (await sim.control.state(contoso.tenant.id)).subscriptions;
  const writes = async () =>
    (await sim.control.counters({ tenantId: contoso.tenant.id })).filter((row) => /subscription/i.test(row.operation) && !/(^|\.)(Get|List)[A-Z]/.test(row.operation));

  it('creates what Active partnerships need with a secret clientState stored as a hash, then has nothing to do', async () => {
    const active = await activateWoodgrovePartnership(sim, repos.partnerships, { id: 'p1' });
    const guestId = active.ownership.flatMap((item) => (item.kind === 'guest' ? [item.userId] : []))[0]!;
    const needs = subscriptionsNeeded([active]);
    const first = await syncSubscriptions(needs, options());
    expect(first.created.length).toBe(2);
    expect(first.failures).toEqual([]);

    const stored = await repos.subscriptions.list();
    const inGraph = await graphSubscriptions();
    expect(stored.map((row) => row.resource).sort()).toEqual([`groups/${CONTOSO_COLLABORATORS_GROUP}/members`, `users/${guestId}`].sort());
    for (const row of stored) {
      const subscription = inGraph.find((candidate) => candidate.id === row.subscriptionId)!;
      expect(subscription).toMatchObject({ ...notificationUrls(receiver.url), resource: row.resource });
      expect(hashClientState(String(subscription.clientState))).toBe(row.clientStateHash);
      expect(JSON.stringify(row)).not.toContain(String(subscription.clientState));
      expect(row.partnershipIds).toEqual(['p1']);
    }
    // Graph validated the notification URL with the handshake.
    expect(receiver.requests.some((request) => request.query.has('validationToken') && request.path === '/api/graph/notifications')).toBe(true);
    expect(first.nextDueAt).not.toBeNull();

    await sim.control.resetCounters();
    const second = await syncSubscriptions(needs, options());
    expect(second).toMatchObject({ created: [], renewed: [], recreated: [], removed: [], updated: [], orphansDeleted: [] });
    expect(await writes()).toEqual([]);
  });

  it('renews subscriptions when they are due (expiry minus the renewal margin), before they expire', async () => {
    const active = await activateWoodgrovePartnership(sim, repos.partnerships, { id: 'p1' });
    const needs = subscriptionsNeeded([active]);
    const first = await syncSubscriptions(needs, options());
    const before = await repos.subscriptions.list();
    // Not due yet a minute before the margin; due a minute after it (a simulated clock).
    const notDue = await syncSubscriptions(needs, options(new Date(Date.parse(first.nextDueAt!) - 60_000)));
    expect(notDue.renewed).toEqual([]);
    const later = new Date(Date.parse(first.nextDueAt!) + 60_000);
    const renewed = await syncSubscriptions(needs, options(later));
    expect(renewed.renewed.sort()).toEqual(before.map((row) => row.subscriptionId).sort());
    const after = await repos.subscriptions.list();
    for (const row of after) {
      const old = before.find((candidate) => candidate.subscriptionId === row.subscriptionId)!;
      expect(Date.parse(row.expirationDateTime)).toBeGreaterThan(Date.parse(old.expirationDateTime));
      const inGraph = (await graphSubscriptions()).find((candidate) => candidate.id === row.subscriptionId)!;
      expect(Date.parse(String(inGraph.expirationDateTime))).toBe(Date.parse(row.expirationDateTime));
    }
    expect(Date.parse(renewed.nextDueAt!)).toBeGreaterThan(later.getTime());
  });

  it('recreates a subscription Graph removed, and deletes those no partnership needs', async () => {
    const active = await activateWoodgrovePartnership(sim, repos.partnerships, { id: 'p1' });
    const needs = subscriptionsNeeded([active]);
    await syncSubscriptions(needs, options());
    const [lost, kept] = await repos.subscriptions.list();
    await sim.control.triggerLifecycle(lost.subscriptionId, 'subscriptionRemoved');
    const again = await syncSubscriptions(needs, options());
    expect(again.recreated.length).toBe(1);
    expect(await repos.subscriptions.get(lost.subscriptionId)).toBeUndefined();
    const rows = await repos.subscriptions.list();
    expect(rows.map((row) => row.resource).sort()).toEqual([lost.resource, kept.resource].sort());

    const none = await syncSubscriptions([], options());
    expect(none.removed.length).toBe(2);
    expect(await repos.subscriptions.list()).toEqual([]);
    expect(await graphSubscriptions()).toEqual([]);
  });

  it('shares one subscription between partnerships and updates who needs it', async () => {
    const active = await activateWoodgrovePartnership(sim, repos.partnerships, { id: 'p1' });
    const group = `groups/${CONTOSO_COLLABORATORS_GROUP}/members`;
    const one = subscriptionsNeeded([{ ...active, ownership: [] }]);
    await syncSubscriptions(one, options());
    const two = subscriptionsNeeded([{ ...active, ownership: [] }, { ...active, id: 'p2', ownership: [] }]);
    const result = await syncSubscriptions(two, options());
    expect(result).toMatchObject({ created: [], updated: [expect.any(String)] });
    expect((await repos.subscriptions.list()).map((row) => [row.resource, row.partnershipIds])).toEqual([[group, ['p1', 'p2']]]);
    expect((await graphSubscriptions()).length).toBe(1);
  });

  it('a partnership being removed gives up its subscriptions: deleted when only it needed them, kept for the others otherwise', async () => {
    const active = await activateWoodgrovePartnership(sim, repos.partnerships, { id: 'p1' });
    // p1 watches the group and its guest; p2 shares the group only.
    await syncSubscriptions(subscriptionsNeeded([active, { ...active, id: 'p2', ownership: [] }]), options());
    const group = `groups/${CONTOSO_COLLABORATORS_GROUP}/members`;
    const before = await repos.subscriptions.list();
    expect(before.map((row) => [row.resource.startsWith('users/') ? 'users/<guest>' : row.resource, row.partnershipIds]).sort()).toEqual([
      [group, ['p1', 'p2']],
      ['users/<guest>', ['p1']],
    ]);
    const own = before.find((row) => row.resource.startsWith('users/'))!;
    const shared = before.find((row) => row.resource === group)!;

    const released = await releaseSubscriptions('p1', { graph: contoso.graph, subscriptions: repos.subscriptions });
    expect(released).toEqual({ removed: [own.subscriptionId], kept: [shared.subscriptionId] });
    expect((await repos.subscriptions.list()).map((row) => [row.resource, row.partnershipIds])).toEqual([[group, ['p2']]]);
    expect((await graphSubscriptions()).map((subscription) => subscription.id)).toEqual([shared.subscriptionId]);
    // Again: nothing left to give up.
    expect(await releaseSubscriptions('p1', { graph: contoso.graph, subscriptions: repos.subscriptions })).toEqual({ removed: [], kept: [] });
  });

  it('deletes subscriptions of this deployment that the table does not know (a create whose row was lost)', async () => {
    const active = await activateWoodgrovePartnership(sim, repos.partnerships, { id: 'p1' });
    const orphan = await contoso.graph.createSubscription({
      resource: 'groups',
      changeType: 'updated',
      ...notificationUrls(receiver.url),
      // Created well before this sync (an expiry far short of a fresh one's).
      expirationDateTime: new Date(Date.now() + 10 * 60_000).toISOString(),
      clientState: 'lost-secret',
    });
    const result = await syncSubscriptions(subscriptionsNeeded([{ ...active, ownership: [] }]), options());
    expect(result.orphansDeleted).toEqual([orphan.id]);
    expect((await graphSubscriptions()).map((subscription) => subscription.id)).not.toContain(orphan.id);
  });

  it('reports a need it cannot meet (a group that no longer exists) and still meets the others', async () => {
    const active = await activateWoodgrovePartnership(sim, repos.partnerships, { id: 'p1' });
    const needs = [...subscriptionsNeeded([active]), { resource: 'groups/00000000-0000-4000-8000-00000000dead/members', changeType: 'updated', partnershipIds: ['p1'] }];
    const result = await syncSubscriptions(needs, options());
    expect(result.created.length).toBe(2);
    expect(result.failures).toEqual([expect.objectContaining({ resource: 'groups/00000000-0000-4000-8000-00000000dead/members', code: 'tenant.object-missing' })]);
  });
});
