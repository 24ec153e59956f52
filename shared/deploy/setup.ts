// `handshake setup`: gives a deployment's managed identity what it needs in its tenant — the
// Graph application permissions of permissions.ts (app role assignments on that cloud's
// Microsoft Graph service principal) and, in REST Teams mode, the Teams Administrator directory
// role. Idempotent: it reads what is there first and adds only what is missing. The caller's
// credential is an administrator's (Privileged Role Administrator, or an app holding
// AppRoleAssignment.ReadWrite.All, Application.Read.All and RoleManagement.ReadWrite.Directory).
import type { CloudName } from '../clouds';
import { DomainError } from '../errors';
import type { GraphAdapter } from '../graph/client';
import {
  manualTeamsReason,
  MICROSOFT_GRAPH_APP_ID,
  requiredGraphPermissions,
  TEAMS_ADMINISTRATOR_ROLE_ID,
  type TeamsMode,
} from './permissions';

export interface SetupOptions {
  cloud: CloudName;
  /** Object id of the identity's service principal (the template's `identityPrincipalId` output). */
  principalId: string;
  teamsMode: TeamsMode;
  /** Read what is there and report what would be added, without writing. */
  dryRun: boolean;
}

export type SetupOutcome = 'added' | 'present' | 'planned' | 'manual' | 'failed';

export interface SetupItem {
  kind: 'identity' | 'graph-permission' | 'directory-role';
  name: string;
  outcome: SetupOutcome;
  /** What was done, or why it could not be done. */
  detail: string;
}

export interface SetupReport {
  principalId: string;
  cloud: CloudName;
  dryRun: boolean;
  items: SetupItem[];
  /** True when nothing failed. */
  ok: boolean;
}

type GraphRequests = Pick<GraphAdapter, 'request'>;

interface ServicePrincipalView {
  id: string;
  displayName?: string;
  appRoles?: Array<{ id: string; value?: string | null; allowedMemberTypes?: string[]; isEnabled?: boolean }>;
}

interface AppRoleAssignmentView {
  appRoleId: string;
  resourceId: string;
}

export const TEAMS_ADMINISTRATOR_ROLE_NAME = 'Teams Administrator';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Grants what is missing (or, with dryRun, says what would be granted). Never throws for a refusal: each item says. */
export async function runSetup(graph: GraphRequests, options: SetupOptions): Promise<SetupReport> {
  if (!GUID.test(options.principalId)) {
    throw new DomainError('request.invalid', `The principal id must be the object id (GUID) of the identity's service principal (got "${options.principalId}").`);
  }
  const items: SetupItem[] = [];
  const report = (): SetupReport => ({
    principalId: options.principalId,
    cloud: options.cloud,
    dryRun: options.dryRun,
    items,
    ok: items.every((item) => item.outcome !== 'failed'),
  });
  const needs = requiredGraphPermissions(options.cloud);
  const notAttempted = (why: string): void => {
    for (const need of needs) items.push({ kind: 'graph-permission', name: need.permission, outcome: 'failed', detail: `not attempted: ${why}` });
    if (options.teamsMode === 'rest') {
      items.push({ kind: 'directory-role', name: TEAMS_ADMINISTRATOR_ROLE_NAME, outcome: 'failed', detail: `not attempted: ${why}` });
    }
  };

  let identity: ServicePrincipalView;
  try {
    identity = await graph.request<ServicePrincipalView>('GET', `/servicePrincipals/${options.principalId}?$select=id,displayName`);
    items.push({ kind: 'identity', name: identity.displayName ?? identity.id, outcome: 'present', detail: `service principal ${identity.id}` });
  } catch (error) {
    const why =
      error instanceof DomainError && error.code === 'tenant.object-missing'
        ? `no service principal with object id ${options.principalId} in this tenant: use the deployment's identityPrincipalId output`
        : explain(error, 'read the identity\'s service principal');
    items.push({ kind: 'identity', name: options.principalId, outcome: 'failed', detail: why });
    notAttempted('the identity was not found');
    return report();
  }

  await grantGraphPermissions(graph, options, identity, needs.map((need) => need.permission), items);
  await grantTeamsRole(graph, options, identity, items);
  return report();
}

async function grantGraphPermissions(graph: GraphRequests, options: SetupOptions, identity: ServicePrincipalView, permissions: string[], items: SetupItem[]): Promise<void> {
  let graphSp: ServicePrincipalView | undefined;
  let assigned: Set<string>;
  try {
    const found = await graph.request<{ value?: ServicePrincipalView[] }>(
      'GET',
      `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${MICROSOFT_GRAPH_APP_ID}'`)}&$select=id,displayName,appRoles`,
    );
    graphSp = found.value?.[0];
    const held = await graph.request<{ value?: AppRoleAssignmentView[] }>('GET', `/servicePrincipals/${identity.id}/appRoleAssignments`);
    assigned = new Set((held.value ?? []).filter((assignment) => graphSp && assignment.resourceId.toLowerCase() === graphSp.id.toLowerCase()).map((a) => a.appRoleId.toLowerCase()));
  } catch (error) {
    const why = explain(error, 'read the Microsoft Graph service principal and the identity\'s app role assignments');
    for (const permission of permissions) items.push({ kind: 'graph-permission', name: permission, outcome: 'failed', detail: why });
    return;
  }
  if (!graphSp) {
    for (const permission of permissions) {
      items.push({ kind: 'graph-permission', name: permission, outcome: 'failed', detail: 'the Microsoft Graph service principal was not found in this tenant' });
    }
    return;
  }
  for (const permission of permissions) {
    const role = (graphSp.appRoles ?? []).find(
      (candidate) => candidate.value === permission && (candidate.allowedMemberTypes ?? ['Application']).includes('Application') && candidate.isEnabled !== false,
    );
    if (!role) {
      items.push({ kind: 'graph-permission', name: permission, outcome: 'failed', detail: `Microsoft Graph in this cloud has no application permission ${permission}` });
      continue;
    }
    if (assigned.has(role.id.toLowerCase())) {
      items.push({ kind: 'graph-permission', name: permission, outcome: 'present', detail: 'already granted' });
      continue;
    }
    if (options.dryRun) {
      items.push({ kind: 'graph-permission', name: permission, outcome: 'planned', detail: `would be granted (app role ${role.id})` });
      continue;
    }
    try {
      await graph.request('POST', `/servicePrincipals/${graphSp.id}/appRoleAssignedTo`, { principalId: identity.id, resourceId: graphSp.id, appRoleId: role.id });
      items.push({ kind: 'graph-permission', name: permission, outcome: 'added', detail: `granted (app role ${role.id})` });
    } catch (error) {
      items.push({ kind: 'graph-permission', name: permission, outcome: 'failed', detail: explain(error, `grant ${permission}`) });
    }
  }
}

async function grantTeamsRole(graph: GraphRequests, options: SetupOptions, identity: ServicePrincipalView, items: SetupItem[]): Promise<void> {
  if (options.teamsMode === 'manual') {
    items.push({
      kind: 'directory-role',
      name: TEAMS_ADMINISTRATOR_ROLE_NAME,
      outcome: 'manual',
      detail: `not assigned (Teams mode manual): ${manualTeamsReason(options.cloud)}`,
    });
    return;
  }
  const filter = encodeURIComponent(`principalId eq '${identity.id}' and roleDefinitionId eq '${TEAMS_ADMINISTRATOR_ROLE_ID}'`);
  try {
    const existing = await graph.request<{ value?: unknown[] }>('GET', `/roleManagement/directory/roleAssignments?$filter=${filter}`);
    if ((existing.value ?? []).length > 0) {
      items.push({ kind: 'directory-role', name: TEAMS_ADMINISTRATOR_ROLE_NAME, outcome: 'present', detail: 'already assigned' });
      return;
    }
    if (options.dryRun) {
      items.push({ kind: 'directory-role', name: TEAMS_ADMINISTRATOR_ROLE_NAME, outcome: 'planned', detail: `would be assigned (role ${TEAMS_ADMINISTRATOR_ROLE_ID}, whole directory)` });
      return;
    }
    await graph.request('POST', '/roleManagement/directory/roleAssignments', {
      '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
      principalId: identity.id,
      roleDefinitionId: TEAMS_ADMINISTRATOR_ROLE_ID,
      directoryScopeId: '/',
    });
    items.push({ kind: 'directory-role', name: TEAMS_ADMINISTRATOR_ROLE_NAME, outcome: 'added', detail: `assigned (role ${TEAMS_ADMINISTRATOR_ROLE_ID}, whole directory)` });
  } catch (error) {
    items.push({ kind: 'directory-role', name: TEAMS_ADMINISTRATOR_ROLE_NAME, outcome: 'failed', detail: explain(error, 'assign the Teams Administrator role') });
  }
}

/** A refusal in an administrator's words (never a token or secret: Graph errors carry neither). */
function explain(error: unknown, action: string): string {
  if (error instanceof DomainError) {
    if (error.code === 'tenant.permission-denied') {
      return (
        `could not ${action}: the signed-in account or app may not (${error.message}). ` +
        'Sign in as a Privileged Role Administrator (or use an app with AppRoleAssignment.ReadWrite.All, Application.Read.All and RoleManagement.ReadWrite.Directory)'
      );
    }
    if (error.code === 'tenant.authentication-failed') return `could not ${action}: sign-in failed (${error.message})`;
    return `could not ${action}: ${error.message}`;
  }
  return `could not ${action}: ${error instanceof Error ? error.message : String(error)}`;
}
