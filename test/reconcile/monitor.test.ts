// The eternal subscription monitor on the local stack, with short subscription lifetimes set
// through app settings: it renews before expiry on its own, and removes what no partnership
// needs any more.
import { createRepositories, type Repositories } from '../../shared';
import { api, useStack, WORLD, type LocalStackDeployment } from '../support/stack';
import { activateWoodgrovePartnership, eventually } from './support';

jest.setTimeout(240_000);

describe('the subscription monitor', () => {
  const stack = useStack(() => ({
    deployments: [{ name: 'Contoso', tenantId: WORLD.contoso }],
    timings: 'short',
    inMemoryStorage: true,
    settings: {
      // Lives 5 minutes, renewed when 4 are left: due one minute after creation.
      SUBSCRIPTION_LIFETIME_MINUTES: '5',
      SUBSCRIPTION_RENEW_BEFORE_MINUTES: '4',
      SUBSCRIPTION_MONITOR_MAX_SLEEP_MINUTES: '1',
      RECONCILE_SCHEDULE: '0 0 0 1 1 *',
    },
  }));
  let contoso: LocalStackDeployment;
  let repos: Repositories;
  const graphSubscriptions = async () => (await stack().simulator.control.state(WORLD.contoso)).subscriptions;

  beforeAll(async () => {
    contoso = stack().deployment('Contoso');
    repos = createRepositories({ storage: { connectionString: stack().azurite.connectionString, tablePrefix: contoso.tablePrefix }, tableConflictRetries: 5 });
    await activateWoodgrovePartnership(stack().simulator, repos.partnerships, { id: 'p1' });
  });

  it('renews every subscription before it expires, without being asked', async () => {
    expect((await api(contoso, 'POST', '/admin/functions/ensureSubscriptions', { key: 'master', body: { input: { partnershipId: 'p1' } } })).status).toBe(202);
    const created = await eventually(async () => {
      const subscriptions = await graphSubscriptions();
      return subscriptions.length === 2 ? subscriptions : undefined;
    }, { what: 'the subscriptions' });
    const firstExpiry = new Map(created.map((subscription) => [subscription.id, Date.parse(String(subscription.expirationDateTime))]));

    const renewed = await eventually(
      async () => {
        const subscriptions = await graphSubscriptions();
        const later = subscriptions.filter((subscription) => Date.parse(String(subscription.expirationDateTime)) > firstExpiry.get(subscription.id)!);
        return later.length === 2 ? subscriptions : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000, what: 'the monitor to renew both subscriptions' },
    );
    // Same subscriptions (renewed, not recreated), and renewed while they were still valid.
    expect(renewed.map((subscription) => subscription.id).sort()).toEqual([...firstExpiry.keys()].sort());
    const rows = await repos.subscriptions.list();
    for (const row of rows) expect(Date.parse(row.expirationDateTime)).toBe(Date.parse(String(renewed.find((s) => s.id === row.subscriptionId)!.expirationDateTime)));
    const monitor = await api(contoso, 'GET', `/runtime/webhooks/durabletask/instances/subscription-monitor?code=${contoso.systemKey}`, { key: 'none' });
    expect(monitor.body).toMatchObject({ runtimeStatus: 'Running', customStatus: { step: 'sleeping' } });
  });

  it('deletes the subscriptions once no partnership needs them', async () => {
    await repos.partnerships.transition('p1', 'Offboarding');
    // Wake the monitor now rather than within a minute.
    const nudged = await api(contoso, 'POST', `/runtime/webhooks/durabletask/instances/subscription-monitor/raiseEvent/sync?code=${contoso.systemKey}`, { key: 'none', body: {} });
    expect(nudged.status).toBe(202);
    await eventually(async () => (await graphSubscriptions()).length === 0, { what: 'the subscriptions to be deleted' });
    await eventually(async () => (await repos.subscriptions.list()).length === 0, { what: 'the Subscriptions rows to be deleted' });
  });
});
