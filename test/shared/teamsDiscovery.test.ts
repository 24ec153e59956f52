// Teams admin API discovery: the product asks the base host where the tenant's configuration API
// is and follows the answer (endpoint + routing headers); a hostile or malformed answer is not
// followed. Against a simulator whose base hosts serve discovery only, the adapter works with
// discovery and fails without it, in the worldwide cloud and in a national one.
import type { RunningSimulator } from '../../infra/local/simulator';
import { loadConfig } from '../../shared/config';
import { DomainError } from '../../shared/errors';
import { emptyTeamsUpdate, TeamsRestAdapter } from '../../shared/teams';
import { routeFromDiscovery, routeHeaders } from '../../shared/teams/discovery';
import { appOf, credentialFor, startTestSimulator, tenantNamed } from '../support/simulator';

jest.setTimeout(60_000);

const BASE = 'https://api.interfaces.records.teams.microsoft.us';
const hostUrl = (host: string): string => `https://${host}`;

describe('discovery answers (pure)', () => {
  it('follows the configuration endpoint and carries the forest, and the legacy target for federation settings only', () => {
    const route = routeFromDiscovery(
      { Endpoints: { ConfigApiEndpoint: 'api-gcch.interfaces.records.teams.microsoft.us', AdminServiceEndpoint: 'admin0g.online.lync.microsoft.us' }, Headers: { 'X-MS-Forest': 'GCCH-01' } },
      BASE,
      hostUrl,
    );
    expect(route).toEqual({ baseUrl: 'https://api-gcch.interfaces.records.teams.microsoft.us', forest: 'GCCH-01', adminServiceEndpoint: 'admin0g.online.lync.microsoft.us', discovered: true });
    expect(routeHeaders(route!, 'TenantFederationSettings')).toEqual({ 'X-MS-Forest': 'GCCH-01', 'X-MS-Target-Uri': 'https://admin0g.online.lync.microsoft.us/OcsPowershellWebservice' });
    expect(routeHeaders(route!, 'TeamsClientConfiguration')).toEqual({ 'X-MS-Forest': 'GCCH-01' });
  });

  it('does not send the token to a host outside the cloud\'s domain, nor follow a malformed answer', () => {
    expect(routeFromDiscovery({ Endpoints: { ConfigApiEndpoint: 'collector.attacker.example' } }, BASE, hostUrl)).toBeUndefined();
    expect(routeFromDiscovery({ Endpoints: { ConfigApiEndpoint: 'https://api.teams.microsoft.us/x' } }, BASE, hostUrl)).toBeUndefined();
    expect(routeFromDiscovery({ Endpoints: 'nope' }, BASE, hostUrl)).toBeUndefined();
    expect(routeFromDiscovery('<html>', BASE, hostUrl)).toBeUndefined();
    // A foreign admin service host is dropped, the rest kept.
    expect(routeFromDiscovery({ Endpoints: { AdminServiceEndpoint: 'admin.attacker.example' }, Headers: { 'X-MS-Forest': 'F1' } }, BASE, hostUrl)).toEqual({ baseUrl: BASE, forest: 'F1', adminServiceEndpoint: undefined, discovered: true });
    // A forest that could smuggle header syntax is refused.
    expect(routeFromDiscovery({ Endpoints: {}, Headers: { 'X-MS-Forest': 'a\r\nX-Evil: 1' } }, BASE, hostUrl)).toBeUndefined();
  });

  it('TEAMS_ADMIN_DISCOVERY: on by default, off when asked, anything else refused', () => {
    const settings = { TENANT_ID: '14763f8a-fb9a-451a-9f75-c33963a5b05a', TENANT_CLOUD: 'Global', AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
    expect(loadConfig(settings).teamsDiscovery).toBe(true);
    expect(loadConfig({ ...settings, TEAMS_ADMIN_DISCOVERY: 'off' }).teamsDiscovery).toBe(false);
    expect(() => loadConfig({ ...settings, TEAMS_ADMIN_DISCOVERY: 'maybe' })).toThrow(/TEAMS_ADMIN_DISCOVERY must be one of on, off/);
  });
});

describe('against a simulator whose base hosts serve discovery only', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ teamsDiscoveryRequired: true });
  });
  afterAll(() => sim?.stop());

  const adapterFor = (displayName: string, discovery: boolean): TeamsRestAdapter => {
    const tenant = tenantNamed(sim, displayName);
    return new TeamsRestAdapter({
      credential: credentialFor(tenant, appOf(sim, tenant)),
      endpoints: { teamsAdminBaseUrl: tenant.teamsAdminBaseUrl, teamsScope: tenant.teamsScope },
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      discovery,
      hostBaseUrl: sim.url,
    });
  };

  it.each(['Contoso', 'Tailspin Gov'])('%s: with discovery, reads and writes go to the discovered endpoint with the routing headers', async (displayName) => {
    const adapter = adapterFor(displayName, true);
    expect(await adapter.configurationBaseUrl()).toMatch(/\/configapi-sim\.api\.interfaces\.records\.teams\.microsoft\.(com|us)$/);
    const update = { ...emptyTeamsUpdate('TenantFederationSettings'), addToLists: { AllowedDomains: ['partner.example'] } };
    expect(await adapter.apply(update)).toMatchObject({ status: 'applied', changed: true });
    expect(await adapter.verify(update)).toBe('satisfied');
    const read = await adapter.read(['TeamsClientConfiguration', 'TenantFederationSettings']);
    expect(read.TenantFederationSettings?.AllowedDomains).toContain('partner.example');
    const tenant = tenantNamed(sim, displayName);
    const rows = await sim.control.counters({ tenantId: tenant.id });
    expect(rows.find((row) => row.operation === 'teams.ServiceDiscovery')?.count).toBe(1);
  });

  it('without discovery the base host refuses the configuration calls', async () => {
    const adapter = adapterFor('Contoso', false);
    const failure = await adapter.read(['TeamsClientConfiguration']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DomainError);
    expect((failure as DomainError).code).toBe('tenant.object-missing');
    expect((failure as DomainError).message).toMatch(/use the ConfigApiEndpoint answered by \/Teams\.Tenant\/serviceDiscovery/);
  });

  it('the regional endpoint refuses a request without the tenant\'s forest', async () => {
    const tenant = tenantNamed(sim, 'Contoso');
    const token = (await credentialFor(tenant, appOf(sim, tenant)).getToken(tenant.teamsScope))!.token;
    const response = await fetch(`${sim.url}/configapi-sim.api.interfaces.records.teams.microsoft.com/Skype.Policy/configurations/TeamsClientConfiguration/configuration/Global`, {
      headers: { Authorization: `Bearer ${token}`, 'X-MS-Forest': 'WRONG' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/X-MS-Forest must name the tenant's forest/);
  });
});
