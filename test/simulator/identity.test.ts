import { decodeJwt } from 'jose';
import type { RunningSimulator } from '../../infra/local/simulator';
import { TEAMS_ADMIN_RESOURCE, TEAMS_ADMINISTRATOR_ROLE_ID } from '../../shared/teams/configurations';
import { appOf, call, credentialFor, graphClientFor, READONLY_APP, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

describe('simulator identity: tokens from the real ClientSecretCredential', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim?.stop());

  it('issues a Graph token naming tenant, cloud, audience, roles and wids', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const app = appOf(sim, contoso);
    const token = await credentialFor(contoso, app).getToken(contoso.graphScope);
    expect(token?.expiresOnTimestamp).toBeGreaterThan(Date.now());
    const claims = decodeJwt(token!.token);
    expect(claims).toMatchObject({
      tid: contoso.id,
      cloud: 'Global',
      aud: 'https://graph.microsoft.com',
      appid: app.clientId,
      idtyp: 'app',
    });
    expect(claims.roles).toEqual(expect.arrayContaining(['Policy.ReadWrite.CrossTenantAccess', 'User.Invite.All']));
    expect(claims.wids).toEqual([TEAMS_ADMINISTRATOR_ROLE_ID]);
    expect(claims.iss).toBe(`${contoso.loginBaseUrl}/${contoso.id}/v2.0`);
  });

  it('issues a Teams admin token (audience = the Teams admin resource) in a national cloud', async () => {
    const china = tenantNamed(sim, 'Woodgrove China');
    const token = await credentialFor(china, appOf(sim, china)).getToken(china.teamsScope);
    const claims = decodeJwt(token!.token);
    expect(claims).toMatchObject({ tid: china.id, cloud: 'China', aud: TEAMS_ADMIN_RESOURCE });
    expect(china.teamsScope).toBe(`${TEAMS_ADMIN_RESOURCE}/.default`);
    expect(china.graphScope).toBe('https://microsoftgraph.chinacloudapi.cn/.default');
  });

  it('refuses a wrong secret, an unknown client and a scope of another cloud', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const app = appOf(sim, contoso);
    await expect(credentialFor(contoso, { ...app, clientSecret: 'not-the-secret' }).getToken(contoso.graphScope)).rejects.toThrow(/AADSTS7000215/);
    await expect(credentialFor(contoso, { ...app, clientId: '00000000-1111-2222-3333-444444444444' }).getToken(contoso.graphScope)).rejects.toThrow(/AADSTS700016/);
    await expect(credentialFor(contoso, app).getToken('https://microsoftgraph.chinacloudapi.cn/.default')).rejects.toThrow(/AADSTS500011/);
  });

  it('refuses a tenant on the login host of another cloud', async () => {
    const china = tenantNamed(sim, 'Woodgrove China');
    const contoso = tenantNamed(sim, 'Contoso');
    const misdirected = { ...china, loginBaseUrl: contoso.loginBaseUrl };
    const error = await credentialFor(misdirected, appOf(sim, china)).getToken(china.graphScope).then(() => undefined, (caught: Error) => caught);
    expect(String(error)).toMatch(/endpoints_resolution_error|AADSTS90002/);
  });
});

describe('simulator identity: Graph token checks', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim?.stop());

  const policyUrl = (graphBaseUrl: string): string => `${graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy`;

  it('answers the real graph client with the tenant policy', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const policy = await graphClientFor(sim, contoso).api('/policies/crossTenantAccessPolicy').get();
    expect(policy).toMatchObject({ displayName: 'CrossTenantAccessPolicy', allowedCloudEndpoints: [] });
  });

  it('answers 401 without a token, with Graph error shape', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const response = await call(policyUrl(contoso.graphBaseUrl));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(response.body.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    expect(response.body.error.innerError).toEqual(expect.objectContaining({ 'request-id': expect.any(String), date: expect.any(String) }));
  });

  it('answers 401 to an expired token', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const { accessToken } = await sim.control.mintToken({ tenantId: contoso.id, clientId: appOf(sim, contoso).clientId, lifetimeSeconds: -120 });
    const response = await call(policyUrl(contoso.graphBaseUrl), { token: accessToken });
    expect(response.status).toBe(401);
    expect(response.body.error.message).toMatch(/expired/);
  });

  it('answers 401 to a token of another cloud, and to a tenant of another cloud', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const china = tenantNamed(sim, 'Woodgrove China');
    const chinaToken = await tokenFor(china, appOf(sim, china));
    // China token on the Global Graph host.
    const onGlobal = await call(policyUrl(contoso.graphBaseUrl), { token: chinaToken });
    expect(onGlobal.status).toBe(401);
    expect(onGlobal.body.error.code).toBe('InvalidAuthenticationToken');
    // And the China host still accepts it.
    const onChina = await call(policyUrl(china.graphBaseUrl), { token: chinaToken });
    expect(onChina.status).toBe(200);
  });

  it('answers 401 to a token for another audience (Teams admin token on Graph)', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const teamsToken = await tokenFor(contoso, appOf(sim, contoso), contoso.teamsScope);
    const response = await call(policyUrl(contoso.graphBaseUrl), { token: teamsToken });
    expect(response.status).toBe(401);
    expect(response.body.error.message).toMatch(/audience/);
  });

  it('answers 401 to a token signed by someone else', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const other = await startTestSimulator();
    try {
      const { accessToken } = await other.control.mintToken({ tenantId: contoso.id, clientId: appOf(sim, contoso).clientId });
      const response = await call(policyUrl(contoso.graphBaseUrl), { token: accessToken });
      expect(response.status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it('answers 403 Authorization_RequestDenied when the app lacks the permission', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const readonly = appOf(sim, contoso, READONLY_APP);
    const client = graphClientFor(sim, contoso, { app: readonly });
    await expect(client.api('/policies/crossTenantAccessPolicy').get()).resolves.toBeDefined();
    await expect(client.api('/policies/crossTenantAccessPolicy').patch({ allowedCloudEndpoints: ['microsoftonline.us'] })).rejects.toMatchObject({
      statusCode: 403,
      code: 'Authorization_RequestDenied',
    });
    const state = await sim.control.state(contoso.id);
    expect(state.policy.allowedCloudEndpoints).toEqual([]);
  });
});

describe('simulator identity: certificate credentials (client assertion)', () => {
  it('the real ClientCertificateCredential gets a token with a certificate registered on the app', async () => {
    const { generate } = await import('selfsigned');
    const { ClientCertificateCredential } = await import('@azure/identity');
    const pems = await generate([{ name: 'commonName', value: 'cross-cloud-handshake' }], { keySize: 2048, algorithm: 'sha256' });
    const other = await generate([{ name: 'commonName', value: 'someone-else' }], { keySize: 2048, algorithm: 'sha256' });
    const tenantId = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
    const clientId = '6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2910';
    const sim = await startTestSimulator({
      world: {
        tenants: [{ id: tenantId, cloud: 'USGovDoD', displayName: 'DoD Tenant', domains: ['dod.example', 'dodtenant.onmicrosoft.us'] }],
        apps: [{ tenantId, clientId, clientSecret: 'unused-secret', displayName: 'cert-app', permissions: ['Policy.Read.All'], certificates: [pems.cert] }],
      },
    });
    try {
      const tenant = sim.world.tenants[0];
      expect(tenant.graphScope).toBe('https://dod-graph.microsoft.us/.default');
      const credential = new ClientCertificateCredential(tenantId, clientId, { certificate: `${pems.private}\n${pems.cert}` }, { authorityHost: tenant.loginBaseUrl, disableInstanceDiscovery: true });
      const token = await credential.getToken(tenant.graphScope);
      expect(decodeJwt(token.token)).toMatchObject({ tid: tenantId, cloud: 'DoD', aud: 'https://dod-graph.microsoft.us', roles: ['Policy.Read.All'] });
      const policy = await call(`${tenant.graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy`, { token: token.token });
      expect(policy.status).toBe(200);
      const wrong = new ClientCertificateCredential(tenantId, clientId, { certificate: `${other.private}\n${other.cert}` }, { authorityHost: tenant.loginBaseUrl, disableInstanceDiscovery: true });
      await expect(wrong.getToken(tenant.graphScope)).rejects.toThrow(/AADSTS700027/);
    } finally {
      await sim.stop();
    }
  });
});
