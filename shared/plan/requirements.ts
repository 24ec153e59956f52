// What a set of partnerships needs from the tenant, merged: which cloud endpoints, which partner
// entries with which settings, which Teams switches and list entries, which guests — each with
// the partnerships that need it. Both plan() and removePlan() start from here.
import { CLOUDS, isCrossCloud, type CloudName } from '../clouds';
import type { AccessSettings, DesiredCollaboration } from '../partnership';
import type { CrossCloudMeetingPartner, TeamsConfigurationType } from '../teams/configurations';
import type { B2BSetting, PartnerSettings } from '../tenant';
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
  value: string | boolean;
  /** True when the current value already gives what the product needs. */
  satisfiedBy(current: unknown): boolean;
}

/** Every Teams switch the product may turn, by the collaboration that needs it. */
export const TEAMS_SWITCHES = {
  federation: [
    { configurationType: 'TenantFederationSettings', property: 'AllowFederatedUsers', value: true, satisfiedBy: (v: unknown) => v === true },
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

/** List properties the product adds entries to. */
export const TEAMS_LISTS = {
  federationDomains: { configurationType: 'TenantFederationSettings', property: 'AllowedDomains' },
  acsResources: { configurationType: 'TeamsAcsFederationConfiguration', property: 'AllowedAcsResources' },
} as const;

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
  warnings: PlanWarning[];
}

function add<K>(map: Map<K, string[]>, key: K, partnershipId: string): void {
  const ids = map.get(key);
  if (!ids) map.set(key, [partnershipId]);
  else if (!ids.includes(partnershipId)) ids.push(partnershipId);
}

export function b2bSetting(access: AccessSettings): B2BSetting {
  return {
    usersAndGroups: {
      accessType: 'allowed',
      targets:
        access.users === 'all'
          ? [{ target: 'AllUsers', targetType: 'user' }]
          : access.users.groupIds.map((id) => ({ target: id, targetType: 'group' as const })),
    },
    applications: {
      accessType: 'allowed',
      targets: [{ target: access.applications === 'all' ? 'AllApplications' : 'Office365', targetType: 'application' }],
    },
  };
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
  return settings;
}

const hasArea = (target: PartnershipTarget, area: PlanArea, ignoreAreas: boolean): boolean =>
  ignoreAreas || (target.areas ?? PLAN_AREAS).includes(area);

/**
 * Merged needs of the partnerships. `ignoreAreas` takes every area of every partnership (what
 * they will need eventually: used to decide what a removal must keep).
 */
export function needsOf(targets: readonly PartnershipTarget[], localCloud: CloudName, ignoreAreas = false): Needs {
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
    warnings: [],
  };
  for (const target of targets) {
    const { desired, partnershipId } = target;
    const partnerTenantId = desired.partnerTenantId.toLowerCase();

    if (hasArea(target, 'cloudEndpoints', ignoreAreas) && isCrossCloud(localCloud, desired.partnerCloud)) {
      add(needs.endpoints, CLOUDS[desired.partnerCloud].allowedCloudEndpoint, partnershipId);
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
      // Never turn federation on without domains: an empty allowed list means "everyone".
      if (teams.federation && domains.length > 0) {
        add(needs.teamsFeatures, 'federation', partnershipId);
        for (const domain of domains) add(needs.federationDomains, domain, partnershipId);
      }
      if (teams.guestAccess) add(needs.teamsFeatures, 'guestAccess', partnershipId);
      if (teams.anonymousJoin) add(needs.teamsFeatures, 'anonymousJoin', partnershipId);
      if (teams.acsInterop) {
        add(needs.teamsFeatures, 'acsInterop', partnershipId);
        for (const resourceId of teams.acsInterop.resourceIds) add(needs.acsResources, resourceId.toLowerCase(), partnershipId);
      }
      // Cross-cloud meetings exist only between clouds (the capability rules refuse them otherwise).
      if (teams.crossCloudMeetings && isCrossCloud(localCloud, desired.partnerCloud)) {
        const partner: CrossCloudMeetingPartner = {
          TenantId: partnerTenantId,
          InboundMeetingsAllowed: teams.crossCloudMeetings.inbound,
          OutboundMeetingsAllowed: teams.crossCloudMeetings.outbound,
        };
        const existing = needs.crossCloudMeetings.get(partnerTenantId);
        if (!existing) needs.crossCloudMeetings.set(partnerTenantId, { partnershipIds: [partnershipId], partner });
        else existing.partnershipIds.push(partnershipId);
      }
    }

    if (hasArea(target, 'guests', ignoreAreas)) {
      for (const upn of desired.guests) add(needs.guests, upn.toLowerCase(), partnershipId);
    }

    // The capability rules refuse a China source (no sync jobs there); never plan one.
    if (hasArea(target, 'syncSource', ignoreAreas) && syncDirections(desired).outbound && CLOUDS[localCloud].environment !== 'China') {
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
  return [...types];
}
