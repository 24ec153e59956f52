import { BatchRequestContent, BatchResponseContent, Client } from '@microsoft/microsoft-graph-client';
import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { appOf, call, DIRECTORY_ADMIN_APP, graphClientFor, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';

describe('simulator: $batch', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantView;
  let fabrikam: SimTenantView;
  let graph: Client;

  beforeAll(async () => {
    sim = await startTestSimulator();
    contoso = tenantNamed(sim, 'Contoso');
    fabrikam = tenantNamed(sim, 'Fabrikam');
    graph = graphClientFor(sim, contoso);
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim?.stop());

  it('runs requests with dependsOn in order and answers each on its own', async () => {
    const result = await graph.api('/$batch').post({
      requests: [
        { id: '2', method: 'GET', url: `${PARTNERS}/${fabrikam.id}`, dependsOn: ['1'] },
        { id: '1', method: 'POST', url: PARTNERS, headers: { 'Content-Type': 'application/json' }, body: { tenantId: fabrikam.id } },
        { id: '3', method: 'GET', url: '/policies/crossTenantAccessPolicy' },
      ],
    });
    const byId = new Map<string, unknown>(result.responses.map((r: { id: string }) => [r.id, r]));
    expect(byId.get('1')).toMatchObject({ status: 201, body: { tenantId: fabrikam.id } });
    expect(byId.get('2')).toMatchObject({ status: 200, body: { tenantId: fabrikam.id } });
    expect(byId.get('3')).toMatchObject({ status: 200, body: { displayName: 'CrossTenantAccessPolicy' } });
  });

  it('a request whose dependency failed gets 424; the others are unaffected', async () => {
    const result = await graph.api('/$batch').post({
      requests: [
        { id: 'a', method: 'POST', url: PARTNERS, headers: { 'Content-Type': 'application/json' }, body: { tenantId: 'not-a-guid' } },
        { id: 'b', method: 'GET', url: PARTNERS, dependsOn: ['a'] },
        { id: 'c', method: 'GET', url: PARTNERS },
      ],
    });
    const statuses = Object.fromEntries(result.responses.map((r: { id: string; status: number }) => [r.id, r.status]));
    expect(statuses).toEqual({ a: 400, b: 424, c: 200 });
    expect((await sim.control.state(contoso.id)).partners).toEqual([]);
  });

  it('refuses more than 20 requests, duplicate ids, unknown or circular dependencies', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' }));
    await expect(graph.api('/$batch').post({ requests: many })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/maximum of 20/) });
    await expect(graph.api('/$batch').post({ requests: [{ id: '1', method: 'GET', url: '/organization' }, { id: '1', method: 'GET', url: '/organization' }] })).rejects.toMatchObject({ statusCode: 400 });
    await expect(graph.api('/$batch').post({ requests: [{ id: '1', method: 'GET', url: '/organization', dependsOn: ['9'] }] })).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      graph.api('/$batch').post({ requests: [{ id: '1', method: 'GET', url: '/organization', dependsOn: ['2'] }, { id: '2', method: 'GET', url: '/organization', dependsOn: ['1'] }] }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/circular/) });
  });

  it('needs Content-Type on an item with a body, and checks permissions per item', async () => {
    const readonly = graphClientFor(sim, contoso, { app: appOf(sim, contoso, 'cross-cloud-handshake-readonly') });
    const result = await readonly.api('/$batch').post({
      requests: [
        { id: '1', method: 'POST', url: PARTNERS, body: { tenantId: fabrikam.id } },
        { id: '2', method: 'POST', url: PARTNERS, headers: { 'Content-Type': 'application/json' }, body: { tenantId: fabrikam.id } },
        { id: '3', method: 'GET', url: PARTNERS },
      ],
    });
    const statuses = Object.fromEntries(result.responses.map((r: { id: string; status: number }) => [r.id, r.status]));
    expect(statuses).toEqual({ '1': 400, '2': 403, '3': 200 });
  });

  it('works with the graph client BatchRequestContent / BatchResponseContent helpers', async () => {
    const token = await tokenFor(contoso, appOf(sim, contoso, DIRECTORY_ADMIN_APP));
    const headers = { Authorization: `Bearer ${token}` };
    const content = new BatchRequestContent([
      { id: 'users', request: new Request(`${contoso.graphBaseUrl}/v1.0/users?$top=2`, { method: 'GET', headers }) },
      { id: 'org', request: new Request(`${contoso.graphBaseUrl}/v1.0/organization`, { method: 'GET', headers }) },
    ]);
    const admin = graphClientFor(sim, contoso, { app: appOf(sim, contoso, DIRECTORY_ADMIN_APP) });
    const raw = await admin.api('/$batch').post(await content.getContent());
    const responses = new BatchResponseContent(raw);
    expect(responses.getResponseById('users')?.status).toBe(200);
    const organization = (await responses.getResponseById('org')!.json()) as { value: Array<{ id: string }> };
    expect(organization.value[0].id).toBe(contoso.id);
  });

  it('throttles each item on its own (429 with Retry-After inside the batch)', async () => {
    await sim.control.setFaults({ throttle: { limit: 3, windowSeconds: 60 } });
    const result = await graph.api('/$batch').post({ requests: Array.from({ length: 5 }, (_, i) => ({ id: String(i), method: 'GET', url: PARTNERS })) });
    const throttled = result.responses.filter((r: { status: number }) => r.status === 429);
    expect(throttled).toHaveLength(2);
    expect(Number(throttled[0].headers['Retry-After'])).toBeGreaterThan(0);
    expect(throttled[0].body.error.code).toBe('TooManyRequests');
  });
});

describe('simulator: faults, throttling and counters', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantView;

  beforeAll(async () => {
    sim = await startTestSimulator();
    contoso = tenantNamed(sim, 'Contoso');
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim?.stop());

  it('throttles per app per tenant: 429 with Retry-After, other apps unaffected', async () => {
    await sim.control.setFaults({ throttle: { limit: 2, windowSeconds: 30 } });
    const token = await tokenFor(contoso, appOf(sim, contoso));
    const url = `${contoso.graphBaseUrl}/v1.0${PARTNERS}`;
    expect((await call(url, { token })).status).toBe(200);
    expect((await call(url, { token })).status).toBe(200);
    const third = await call(url, { token });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(third.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect(third.body.error.code).toBe('TooManyRequests');
    const otherApp = await tokenFor(contoso, appOf(sim, contoso, 'cross-cloud-handshake-readonly'));
    expect((await call(url, { token: otherApp })).status).toBe(200);
    const fabrikam = tenantNamed(sim, 'Fabrikam');
    expect((await call(`${fabrikam.graphBaseUrl}/v1.0${PARTNERS}`, { token: await tokenFor(fabrikam, appOf(sim, fabrikam)) })).status).toBe(200);
  });

  it('the real graph client RetryHandler waits Retry-After and succeeds', async () => {
    await sim.control.setFaults({ throttle: { limit: 1, windowSeconds: 2 } });
    const graph = graphClientFor(sim, contoso);
    await graph.api(PARTNERS).get();
    const started = Date.now();
    const second = await graph.api(PARTNERS).get();
    expect(second.value).toEqual([]);
    // It had to wait for the window: at least ~1 s (Retry-After is whole seconds).
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const rows = await sim.control.counters({ tenantId: contoso.id, operation: 'policies.crossTenantAccessPolicy.ListPartners' });
    expect(rows[0].statuses['429']).toBeGreaterThanOrEqual(1);
    expect(rows[0].statuses['200']).toBe(2);
  });

  it('scripted faults fail exactly the next matching requests (503 honoured by the RetryHandler)', async () => {
    await sim.control.addScriptedFault({ status: 503, count: 2, operation: 'policies.GetCrossTenantAccessPolicy', retryAfterSeconds: 0 });
    const graph = graphClientFor(sim, contoso);
    const policy = await graph.api('/policies/crossTenantAccessPolicy').get();
    expect(policy.displayName).toBe('CrossTenantAccessPolicy');
    const [row] = await sim.control.counters({ operation: 'policies.GetCrossTenantAccessPolicy' });
    expect(row.statuses).toEqual({ '503': 2, '200': 1 });
  });

  it('fails a configurable share of requests with 503/504', async () => {
    await sim.control.setFaults({ transientErrorRate: 1 });
    const token = await tokenFor(contoso, appOf(sim, contoso));
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) statuses.add((await call(`${contoso.graphBaseUrl}/v1.0/organization`, { token })).status);
    expect([...statuses].every((status) => status === 503 || status === 504)).toBe(true);
    await sim.control.setFaults({ transientErrorRate: 0 });
    expect((await call(`${contoso.graphBaseUrl}/v1.0/organization`, { token })).status).toBe(200);
  });

  it('adds latency to every request', async () => {
    const token = await tokenFor(contoso, appOf(sim, contoso));
    await sim.control.setFaults({ latencyMs: 300 });
    const started = Date.now();
    await call(`${contoso.graphBaseUrl}/v1.0/organization`, { token });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('counts requests per tenant, app and operation', async () => {
    const token = await tokenFor(contoso, appOf(sim, contoso));
    await call(`${contoso.graphBaseUrl}/v1.0/organization`, { token });
    await call(`${contoso.graphBaseUrl}/v1.0/organization`, { token });
    await call(`${contoso.graphBaseUrl}/v1.0${PARTNERS}/00000000-0000-0000-0000-000000000000`, { token });
    const rows = await sim.control.counters({ tenantId: contoso.id, clientId: appOf(sim, contoso).clientId });
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operation: 'organization.organization.ListOrganization', count: 2, statuses: { '200': 2 } }),
        expect.objectContaining({ operation: 'policies.crossTenantAccessPolicy.GetPartners', count: 1, statuses: { '404': 1 } }),
      ]),
    );
    await sim.control.resetCounters();
    expect(await sim.control.counters()).toEqual([]);
  });

  it('rejects invalid fault settings with a clear error and keeps the old ones', async () => {
    await expect(sim.control.setFaults({ transientErrorRate: 2 })).rejects.toThrow(/transientErrorRate/);
    await expect(sim.control.setFaults({ throttle: { limit: 0 } })).rejects.toThrow(/throttle/);
    expect(await sim.control.faults()).toMatchObject({ transientErrorRate: 0, throttle: null });
  });
});
