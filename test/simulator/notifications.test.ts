import type { Client } from '@microsoft/microsoft-graph-client';
import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { appOf, graphClientFor, NotificationReceiver, startTestSimulator, tenantNamed } from '../support/simulator';

const inMinutes = (minutes: number): string => new Date(Date.now() + minutes * 60_000).toISOString();

describe('simulator: subscriptions and change notifications', () => {
  let sim: RunningSimulator;
  let receiver: NotificationReceiver;
  let contoso: SimTenantView;
  let graph: Client;

  beforeAll(async () => {
    sim = await startTestSimulator({ notificationDelayMs: 50, notificationBatchSize: 3, notificationRetry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200 }, subscriptionValidationTimeoutMs: 1_000 });
    receiver = await NotificationReceiver.start();
    contoso = tenantNamed(sim, 'Contoso');
    graph = graphClientFor(sim, contoso);
  });
  beforeEach(async () => {
    await sim.control.reset();
    receiver.requests.length = 0;
    receiver.script.length = 0;
  });
  afterAll(async () => {
    await sim?.stop();
    await receiver?.stop();
  });

  const subscribe = (overrides: Record<string, unknown> = {}) =>
    graph.api('/subscriptions').post({
      changeType: 'updated,deleted',
      notificationUrl: `${receiver.url}/notify`,
      resource: 'users',
      expirationDateTime: inMinutes(60),
      clientState: 'secret-state',
      ...overrides,
    });

  it('validates the notification URL before answering 201 (token echoed as text/plain)', async () => {
    const subscription = await subscribe();
    expect(subscription).toMatchObject({ resource: 'users', changeType: 'updated,deleted', clientState: 'secret-state', applicationId: appOf(sim, contoso).clientId });
    const validation = receiver.requests[0];
    expect(validation.path).toBe('/notify');
    expect(validation.contentType).toMatch(/^text\/plain/);
    expect(validation.query.get('validationToken')).toMatch(/^Validation: Testing client application reachability/);
    expect((await graph.api(`/subscriptions/${subscription.id}`).get()).id).toBe(subscription.id);
  });

  it('refuses a subscription whose endpoint does not validate (wrong answer, error, timeout) and stores nothing', async () => {
    receiver.script.push({ status: 200, body: 'not the token' });
    await expect(subscribe()).rejects.toMatchObject({ statusCode: 400, code: 'ValidationError', message: expect.stringMatching(/validation request failed/) });
    receiver.script.push({ status: 500 });
    await expect(subscribe()).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/answered 500/) });
    receiver.script.push({ status: 200, body: 'late', delayMs: 3_000 });
    await expect(subscribe()).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/no answer within 1000 ms/) });
    expect((await sim.control.state(contoso.id)).subscriptions).toEqual([]);
  });

  it('refuses non-HTTPS non-local URLs, bad expirations and unsupported resources', async () => {
    await expect(subscribe({ notificationUrl: 'http://example.com/notify' })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/HTTPS/) });
    await expect(subscribe({ expirationDateTime: inMinutes(41_760 + 10) })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/41760 minutes/) });
    await expect(subscribe({ expirationDateTime: inMinutes(-1) })).rejects.toMatchObject({ statusCode: 400 });
    await expect(subscribe({ resource: "me/mailFolders('Inbox')/messages" })).rejects.toMatchObject({ statusCode: 400 });
    await expect(subscribe({ changeType: 'renamed' })).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining("'renamed'") });
    expect(receiver.requests).toEqual([]);
  });

  it('delivers a change to a watched user with clientState, within the delay, batched', async () => {
    const subscription = await subscribe();
    const [lee, megan] = [contoso.users.find((u) => u.displayName === 'Lee Gu')!, contoso.users.find((u) => u.displayName === 'Megan Bowen')!];
    await sim.control.admin(contoso.id, { method: 'PATCH', path: `/users/${lee.id}`, body: { jobTitle: 'Architect' } });
    await sim.control.admin(contoso.id, { method: 'PATCH', path: `/users/${megan.id}`, body: { jobTitle: 'CMO' } });
    const [delivery] = await receiver.waitFor(() => receiver.notifications().length > 0 && receiver.notifications());
    expect(delivery.contentType).toMatch(/^application\/json/);
    expect(delivery.json.value).toEqual([
      expect.objectContaining({ subscriptionId: subscription.id, clientState: 'secret-state', changeType: 'updated', resource: `Users/${lee.id}`, tenantId: contoso.id, resourceData: expect.objectContaining({ id: lee.id, '@odata.type': '#Microsoft.Graph.User' }) }),
      expect.objectContaining({ resource: `Users/${megan.id}` }),
    ]);
  });

  it('sends at most notificationBatchSize notifications per POST, none lost, and logs how long each answer took', async () => {
    await subscribe();
    const lee = contoso.users.find((u) => u.displayName === 'Lee Gu')!;
    for (let change = 0; change < 7; change++) await sim.control.admin(contoso.id, { method: 'PATCH', path: `/users/${lee.id}`, body: { jobTitle: `Title ${change}` } });
    const deliveries = await receiver.waitFor(() => {
      const all = receiver.notifications();
      return all.reduce((sum, request) => sum + request.json.value.length, 0) >= 7 && all;
    });
    expect(deliveries.every((request) => request.json.value.length <= 3)).toBe(true);
    expect(deliveries.reduce((sum, request) => sum + request.json.value.length, 0)).toBe(7);
    const log = (await sim.control.notifications()).filter((record) => record.kind === 'change');
    expect(log.every((record) => record.delivered && typeof record.durationMs === 'number' && record.durationMs >= 0)).toBe(true);
    expect(log.map((record) => record.items)).toEqual(deliveries.map((request) => request.json.value.length));
    const light = (await sim.control.notifications({ payload: false })).filter((record) => record.kind === 'change');
    expect(light.map((record) => record.items)).toEqual(log.map((record) => record.items));
    expect(light.every((record) => record.payload === undefined)).toBe(true);
  });

  it('only for the change types asked for', async () => {
    await subscribe({ changeType: 'deleted' });
    const lee = contoso.users.find((u) => u.displayName === 'Lee Gu')!;
    await sim.control.admin(contoso.id, { method: 'PATCH', path: `/users/${lee.id}`, body: { jobTitle: 'Architect' } });
    await sim.control.admin(contoso.id, { method: 'DELETE', path: `/users/${lee.id}` });
    const deliveries = await receiver.waitFor(() => receiver.notifications().length > 0 && receiver.notifications());
    expect(deliveries[0].json.value).toEqual([expect.objectContaining({ changeType: 'deleted', resource: `Users/${lee.id}` })]);
  });

  it('reports group membership changes (members@delta) to a group subscription', async () => {
    const group = contoso.groups.find((g) => g.displayName === 'Engineering')!;
    await subscribe({ resource: `groups/${group.id}`, changeType: 'updated' });
    const adele = contoso.users.find((u) => u.displayName === 'Adele Vance')!;
    await sim.control.admin(contoso.id, { method: 'POST', path: `/groups/${group.id}/members/$ref`, body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${adele.id}` } });
    const [delivery] = await receiver.waitFor(() => receiver.notifications().length > 0 && receiver.notifications());
    expect(delivery.json.value[0]).toMatchObject({ resource: `Groups/${group.id}`, resourceData: { id: group.id, 'members@delta': [{ id: adele.id }] } });
  });

  it('retries with backoff while the receiver fails, then delivers once', async () => {
    await subscribe();
    receiver.script.push({ status: 503 }, { status: 500 });
    const lee = contoso.users.find((u) => u.displayName === 'Lee Gu')!;
    await sim.control.admin(contoso.id, { method: 'PATCH', path: `/users/${lee.id}`, body: { jobTitle: 'Architect' } });
    await receiver.waitFor(() => receiver.notifications().length >= 3);
    const log = (await sim.control.notifications()).filter((record) => record.kind === 'change');
    expect(log.map((record) => [record.attempt, record.status, record.delivered])).toEqual([
      [1, 503, false],
      [2, 500, false],
      [3, 202, true],
    ]);
  });

  it('sends `missed` to the lifecycle URL when retries run out', async () => {
    const subscription = await subscribe({ lifecycleNotificationUrl: `${receiver.url}/lifecycle` });
    receiver.script.push({ status: 500 }, { status: 500 }, { status: 500 });
    const lee = contoso.users.find((u) => u.displayName === 'Lee Gu')!;
    await sim.control.admin(contoso.id, { method: 'PATCH', path: `/users/${lee.id}`, body: { jobTitle: 'Architect' } });
    const [missed] = await receiver.waitFor(() => receiver.notifications('/lifecycle').length > 0 && receiver.notifications('/lifecycle'));
    expect(missed.json.value[0]).toMatchObject({ subscriptionId: subscription.id, lifecycleEvent: 'missed', clientState: 'secret-state', tenantId: contoso.id });
  });

  it('lifecycle notifications on demand; reauthorize; subscriptionRemoved removes it', async () => {
    const subscription = await subscribe({ lifecycleNotificationUrl: `${receiver.url}/lifecycle` });
    await sim.control.triggerLifecycle(subscription.id, 'reauthorizationRequired');
    const lifecycle = receiver.notifications('/lifecycle');
    expect(lifecycle[0].json.value[0]).toMatchObject({ subscriptionId: subscription.id, lifecycleEvent: 'reauthorizationRequired' });
    await expect(graph.api(`/subscriptions/${subscription.id}/reauthorize`).post({})).resolves.toBeUndefined();
    await sim.control.triggerLifecycle(subscription.id, 'subscriptionRemoved');
    expect(receiver.notifications('/lifecycle')[1].json.value[0].lifecycleEvent).toBe('subscriptionRemoved');
    await expect(graph.api(`/subscriptions/${subscription.id}`).get()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('PATCH renews (200 with the subscription), within the limit; DELETE removes', async () => {
    const subscription = await subscribe();
    const later = inMinutes(60 * 24 * 20);
    const renewed = await graph.api(`/subscriptions/${subscription.id}`).patch({ expirationDateTime: later });
    expect(new Date(renewed.expirationDateTime).getTime()).toBe(new Date(later).getTime());
    await expect(graph.api(`/subscriptions/${subscription.id}`).patch({ expirationDateTime: inMinutes(60 * 24 * 40) })).rejects.toMatchObject({ statusCode: 400 });
    expect((await graph.api('/subscriptions').get()).value).toHaveLength(1);
    await graph.api(`/subscriptions/${subscription.id}`).delete();
    expect((await graph.api('/subscriptions').get()).value).toEqual([]);
  });

  it('an app sees only its own subscriptions', async () => {
    const subscription = await subscribe();
    const other = graphClientFor(sim, contoso, { app: appOf(sim, contoso, 'cross-cloud-handshake-readonly') });
    expect((await other.api('/subscriptions').get()).value).toEqual([]);
    await expect(other.api(`/subscriptions/${subscription.id}`).get()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('needs the read permission of the watched resource', async () => {
    const world = {
      tenants: [{ id: '0b9f3a5e-1c2d-4e6f-8a7b-9c0d1e2f3a4b', cloud: 'Global' as const, displayName: 'Solo', domains: ['solo.example'] }],
      apps: [{ tenantId: '0b9f3a5e-1c2d-4e6f-8a7b-9c0d1e2f3a4b', clientId: '5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f', clientSecret: 'solo-secret-123', displayName: 'groups-only', permissions: ['Group.Read.All' as const] }],
    };
    const solo = await startTestSimulator({ world });
    try {
      const tenant = solo.world.tenants[0];
      const client = graphClientFor(solo, tenant, { app: solo.world.apps[0] });
      await expect(
        client.api('/subscriptions').post({ changeType: 'updated', notificationUrl: `${receiver.url}/notify`, resource: 'users', expirationDateTime: inMinutes(60) }),
      ).rejects.toMatchObject({ statusCode: 403 });
      await expect(
        client.api('/subscriptions').post({ changeType: 'updated', notificationUrl: `${receiver.url}/notify`, resource: 'groups', expirationDateTime: inMinutes(60) }),
      ).resolves.toMatchObject({ resource: 'groups' });
    } finally {
      await solo.stop();
    }
  });

  it('produced no response that breaks the OpenAPI description', async () => {
    expect(await sim.control.violations()).toEqual([]);
  });
});
