// Cross-tenant synchronisation, source side, in the planner (pure): the documented sequence,
// nothing the second time, only what is missing of a configuration that exists, and a removal
// that deletes the job, then the configuration, before identity sync and the partner entry.
import { syncConfigurationName } from '../../shared/graph';
import type { OwnedItem } from '../../shared/ownership';
import { partnerSettingsFor, plan, removePlan, simulateApply, type PartnershipTarget } from '../../shared/plan';
import type { SyncSourceConfiguration, TenantState } from '../../shared/tenant';
import { freshTenant, target, TENANTS } from '../support/domain';

const GROUP_A = '11111111-1111-1111-1111-111111111111';
const GROUP_B = '22222222-2222-2222-2222-222222222222';
const options = { localCloud: 'Global' as const };
const GCC = TENANTS.gcchigh;

/** A partnership of a Global tenant syncing its users into a GCC High partner. */
function syncing(partnershipId: string, direction: 'outbound' | 'both' | 'inbound' = 'outbound', groups = [GROUP_A]): PartnershipTarget {
  return target(partnershipId, {
    partnerTenantId: GCC,
    partnerCloud: 'USGov',
    b2bCollaboration: { outbound: { users: 'all' } },
    crossTenantSync: { direction, scopingGroupIds: groups },
  });
}

function withConfiguration(state: TenantState, configuration: Partial<SyncSourceConfiguration> = {}): TenantState {
  state.syncSources = {
    [GCC]: {
      displayName: syncConfigurationName(GCC),
      servicePrincipalId: 'sp-1',
      appId: 'app-1',
      appRoleId: '00000000-0000-0000-0000-000000000000',
      job: { id: 'Azure2Azure.job-1', scheduleState: 'Active' },
      assignedPrincipalIds: [GROUP_A],
      ...configuration,
    },
  };
  state.coverage.syncSourcesFor = [GCC];
  return state;
}

const syncKinds = (operations: readonly { kind: string }[]): string[] => operations.map((operation) => operation.kind).filter((kind) => kind.startsWith('syncSource.'));

describe('cross-tenant sync, source side: plan', () => {
  it('plans the documented sequence, last, claiming the configuration for the partnership', () => {
    const result = plan([syncing('p1')], freshTenant(), options);
    expect(syncKinds(result.operations)).toEqual([
      'syncSource.createApplication',
      'syncSource.createJob',
      'syncSource.setCredentials',
      'syncSource.assignScope',
      'syncSource.startJob',
    ]);
    // After every Entra write: validation needs the partner entry and the cloud endpoint.
    const firstSync = result.operations.findIndex((operation) => operation.kind.startsWith('syncSource.'));
    expect(result.operations.slice(firstSync).every((operation) => operation.kind.startsWith('syncSource.'))).toBe(true);
    expect(result.operations[firstSync]).toMatchObject({
      targetTenantId: GCC,
      displayName: `cross-cloud-handshake sync to ${GCC}`,
      principalIds: [GROUP_A],
      claims: [{ partnershipId: 'p1', item: { kind: 'syncConfiguration', targetTenantId: GCC } }],
    });
    expect(result.operations.find((operation) => operation.kind === 'syncSource.assignScope')).toMatchObject({ principalIds: [GROUP_A] });
  });

  it('plans nothing the second time (after the plan is applied)', () => {
    const targets = [syncing('p1', 'both', [GROUP_A, GROUP_B])];
    const first = plan(targets, freshTenant(), options);
    const after = simulateApply(freshTenant(), first);
    expect(after.syncSources?.[GCC]).toMatchObject({ job: { scheduleState: 'Active' }, assignedPrincipalIds: [GROUP_A, GROUP_B] });
    expect(plan(targets, after, options).operations).toEqual([]);
  });

  it('plans nothing for a started, scoped configuration', () => {
    expect(syncKinds(plan([syncing('p1')], withConfiguration(freshTenant()), options).operations)).toEqual([]);
  });

  it('only assigns the groups missing from the scope, with the role read', () => {
    const state = withConfiguration(freshTenant(), { appRoleId: 'aaaaaaaa-0000-0000-0000-000000000001' });
    const result = plan([syncing('p1', 'outbound', [GROUP_A, GROUP_B])], state, options);
    expect(result.operations.filter((operation) => operation.kind.startsWith('syncSource.'))).toEqual([
      expect.objectContaining({ kind: 'syncSource.assignScope', principalIds: [GROUP_B], servicePrincipalId: 'sp-1', appRoleId: 'aaaaaaaa-0000-0000-0000-000000000001' }),
    ]);
  });

  it('sets the credentials and starts a job that is not running (e.g. paused by an admin)', () => {
    const state = withConfiguration(freshTenant(), { job: { id: 'Azure2Azure.job-1', scheduleState: 'Paused' } });
    const result = plan([syncing('p1')], state, options);
    expect(syncKinds(result.operations)).toEqual(['syncSource.setCredentials', 'syncSource.startJob']);
    expect(result.operations.find((operation) => operation.kind === 'syncSource.startJob')).toMatchObject({ servicePrincipalId: 'sp-1', jobId: 'Azure2Azure.job-1' });
  });

  it('creates a job for a configuration without one', () => {
    const state = withConfiguration(freshTenant(), { job: null });
    expect(syncKinds(plan([syncing('p1')], state, options).operations)).toEqual(['syncSource.createJob', 'syncSource.setCredentials', 'syncSource.startJob']);
  });

  it('warns that nobody is synchronised without scoping groups', () => {
    const result = plan([syncing('p1', 'outbound', [])], freshTenant(), options);
    expect(syncKinds(result.operations)).not.toContain('syncSource.assignScope');
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'sync.no-scope', partnershipIds: ['p1'] }));
  });

  it('plans no source side for an inbound sync, outside the syncSource area, or in a China tenant', () => {
    expect(syncKinds(plan([syncing('p1', 'inbound')], freshTenant(), options).operations)).toEqual([]);
    expect(syncKinds(plan([{ ...syncing('p1'), areas: ['cloudEndpoints', 'partner', 'identitySync', 'teams', 'guests'] }], freshTenant(), options).operations)).toEqual([]);
    const fromChina = target('p1', { partnerTenantId: GCC, partnerCloud: 'Global', crossTenantSync: { direction: 'outbound' } });
    expect(syncKinds(plan([fromChina], freshTenant(), { localCloud: 'China' }).operations)).toEqual([]);
  });

  it('merges two partnerships syncing to the same tenant into one configuration', () => {
    const result = plan([syncing('p1', 'outbound', [GROUP_A]), syncing('p2', 'outbound', [GROUP_B])], freshTenant(), options);
    expect(syncKinds(result.operations).filter((kind) => kind === 'syncSource.createApplication')).toHaveLength(1);
    expect(result.operations.find((operation) => operation.kind === 'syncSource.assignScope')).toMatchObject({ principalIds: [GROUP_A, GROUP_B], partnershipIds: ['p1', 'p2'] });
  });
});

describe('cross-tenant sync, source side: removePlan', () => {
  const owned: OwnedItem[] = [
    { kind: 'partner', tenantId: GCC },
    { kind: 'identitySync', tenantId: GCC, previous: null },
    { kind: 'syncConfiguration', targetTenantId: GCC },
  ];

  function configuredTenant(): TenantState {
    const state = withConfiguration(freshTenant());
    // The partner entry as the partnership wrote it (an entry an admin changed since is left alone).
    state.partners[GCC] = { tenantId: GCC, ...partnerSettingsFor(syncing('p1', 'both').desired) };
    state.identitySync[GCC] = { userSyncInbound: { isSyncAllowed: true } };
    state.coverage.identitySyncFor = [GCC];
    return state;
  }

  it('deletes the job, then the configuration, before identity sync and the partner entry', () => {
    const removal = removePlan(syncing('p1', 'both'), owned, [], configuredTenant(), options);
    expect(removal.operations.map((operation) => operation.kind)).toEqual([
      'syncSource.deleteJob',
      'syncSource.deleteApplication',
      'identitySync.delete',
      'partner.delete',
    ]);
    expect(removal.operations[0]).toMatchObject({ servicePrincipalId: 'sp-1', jobId: 'Azure2Azure.job-1' });
    expect(removal.operations[1].releases).toEqual([{ partnershipId: 'p1', item: { kind: 'syncConfiguration', targetTenantId: GCC } }]);
    const after = simulateApply(configuredTenant(), removal);
    expect(after.syncSources?.[GCC]).toBeNull();
    expect(after.partners[GCC]).toBeUndefined();
  });

  it('hands the configuration over to another partnership that still syncs to the same tenant', () => {
    const removal = removePlan(syncing('p1'), [{ kind: 'syncConfiguration', targetTenantId: GCC }], [syncing('p2')], configuredTenant(), options);
    expect(syncKinds(removal.operations)).toEqual([]);
    expect(removal.handOvers).toEqual([{ item: { kind: 'syncConfiguration', targetTenantId: GCC }, fromPartnershipId: 'p1', toPartnershipId: 'p2' }]);
  });

  it('releases a configuration that is already gone, and deletes only the configuration when the job is gone', () => {
    const gone = freshTenant();
    gone.syncSources = { [GCC]: null };
    const released = removePlan(syncing('p1'), [{ kind: 'syncConfiguration', targetTenantId: GCC }], [], gone, options);
    expect(released.operations).toEqual([]);
    expect(released.released).toEqual([{ partnershipId: 'p1', item: { kind: 'syncConfiguration', targetTenantId: GCC } }]);

    const noJob = withConfiguration(freshTenant(), { job: null });
    expect(syncKinds(removePlan(syncing('p1'), [{ kind: 'syncConfiguration', targetTenantId: GCC }], [], noJob, options).operations)).toEqual(['syncSource.deleteApplication']);
  });

  it('leaves a configuration alone that the partnership does not own', () => {
    const removal = removePlan(syncing('p1'), [{ kind: 'partner', tenantId: GCC }], [], configuredTenant(), options);
    expect(syncKinds(removal.operations)).toEqual([]);
  });
});
