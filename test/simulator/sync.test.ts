import type { Client } from '@microsoft/microsoft-graph-client';
import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { graphClientFor, startTestSimulator, tenantNamed } from '../support/simulator';

const TEMPLATE = '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7';
const POLICY = '/policies/crossTenantAccessPolicy';

describe('simulator: cross-tenant synchronization', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantView;
  let fabrikam: SimTenantView;
  let gov: SimTenantView;
  let china: SimTenantView;

  beforeAll(async () => {
    sim = await startTestSimulator();
    contoso = tenantNamed(sim, 'Contoso');
    fabrikam = tenantNamed(sim, 'Fabrikam');
    gov = tenantNamed(sim, 'Tailspin Gov');
    china = tenantNamed(sim, 'Woodgrove China');
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim?.stop());

  /** The target side: partner with inbound auto-redemption, and inbound sync allowed. */
  async function targetAllows(target: SimTenantView, source: SimTenantView, crossCloud = false): Promise<void> {
    const graph = graphClientFor(sim, target);
    if (crossCloud) await graph.api(POLICY).patch({ allowedCloudEndpoints: [source.cloudEndpoint] });
    await graph.api(`${POLICY}/partners`).post({ tenantId: source.id, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: null } });
    await graph.api(`${POLICY}/partners/${source.id}/identitySynchronization`).put({ displayName: source.displayName, userSyncInbound: { isSyncAllowed: true } });
  }

  /** The source side up to a configured job; returns the ids. */
  async function sourceJob(graph: Client, source: SimTenantView, target: SimTenantView, crossCloud = false): Promise<{ sp: string; job: string }> {
    if (crossCloud) await graph.api(POLICY).patch({ allowedCloudEndpoints: [target.cloudEndpoint] });
    await graph.api(`${POLICY}/partners`).post({ tenantId: target.id, automaticUserConsentSettings: { inboundAllowed: null, outboundAllowed: true } });
    const { servicePrincipal, application } = await graph.api(`/applicationTemplates/${TEMPLATE}/instantiate`).post({ displayName: `Sync to ${target.displayName}` });
    expect(application.appId).toBe(servicePrincipal.appId);
    const templates = await graph.api(`/servicePrincipals/${servicePrincipal.id}/synchronization/templates`).get();
    expect(templates.value.map((t: { id: string }) => t.id)).toEqual(['Azure2Azure']);
    const job = await graph.api(`/servicePrincipals/${servicePrincipal.id}/synchronization/jobs`).post({ templateId: 'Azure2Azure' });
    expect(job).toMatchObject({ templateId: 'Azure2Azure', schedule: { state: 'Disabled' } });
    await graph.api(`/servicePrincipals/${servicePrincipal.id}/synchronization/secrets`).put({
      value: [
        { key: 'CompanyId', value: target.id },
        { key: 'AuthenticationType', value: 'SyncPolicy' },
      ],
    });
    return { sp: servicePrincipal.id, job: job.id };
  }

  const jobPath = (ids: { sp: string; job: string }, action = ''): string => `/servicePrincipals/${ids.sp}/synchronization/jobs/${ids.job}${action ? `/${action}` : ''}`;
  const provision = (graph: Client, ids: { sp: string; job: string }, userId: string) =>
    graph.api(jobPath(ids, 'provisionOnDemand')).post({ parameters: [{ ruleId: 'rule', subjects: [{ objectId: userId, objectTypeName: 'User' }] }] });

  it('runs the whole sequence within a cloud and provisions the B2B user in the target', async () => {
    const graph = graphClientFor(sim, contoso);
    const ids = await sourceJob(graph, contoso, fabrikam);
    await expect(graph.api(jobPath(ids, 'validateCredentials')).post({ useSavedCredentials: true })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/does not allow users to be synchronized/),
    });
    await targetAllows(fabrikam, contoso);
    await graph.api(jobPath(ids, 'validateCredentials')).post({ useSavedCredentials: true });
    await graph.api(jobPath(ids, 'start')).post({});
    expect((await graph.api(jobPath(ids)).get()).schedule.state).toBe('Active');

    const adele = contoso.users.find((user) => user.displayName === 'Adele Vance')!;
    const result = await provision(graph, ids, adele.id);
    expect(JSON.parse(result.key)).toMatchObject({ result: 'Success' });
    const synced = (await sim.control.state(fabrikam.id)).users.find((user) => user.userPrincipalName === 'adele.vance_contoso.com#EXT#@fabrikam.onmicrosoft.com');
    expect(synced).toMatchObject({ userType: 'Member', displayName: 'Adele Vance', externalUserState: 'Accepted' });
    const again = await provision(graph, ids, adele.id);
    expect(JSON.parse(again.key)).toMatchObject({ result: 'Skipped', details: { errorCode: 'RedundantExport' } });
  });

  it('reports a Failure when automatic redemption is not allowed on both sides', async () => {
    const graph = graphClientFor(sim, contoso);
    const ids = await sourceJob(graph, contoso, fabrikam);
    await targetAllows(fabrikam, contoso);
    await sim.control.admin(fabrikam.id, { method: 'PATCH', path: `${POLICY}/partners/${contoso.id}`, body: { automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: null } } });
    const adele = contoso.users.find((user) => user.displayName === 'Adele Vance')!;
    const result = await provision(graph, ids, adele.id);
    expect(JSON.parse(result.key)).toMatchObject({ result: 'Failure', details: { errorCode: 'AutomaticUserConsentNotConfigured' } });
    expect((await sim.control.state(fabrikam.id)).users.some((user) => String(user.userPrincipalName).includes('#EXT#'))).toBe(false);
  });

  it('works Global → USGov once both clouds are enabled', async () => {
    const graph = graphClientFor(sim, contoso);
    await targetAllows(gov, contoso, true);
    const ids = await sourceJob(graph, contoso, gov, true);
    await graph.api(jobPath(ids, 'validateCredentials')).post({});
    const lee = contoso.users.find((user) => user.displayName === 'Lee Gu')!;
    expect(JSON.parse((await provision(graph, ids, lee.id)).key).result).toBe('Success');
    expect((await sim.control.state(gov.id)).users.some((user) => user.userPrincipalName === 'lee.gu_contoso.com#EXT#@tailspingov.onmicrosoft.us')).toBe(true);
  });

  it('is refused clearly for Global → China (unconfirmed) and unavailable in the China cloud', async () => {
    const graph = graphClientFor(sim, contoso);
    const ids = await sourceJob(graph, contoso, china, true);
    await expect(graph.api(jobPath(ids, 'validateCredentials')).post({})).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/into the China cloud cannot be verified/) });
    const chinaGraph = graphClientFor(sim, china);
    const { servicePrincipal } = await chinaGraph.api(`/applicationTemplates/${TEMPLATE}/instantiate`).post({ displayName: 'Sync' });
    await expect(chinaGraph.api(`/servicePrincipals/${servicePrincipal.id}/synchronization/jobs`).post({ templateId: 'Azure2Azure' })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/not available in the China cloud/),
    });
  });

  it('refuses a wrong job template and an unknown application template', async () => {
    const graph = graphClientFor(sim, contoso);
    const { servicePrincipal } = await graph.api(`/applicationTemplates/${TEMPLATE}/instantiate`).post({ displayName: 'Sync' });
    await expect(graph.api(`/servicePrincipals/${servicePrincipal.id}/synchronization/jobs`).post({ templateId: 'AAD2AADSync' })).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('Azure2Azure') });
    await expect(graph.api('/applicationTemplates/00000000-0000-0000-0000-000000000000/instantiate').post({ displayName: 'x' })).rejects.toMatchObject({ statusCode: 404 });
    expect((await graph.api(`/servicePrincipals/${servicePrincipal.id}/synchronization/jobs`).get()).value).toEqual([]);
  });

  it('produced no response that breaks the OpenAPI description', async () => {
    expect(await sim.control.violations()).toEqual([]);
  });
});

describe('simulator: multitenant organization (Global only)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim?.stop());

  it('owner creates, adds a tenant (pending), the tenant joins (active)', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const fabrikam = tenantNamed(sim, 'Fabrikam');
    const owner = graphClientFor(sim, contoso, { app: sim.world.apps.find((a) => a.tenantId === contoso.id && a.displayName === 'directory-admin') });
    const member = graphClientFor(sim, fabrikam, { app: sim.world.apps.find((a) => a.tenantId === fabrikam.id && a.displayName === 'directory-admin') });
    const mto = await owner.api('/tenantRelationships/multiTenantOrganization').put({ displayName: 'Contoso and friends' });
    expect(mto).toMatchObject({ displayName: 'Contoso and friends', state: 'active' });
    const added = await owner.api('/tenantRelationships/multiTenantOrganization/tenants').post({ tenantId: fabrikam.id, displayName: 'Fabrikam' });
    expect(added).toMatchObject({ tenantId: fabrikam.id, state: 'pending', role: 'member' });
    expect(await member.api('/tenantRelationships/multiTenantOrganization/joinRequest').get()).toMatchObject({ addedByTenantId: contoso.id, memberState: 'pending' });
    await member.api('/tenantRelationships/multiTenantOrganization/joinRequest').patch({ addedByTenantId: contoso.id });
    const tenants = await owner.api('/tenantRelationships/multiTenantOrganization/tenants').get();
    expect(tenants.value.map((t: { tenantId: string; state: string }) => [t.tenantId, t.state])).toEqual([
      [contoso.id, 'active'],
      [fabrikam.id, 'active'],
    ]);
    await owner.api('/tenantRelationships/multiTenantOrganization').patch({ description: 'updated' });
    expect((await member.api('/tenantRelationships/multiTenantOrganization').get()).description).toBe('updated');
    const china = tenantNamed(sim, 'Woodgrove China');
    await expect(owner.api('/tenantRelationships/multiTenantOrganization/tenants').post({ tenantId: china.id })).rejects.toMatchObject({ statusCode: 400 });
    expect(await sim.control.violations()).toEqual([]);
  });
});
