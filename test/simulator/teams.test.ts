import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { teamsConfigurationPath, TenantFederationSettings } from '../../shared/teams/configurations';
import { appOf, call, READONLY_APP, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

describe('simulator: Teams admin configuration API', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantView;
  let china: SimTenantView;
  let gov: SimTenantView;
  let contosoToken: string;

  const url = (tenant: SimTenantView, type: Parameters<typeof teamsConfigurationPath>[0]): string => `${tenant.teamsAdminBaseUrl}${teamsConfigurationPath(type)}`;

  beforeAll(async () => {
    sim = await startTestSimulator();
    contoso = tenantNamed(sim, 'Contoso');
    china = tenantNamed(sim, 'Woodgrove China');
    gov = tenantNamed(sim, 'Tailspin Gov');
    contosoToken = await tokenFor(contoso, appOf(sim, contoso), contoso.teamsScope);
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim?.stop());

  it('GET returns the configuration; PUT replaces the whole object and answers it', async () => {
    const current = await call(url(contoso, 'TenantFederationSettings'), { token: contosoToken });
    expect(current.status).toBe(200);
    expect(current.body).toEqual({ Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: [], BlockedDomains: [], AllowTeamsConsumer: true });
    const next: TenantFederationSettings = { ...current.body, AllowedDomains: ['woodgrove.cn'] };
    const put = await call(url(contoso, 'TenantFederationSettings'), { method: 'PUT', token: contosoToken, body: next });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(next);
    expect((await sim.control.state(contoso.id)).teams.TenantFederationSettings).toEqual(next);
  });

  it('rejects a partial or malformed object with the field named, changing nothing', async () => {
    const partial = await call(url(contoso, 'TenantFederationSettings'), { method: 'PUT', token: contosoToken, body: { Identity: 'Global', AllowFederatedUsers: false } });
    expect(partial.status).toBe(400);
    expect(partial.body.error.message).toMatch(/AllowedDomains/);
    const badDomain = await call(url(contoso, 'TenantFederationSettings'), {
      method: 'PUT',
      token: contosoToken,
      body: { Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: ['not a domain'], BlockedDomains: [], AllowTeamsConsumer: true },
    });
    expect(badDomain.status).toBe(400);
    expect(badDomain.body.error.message).toMatch(/AllowedDomains\.0/);
    expect((await sim.control.state(contoso.id)).teams.TenantFederationSettings.AllowFederatedUsers).toBe(true);
  });

  it('needs the Teams Administrator role (403) and the Teams admin audience (401)', async () => {
    const readonlyToken = await tokenFor(contoso, appOf(sim, contoso, READONLY_APP), contoso.teamsScope);
    const forbidden = await call(url(contoso, 'TeamsClientConfiguration'), { token: readonlyToken });
    expect(forbidden.status).toBe(403);
    const graphToken = await tokenFor(contoso, appOf(sim, contoso));
    const wrongAudience = await call(url(contoso, 'TeamsClientConfiguration'), { token: graphToken });
    expect(wrongAudience.status).toBe(401);
    const chinaToken = await tokenFor(china, appOf(sim, china), china.teamsScope);
    const wrongCloud = await call(url(contoso, 'TeamsClientConfiguration'), { token: chinaToken });
    expect(wrongCloud.status).toBe(401);
    const rightCloud = await call(url(china, 'TeamsClientConfiguration'), { token: chinaToken });
    expect(rightCloud.status).toBe(200);
  });

  it('answers 404 for an unknown configuration type', async () => {
    const response = await call(`${contoso.teamsAdminBaseUrl}/Skype.Policy/configurations/TeamsNonsense/configuration/Global`, { token: contosoToken });
    expect(response.status).toBe(404);
  });

  it('a cross-cloud meeting connection is the Entra partner entry: adding one creates the partner', async () => {
    const body = { Identity: 'Global', Partners: [{ TenantId: china.id, InboundMeetingsAllowed: true, OutboundMeetingsAllowed: true }] };
    const refused = await call(url(contoso, 'TeamsCrossCloudMeetingConfiguration'), { method: 'PUT', token: contosoToken, body });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/partner\.microsoftonline\.cn/);
    await sim.control.admin(contoso.id, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['partner.microsoftonline.cn'] } });
    const accepted = await call(url(contoso, 'TeamsCrossCloudMeetingConfiguration'), { method: 'PUT', token: contosoToken, body });
    expect(accepted.status).toBe(200);
    const state = await sim.control.state(contoso.id);
    expect(state.partners.map((partner) => partner.tenantId)).toEqual([china.id]);
    // Removing the Entra partner removes the connection.
    await sim.control.admin(contoso.id, { method: 'DELETE', path: `/policies/crossTenantAccessPolicy/partners/${china.id}` });
    expect((await sim.control.state(contoso.id)).teams.TeamsCrossCloudMeetingConfiguration.Partners).toEqual([]);
  });

  it('refuses ACS interop for a GCC High tenant', async () => {
    const govToken = await tokenFor(gov, appOf(sim, gov), gov.teamsScope);
    const response = await call(url(gov, 'TeamsAcsFederationConfiguration'), {
      method: 'PUT',
      token: govToken,
      body: { Identity: 'Global', EnableAcsUsers: true, AllowedAcsResources: ['6a2f4c1e-9b0d-4e57-8f3a-2c1d0e9b8a7f'] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/GCC High/);
  });

  it('changes made as an admin in the portal go through the same rules', async () => {
    const reply = await sim.control.admin(contoso.id, {
      service: 'teams',
      method: 'PUT',
      path: teamsConfigurationPath('TeamsClientConfiguration'),
      body: { Identity: 'Global', AllowGuestUser: false },
    });
    expect(reply.status).toBe(200);
    const read = await call(url(contoso, 'TeamsClientConfiguration'), { token: contosoToken });
    expect(read.body.AllowGuestUser).toBe(false);
    const bad = await sim.control.admin(contoso.id, { service: 'teams', method: 'PUT', path: teamsConfigurationPath('TeamsClientConfiguration'), body: { Identity: 'Global' } });
    expect(bad.status).toBe(400);
  });
});
