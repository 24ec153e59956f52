// Cross-tenant synchronisation end to end on the simulator, through the domain only: Contoso
// (Global) syncs its "Cross-cloud Collaborators" into Tailspin Gov (GCC High). Each side plans and
// applies its own view (Tailspin allows inbound sync, Contoso creates the configuration); the job
// runs, is scoped, and provisioning on demand creates the B2B user in Tailspin — only for users in
// scope. A second run writes nothing; the removal deletes what was created.
import type { RunningSimulator } from '../../infra/local/simulator';
import { syncConfigurationName } from '../../shared/graph';
import { ownershipAfter, type OwnedItem } from '../../shared/ownership';
import { mirrorForPartner, parseDesiredCollaboration } from '../../shared/partnership';
import { applyPlan, plan, readTenantState, removePlan, verifyTenantState, type PartnershipTarget } from '../../shared/plan';
import { graphClientFor, startTestSimulator } from '../support/simulator';
import { adaptersFor, type SimTenantAdapters } from '../support/tenant';

jest.setTimeout(120_000);

const COLLABORATORS = '2fda2898-91b5-4a9f-a23b-7ec7fb25509b';
const ENTRA = ['cloudEndpoints', 'partner', 'identitySync'] as const;

describe('cross-tenant sync on the simulator (domain only)', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantAdapters;
  let tailspin: SimTenantAdapters;

  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.control.reset();
    contoso = adaptersFor(sim, 'Contoso');
    tailspin = adaptersFor(sim, 'Tailspin Gov');
  });

  const contosoSide = (scopingGroupIds = [COLLABORATORS]): PartnershipTarget => ({
    partnershipId: 'p-sync',
    desired: parseDesiredCollaboration({
      partnerTenantId: tailspin.tenant.id,
      partnerCloud: 'USGov',
      partnerDeploymentUrl: 'https://handshake.tailspin.us',
      b2bCollaboration: { outbound: { users: 'all' } },
      crossTenantSync: { direction: 'outbound', scopingGroupIds },
    }),
  });
  const tailspinSide = (source: PartnershipTarget): PartnershipTarget => ({
    partnershipId: 'p-sync',
    desired: mirrorForPartner(source.desired, { tenantId: contoso.tenant.id, cloud: 'Global', deploymentUrl: 'https://handshake.contoso.com' }),
  });

  async function configure(adapters: SimTenantAdapters, target: PartnershipTarget): Promise<OwnedItem[]> {
    const result = await applyPlan(adapters, plan([target], await readTenantState(adapters, [target], { localCloud: adapters.cloud }), { localCloud: adapters.cloud }));
    return ownershipAfter([], target.partnershipId, result);
  }

  /** Both Entra sides as the handshake does them, then the source side of sync at Contoso. */
  async function configureBothSides(source = contosoSide()): Promise<OwnedItem[]> {
    await configure(contoso, { ...source, areas: ENTRA });
    await configure(tailspin, tailspinSide(source));
    return configure(contoso, source);
  }

  const provision = (ids: { sp: string; job: string }, userId: string) =>
    graphClientFor(sim, contoso.tenant)
      .api(`/servicePrincipals/${ids.sp}/synchronization/jobs/${ids.job}/provisionOnDemand`)
      .post({ parameters: [{ ruleId: 'rule', subjects: [{ objectId: userId, objectTypeName: 'User' }] }] });

  it('creates, validates, scopes and starts the job; a user in scope is provisioned into the target, others are not', async () => {
    const owned = await configureBothSides();
    expect(owned).toContainEqual({ kind: 'syncConfiguration', targetTenantId: tailspin.tenant.id });

    const state = await sim.control.state(contoso.tenant.id);
    const configuration = state.servicePrincipals.find((sp) => sp.displayName === syncConfigurationName(tailspin.tenant.id))!;
    expect(configuration).toMatchObject({ applicationTemplateId: '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7' });
    const [job] = configuration.synchronization.jobs as Array<{ id: string; templateId: string; schedule: { state: string } }>;
    expect(job).toMatchObject({ templateId: 'Azure2Azure', schedule: { state: 'Active' } });
    expect(configuration.synchronization.secrets).toEqual(
      expect.arrayContaining([
        { key: 'CompanyId', value: tailspin.tenant.id },
        { key: 'AuthenticationType', value: 'SyncPolicy' },
      ]),
    );
    expect(configuration.appRoleAssignedTo).toEqual([expect.objectContaining({ principalId: COLLABORATORS, principalType: 'Group', resourceId: configuration.id })]);

    const ids = { sp: String(configuration.id), job: job.id };
    const adele = contoso.tenant.users.find((user) => user.userPrincipalName === 'adele.vance@contoso.com')!;
    expect(JSON.parse((await provision(ids, adele.id)).key)).toMatchObject({ result: 'Success' });
    const synced = (await sim.control.state(tailspin.tenant.id)).users.find((user) => user.userPrincipalName === 'adele.vance_contoso.com#EXT#@tailspingov.onmicrosoft.us');
    expect(synced).toMatchObject({ userType: 'Member', externalUserState: 'Accepted' });

    // Lee Gu is not in the scoping group.
    const lee = contoso.tenant.users.find((user) => user.userPrincipalName === 'lee.gu@contoso.com')!;
    expect(JSON.parse((await provision(ids, lee.id)).key)).toMatchObject({ result: 'Skipped', details: { errorCode: 'NotEffectivelyEntitled' } });
    expect((await sim.control.state(tailspin.tenant.id)).users.some((user) => String(user.userPrincipalName).startsWith('lee.gu_contoso.com'))).toBe(false);
  });

  it('writes nothing the second time and verifies the tenant as in sync', async () => {
    await configureBothSides();
    const before = await writes();
    const verification = await verifyTenantState(contoso, [contosoSide()], { localCloud: 'Global' });
    expect(verification).toMatchObject({ inSync: true, remaining: [] });
    expect(await configure(contoso, contosoSide())).toEqual([]);
    expect(await writes()).toBe(before);
  });

  it('reads the sync objects only for partnerships that sync outbound', async () => {
    const source = contosoSide();
    const withoutSync: PartnershipTarget = { ...source, desired: { ...source.desired, crossTenantSync: undefined } };
    await readTenantState(contoso, [withoutSync], { localCloud: 'Global' });
    expect(contoso.graphCounter.total).toBeGreaterThan(0);
    expect(await servicePrincipalReads()).toBe(0);
    await readTenantState(contoso, [source], { localCloud: 'Global' });
    expect(await servicePrincipalReads()).toBe(1);
  });

  it('refuses an unknown scoping group before creating anything', async () => {
    const source = contosoSide(['99999999-9999-4999-8999-999999999999']);
    await configure(contoso, { ...source, areas: ENTRA });
    await configure(tailspin, tailspinSide(source));
    const servicePrincipalsBefore = (await sim.control.state(contoso.tenant.id)).servicePrincipals.length;
    await expect(configure(contoso, source)).rejects.toMatchObject({
      code: 'apply.partial-failure',
      message: expect.stringContaining('The scoping group 99999999-9999-4999-8999-999999999999 does not exist'),
    });
    expect((await sim.control.state(contoso.tenant.id)).servicePrincipals).toHaveLength(servicePrincipalsBefore);
  });

  it('fails validation clearly when the target has not allowed inbound sync, and finishes once it has', async () => {
    const source = contosoSide();
    await configure(contoso, { ...source, areas: ENTRA });
    // Tailspin has done nothing yet: Entra refuses the credentials and says why.
    await expect(configure(contoso, source)).rejects.toMatchObject({
      code: 'apply.partial-failure',
      message: expect.stringMatching(/validateCredentials failed with 400 .*The target tenant has not enabled the Global cloud/),
      details: { failedOperationKind: 'syncSource.setCredentials', notApplied: expect.arrayContaining([`syncSource.startJob:${tailspin.tenant.id}`]) },
    });
    // The retry (as the durable retry or the reconcile does it) plans only what is still missing.
    await configure(tailspin, tailspinSide(source));
    const remaining = plan([source], await readTenantState(contoso, [source], { localCloud: 'Global' }), { localCloud: 'Global' });
    expect(remaining.operations.map((operation) => operation.kind)).toEqual(['syncSource.setCredentials', 'syncSource.assignScope', 'syncSource.startJob']);
    await applyPlan(contoso, remaining);
    expect((await verifyTenantState(contoso, [source], { localCloud: 'Global' })).inSync).toBe(true);
  });

  it('removes the job and the configuration, then the partner entry', async () => {
    const source = contosoSide();
    const entraOwned = await configure(contoso, { ...source, areas: ENTRA });
    await configure(tailspin, tailspinSide(source));
    const owned = [...entraOwned, ...(await configure(contoso, source))];
    const actual = await readTenantState(contoso, [], { localCloud: 'Global', ownership: owned });
    const removal = removePlan(source, owned, [], actual, { localCloud: 'Global' });
    expect(removal.operations.map((operation) => operation.kind)).toEqual(['syncSource.deleteJob', 'syncSource.deleteApplication', 'partner.delete', 'cloudEndpoints.update']);
    await applyPlan(contoso, removal);
    const state = await sim.control.state(contoso.tenant.id);
    expect(state.servicePrincipals.some((sp) => sp.displayName === syncConfigurationName(tailspin.tenant.id))).toBe(false);
    expect(state.partners.some((partner) => partner.tenantId === tailspin.tenant.id)).toBe(false);
  });

  async function writes(): Promise<number> {
    const rows = await sim.control.counters({ tenantId: contoso.tenant.id });
    return rows.filter((row) => row.operation !== 'batch' && !/\.(Get|List)/.test(row.operation)).reduce((sum, row) => sum + row.count, 0);
  }

  async function servicePrincipalReads(): Promise<number> {
    const rows = await sim.control.counters({ tenantId: contoso.tenant.id, operation: 'servicePrincipals.servicePrincipal.ListServicePrincipal' });
    return rows.reduce((sum, row) => sum + row.count, 0);
  }
});
