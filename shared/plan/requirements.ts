// What a set of partnerships needs from the tenant, merged: which cloud endpoints, which partner
// entries with which settings, which Teams switches and list entries, which guests — each with
// the partnerships that need it. Both plan() and removePlan() start from here.
import { environmentDefinition, isCrossCloud, isCrossEnvironment, type CloudName } from '../clouds';
import { guestOf, type AccessSettings, type DesiredCollaboration, type GuestInvitation } from '../partnership';
import type { CrossCloudMeetingPartner, TeamsConfigurationType } from '../teams/configurations';
import type { TeamsValue } from '../teams/changes';
import type { AccessTargetConfiguration, B2BSetting, M365Capability, PartnerSettings } from '../tenant';
import { DEFAULTS } from '../config';
import { m365CapabilitiesFor, M365_COLLABORATION_TRUST } from './m365';
import { PLAN_AREAS, type PlanArea, type PlanWarning } from './operations';

/** One partnership's desired state as the planner sees it. */
export interface PartnershipTarget {
  partnershipId: string;
  desired: DesiredCollaboration;
  /** The partner's verified domains (from the handshake); Teams federation waits until they are known. */
  partnerDomains?: string[];
  /** Parts of the tenant due now (default: all). */
  areas?: readonly PlanArea[];
}

/** A Teams switch the product turns, and the value it turns it to. */
export interface TeamsSwitch {
  configurationType: TeamsConfigurationType;
  property: string;
  value: TeamsValue;
  /** True when the current value already gives what the product needs. */
  satisfiedBy(current: unknown): boolean;
}

/** Every Teams switch the product may turn, by the collaboration that needs it. */
export const TEAMS_SWITCHES = {
  federation: [
    { configurationType: 'TenantFederationSettings', property: 'AllowFederatedUsers', value: true, satisfiedBy: (v: unknown) => v === true },
  ],
  /** External access to every domain: federation on with an empty allowed list (the cmdlet's AllowAllKnownDomains). */
  openFederation: [
    { configurationType: 'TenantFederationSettings', property: 'AllowFederatedUsers', value: true, satisfiedBy: (v: unknown) => v === true },
    {
      configurationType: 'TenantFederationSettings',
      property: 'AllowedDomains',
      value: [] as string[],
      satisfiedBy: (v: unknown) => Array.isArray(v) && v.length === 0,
    },
  ],
  guestAccess: [
    { configurationType: 'TeamsClientConfiguration', property: 'AllowGuestUser', value: true, satisfiedBy: (v: unknown) => v === true },
  ],
  anonymousJoin: [
    { configurationType: 'TeamsMeetingPolicy', property: 'AllowAnonymousUsersToJoinMeeting', value: true, satisfiedBy: (v: unknown) => v === true },
    // "with lobby": anyone but Everyone keeps anonymous users waiting in the lobby.
    {
      configurationType: 'TeamsMeetingPolicy',
      property: 'AutoAdmittedUsers',
      value: 'EveryoneInSameAndFederatedCompany',
      satisfiedBy: (v: unknown) => typeof v === 'string' && v !== 'Everyone',
    },
    { configurationType: 'TeamsMeetingConfiguration', property: 'DisableAnonymousJoin', value: false, satisfiedBy: (v: unknown) => v === false },
  ],
  /** Anonymous join when the Global meeting policy is not among those named: only the tenant-wide switch. */
  anonymousJoinTenantWide: [
    { configurationType: 'TeamsMeetingConfiguration', property: 'DisableAnonymousJoin', value: false, satisfiedBy: (v: unknown) => v === false },
  ],
  acsInterop: [
    { configurationType: 'TeamsAcsFederationConfiguration', property: 'EnableAcsUsers', value: true, satisfiedBy: (v: unknown) => v === true },
  ],
} as const satisfies Record<string, readonly TeamsSwitch[]>;

export type TeamsFeature = keyof typeof TEAMS_SWITCHES;

export function findTeamsSwitch(configurationType: TeamsConfigurationType, property: string): TeamsSwitch | undefined {
  for (const switches of Object.values(TEAMS_SWITCHES)) {
    for (const candidate of switches as readonly TeamsSwitch[]) {
      if (candidate.configurationType === configurationType && candidate.property === property) return candidate;
    }
  }
  return undefined;
}

/** The switches of a meeting policy other than Global that anonymous join turns (the Global policy's, per instance). */
export const MEETING_POLICY_SWITCHES: readonly TeamsSwitch[] = TEAMS_SWITCHES.anonymousJoin.filter(
  (teamsSwitch) => teamsSwitch.configurationType === 'TeamsMeetingPolicy',
);

/** List properties the product adds entries to. */
export const TEAMS_LISTS = {
  federationDomains: { configurationType: 'TenantFederationSettings', property: 'AllowedDomains' },
  blockedDomains: { configurationType: 'TenantFederationSettings', property: 'BlockedDomains' },
  acsResources: { configurationType: 'TeamsAcsFederationConfiguration', property: 'AllowedAcsResources' },
} as const;

/** How a guest is invited (per partnership; the first partnership naming a guest decides). */
export interface GuestInvitationNeed {
  redirectUrl: string;
  sendInvitationMessage: boolean;
  message?: string;
  messageLanguage?: string;
}

export interface Needs {
  endpoints: Map<string, string[]>;
  partners: Map<string, { partnershipIds: string[]; settings: PartnerSettings }>;
  identitySync: Map<string, string[]>;
  teamsFeatures: Map<TeamsFeature, string[]>;
  federationDomains: Map<string, string[]>;
  acsResources: Map<string, string[]>;
  crossCloudMeetings: Map<string, { partnershipIds: string[]; partner: CrossCloudMeetingPartner }>;
  guests: Map<string, string[]>;
  /** Source side of cross-tenant sync, by target tenant: who needs it and the groups in scope. */
  syncSources: Map<string, { partnershipIds: string[]; groupIds: string[] }>;
  /** Domains to add to the Teams external access block list. */
  blockedDomains: Map<string, string[]>;
  /** Meeting policies other than Global to turn anonymous join on in, by identity (`Tag:Name`). */
  meetingPolicies: Map<string, string[]>;
  /** Partnerships whose cross-cloud Teams communication depends on the tenant's coexistence mode. */
  coexistence: string[];
  /** How each guest is invited (redirect, e-mail), by lower-case UPN. */
  guestInvitations: Map<string, GuestInvitationNeed>;
  /** Guests added to teams, by `${teamId}|${upn}`. */
  teamMembers: Map<string, { teamId: string; upn: string; roles: string[]; partnershipIds: string[] }>;
  /** Microsoft 365 capabilities authorised for each partner, by partner tenant id, then name. */
  m365Capabilities: Map<string, { partnershipIds: string[]; capabilities: Map<string, M365Capability> }>;
  warnings: PlanWarning[];
}

function add<K>(map: Map<K, string[]>, key: K, partnershipId: string): void {
  const ids = map.get(key);
  if (!ids) map.set(key, [partnershipId]);
  else if (!ids.includes(partnershipId)) ids.push(partnershipId);
}

/** The cross-tenant access setting (targets, allowed or blocked) of an access choice of a request. */
export function b2bSetting(access: AccessSettings): B2BSetting {
  const users: AccessTargetConfiguration =
    access.users === 'all'
      ? { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] }
      : {
          accessType: access.users.access ?? 'allowed',
          targets: [
            ...(access.users.userIds ?? []).map((id) => ({ target: id, targetType: 'user' as const })),
            ...(access.users.groupIds ?? []).map((id) => ({ target: id, targetType: 'group' as const })),
          ],
        };
  const applications: AccessTargetConfiguration =
    access.applications === 'all' || access.applications === 'office365'
      ? { accessType: 'allowed', targets: [{ target: access.applications === 'all' ? 'AllApplications' : 'Office365', targetType: 'application' }] }
      : {
          accessType: access.applications.access ?? 'allowed',
          targets: access.applications.applicationIds.map((id) => ({ target: id, targetType: 'application' as const })),
        };
  return { usersAndGroups: users, applications };
}

export function syncDirections(desired: DesiredCollaboration): { inbound: boolean; outbound: boolean } {
  const direction = desired.crossTenantSync?.direction;
  return { inbound: direction === 'inbound' || direction === 'both', outbound: direction === 'outbound' || direction === 'both' };
}

/** The partner entry settings a desired collaboration asks for (settings it does not name stay untouched). */
export function partnerSettingsFor(desired: DesiredCollaboration): PartnerSettings {
  const settings: PartnerSettings = {};
  const { inbound, outbound } = desired.b2bCollaboration;
  if (inbound) settings.b2bCollaborationInbound = b2bSetting(inbound);
  if (outbound) settings.b2bCollaborationOutbound = b2bSetting(outbound);
  if (desired.b2bDirectConnect?.inbound) settings.b2bDirectConnectInbound = b2bSetting(desired.b2bDirectConnect.inbound);
  if (desired.b2bDirectConnect?.outbound) settings.b2bDirectConnectOutbound = b2bSetting(desired.b2bDirectConnect.outbound);
  const sync = syncDirections(desired);
  // Automatic redemption: inbound on the target, outbound on the source of the synchronisation.
  if (sync.inbound || sync.outbound) {
    settings.automaticUserConsentSettings = {
      ...(sync.inbound ? { inboundAllowed: true } : {}),
      ...(sync.outbound ? { outboundAllowed: true } : {}),
    };
  }
  // Microsoft 365 capabilities take effect only over the Microsoft 365 collaboration trust.
  if (desired.m365Capabilities?.inbound) settings.m365CollaborationInbound = structuredClone(M365_COLLABORATION_TRUST);
  return settings;
}

const hasArea = (target: PartnershipTarget, area: PlanArea, ignoreAreas: boolean): boolean =>
  ignoreAreas || (target.areas ?? PLAN_AREAS).includes(area);

/**
 * Merged needs of the partnerships. `ignoreAreas` takes every area of every partnership (what
 * they will need eventually: used to decide what a removal must keep).
 */
export function needsOf(
  targets: readonly PartnershipTarget[],
  localCloud: CloudName,
  ignoreAreas = false,
  options: { guestInviteRedirectUrl?: string } = {},
): Needs {
  const needs: Needs = {
    endpoints: new Map(),
    partners: new Map(),
    identitySync: new Map(),
    teamsFeatures: new Map(),
    federationDomains: new Map(),
    acsResources: new Map(),
    crossCloudMeetings: new Map(),
    guests: new Map(),
    syncSources: new Map(),
    blockedDomains: new Map(),
    meetingPolicies: new Map(),
    coexistence: [],
    guestInvitations: new Map(),
    teamMembers: new Map(),
    m365Capabilities: new Map(),
    warnings: [],
  };
  for (const target of targets) {
    const { desired, partnershipId } = target;
    const partnerTenantId = desired.partnerTenantId.toLowerCase();

    if (hasArea(target, 'cloudEndpoints', ignoreAreas) && isCrossCloud(localCloud, desired.partnerCloud)) {
      add(needs.endpoints, environmentDefinition(desired.partnerCloud).allowedCloudEndpoint, partnershipId);
    }

    if (hasArea(target, 'partner', ignoreAreas)) {
      const settings = partnerSettingsFor(desired);
      const existing = needs.partners.get(partnerTenantId);
      if (!existing) {
        needs.partners.set(partnerTenantId, { partnershipIds: [partnershipId], settings });
      } else {
        if (JSON.stringify(existing.settings) !== JSON.stringify(settings)) {
          needs.warnings.push({
            code: 'partner.conflicting-partnerships',
            partnershipIds: [...existing.partnershipIds, partnershipId],
            message: `Several partnerships ask for different settings of partner ${partnerTenantId}; the first one's are kept.`,
          });
        }
        existing.partnershipIds.push(partnershipId);
      }
    }

    if (hasArea(target, 'identitySync', ignoreAreas) && syncDirections(desired).inbound) {
      add(needs.identitySync, partnerTenantId, partnershipId);
    }

    if (hasArea(target, 'teams', ignoreAreas)) {
      const teams = desired.teams;
      const domains = (target.partnerDomains ?? []).map((domain) => domain.toLowerCase());
      const openToAll = teams.externalAccess?.allowedDomains === 'all';
      // Never turn federation on without domains (an empty allowed list means "everyone"), unless everyone is what is asked.
      if (teams.federation && (domains.length > 0 || openToAll)) {
        add(needs.teamsFeatures, openToAll ? 'openFederation' : 'federation', partnershipId);
        if (!openToAll) {
          for (const domain of domains) add(needs.federationDomains, domain, partnershipId);
        }
        for (const domain of teams.externalAccess?.blockedDomains ?? []) add(needs.blockedDomains, domain.toLowerCase(), partnershipId);
      }
      if (teams.guestAccess) add(needs.teamsFeatures, 'guestAccess', partnershipId);
      if (teams.anonymousJoin) {
        const policies = teams.meetingPolicies ?? ['Global'];
        add(needs.teamsFeatures, policies.includes('Global') ? 'anonymousJoin' : 'anonymousJoinTenantWide', partnershipId);
        for (const identity of policies) if (identity !== 'Global') add(needs.meetingPolicies, identity, partnershipId);
      }
      if (teams.acsInterop) {
        add(needs.teamsFeatures, 'acsInterop', partnershipId);
        for (const resourceId of teams.acsInterop.resourceIds) add(needs.acsResources, resourceId.toLowerCase(), partnershipId);
      }
      // Cross-cloud meetings exist only between Microsoft 365 environments (the capability rules refuse them otherwise).
      if (teams.crossCloudMeetings && isCrossEnvironment(localCloud, desired.partnerCloud)) {
        const partner: CrossCloudMeetingPartner = {
          TenantId: partnerTenantId,
          InboundMeetingsAllowed: teams.crossCloudMeetings.inbound,
          OutboundMeetingsAllowed: teams.crossCloudMeetings.outbound,
        };
        const existing = needs.crossCloudMeetings.get(partnerTenantId);
        if (!existing) needs.crossCloudMeetings.set(partnerTenantId, { partnershipIds: [partnershipId], partner });
        else existing.partnershipIds.push(partnershipId);
      }
      // Chat and calls across clouds land according to the coexistence mode (read, never set).
      if ((teams.federation || teams.crossCloudMeetings) && !needs.coexistence.includes(partnershipId)) needs.coexistence.push(partnershipId);
    }

    if (hasArea(target, 'guests', ignoreAreas)) {
      const invitation = guestInvitationFor(desired.guestInvitation, localCloud, options.guestInviteRedirectUrl);
      for (const entry of desired.guests) {
        const guest = guestOf(entry);
        const upn = guest.upn.toLowerCase();
        add(needs.guests, upn, partnershipId);
        if (!needs.guestInvitations.has(upn)) needs.guestInvitations.set(upn, invitation);
        for (const team of guest.teams) {
          const key = `${team.teamId.toLowerCase()}|${upn}`;
          const need = needs.teamMembers.get(key) ?? { teamId: team.teamId.toLowerCase(), upn, roles: team.role === 'owner' ? ['owner'] : [], partnershipIds: [] };
          if (!need.partnershipIds.includes(partnershipId)) need.partnershipIds.push(partnershipId);
          needs.teamMembers.set(key, need);
        }
      }
    }

    // Only a tenant of the global Graph service can authorise them (the capability rules refuse the rest).
    if (hasArea(target, 'm365Capabilities', ignoreAreas) && desired.m365Capabilities?.inbound && environmentDefinition(localCloud).globalGraphService) {
      const need = needs.m365Capabilities.get(partnerTenantId) ?? { partnershipIds: [], capabilities: new Map<string, M365Capability>() };
      if (!need.partnershipIds.includes(partnershipId)) need.partnershipIds.push(partnershipId);
      for (const capability of m365CapabilitiesFor(desired.m365Capabilities.inbound)) {
        if (!need.capabilities.has(capability.name)) need.capabilities.set(capability.name, capability);
      }
      needs.m365Capabilities.set(partnerTenantId, need);
    }

    // The capability rules refuse a China source (no sync jobs there); never plan one.
    if (hasArea(target, 'syncSource', ignoreAreas) && syncDirections(desired).outbound && environmentDefinition(localCloud).crossTenantSyncApi) {
      const need = needs.syncSources.get(partnerTenantId) ?? { partnershipIds: [], groupIds: [] };
      if (!need.partnershipIds.includes(partnershipId)) need.partnershipIds.push(partnershipId);
      for (const groupId of desired.crossTenantSync?.scopingGroupIds ?? []) {
        if (!need.groupIds.includes(groupId.toLowerCase())) need.groupIds.push(groupId.toLowerCase());
      }
      needs.syncSources.set(partnerTenantId, need);
    }
  }
  return needs;
}

/** The Teams configuration types the needs touch (what a read must cover). */
export function teamsTypesNeeded(needs: Needs): TeamsConfigurationType[] {
  const types = new Set<TeamsConfigurationType>();
  for (const feature of needs.teamsFeatures.keys()) {
    for (const teamsSwitch of TEAMS_SWITCHES[feature]) types.add(teamsSwitch.configurationType);
  }
  if (needs.crossCloudMeetings.size > 0) types.add('TeamsCrossCloudMeetingConfiguration');
  if (needs.blockedDomains.size > 0) types.add('TenantFederationSettings');
  if (needs.coexistence.length > 0) types.add('TeamsUpgradeConfiguration');
  return [...types];
}

/** How this tenant invites its guests: the request's choices, the redirect of this tenant's environment. */
export function guestInvitationFor(invitation: GuestInvitation | undefined, localCloud: CloudName, configuredRedirectUrl?: string): GuestInvitationNeed {
  return {
    redirectUrl: invitation?.redirectUrls?.[localCloud] ?? configuredRedirectUrl ?? environmentDefinition(localCloud).myAppsUrl,
    // A guest hears about the invitation unless the request says otherwise (see docs/capabilities.md).
    sendInvitationMessage: invitation?.sendInvitationMessage ?? DEFAULTS.sendGuestInvitationMessage,
    ...(invitation?.message ? { message: invitation.message } : {}),
    ...(invitation?.messageLanguage ? { messageLanguage: invitation.messageLanguage } : {}),
  };
}
