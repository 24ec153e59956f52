// Cross-tenant synchronisation, source side: plan the documented configuration sequence towards
// each target tenant (application from the sync template → its service principal → Azure2Azure job
// → credentials validated → scoping groups assigned → started), plan its removal (job, then the
// service principal), and apply one step. The configuration is found by a stable display name, so
// a second run plans nothing and a removal finds what an earlier run created.
import { DomainError, isDomainError } from '../errors';
import {
  assignToSyncConfiguration,
  createSyncJob,
  deleteServicePrincipal,
  deleteSyncJob,
  instantiateSyncApplication,
  readSyncConfiguration,
  setSyncCredentials,
  startSyncJob,
  syncConfigurationName,
} from '../graph/sync';
import type { GraphAdapter } from '../graph/client';
import type { OwnedItem, OwnershipClaim } from '../ownership';
import type { SyncSourceConfiguration, TenantState } from '../tenant';
import type { OwnershipHandOver, PlanWarning, SyncSourceOperation } from './operations';
import type { Needs } from './requirements';

/** The job state of a started job. */
export const SYNC_JOB_ACTIVE = 'Active';

const claimsOf = (partnershipIds: readonly string[], targetTenantId: string): OwnershipClaim[] =>
  partnershipIds.map((partnershipId) => ({ partnershipId, item: { kind: 'syncConfiguration', targetTenantId } }));

/** The configuration towards a target as read (null: none, or not read — the read covers every need). */
export function syncSourceOf(actual: TenantState, targetTenantId: string): SyncSourceConfiguration | null {
  return actual.syncSources?.[targetTenantId.toLowerCase()] ?? null;
}

/** What is missing of each needed configuration, in the documented order. Pure. */
export function planSyncSources(needs: Needs, actual: TenantState, warnings: PlanWarning[]): SyncSourceOperation[] {
  const operations: SyncSourceOperation[] = [];
  for (const [targetTenantId, need] of needs.syncSources) {
    const displayName = syncConfigurationName(targetTenantId);
    const current = syncSourceOf(actual, targetTenantId);
    const step = (kind: SyncSourceOperation['kind'], description: string, extra: Partial<SyncSourceOperation> = {}): void => {
      operations.push({
        kind,
        id: `${kind}:${targetTenantId}`,
        description,
        partnershipIds: [...need.partnershipIds],
        // Every step claims the configuration: a run that resumes after a crash still records it.
        claims: claimsOf(need.partnershipIds, targetTenantId),
        releases: [],
        targetTenantId,
        displayName,
        ...(current ? { servicePrincipalId: current.servicePrincipalId } : {}),
        ...(current?.job ? { jobId: current.job.id } : {}),
        before: current,
        after: null,
        ...extra,
      });
    };
    if (need.groupIds.length === 0) {
      warnings.push({
        code: 'sync.no-scope',
        partnershipIds: [...need.partnershipIds],
        message: `Cross-tenant synchronisation to ${targetTenantId} has no scoping groups: nobody is synchronised until users or groups are assigned to the configuration "${displayName}".`,
      });
    }
    const started = current?.job?.scheduleState === SYNC_JOB_ACTIVE;
    const missingGroups = need.groupIds.filter((groupId) => !(current?.assignedPrincipalIds ?? []).includes(groupId));

    if (!current) {
      step('syncSource.createApplication', `Create the cross-tenant synchronisation configuration "${displayName}" (application and service principal from the sync template).`, {
        // Checked before anything is created: a wrong group id must not leave half a configuration.
        principalIds: need.groupIds,
        after: { displayName },
      });
    }
    if (!current?.job) {
      step('syncSource.createJob', `Create the Azure2Azure synchronisation job of "${displayName}".`, { after: { templateId: 'Azure2Azure' } });
    }
    if (!started) {
      step('syncSource.setCredentials', `Set the synchronisation credentials of "${displayName}" (target tenant ${targetTenantId}, policy-based authentication) and validate them.`, {
        after: { CompanyId: targetTenantId, AuthenticationType: 'SyncPolicy' },
      });
    }
    if (missingGroups.length > 0) {
      step('syncSource.assignScope', `Scope "${displayName}" to the group(s) ${missingGroups.join(', ')}.`, {
        principalIds: missingGroups,
        ...(current ? { appRoleId: current.appRoleId } : {}),
        after: { assignedPrincipalIds: [...(current?.assignedPrincipalIds ?? []), ...missingGroups] },
      });
    }
    if (!started) {
      step('syncSource.startJob', `Start the synchronisation job of "${displayName}".`, { after: { scheduleState: SYNC_JOB_ACTIVE } });
    }
  }
  return operations;
}

/**
 * Removal of the configurations `items` name (job first, then the service principal with its
 * secrets and scope), unless another partnership still syncs to the same target (handed over).
 */
export function removeSyncSources(
  partnershipId: string,
  items: readonly OwnedItem[],
  others: Needs,
  actual: TenantState,
  out: { handOvers: OwnershipHandOver[]; released: OwnershipClaim[] },
): SyncSourceOperation[] {
  const operations: SyncSourceOperation[] = [];
  for (const item of items) {
    if (item.kind !== 'syncConfiguration') continue;
    const targetTenantId = item.targetTenantId.toLowerCase();
    const keptBy = others.syncSources.get(targetTenantId)?.partnershipIds;
    if (keptBy && keptBy.length > 0) {
      out.handOvers.push({ item, fromPartnershipId: partnershipId, toPartnershipId: keptBy[0] });
      continue;
    }
    const current = syncSourceOf(actual, targetTenantId);
    if (!current) {
      out.released.push({ partnershipId, item });
      continue;
    }
    const base = {
      targetTenantId,
      displayName: current.displayName,
      servicePrincipalId: current.servicePrincipalId,
      partnershipIds: [partnershipId],
      claims: [],
      before: current,
      after: null,
    };
    if (current.job) {
      operations.push({
        ...base,
        kind: 'syncSource.deleteJob',
        id: `syncSource.deleteJob:${targetTenantId}`,
        description: `Delete the synchronisation job of "${current.displayName}".`,
        releases: [],
        jobId: current.job.id,
      });
    }
    operations.push({
      ...base,
      kind: 'syncSource.deleteApplication',
      id: `syncSource.deleteApplication:${targetTenantId}`,
      description: `Delete the cross-tenant synchronisation configuration "${current.displayName}" (its service principal, credentials and scope).`,
      releases: [{ partnershipId, item }],
    });
  }
  return operations;
}

/** Ids learnt while applying one plan (a configuration created by an earlier step). */
export type SyncIds = Map<string, { servicePrincipalId?: string; jobId?: string; appRoleId?: string }>;

/** Performs one step; `ids` carries what earlier steps of the same apply created. */
export async function applySyncSourceOperation(graph: GraphAdapter, operation: SyncSourceOperation, ids: SyncIds): Promise<'applied' | 'unchanged'> {
  const known = ids.get(operation.targetTenantId) ?? {};
  ids.set(operation.targetTenantId, known);
  known.servicePrincipalId ??= operation.servicePrincipalId;
  known.jobId ??= operation.jobId;
  known.appRoleId ??= operation.appRoleId;

  // Ids neither read nor created in this apply (a step retried on its own): find them by name.
  const resolve = async (needsRole = false): Promise<{ servicePrincipalId: string; jobId?: string; appRoleId: string }> => {
    if (!known.servicePrincipalId || (needsRole && !known.appRoleId)) {
      const found = await readSyncConfiguration(graph, operation.displayName);
      if (!found) {
        throw new DomainError('tenant.object-missing', `The synchronisation configuration "${operation.displayName}" does not exist (deleted meanwhile?).`, {
          details: { operationId: operation.id },
        });
      }
      known.servicePrincipalId = found.servicePrincipalId;
      known.appRoleId = found.appRoleId;
      known.jobId ??= found.job?.id;
    }
    return { servicePrincipalId: known.servicePrincipalId, jobId: known.jobId, appRoleId: known.appRoleId ?? '' };
  };
  const requireJob = (jobId: string | undefined): string => {
    if (!jobId) {
      throw new DomainError('tenant.object-missing', `The synchronisation configuration "${operation.displayName}" has no Azure2Azure job.`, {
        details: { operationId: operation.id },
      });
    }
    return jobId;
  };

  switch (operation.kind) {
    case 'syncSource.createApplication': {
      await requireGroups(graph, operation.principalIds ?? [], operation.id);
      const created = await instantiateSyncApplication(graph, operation.displayName);
      Object.assign(known, { servicePrincipalId: created.servicePrincipalId, appRoleId: created.appRoleId, jobId: undefined });
      return 'applied';
    }
    case 'syncSource.createJob': {
      const { servicePrincipalId } = await resolve();
      known.jobId = (await createSyncJob(graph, servicePrincipalId)).jobId;
      return 'applied';
    }
    case 'syncSource.setCredentials': {
      const { servicePrincipalId, jobId } = await resolve();
      await setSyncCredentials(graph, servicePrincipalId, requireJob(jobId), operation.targetTenantId);
      return 'applied';
    }
    case 'syncSource.assignScope': {
      const { servicePrincipalId, appRoleId } = await resolve(true);
      let assigned = 0;
      for (const principalId of operation.principalIds ?? []) {
        try {
          await assignToSyncConfiguration(graph, servicePrincipalId, principalId, appRoleId);
          assigned += 1;
        } catch (error) {
          // Assigned meanwhile: the scope already holds it.
          if (isDomainError(error, 'tenant.object-exists')) continue;
          if (isDomainError(error, 'tenant.object-missing')) {
            throw new DomainError('tenant.object-missing', `The scoping group ${principalId} does not exist in this tenant: fix crossTenantSync.scopingGroupIds.`, {
              cause: error,
              details: { operationId: operation.id, groupId: principalId },
            });
          }
          throw error;
        }
      }
      return assigned > 0 ? 'applied' : 'unchanged';
    }
    case 'syncSource.startJob': {
      const { servicePrincipalId, jobId } = await resolve();
      await startSyncJob(graph, servicePrincipalId, requireJob(jobId));
      return 'applied';
    }
    case 'syncSource.deleteJob':
      return ignoreMissing(() => deleteSyncJob(graph, operation.servicePrincipalId!, operation.jobId!));
    case 'syncSource.deleteApplication':
      return ignoreMissing(() => deleteServicePrincipal(graph, operation.servicePrincipalId!));
  }
}

/** Every scoping group exists (a `tenant.object-missing` error naming the first that does not). */
async function requireGroups(graph: GraphAdapter, groupIds: readonly string[], operationId: string): Promise<void> {
  for (const groupId of groupIds) {
    try {
      await graph.request('GET', `/groups/${encodeURIComponent(groupId)}?$select=id`);
    } catch (error) {
      if (!isDomainError(error, 'tenant.object-missing')) throw error;
      throw new DomainError('tenant.object-missing', `The scoping group ${groupId} does not exist in this tenant: fix crossTenantSync.scopingGroupIds.`, {
        cause: error,
        details: { operationId, groupId },
      });
    }
  }
}

async function ignoreMissing(work: () => Promise<void>): Promise<'applied' | 'unchanged'> {
  try {
    await work();
    return 'applied';
  } catch (error) {
    if (isDomainError(error, 'tenant.object-missing')) return 'unchanged';
    throw error;
  }
}

let simulatedObjects = 0;

/** The in-memory effect of a step (dry runs and property tests; see simulate.ts). */
export function simulateSyncSourceOperation(state: TenantState, operation: SyncSourceOperation): void {
  const sources = (state.syncSources ??= {});
  const coverage = (state.coverage.syncSourcesFor ??= []);
  if (!coverage.includes(operation.targetTenantId)) coverage.push(operation.targetTenantId);
  const current = sources[operation.targetTenantId] ?? null;
  const require = (): SyncSourceConfiguration => {
    if (!current) throw new DomainError('tenant.object-missing', `The synchronisation configuration "${operation.displayName}" does not exist.`);
    return current;
  };
  switch (operation.kind) {
    case 'syncSource.createApplication':
      simulatedObjects += 1;
      sources[operation.targetTenantId] = {
        displayName: operation.displayName,
        servicePrincipalId: `simulated-sp-${simulatedObjects}`,
        appId: `simulated-app-${simulatedObjects}`,
        appRoleId: '00000000-0000-0000-0000-000000000000',
        job: null,
        assignedPrincipalIds: [],
      };
      return;
    case 'syncSource.createJob':
      require().job = { id: `Azure2Azure.simulated-${++simulatedObjects}`, scheduleState: 'Disabled' };
      return;
    case 'syncSource.setCredentials':
      if (!require().job) throw new DomainError('tenant.object-missing', 'No synchronisation job to set credentials for.');
      return;
    case 'syncSource.assignScope': {
      const configuration = require();
      for (const principalId of operation.principalIds ?? []) {
        if (!configuration.assignedPrincipalIds.includes(principalId)) configuration.assignedPrincipalIds.push(principalId);
      }
      return;
    }
    case 'syncSource.startJob': {
      const job = require().job;
      if (!job) throw new DomainError('tenant.object-missing', 'No synchronisation job to start.');
      job.scheduleState = SYNC_JOB_ACTIVE;
      return;
    }
    case 'syncSource.deleteJob':
      if (current) current.job = null;
      return;
    case 'syncSource.deleteApplication':
      sources[operation.targetTenantId] = null;
      return;
  }
}
