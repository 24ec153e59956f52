import type { Client } from '@microsoft/microsoft-graph-client';
import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { appOf, call, graphClientFor, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

const POLICY = '/policies/crossTenantAccessPolicy';
const PARTNERS = `${POLICY}/partners`;

describe('simulator: cross-tenant access policy', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantView;
  let fabrikam: SimTenantView;
  let china: SimTenantView;
  let gov: SimTenantView;
  let graph: Client;

  beforeAll(async () => {
    sim = await startTestSimulator();
    contoso = tenantNamed(sim, 'Contoso');
    fabrikam = tenantNamed(sim, 'Fabrikam');
    china = tenantNamed(sim, 'Woodgrove China');
    gov = tenantNamed(sim, 'Tailspin Gov');
    graph = graphClientFor(sim, contoso);
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim?.stop());

  describe('allowedCloudEndpoints', () => {
    it('PATCH replaces the whole array', async () => {
      await graph.api(POLICY).patch({ allowedCloudEndpoints: ['partner.microsoftonline.cn'] });
      await graph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.us'] });
      const policy = await graph.api(POLICY).get();
      expect(policy.allowedCloudEndpoints).toEqual(['microsoftonline.us']);
    });

    it('accepts only the three real values, naming the bad one, and changes nothing', async () => {
      await graph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.us'] });
      await expect(graph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.us', 'chinacloudapi.cn'] })).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining("'chinacloudapi.cn'"),
      });
      expect((await graph.api(POLICY).get()).allowedCloudEndpoints).toEqual(['microsoftonline.us']);
    });

    it('refuses a cloud the tenant may not pair with, and its own cloud', async () => {
      const chinaGraph = graphClientFor(sim, china);
      await expect(chinaGraph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.us'] })).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/China tenant cannot collaborate with the USGov/),
      });
      await expect(chinaGraph.api(POLICY).patch({ allowedCloudEndpoints: ['partner.microsoftonline.cn'] })).rejects.toMatchObject({ statusCode: 400 });
      await expect(chinaGraph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.com'] })).resolves.toBeUndefined();
    });

    it('names a mistyped field in a 400 (OpenAPI validation)', async () => {
      await expect(graph.api(POLICY).patch({ allowedCloudEndpoints: 'microsoftonline.us' })).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining('allowedCloudEndpoints'),
      });
      await expect(graph.api(POLICY).patch({ allowedCloudEndpointz: ['microsoftonline.us'] })).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining("'allowedCloudEndpointz'"),
      });
    });
  });

  describe('default configuration', () => {
    it('PATCH sets a setting and clears isServiceDefault; resetToSystemDefault restores it', async () => {
      const before = await graph.api(`${POLICY}/default`).get();
      expect(before.isServiceDefault).toBe(true);
      await graph.api(`${POLICY}/default`).patch({ inboundTrust: { isMfaAccepted: true, isCompliantDeviceAccepted: false, isHybridAzureADJoinedDeviceAccepted: false } });
      const changed = await graph.api(`${POLICY}/default`).get();
      expect(changed).toMatchObject({ isServiceDefault: false, inboundTrust: { isMfaAccepted: true } });
      await graph.api(`${POLICY}/default/resetToSystemDefault`).post({});
      const reset = await graph.api(`${POLICY}/default`).get();
      expect(reset).toMatchObject({ isServiceDefault: true, inboundTrust: { isMfaAccepted: false } });
    });

    it('rejects an invalid accessType by field name', async () => {
      await expect(
        graph.api(`${POLICY}/default`).patch({ b2bCollaborationInbound: { usersAndGroups: { accessType: 'sometimes', targets: [] } } }),
      ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('b2bCollaborationInbound.usersAndGroups.accessType') });
    });
  });

  describe('partners', () => {
    it('creates, reads, updates and deletes a same-cloud partner', async () => {
      const created = await graph.api(PARTNERS).post({ tenantId: fabrikam.id });
      expect(created).toMatchObject({ tenantId: fabrikam.id, b2bCollaborationInbound: null });
      const inbound = { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] } };
      await graph.api(`${PARTNERS}/${fabrikam.id}`).patch({ b2bCollaborationInbound: inbound });
      expect(await graph.api(`${PARTNERS}/${fabrikam.id}`).get()).toMatchObject({ tenantId: fabrikam.id, b2bCollaborationInbound: inbound });
      await graph.api(`${PARTNERS}/${fabrikam.id}`).delete();
      await expect(graph.api(`${PARTNERS}/${fabrikam.id}`).get()).rejects.toMatchObject({ statusCode: 404, code: 'Directory_ObjectNotFound' });
    });

    it('POST of an existing partner is 409; GET/PATCH/DELETE of a missing one is 404', async () => {
      await graph.api(PARTNERS).post({ tenantId: fabrikam.id });
      await expect(graph.api(PARTNERS).post({ tenantId: fabrikam.id })).rejects.toMatchObject({ statusCode: 409, code: 'Request_MultipleObjectsWithSameKeyValue' });
      await expect(graph.api(`${PARTNERS}/${gov.id}`).patch({ inboundTrust: null })).rejects.toMatchObject({ statusCode: 404, code: 'Directory_ObjectNotFound' });
      await expect(graph.api(`${PARTNERS}/${gov.id}`).delete()).rejects.toMatchObject({ statusCode: 404 });
      expect((await graph.api(PARTNERS).get()).value).toHaveLength(1);
    });

    it('accepts a partner of another cloud only once that cloud is enabled', async () => {
      await expect(graph.api(PARTNERS).post({ tenantId: china.id })).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining("Add 'partner.microsoftonline.cn' to allowedCloudEndpoints"),
      });
      expect((await sim.control.state(contoso.id)).partners).toEqual([]);
      await graph.api(POLICY).patch({ allowedCloudEndpoints: ['partner.microsoftonline.cn'] });
      await expect(graph.api(PARTNERS).post({ tenantId: china.id })).resolves.toMatchObject({ tenantId: china.id });
    });

    it('never pairs USGov with China, and refuses unknown or own tenant ids', async () => {
      const govGraph = graphClientFor(sim, gov);
      await expect(govGraph.api(PARTNERS).post({ tenantId: china.id })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/not supported/) });
      await expect(graph.api(PARTNERS).post({ tenantId: contoso.id })).rejects.toMatchObject({ statusCode: 400 });
      await expect(graph.api(PARTNERS).post({ tenantId: '11111111-2222-3333-4444-555555555555' })).rejects.toMatchObject({ statusCode: 400 });
      await expect(graph.api(PARTNERS).post({ tenantId: 'contoso.com' })).rejects.toMatchObject({ statusCode: 400 });
    });

    it('stores B2B direct connect towards another cloud but flags it as having no effect', async () => {
      await graph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.us'] });
      const direct = { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] } };
      await graph.api(PARTNERS).post({ tenantId: gov.id, b2bDirectConnectOutbound: direct });
      const stored = await graph.api(`${PARTNERS}/${gov.id}`).get();
      // Graph answers every property of the setting: the one not given is null.
      expect(stored.b2bDirectConnectOutbound).toEqual({ ...direct, applications: null });
      const state = await sim.control.state(contoso.id);
      expect(state.partners[0].warnings).toEqual([expect.stringMatching(/b2bDirectConnectOutbound .* no effect/)]);
    });

    it('validates targets with a clear error', async () => {
      await expect(
        graph.api(PARTNERS).post({
          tenantId: fabrikam.id,
          b2bCollaborationInbound: { applications: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] } },
        }),
      ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('b2bCollaborationInbound.applications.targets[0].targetType') });
      expect((await sim.control.state(contoso.id)).partners).toEqual([]);
    });

    it('pages the partner list with $top and @odata.nextLink (followed by the real client)', async () => {
      await sim.control.admin(contoso.id, { method: 'PATCH', path: POLICY, body: { allowedCloudEndpoints: ['microsoftonline.us', 'partner.microsoftonline.cn'] } });
      for (const tenant of [fabrikam, china, gov]) await graph.api(PARTNERS).post({ tenantId: tenant.id });
      const first = await graph.api(PARTNERS).top(2).get();
      expect(first.value).toHaveLength(2);
      expect(first['@odata.nextLink']).toMatch(new RegExp(`^${contoso.graphBaseUrl.replace(/[.]/g, '\\.')}/v1\\.0/policies/crossTenantAccessPolicy/partners\\?`));
      const second = await graph.api(first['@odata.nextLink']).get();
      expect(second.value).toHaveLength(1);
      expect(second['@odata.nextLink']).toBeUndefined();
      const ids = [...first.value, ...second.value].map((partner: { tenantId: string }) => partner.tenantId);
      expect(new Set(ids)).toEqual(new Set([fabrikam.id, china.id, gov.id]));
    });

    it('filters partners by tenantId', async () => {
      await graph.api(PARTNERS).post({ tenantId: fabrikam.id });
      const found = await graph.api(PARTNERS).filter(`tenantId eq '${fabrikam.id}'`).get();
      expect(found.value.map((p: { tenantId: string }) => p.tenantId)).toEqual([fabrikam.id]);
    });

    it('refuses a policy beyond its size limit (400) and keeps the previous state', async () => {
      const small = await startTestSimulator({ policySizeLimitBytes: 600 });
      try {
        const c = tenantNamed(small, 'Contoso');
        const client = graphClientFor(small, c);
        const setting = { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] }, applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] } };
        await client.api(PARTNERS).post({ tenantId: tenantNamed(small, 'Fabrikam').id, b2bCollaborationInbound: setting });
        await expect(
          client.api(`${PARTNERS}/${tenantNamed(small, 'Fabrikam').id}`).patch({ b2bCollaborationOutbound: setting, b2bDirectConnectInbound: setting, b2bDirectConnectOutbound: setting }),
        ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/more than its limit of 600 bytes/) });
        const state = await small.control.state(c.id);
        expect(state.partners[0].b2bCollaborationOutbound).toBeNull();
        // The refused write left the measured size as it was; a refused create adds nothing.
        await client.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.us'] });
        const before = (await small.control.state(c.id)).policy.sizeBytes;
        await expect(client.api(PARTNERS).post({ tenantId: tenantNamed(small, 'Tailspin Gov').id, b2bCollaborationInbound: setting, b2bCollaborationOutbound: setting })).rejects.toMatchObject({
          statusCode: 400,
          message: expect.stringMatching(/more than its limit of 600 bytes/),
        });
        expect((await small.control.state(c.id)).partners).toHaveLength(1);
        expect((await small.control.state(c.id)).policy.sizeBytes).toBe(before);
        // Deleting the partner frees its room: the same settings fit again.
        await client.api(`${PARTNERS}/${tenantNamed(small, 'Fabrikam').id}`).delete();
        expect((await small.control.state(c.id)).policy.sizeBytes).toBeLessThan(before);
        await client.api(PARTNERS).post({ tenantId: tenantNamed(small, 'Fabrikam').id, b2bCollaborationInbound: setting });
        expect((await small.control.state(c.id)).policy.sizeBytes).toBe(before);
      } finally {
        await small.stop();
      }
    });
  });

  describe('identitySynchronization', () => {
    const sync = (tenantId: string): string => `${PARTNERS}/${tenantId}/identitySynchronization`;

    it('PUT creates, GET reads, PATCH updates; the partner cannot be deleted until it is removed', async () => {
      await graph.api(PARTNERS).post({ tenantId: fabrikam.id });
      await expect(graph.api(sync(fabrikam.id)).get()).rejects.toMatchObject({ statusCode: 404 });
      await graph.api(sync(fabrikam.id)).put({ displayName: 'Fabrikam', userSyncInbound: { isSyncAllowed: true } });
      expect(await graph.api(sync(fabrikam.id)).get()).toMatchObject({ tenantId: fabrikam.id, displayName: 'Fabrikam', userSyncInbound: { isSyncAllowed: true } });
      await graph.api(sync(fabrikam.id)).patch({ userSyncInbound: { isSyncAllowed: false } });
      expect((await graph.api(sync(fabrikam.id)).get()).userSyncInbound).toEqual({ isSyncAllowed: false });
      await expect(graph.api(`${PARTNERS}/${fabrikam.id}`).delete()).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/identitySynchronization/) });
      await graph.api(sync(fabrikam.id)).delete();
      await graph.api(`${PARTNERS}/${fabrikam.id}`).delete();
      expect((await sim.control.state(contoso.id)).partners).toEqual([]);
    });

    it('is refused in the China cloud, and for a direction the clouds forbid', async () => {
      const chinaGraph = graphClientFor(sim, china);
      await chinaGraph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.com'] });
      await chinaGraph.api(PARTNERS).post({ tenantId: contoso.id });
      await expect(chinaGraph.api(sync(contoso.id)).put({ userSyncInbound: { isSyncAllowed: true } })).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/not available in the China cloud/),
      });
      // China → Global sync: Contoso may not let the China tenant push users in.
      await graph.api(POLICY).patch({ allowedCloudEndpoints: ['partner.microsoftonline.cn'] });
      await graph.api(PARTNERS).post({ tenantId: china.id });
      await expect(graph.api(sync(china.id)).put({ userSyncInbound: { isSyncAllowed: true } })).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/from the China cloud into the Global cloud/),
      });
    });

    it('allows Global → USGov and USGov → Global', async () => {
      const govGraph = graphClientFor(sim, gov);
      await govGraph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.com'] });
      await govGraph.api(PARTNERS).post({ tenantId: contoso.id });
      await govGraph.api(sync(contoso.id)).put({ userSyncInbound: { isSyncAllowed: true } });
      await graph.api(POLICY).patch({ allowedCloudEndpoints: ['microsoftonline.us'] });
      await graph.api(PARTNERS).post({ tenantId: gov.id });
      await graph.api(sync(gov.id)).put({ userSyncInbound: { isSyncAllowed: true } });
      expect((await sim.control.state(gov.id)).partners[0].identitySynchronization).toMatchObject({ userSyncInbound: { isSyncAllowed: true } });
    });
  });

  it('answers raw requests with OData headers and an @odata.context', async () => {
    const token = await tokenFor(contoso, appOf(sim, contoso));
    const response = await call(`${contoso.graphBaseUrl}/v1.0${POLICY}/default`, { token, headers: { 'client-request-id': 'abc-123' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json;odata\.metadata=minimal/);
    expect(response.headers.get('client-request-id')).toBe('abc-123');
    expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body['@odata.context']).toMatch(/\$metadata#policies\/crossTenantAccessPolicy\/default\/\$entity$/);
    expect(await sim.control.violations()).toEqual([]);
  });
});
