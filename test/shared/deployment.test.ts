// Wiring a deployment from app settings, against the simulator and Azurite.
import type { RunningSimulator } from '../../infra/local/simulator';
import { loadConfig } from '../../shared/config';
import { createRepositories, createTenantAdapters } from '../../shared/deployment';
import { RequestCounter } from '../../shared/graph';
import { parsePartnershipRequest } from '../../shared/partnership';
import { resolveDesiredCollaboration } from '../../shared/resolve';
import { useAzurite, uniquePrefix } from '../support/azurite';
import { appOf, startTestSimulator, tenantNamed } from '../support/simulator';

jest.setTimeout(60_000);

describe('a deployment wired from its app settings', () => {
  const azurite = useAzurite();
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const settings = (extra: Record<string, string> = {}) => {
    const contoso = tenantNamed(sim, 'Contoso');
    const app = appOf(sim, contoso);
    return {
      TENANT_ID: contoso.id,
      TENANT_CLOUD: 'Global',
      CREDENTIAL_KIND: 'clientSecret',
      CLIENT_ID: app.clientId,
      CLIENT_SECRET: app.clientSecret,
      CLOUD_HOST_BASE_URL: sim.url,
      STORAGE_CONNECTION_STRING: azurite().azurite.connectionString,
      TABLE_PREFIX: uniquePrefix(),
      ...extra,
    };
  };

  it('reaches its tenant through the simulator with the configured credential', async () => {
    const config = loadConfig(settings());
    const graphCounter = new RequestCounter();
    const adapters = createTenantAdapters(config, { graphCounter });
    expect(await adapters.graph.getAllowedCloudEndpoints()).toEqual([]);
    expect(adapters.teams.mode).toBe('rest');
    expect(await adapters.teams.read(['TeamsClientConfiguration'])).toEqual({ TeamsClientConfiguration: expect.objectContaining({ Identity: 'Global' }) });
    expect(graphCounter.total).toBe(1);
  });

  it('uses the manual Teams adapter when configured', async () => {
    const adapters = createTenantAdapters(loadConfig(settings({ TEAMS_ADAPTER: 'manual' })));
    expect(adapters.teams.mode).toBe('manual');
    await expect(adapters.teams.apply({ configurationType: 'TeamsClientConfiguration', set: { AllowGuestUser: true }, addToLists: {}, removeFromLists: {}, upsertPartners: [], removePartners: [] }))
      .resolves.toMatchObject({ status: 'manual' });
  });

  it('creates its repositories on its own table prefix', async () => {
    const repositories = createRepositories(loadConfig(settings()));
    expect(await repositories.partnerships.list()).toEqual([]);
    expect(repositories.tables.tableName('Partnerships')).toMatch(/^t[0-9a-f]{10}Partnerships$/);
  });

  describe('resolveDesiredCollaboration', () => {
    const base = { partnerCloud: 'Global', partnerDeploymentUrl: 'https://handshake.fabrikam.com' };

    it('resolves a partner domain in the same cloud', async () => {
      const config = loadConfig(settings());
      const { graph } = createTenantAdapters(config);
      const desired = await resolveDesiredCollaboration(parsePartnershipRequest({ ...base, partnerDomain: 'fabrikam.com' }), {
        localCloud: 'Global',
        localTenantId: config.tenantId,
        graph,
      });
      expect(desired.partnerTenantId).toBe(tenantNamed(sim, 'Fabrikam').id);
    });

    it('refuses a domain across clouds before any lookup, and unknown or own tenants', async () => {
      const config = loadConfig(settings());
      const graphCounter = new RequestCounter();
      const { graph } = createTenantAdapters(config, { graphCounter });
      const context = { localCloud: 'Global' as const, localTenantId: config.tenantId, graph };
      await expect(resolveDesiredCollaboration(parsePartnershipRequest({ ...base, partnerCloud: 'China', partnerDomain: 'woodgrove.cn' }), context)).rejects.toMatchObject({
        code: 'capability.violation',
        details: { violations: [expect.objectContaining({ code: 'partner.domain-across-clouds' })] },
      });
      expect(graphCounter.total).toBe(0);
      await expect(resolveDesiredCollaboration(parsePartnershipRequest({ ...base, partnerDomain: 'nobody.example' }), context)).rejects.toMatchObject({ code: 'request.invalid' });
      await expect(resolveDesiredCollaboration(parsePartnershipRequest({ ...base, partnerTenantId: config.tenantId }), context)).rejects.toMatchObject({
        code: 'request.invalid',
        message: 'A tenant cannot partner with itself.',
      });
    });
  });
});
