// Microsoft Graph application permissions the simulator knows (a world may only grant these, so
// a typo fails loudly) and directory roles it checks.
import { TEAMS_ADMINISTRATOR_ROLE_ID } from '../../../shared/teams/configurations';

export const KNOWN_APPLICATION_PERMISSIONS = [
  'Application.Read.All',
  'Application.ReadWrite.All',
  'Application.ReadWrite.OwnedBy',
  'AppRoleAssignment.ReadWrite.All',
  'CrossTenantInformation.ReadBasic.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Group.Create',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.Read.All',
  'GroupMember.ReadWrite.All',
  'MultiTenantOrganization.ReadBasic.All',
  'MultiTenantOrganization.Read.All',
  'MultiTenantOrganization.ReadWrite.All',
  'Organization.Read.All',
  'Organization.ReadWrite.All',
  'Policy.Read.All',
  'Policy.ReadWrite.CrossTenantAccess',
  'Policy.ReadWrite.CrossTenantCapability',
  'RoleManagement.Read.All',
  'RoleManagement.Read.Directory',
  'RoleManagement.ReadWrite.Directory',
  'Synchronization.Read.All',
  'Synchronization.ReadWrite.All',
  'TeamMember.Read.All',
  'TeamMember.ReadWrite.All',
  'TeamMember.ReadWriteNonOwnerRole.All',
  'User.Invite.All',
  'User.Read.All',
  'User.ReadWrite.All',
] as const;

export type ApplicationPermission = (typeof KNOWN_APPLICATION_PERMISSIONS)[number];

/** Any one of these grants the operation (least privileged first, as in the API reference). */
export type PermissionSet = readonly ApplicationPermission[];

export const PERMISSIONS = {
  policyRead: ['Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess'],
  policyWrite: ['Policy.ReadWrite.CrossTenantAccess'],
  userRead: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  userWrite: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  userInvite: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  groupRead: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  groupCreate: ['Group.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  groupWrite: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  groupMemberWrite: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  organizationRead: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  organizationWrite: ['Organization.ReadWrite.All'],
  tenantInformation: ['CrossTenantInformation.ReadBasic.All'],
  applicationRead: ['Application.Read.All', 'Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  applicationWrite: ['Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy'],
  /** appRoleAssignedTo of a service principal (the scope of a sync configuration). */
  appRoleAssignmentRead: ['Application.Read.All', 'Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  appRoleAssignmentWrite: ['AppRoleAssignment.ReadWrite.All'],
  synchronizationRead: ['Synchronization.Read.All', 'Synchronization.ReadWrite.All'],
  synchronizationWrite: ['Synchronization.ReadWrite.All'],
  /** Microsoft 365 cross-tenant capabilities of a partner. */
  m365CapabilityRead: ['Policy.Read.All', 'Policy.ReadWrite.CrossTenantCapability'],
  m365CapabilityWrite: ['Policy.ReadWrite.CrossTenantCapability'],
  /** Members of a team (owners need TeamMember.ReadWrite.All, checked by the handler). */
  teamMemberRead: ['TeamMember.Read.All', 'TeamMember.ReadWriteNonOwnerRole.All', 'TeamMember.ReadWrite.All'],
  teamMemberWrite: ['TeamMember.ReadWriteNonOwnerRole.All', 'TeamMember.ReadWrite.All'],
  mtoRead: ['MultiTenantOrganization.ReadBasic.All', 'MultiTenantOrganization.Read.All', 'MultiTenantOrganization.ReadWrite.All'],
  mtoWrite: ['MultiTenantOrganization.ReadWrite.All'],
  /** Subscriptions: the caller may list/get/delete its own; creation checks the resource's read permission. */
  none: [],
} as const satisfies Record<string, PermissionSet>;

export const TEAMS_ADMINISTRATOR_ROLE = TEAMS_ADMINISTRATOR_ROLE_ID;
export const GLOBAL_ADMINISTRATOR_ROLE = '62e90394-69f5-4237-9190-012177145e10';

export function isGranted(roles: readonly string[], required: PermissionSet): boolean {
  return required.length === 0 || required.some((permission) => roles.includes(permission));
}
