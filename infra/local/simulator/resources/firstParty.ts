// Microsoft's own service principals in every tenant, and what an app is granted on them:
// - "Microsoft Graph" (appId 00000003-0000-0000-c000-000000000000) with its application
//   permissions as app roles; an app holds a permission when its service principal has an app
//   role assignment (`appRoleAssignedTo` of the Graph service principal) — the token's `roles`.
// - "Skype and Teams Tenant Admin API" (the Teams admin resource), which defines no app roles:
//   the Teams Administrator directory role authorises it (the token's `wids`).
// - Built-in directory roles (`roleManagement/directory/roleDefinitions`) and their assignments
//   (`roleAssignments`): what a service principal holds shows in its tokens' `wids`.
// A world app's `permissions` and `directoryRoles` are the grants it starts with; setup tools add
// more through the API and the next token carries them.
//
// Shapes: servicePrincipal / appRole / appRoleAssignment from the Graph OpenAPI subset (the
// servicePrincipal schema validates GET responses); unifiedRoleDefinition / unifiedRoleAssignment
// from the Graph v1.0 reference pages ("unifiedRoleDefinition resource type", "Create
// unifiedRoleAssignment"). App role ids are the published ids of the Graph permissions reference
// (learn.microsoft.com/graph/permissions-reference, "Application" rows); the ones marked
// `unconfirmed` were found in a single source only.
import { createHash, randomUUID } from 'node:crypto';
import { TEAMS_ADMIN_RESOURCE, TEAMS_ADMINISTRATOR_ROLE_ID } from '../../../../shared/teams/configurations';
import type { ApplicationPermission } from '../permissions';
import { GLOBAL_ADMINISTRATOR_ROLE } from '../permissions';
import { GraphObject, servicePrincipalIdFor, servicePrincipalObject, TenantState } from '../state';
import type { LoadedWorld } from '../world';

/** Microsoft Graph's application id: the same in every cloud. */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The tenant that owns Microsoft's first-party applications (appOwnerOrganizationId). */
const MICROSOFT_SERVICES_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

interface AppRoleDefinition {
  id: string;
  displayName: string;
  description: string;
  unconfirmed?: true;
}

/** Microsoft Graph application permissions the simulator knows, with their app role ids. */
export const GRAPH_APP_ROLES: Readonly<Record<ApplicationPermission, AppRoleDefinition>> = {
  'Application.Read.All': { id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', displayName: 'Read all applications', description: 'Allows the app to read all applications and service principals without a signed-in user.' },
  'Application.ReadWrite.All': { id: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', displayName: 'Read and write all applications', description: 'Allows the app to create, read, update and delete applications and service principals without a signed-in user.' },
  'Application.ReadWrite.OwnedBy': { id: '18a4783c-866b-4cc7-a460-3d5e5662c884', displayName: 'Manage apps that this app creates or owns', description: 'Allows the app to create other applications, and fully manage those applications, without a signed-in user.' },
  'AppRoleAssignment.ReadWrite.All': { id: '06b708a9-e830-4db3-a914-8e69da51d44f', displayName: 'Manage app permission grants and app role assignments', description: 'Allows the app to manage permission grants for application permissions to any API and application assignments for any app, without a signed-in user.' },
  'CrossTenantInformation.ReadBasic.All': { id: 'cac88765-0581-4025-9725-5ebc13f729ee', displayName: 'Read cross-tenant basic information', description: 'Allows the application to obtain basic tenant information about another target tenant within the Microsoft Entra ecosystem without a signed-in user.' },
  'Directory.Read.All': { id: '7ab1d382-f21e-4acd-a863-ba3e13f7da61', displayName: 'Read directory data', description: 'Allows the app to read data in your organization\'s directory, such as users, groups and apps, without a signed-in user.' },
  'Directory.ReadWrite.All': { id: '19dbc75e-c2e2-444c-a770-ec69d8559fc7', displayName: 'Read and write directory data', description: 'Allows the app to read and write data in your organization\'s directory, such as users, and groups, without a signed-in user.' },
  'Group.Create': { id: 'bf7b1a76-6e77-406b-b258-bf5c7720e98f', displayName: 'Create groups', description: 'Allows the app to create groups without a signed-in user.' },
  'Group.Read.All': { id: '5b567255-7703-4780-807c-7be8301ae99b', displayName: 'Read all groups', description: 'Allows the app to read group properties and memberships without a signed-in user.' },
  'Group.ReadWrite.All': { id: '62a82d76-70ea-41e2-9197-370581804d09', displayName: 'Read and write all groups', description: 'Allows the app to create groups, read all group properties and memberships, update group properties and memberships, and delete groups, without a signed-in user.' },
  'GroupMember.Read.All': { id: '98830695-27a2-44f7-8c18-0c3ebc9698f6', displayName: 'Read all group memberships', description: 'Allows the app to read memberships and basic group properties for all groups without a signed-in user.' },
  'GroupMember.ReadWrite.All': { id: 'dbaae8cf-10b5-4b86-a4a1-f871c94c6695', displayName: 'Read and write all group memberships', description: 'Allows the app to list groups, read basic properties, read and update the membership of the groups this app has access to without a signed-in user.' },
  'MultiTenantOrganization.ReadBasic.All': { id: 'f9c2b2a7-3895-4b2e-80f6-c924d456e30b', displayName: 'Read multitenant organization basic details', description: 'Allows the app to read basic details of the multitenant organization without a signed-in user.', unconfirmed: true },
  'MultiTenantOrganization.Read.All': { id: '4f994bc0-31bb-44bb-b480-7a7c1be8c02e', displayName: 'Read all multitenant organization details and tenants', description: 'Allows the app to read the multitenant organization and its tenants without a signed-in user.', unconfirmed: true },
  'MultiTenantOrganization.ReadWrite.All': { id: '920def01-ca61-4d2d-b3df-105b46046a70', displayName: 'Read and write all multitenant organization details and tenants', description: 'Allows the app to read and write the multitenant organization and its tenants without a signed-in user.', unconfirmed: true },
  'Organization.Read.All': { id: '498476ce-e0fe-48b0-b801-37ba7e2685c6', displayName: 'Read organization information', description: 'Allows the app to read the organization and related resources, without a signed-in user.' },
  'Organization.ReadWrite.All': { id: '292d869f-3427-49a8-9dab-8c70152b74e9', displayName: 'Read and write organization information', description: 'Allows the app to read and write the organization and related resources, without a signed-in user.' },
  'Policy.Read.All': { id: '246dd0d5-5bd0-4def-940b-0421030a5b68', displayName: 'Read your organization\'s policies', description: 'Allows the app to read all your organization\'s policies without a signed in user.' },
  'Policy.ReadWrite.CrossTenantAccess': { id: '338163d7-f101-4c92-94ba-ca46fe52447c', displayName: 'Read and write your organization\'s cross tenant access policies', description: 'Allows the app to read and write your organization\'s cross tenant access policies without a signed-in user.' },
  'Policy.ReadWrite.CrossTenantCapability': { id: 'a6325ae7-2b73-4dbd-abed-fbeacfbf8696', displayName: 'Read and write your organization\'s M365 cross tenant access capabilities', description: 'Allows the app to read and write your organization\'s Microsoft 365 cross tenant access capabilities without a signed-in user.', unconfirmed: true },
  'RoleManagement.Read.All': { id: 'c7fbd983-d9aa-4fa7-84b8-17382c103bc4', displayName: 'Read role management data for all RBAC providers', description: 'Allows the app to read role-based access control (RBAC) settings for all RBAC providers without a signed-in user.' },
  'RoleManagement.Read.Directory': { id: '483bed4a-2ad3-4361-a73b-c83ccdbdc53c', displayName: 'Read all directory RBAC settings', description: 'Allows the app to read the role-based access control (RBAC) settings for your company\'s directory, without a signed-in user.' },
  'RoleManagement.ReadWrite.Directory': { id: '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8', displayName: 'Read and write all directory RBAC settings', description: 'Allows the app to read and manage the role-based access control (RBAC) settings for your company\'s directory, without a signed-in user.' },
  'Synchronization.Read.All': { id: '5ba43d2f-fa88-4db2-bd1c-a67c5f0fb1ce', displayName: 'Read all Azure AD synchronization data', description: 'Allows the app to read synchronization data without a signed-in user.' },
  'Synchronization.ReadWrite.All': { id: '9b50c33d-700f-43b1-b2eb-87e89b703581', displayName: 'Read and write all Azure AD synchronization data', description: 'Allows the app to configure synchronization jobs without a signed-in user.' },
  'TeamMember.Read.All': { id: '660b7406-55f1-41ca-a0ed-0b035e182f3e', displayName: 'Read the members of all teams', description: 'Read the members of all teams, without a signed-in user.', unconfirmed: true },
  'TeamMember.ReadWrite.All': { id: '0121dc95-1b9f-4aed-8bac-58c5ac466691', displayName: 'Add and remove members from all teams', description: 'Add and remove members from all teams, without a signed-in user. Also allows changing a team member\'s role, for example from owner to non-owner.', unconfirmed: true },
  'TeamMember.ReadWriteNonOwnerRole.All': { id: '4437522e-9a86-4a41-a7da-e380edd4a97d', displayName: 'Add and remove members with non-owner role for all teams', description: 'Add and remove members from all teams, without a signed-in user. Does not allow adding or removing a member with the owner role.', unconfirmed: true },
  'User.Invite.All': { id: '09850681-111b-4a89-9bed-3f2cae46d706', displayName: 'Invite guest users to the organization', description: 'Allows the app to invite guest users to the organization, without a signed-in user.' },
  'User.Read.All': { id: 'df021288-bdef-4463-88db-98f22de89214', displayName: 'Read all users\' full profiles', description: 'Allows the app to read user profiles without a signed in user.' },
  'User.ReadWrite.All': { id: '741f803b-c850-494e-b5df-cde7c675a1ca', displayName: 'Read and write all users\' full profiles', description: 'Allows the app to read and update user profiles without a signed in user.' },
};

/** Built-in directory roles the simulator defines (id = template id, as for every built-in role). */
export const DIRECTORY_ROLE_DEFINITIONS: ReadonlyArray<{ id: string; displayName: string; description: string; actions: string[] }> = [
  {
    id: GLOBAL_ADMINISTRATOR_ROLE,
    displayName: 'Global Administrator',
    description: 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
    actions: ['microsoft.directory/allEntities/allProperties/allTasks'],
  },
  {
    id: TEAMS_ADMINISTRATOR_ROLE_ID,
    displayName: 'Teams Administrator',
    description: 'Can manage the Microsoft Teams service.',
    actions: ['microsoft.teams/allEntities/allProperties/allTasks', 'microsoft.directory/crossTenantAccessPolicy/partners/standard/read'],
  },
  {
    id: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
    displayName: 'Privileged Role Administrator',
    description: 'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
    actions: ['microsoft.directory/roleAssignments/allProperties/allTasks', 'microsoft.directory/servicePrincipals/appRoleAssignedTo/update'],
  },
];

/** Stable object id of a first-party service principal in a tenant. */
export function firstPartyServicePrincipalId(tenantId: string, appId: string): string {
  return servicePrincipalIdFor(tenantId, appId);
}

export function graphServicePrincipalId(tenantId: string): string {
  return firstPartyServicePrincipalId(tenantId, MICROSOFT_GRAPH_APP_ID);
}

function graphServicePrincipal(tenantId: string): GraphObject {
  const id = graphServicePrincipalId(tenantId);
  return {
    ...servicePrincipalObject(id, MICROSOFT_GRAPH_APP_ID, 'Microsoft Graph', MICROSOFT_SERVICES_TENANT),
    servicePrincipalNames: [MICROSOFT_GRAPH_APP_ID, 'https://graph.microsoft.com'],
    signInAudience: 'AzureADMultipleOrgs',
    appRoles: Object.entries(GRAPH_APP_ROLES).map(([value, role]) => ({
      allowedMemberTypes: ['Application'],
      description: role.description,
      displayName: role.displayName,
      id: role.id,
      isEnabled: true,
      origin: 'Application',
      value,
    })),
  };
}

function teamsAdminServicePrincipal(tenantId: string): GraphObject {
  const id = firstPartyServicePrincipalId(tenantId, TEAMS_ADMIN_RESOURCE);
  return {
    ...servicePrincipalObject(id, TEAMS_ADMIN_RESOURCE, 'Skype and Teams Tenant Admin API', MICROSOFT_SERVICES_TENANT),
    signInAudience: 'AzureADMultipleOrgs',
  };
}

function roleAssignmentId(): string {
  return createHash('sha256').update(randomUUID()).digest('base64url').slice(0, 43);
}

/** A unifiedRoleAssignment (directory scope "/": the whole tenant). */
export function newRoleAssignment(principalId: string, roleDefinitionId: string): GraphObject {
  return { id: roleAssignmentId(), principalId, roleDefinitionId, directoryScopeId: '/', appScopeId: null, condition: null };
}

/** A unifiedRoleDefinition as Graph returns a built-in one. */
export function roleDefinitionObject(definition: (typeof DIRECTORY_ROLE_DEFINITIONS)[number]): GraphObject {
  return {
    id: definition.id,
    description: definition.description,
    displayName: definition.displayName,
    isBuiltIn: true,
    isEnabled: true,
    resourceScopes: ['/'],
    templateId: definition.id,
    version: '1',
    rolePermissions: [{ allowedResourceActions: [...definition.actions], condition: null }],
  };
}

/** An appRoleAssignment of an application permission to a service principal. */
export function newAppRoleAssignment(resource: GraphObject, principal: GraphObject, appRoleId: string): GraphObject {
  return {
    id: randomUUID().replace(/-/g, '').slice(0, 32),
    deletedDateTime: null,
    appRoleId,
    createdDateTime: new Date().toISOString(),
    principalDisplayName: String(principal.displayName ?? ''),
    principalId: principal.id,
    principalType: 'ServicePrincipal',
    resourceDisplayName: String(resource.displayName ?? ''),
    resourceId: resource.id,
  };
}

/**
 * Adds the first-party service principals and the world apps' starting grants to a tenant that
 * lacks them (a new tenant, or a state saved before they existed). Idempotent.
 */
export function ensureFirstParty(tenant: TenantState, world: LoadedWorld): void {
  const graphId = graphServicePrincipalId(tenant.id);
  if (tenant.servicePrincipals[graphId]) return;
  const graph = graphServicePrincipal(tenant.id);
  const teams = teamsAdminServicePrincipal(tenant.id);
  tenant.servicePrincipals[graph.id] = graph;
  tenant.servicePrincipals[teams.id] = teams;
  const assignments = ((tenant.appRoleAssignments ??= {})[graph.id] ??= []);
  const roleAssignments = (tenant.directoryRoleAssignments ??= []);
  for (const app of world.apps.filter((candidate) => candidate.tenantId.toLowerCase() === tenant.id.toLowerCase())) {
    const principal = tenant.servicePrincipals[servicePrincipalIdFor(tenant.id, app.clientId)];
    if (!principal) continue;
    for (const permission of app.permissions) assignments.push(newAppRoleAssignment(graph, principal, GRAPH_APP_ROLES[permission].id));
    for (const role of app.directoryRoles) roleAssignments.push(newRoleAssignment(principal.id, role));
  }
}

/** The Graph application permissions (values) a service principal holds now: its token's `roles`. */
export function grantedGraphPermissions(tenant: TenantState, world: LoadedWorld, servicePrincipalId: string): string[] {
  ensureFirstParty(tenant, world);
  const graph = tenant.servicePrincipals[graphServicePrincipalId(tenant.id)];
  const byId = new Map(((graph.appRoles as Array<{ id: string; value: string }>) ?? []).map((role) => [role.id.toLowerCase(), role.value]));
  const principal = servicePrincipalId.toLowerCase();
  const values = (tenant.appRoleAssignments?.[graph.id] ?? [])
    .filter((assignment) => String(assignment.principalId).toLowerCase() === principal)
    .map((assignment) => byId.get(String(assignment.appRoleId).toLowerCase()))
    .filter((value): value is string => value !== undefined);
  return [...new Set(values)];
}

/** The directory role template ids a principal holds now: its token's `wids`. */
export function grantedDirectoryRoles(tenant: TenantState, world: LoadedWorld, principalId: string): string[] {
  ensureFirstParty(tenant, world);
  const principal = principalId.toLowerCase();
  const roles = (tenant.directoryRoleAssignments ?? [])
    .filter((assignment) => String(assignment.principalId).toLowerCase() === principal && assignment.directoryScopeId === '/')
    .map((assignment) => String(assignment.roleDefinitionId));
  return [...new Set(roles)];
}
