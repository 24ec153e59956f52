// What the product reads from a tenant (the "actual" side of desired-vs-actual), as plain JSON.
// Graph shapes keep Graph's property names so a plan's bodies can be sent as they are.
import type { TeamsConfigurations, TeamsConfigurationType, TeamsMeetingPolicy } from './teams/configurations';

export type AccessType = 'allowed' | 'blocked';

/** crossTenantAccessPolicyTarget */
export interface AccessTarget {
  /** 'AllUsers', 'AllApplications', 'Office365', a user/group/app id. */
  target: string;
  targetType: 'user' | 'group' | 'application';
}

/** crossTenantAccessPolicyTargetConfiguration */
export interface AccessTargetConfiguration {
  accessType: AccessType;
  targets: AccessTarget[];
}

/** crossTenantAccessPolicyB2BSetting */
export interface B2BSetting {
  usersAndGroups?: AccessTargetConfiguration | null;
  applications?: AccessTargetConfiguration | null;
}

/**
 * crossTenantAccessPolicyM365CollaborationInboundSetting: which of the partner's users the
 * tenant trusts for Microsoft 365 collaboration (the trust its Microsoft 365 capabilities need).
 */
export interface M365CollaborationInboundSetting {
  users?: AccessTargetConfiguration | null;
}

/** crossTenantAccessPolicyM365CollaborationOutboundSetting */
export interface M365CollaborationOutboundSetting {
  usersAndGroups?: AccessTargetConfiguration | null;
}

/** m365CapabilityResourceScope: `All` or a user/group id of the granting tenant. */
export interface M365ResourceScope {
  resourceId: string;
  resourceType: 'user' | 'group' | 'none';
}

/**
 * A Microsoft 365 cross-tenant capability of a partner (m365CapabilityBase): its name is its
 * type (`crossTenantCalendarAvailabilityBasic`, ...), created with that `@odata.type`.
 */
export interface M365Capability {
  name: string;
  inboundAccess: {
    isAllowed: boolean;
    resourceScopes: { included: M365ResourceScope[]; excluded: M365ResourceScope[] };
  };
}

/** inboundOutboundPolicyConfiguration */
export interface AutomaticUserConsentSettings {
  inboundAllowed?: boolean | null;
  outboundAllowed?: boolean | null;
}

/** The partner settings the product manages (a subset of crossTenantAccessPolicyConfigurationPartner). */
export interface PartnerSettings {
  b2bCollaborationInbound?: B2BSetting | null;
  b2bCollaborationOutbound?: B2BSetting | null;
  b2bDirectConnectInbound?: B2BSetting | null;
  b2bDirectConnectOutbound?: B2BSetting | null;
  automaticUserConsentSettings?: AutomaticUserConsentSettings | null;
  m365CollaborationInbound?: M365CollaborationInboundSetting | null;
  m365CollaborationOutbound?: M365CollaborationOutboundSetting | null;
}
export type PartnerSettingName = keyof PartnerSettings;
export const PARTNER_SETTING_NAMES: readonly PartnerSettingName[] = [
  'b2bCollaborationInbound',
  'b2bCollaborationOutbound',
  'b2bDirectConnectInbound',
  'b2bDirectConnectOutbound',
  'automaticUserConsentSettings',
  'm365CollaborationInbound',
  'm365CollaborationOutbound',
];

/** A partner entry of the cross-tenant access policy. */
export interface PartnerConfiguration extends PartnerSettings {
  tenantId: string;
}

/** crossTenantIdentitySyncPolicyPartner */
export interface IdentitySyncSettings {
  displayName?: string | null;
  userSyncInbound?: { isSyncAllowed: boolean } | null;
}

/** A guest user of the tenant, keyed by the address it was invited with. */
export interface GuestUser {
  id: string;
  /** Lower-case address the guest was invited with (the partner user's UPN). */
  invitedAs: string;
  userPrincipalName?: string;
  externalUserState?: string | null;
}

/**
 * The source side of cross-tenant synchronisation towards one target tenant: the configuration
 * the product created (application + service principal from the sync template), found by its
 * display name, with its `Azure2Azure` job and its scope (principals assigned to it).
 */
export interface SyncSourceConfiguration {
  displayName: string;
  servicePrincipalId: string;
  appId: string;
  /** The app role scope assignments use. */
  appRoleId: string;
  /** The Azure2Azure job; `scheduleState` 'Active' once started. */
  job: { id: string; scheduleState: string | null } | null;
  /** Lower-case ids of the groups and users assigned to the configuration (its scope). */
  assignedPrincipalIds: string[];
}

/** A member of a team (conversationMember of a user), keyed by user id. */
export interface TeamMember {
  /** The membership id (for DELETE /teams/{id}/members/{membershipId}). */
  id: string;
  userId: string;
  roles: string[];
}

export interface TenantState {
  /** ISO time the read started. */
  readAt: string;
  allowedCloudEndpoints: string[];
  /** Every partner of the policy, by lower-case tenant id. */
  partners: Record<string, PartnerConfiguration>;
  /** Identity sync settings of the partners that were read (null: none); keys say what was read. */
  identitySync: Record<string, IdentitySyncSettings | null>;
  /** The Teams configurations that were read. */
  teams: Partial<TeamsConfigurations>;
  /** Guests by lower-case invited address (all guests of the tenant when `guestsRead`). */
  guests: Record<string, GuestUser>;
  /**
   * Sync configurations towards target tenants, by lower-case target tenant id (null: none).
   * Read only for partnerships that sync outbound (or own such a configuration).
   */
  syncSources?: Record<string, SyncSourceConfiguration | null>;
  /** Microsoft 365 capabilities by lower-case partner tenant id, then by name; read only for partners a partnership authorises. */
  m365Capabilities?: Record<string, Record<string, M365Capability>>;
  /** Members of the teams partnerships add guests to, by lower-case team id (null: no such team). */
  teamMembers?: Record<string, TeamMember[] | null>;
  /** Meeting policies other than Global that partnerships name, by identity (`Tag:Name`; null: no such policy). */
  meetingPolicies?: Record<string, TeamsMeetingPolicy | null>;
  /** What the read covered, so a plan never mistakes "not read" for "absent". */
  coverage: {
    identitySyncFor: string[];
    teams: TeamsConfigurationType[];
    guests: boolean;
    /** Target tenants whose sync configuration was read. */
    syncSourcesFor?: string[];
    /** Partners whose Microsoft 365 capabilities were read. */
    m365CapabilitiesFor?: string[];
    /** Teams whose members were read. */
    teamMembersFor?: string[];
    /** Meeting policies (other than Global) that were read. */
    meetingPoliciesFor?: string[];
  };
}

/** An empty tenant (no partners, nothing enabled), e.g. as the start of an in-memory model. */
export function emptyTenantState(): TenantState {
  return {
    readAt: new Date(0).toISOString(),
    allowedCloudEndpoints: [],
    partners: {},
    identitySync: {},
    teams: {},
    guests: {},
    syncSources: {},
    coverage: { identitySyncFor: [], teams: [], guests: true, syncSourcesFor: [] },
  };
}
