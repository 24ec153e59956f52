// The Teams tenant admin configuration API, as the product (and the simulator) speak it.
//
// Microsoft Graph has no API for tenant-wide Teams federation, guest, meeting-policy or
// cross-cloud meeting settings. The MicrosoftTeams PowerShell module and the Teams admin center
// call a tenant admin REST API instead:
//   GET|PUT {teamsAdminBaseUrl}/Skype.Policy/configurations/{ConfigurationType}/configuration/Global
// with an app-only token for the resource TEAMS_ADMIN_RESOURCE whose `wids` claim holds the
// Teams Administrator role. Bodies are the cmdlets' objects with PascalCase properties; a PUT
// replaces the whole object (so writers read, merge, write). The national-cloud hosts of this API
// and the storage of the cross-cloud meeting connections are *unconfirmed* (see
// docs/microsoft-services.md): the shapes below are our chosen model of them.

/** Resource (audience) of Teams admin tokens: `${TEAMS_ADMIN_RESOURCE}/.default`. */
export const TEAMS_ADMIN_RESOURCE = '48ac35b8-9aa8-4d74-927d-1f4a14a0b239';
/** Directory role template id of "Teams Administrator" (carried in a token's `wids`). */
export const TEAMS_ADMINISTRATOR_ROLE_ID = '69091246-20e8-4a56-aa4d-066075b2a7a8';

/** Set-CsTenantFederationConfiguration: external access (federation). */
export interface TenantFederationSettings {
  Identity: 'Global';
  AllowFederatedUsers: boolean;
  /** Empty with AllowFederatedUsers = true means "all domains" (as in the cmdlet's AllowAllKnownDomains). */
  AllowedDomains: string[];
  BlockedDomains: string[];
  AllowTeamsConsumer: boolean;
}

/** Set-CsTeamsClientConfiguration: guest access. */
export interface TeamsClientConfiguration {
  Identity: 'Global';
  AllowGuestUser: boolean;
}

/**
 * Set-CsTeamsMeetingPolicy: anonymous join and lobby. The Global instance is the tenant's default;
 * custom policies are instances named `Tag:<Name>` (assigned to some users).
 */
export interface TeamsMeetingPolicy {
  Identity: string;
  AllowAnonymousUsersToJoinMeeting: boolean;
  /** Who bypasses the lobby. */
  AutoAdmittedUsers: 'EveryoneInCompany' | 'EveryoneInSameAndFederatedCompany' | 'OrganizerOnly' | 'Everyone';
}

/** Set-CsTeamsMeetingConfiguration: the tenant-wide anonymous join switch. */
export interface TeamsMeetingConfiguration {
  Identity: 'Global';
  DisableAnonymousJoin: boolean;
}

/** Set-CsTeamsAcsFederationConfiguration: Azure Communication Services interop. */
export interface TeamsAcsFederationConfiguration {
  Identity: 'Global';
  EnableAcsUsers: boolean;
  AllowedAcsResources: string[];
}

/**
 * The tenant's effective coexistence mode (TeamsUpgradePolicy, Teams admin center > Teams > Teams
 * upgrade settings). The product reads it and warns; it never sets it (see docs/capabilities.md).
 */
export interface TeamsUpgradeConfiguration {
  Identity: 'Global';
  Mode: 'TeamsOnly' | 'Islands' | 'SfBWithTeamsCollab' | 'SfBOnly';
}

/**
 * TAC Meeting settings > Cross-cloud meetings (*unconfirmed* storage). Each connection is also the
 * Entra partner entry of the cross-tenant access policy; this object holds the Teams side.
 */
export interface TeamsCrossCloudMeetingConfiguration {
  Identity: 'Global';
  Partners: CrossCloudMeetingPartner[];
}

export interface CrossCloudMeetingPartner {
  TenantId: string;
  InboundMeetingsAllowed: boolean;
  OutboundMeetingsAllowed: boolean;
}

/** Every configuration type the product reads or writes, by its name in the URL. */
export interface TeamsConfigurations {
  TenantFederationSettings: TenantFederationSettings;
  TeamsClientConfiguration: TeamsClientConfiguration;
  TeamsMeetingPolicy: TeamsMeetingPolicy;
  TeamsMeetingConfiguration: TeamsMeetingConfiguration;
  TeamsAcsFederationConfiguration: TeamsAcsFederationConfiguration;
  TeamsUpgradeConfiguration: TeamsUpgradeConfiguration;
  TeamsCrossCloudMeetingConfiguration: TeamsCrossCloudMeetingConfiguration;
}

export type TeamsConfigurationType = keyof TeamsConfigurations;

export const TEAMS_CONFIGURATION_TYPES: readonly TeamsConfigurationType[] = [
  'TenantFederationSettings',
  'TeamsClientConfiguration',
  'TeamsMeetingPolicy',
  'TeamsMeetingConfiguration',
  'TeamsAcsFederationConfiguration',
  'TeamsUpgradeConfiguration',
  'TeamsCrossCloudMeetingConfiguration',
];

/**
 * What a tenant where nobody changed anything holds (the cmdlets' documented defaults): the
 * simulator's new tenants start with it, the product assumes it for a configuration never written.
 * A new copy on every call.
 */
export function defaultTeamsConfigurations(): TeamsConfigurations {
  return {
    TenantFederationSettings: {
      Identity: 'Global',
      AllowFederatedUsers: true,
      AllowedDomains: [],
      BlockedDomains: [],
      AllowTeamsConsumer: true,
    },
    TeamsClientConfiguration: { Identity: 'Global', AllowGuestUser: true },
    TeamsMeetingPolicy: { Identity: 'Global', AllowAnonymousUsersToJoinMeeting: true, AutoAdmittedUsers: 'EveryoneInCompany' },
    TeamsMeetingConfiguration: { Identity: 'Global', DisableAnonymousJoin: false },
    TeamsAcsFederationConfiguration: { Identity: 'Global', EnableAcsUsers: false, AllowedAcsResources: [] },
    TeamsUpgradeConfiguration: { Identity: 'Global', Mode: 'TeamsOnly' },
    TeamsCrossCloudMeetingConfiguration: { Identity: 'Global', Partners: [] },
  };
}

/** Path of one configuration (its Global instance, or a named one such as `Tag:Partners`) below the Teams admin base URL. */
export function teamsConfigurationPath(type: TeamsConfigurationType, identity = 'Global'): string {
  return `/Skype.Policy/configurations/${type}/configuration/${encodeURIComponent(identity)}`;
}
