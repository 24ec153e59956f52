// Cross-tenant synchronisation, source side: the Graph calls of the documented configuration
// sequence (Entra docs "Configure cross-tenant synchronization using PowerShell or Microsoft Graph
// API"): instantiate the sync application template → its service principal → an `Azure2Azure` job
// → secrets (CompanyId = target tenant, AuthenticationType = SyncPolicy) → validateCredentials →
// assign the scoping groups (appRoleAssignedTo) → start. Not available in the China cloud.
import type { SyncSourceConfiguration } from '../tenant';
import type { GraphAdapter } from './client';

/** Application template "Azure AD cross-tenant synchronization". */
export const CROSS_TENANT_SYNC_TEMPLATE_ID = '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7';
/** Synchronization job template of cross-tenant synchronisation. */
export const SYNC_JOB_TEMPLATE_ID = 'Azure2Azure';
/** The default access role: the one to assign when the application defines no app roles. */
export const DEFAULT_ACCESS_APP_ROLE_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Display name of the configuration (application, service principal) the product creates to sync
 * users to `targetTenantId`. Stable, so a run finds what an earlier one created; it names the
 * product, so nobody mistakes it for an admin's own configuration.
 */
export function syncConfigurationName(targetTenantId: string): string {
  return `cross-cloud-handshake sync to ${targetTenantId.toLowerCase()}`;
}

interface ServicePrincipalView {
  id: string;
  appId: string;
  displayName?: string | null;
  appRoles?: { id: string; value?: string | null; displayName?: string | null; isEnabled?: boolean }[];
}

interface JobView {
  id: string;
  templateId?: string | null;
  schedule?: { state?: string | null } | null;
}

const SP = (id: string): string => `/servicePrincipals/${encodeURIComponent(id)}`;
const JOB = (spId: string, jobId: string): string => `${SP(spId)}/synchronization/jobs/${encodeURIComponent(jobId)}`;

/** The role scope assignments use: the app's "User" role when it defines one, else default access. */
export function scopeAppRoleId(appRoles: ServicePrincipalView['appRoles']): string {
  const roles = (appRoles ?? []).filter((role) => role.isEnabled !== false);
  const user = roles.find((role) => role.value === 'User' || role.displayName === 'User');
  return user?.id ?? DEFAULT_ACCESS_APP_ROLE_ID;
}

/**
 * The configuration called `displayName`, or null when there is none: one list filtered by name,
 * then its jobs and scope. Three requests for a configuration that exists, one when it does not.
 */
export async function readSyncConfiguration(graph: GraphAdapter, displayName: string): Promise<SyncSourceConfiguration | null> {
  const filter = encodeURIComponent(`displayName eq '${displayName.replace(/'/g, "''")}'`);
  const found = await graph.listAll<ServicePrincipalView>(`/servicePrincipals?$filter=${filter}&$select=id,appId,displayName,appRoles`);
  const sp = found.find((candidate) => candidate.displayName === displayName);
  if (!sp) return null;
  const [jobs, assignments] = await Promise.all([
    graph.listAll<JobView>(`${SP(sp.id)}/synchronization/jobs`),
    graph.listAll<{ principalId: string }>(`${SP(sp.id)}/appRoleAssignedTo`),
  ]);
  const job = jobs.find((candidate) => candidate.templateId === SYNC_JOB_TEMPLATE_ID) ?? null;
  return {
    displayName,
    servicePrincipalId: sp.id,
    appId: sp.appId,
    appRoleId: scopeAppRoleId(sp.appRoles),
    job: job ? { id: job.id, scheduleState: job.schedule?.state ?? null } : null,
    assignedPrincipalIds: assignments.map((assignment) => assignment.principalId.toLowerCase()),
  };
}

/** Instantiates the sync application template: the application and its service principal. */
export async function instantiateSyncApplication(graph: GraphAdapter, displayName: string): Promise<{ servicePrincipalId: string; appId: string; applicationId: string; appRoleId: string }> {
  const created = await graph.request<{ application: { id: string; appId: string }; servicePrincipal: ServicePrincipalView }>(
    'POST',
    `/applicationTemplates/${CROSS_TENANT_SYNC_TEMPLATE_ID}/instantiate`,
    { displayName },
  );
  return {
    servicePrincipalId: created.servicePrincipal.id,
    appId: created.servicePrincipal.appId,
    applicationId: created.application.id,
    appRoleId: scopeAppRoleId(created.servicePrincipal.appRoles),
  };
}

export async function createSyncJob(graph: GraphAdapter, servicePrincipalId: string): Promise<{ jobId: string }> {
  const job = await graph.request<JobView>('POST', `${SP(servicePrincipalId)}/synchronization/jobs`, { templateId: SYNC_JOB_TEMPLATE_ID });
  return { jobId: job.id };
}

/** Saves the credentials (target tenant, policy-based authentication) and has Entra validate them. */
export async function setSyncCredentials(graph: GraphAdapter, servicePrincipalId: string, jobId: string, targetTenantId: string): Promise<void> {
  await graph.request('PUT', `${SP(servicePrincipalId)}/synchronization/secrets`, {
    value: [
      { key: 'CompanyId', value: targetTenantId },
      { key: 'AuthenticationType', value: 'SyncPolicy' },
    ],
  });
  await graph.request('POST', `${JOB(servicePrincipalId, jobId)}/validateCredentials`, { useSavedCredentials: true });
}

/** Assigns a group (or user) to the configuration: it is then in the sync scope. */
export async function assignToSyncConfiguration(graph: GraphAdapter, servicePrincipalId: string, principalId: string, appRoleId: string): Promise<void> {
  await graph.request('POST', `${SP(servicePrincipalId)}/appRoleAssignedTo`, { principalId, resourceId: servicePrincipalId, appRoleId });
}

export async function startSyncJob(graph: GraphAdapter, servicePrincipalId: string, jobId: string): Promise<void> {
  await graph.request('POST', `${JOB(servicePrincipalId, jobId)}/start`, {});
}

export async function deleteSyncJob(graph: GraphAdapter, servicePrincipalId: string, jobId: string): Promise<void> {
  await graph.request('DELETE', JOB(servicePrincipalId, jobId));
}

/** Deletes the configuration's service principal (its jobs, secrets and assignments go with it). */
export async function deleteServicePrincipal(graph: GraphAdapter, servicePrincipalId: string): Promise<void> {
  await graph.request('DELETE', SP(servicePrincipalId));
}
