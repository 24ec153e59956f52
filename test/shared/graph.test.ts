// The Graph adapter against the simulator: paging, $batch with per-item retry, Retry-After,
// 503/504 backoff, request counting and the mapping of Graph errors to domain errors.
import type { RunningSimulator } from '../../infra/local/simulator';
import { DomainError } from '../../shared/errors';
import { createCredential, GraphAdapter } from '../../shared/graph';
import { startTestSimulator, tenantNamed, appOf } from '../support/simulator';
import { adaptersFor, generatedTenantId, TEST_RETRY, worldWithExtraTenants } from '../support/tenant';

jest.setTimeout(120_000);

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';

describe('GraphAdapter against the simulator', () => {
  let sim: RunningSimulator;
  let contosoId: string;

  beforeAll(async () => {
    sim = await startTestSimulator({ world: worldWithExtraTenants(30) });
    contosoId = tenantNamed(sim, 'Contoso').id;
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.control.reset();
  });

  async function addPartnersAsAdmin(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const response = await sim.control.admin(contosoId, { method: 'POST', path: PARTNERS, body: { tenantId: generatedTenantId(index) } });
      expect(response.status).toBe(201);
    }
  }

  it('follows @odata.nextLink through every page', async () => {
    await addPartnersAsAdmin(7);
    const { graph, graphCounter } = adaptersFor(sim, 'Contoso', { pageSize: 3 });
    const partners = await graph.listPartners();
    expect(partners.map((partner) => partner.tenantId).sort()).toEqual(Array.from({ length: 7 }, (_, i) => generatedTenantId(i)).sort());
    expect(graphCounter.snapshot().byKey).toEqual({ [`GET ${PARTNERS}`]: 3 });
  });

  it('sends 20 requests per $batch and answers each item', async () => {
    const { graph, graphCounter } = adaptersFor(sim, 'Contoso');
    const requests = Array.from({ length: 25 }, (_, index) => ({
      id: `r${index}`,
      method: 'POST' as const,
      url: PARTNERS,
      body: { tenantId: generatedTenantId(index) },
    }));
    const responses = await graph.batch(requests);
    expect(responses.map((response) => response.status)).toEqual(Array(25).fill(201));
    expect(responses.map((response) => response.id)).toEqual(requests.map((request) => request.id));
    expect(graphCounter.snapshot().byKey).toEqual({ 'POST /$batch': 2 });
    // Two HTTP requests, 25 item operations (Graph throttles each item as one).
    expect(graphCounter.snapshot()).toMatchObject({ total: 2, operations: 25 });
    expect((await sim.control.state(contosoId)).partners).toHaveLength(25);
  });

  it('retries a throttled $batch item after its Retry-After, alone', async () => {
    await addPartnersAsAdmin(3);
    const throttled = generatedTenantId(1);
    await sim.control.addScriptedFault({ status: 429, count: 2, tenantId: contosoId, method: 'PATCH', pathContains: throttled, retryAfterSeconds: 1 });
    const { graph, graphCounter } = adaptersFor(sim, 'Contoso');
    const body = { b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] } } };
    const responses = await graph.batch([0, 1, 2].map((index) => ({ id: String(index), method: 'PATCH' as const, url: `${PARTNERS}/${generatedTenantId(index)}`, body })));
    expect(responses.map((response) => response.status)).toEqual([204, 204, 204]);
    // One batch of three, then the throttled item alone, twice.
    expect(graphCounter.snapshot().byKey).toEqual({ 'POST /$batch': 3 });
    expect(graphCounter.operations).toBe(5);
    const rows = await sim.control.counters({ tenantId: contosoId, operation: 'policies.crossTenantAccessPolicy.UpdatePartners' });
    expect(rows.reduce((sum, row) => sum + (row.statuses['429'] ?? 0), 0)).toBe(2);
    expect(rows.reduce((sum, row) => sum + (row.statuses['204'] ?? 0), 0)).toBe(3);
  });

  it('retries 503 and 504 with backoff on single requests', async () => {
    await sim.control.addScriptedFault({ status: 503, count: 1, tenantId: contosoId, method: 'GET', pathContains: 'crossTenantAccessPolicy' });
    await sim.control.addScriptedFault({ status: 504, count: 1, tenantId: contosoId, method: 'GET', pathContains: 'crossTenantAccessPolicy' });
    const { graph, graphCounter } = adaptersFor(sim, 'Contoso');
    expect(await graph.getAllowedCloudEndpoints()).toEqual([]);
    expect(graphCounter.total).toBe(3);
  });

  it('gives up as tenant.throttled when Retry-After is longer than the policy accepts', async () => {
    await sim.control.addScriptedFault({ status: 429, count: 5, tenantId: contosoId, method: 'GET', retryAfterSeconds: 120 });
    const { graph, graphCounter } = adaptersFor(sim, 'Contoso', { retry: { ...TEST_RETRY, maxRetryAfterMs: 1_000 } });
    await expect(graph.getAllowedCloudEndpoints()).rejects.toMatchObject({ code: 'tenant.throttled', status: 429 });
    expect(graphCounter.total).toBe(1);
  });

  it('gives up as tenant.unavailable when 503s outlast the retries', async () => {
    await sim.control.addScriptedFault({ status: 503, count: 10, tenantId: contosoId, method: 'GET' });
    const { graph, graphCounter } = adaptersFor(sim, 'Contoso', { retry: { ...TEST_RETRY, maxRetries: 2 } });
    await expect(graph.getAllowedCloudEndpoints()).rejects.toMatchObject({ code: 'tenant.unavailable' });
    expect(graphCounter.total).toBe(3);
  });

  it('maps Graph errors to domain errors', async () => {
    await addPartnersAsAdmin(1);
    const { graph } = adaptersFor(sim, 'Contoso');
    await expect(graph.request('POST', PARTNERS, { tenantId: generatedTenantId(0) })).rejects.toMatchObject({
      code: 'tenant.object-exists',
      details: { graphStatus: 409, graphCode: 'Request_MultipleObjectsWithSameKeyValue' },
    });
    await expect(graph.request('GET', `${PARTNERS}/${generatedTenantId(9)}`)).rejects.toMatchObject({
      code: 'tenant.object-missing',
      details: { graphCode: 'Directory_ObjectNotFound' },
    });
    const readonly = adaptersFor(sim, 'Contoso', { appName: 'cross-cloud-handshake-readonly' });
    await expect(readonly.graph.setAllowedCloudEndpoints(['microsoftonline.us'])).rejects.toMatchObject({
      code: 'tenant.permission-denied',
      details: { graphCode: 'Authorization_RequestDenied' },
    });
  });

  it('maps a policy over its size limit to tenant.policy-too-large', async () => {
    const small = await startTestSimulator({ world: worldWithExtraTenants(30), policySizeLimitBytes: 600 });
    try {
      const contoso = tenantNamed(small, 'Contoso');
      const app = appOf(small, contoso);
      const graph = new GraphAdapter({
        credential: createCredential({ kind: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret }, contoso.id, contoso),
        endpoints: { graphBaseUrl: `${contoso.graphBaseUrl}/v1.0`, graphScope: contoso.graphScope },
        retry: TEST_RETRY,
      });
      const body = (index: number) => ({
        tenantId: generatedTenantId(index),
        b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] } },
      });
      let failure: unknown;
      for (let index = 0; index < 30 && !failure; index += 1) {
        failure = await graph.request('POST', PARTNERS, body(index)).then(() => undefined, (error: unknown) => error);
      }
      expect(failure).toBeInstanceOf(DomainError);
      expect((failure as DomainError).code).toBe('tenant.policy-too-large');
    } finally {
      await small.stop();
    }
  });

  it('reports a bad client secret as tenant.authentication-failed', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const app = appOf(sim, contoso);
    const graph = new GraphAdapter({
      credential: createCredential({ kind: 'clientSecret', clientId: app.clientId, clientSecret: 'wrong-secret-value' }, contoso.id, contoso),
      endpoints: { graphBaseUrl: `${contoso.graphBaseUrl}/v1.0`, graphScope: contoso.graphScope },
      retry: TEST_RETRY,
    });
    await expect(graph.getAllowedCloudEndpoints()).rejects.toMatchObject({ code: 'tenant.authentication-failed' });
  });

  it('gets a 401 for a tenant of another cloud on this Graph host, mapped to tenant.authentication-failed', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const woodgrove = tenantNamed(sim, 'Woodgrove China');
    const app = appOf(sim, contoso);
    const graph = new GraphAdapter({
      credential: createCredential({ kind: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret }, contoso.id, contoso),
      // Contoso's token sent to China's Graph host.
      endpoints: { graphBaseUrl: `${woodgrove.graphBaseUrl}/v1.0`, graphScope: contoso.graphScope },
      retry: TEST_RETRY,
    });
    await expect(graph.getAllowedCloudEndpoints()).rejects.toMatchObject({ code: 'tenant.authentication-failed', details: { graphStatus: 401 } });
  });
});
