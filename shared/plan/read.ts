// readTenantState(): everything the plan needs, in as few requests as the tenant allows — one
// read serves the diff of every partnership (reconciliation of 1,000 partnerships reads once):
// the policy, the paged partner list, the Teams configurations needed, the guests (one paged
// list), identity-sync settings only for the partners that use it ($batch, 20 per request), and
// the cross-tenant sync configuration (source side) only for partnerships that sync outbound.
import { environmentDefinition, type CloudName } from '../clouds';
import type { BatchRequest, GraphAdapter } from '../graph/client';
import { m365CapabilitiesPath, m365CapabilityOf, teamMemberOf, teamMembersPath } from '../graph/collaboration';
import { graphError } from '../graph/errors';
import { readSyncConfiguration, syncConfigurationName } from '../graph/sync';
import type { OwnedItem } from '../ownership';
import type { TeamsAdapter } from '../teams/adapter';
import type { TeamsConfigurationType } from '../teams/configurations';
import type { IdentitySyncSettings, M365Capability, PartnerConfiguration, SyncSourceConfiguration, TeamMember, TenantState } from '../tenant';
import { needsOf, teamsTypesNeeded, type PartnershipTarget } from './requirements';

/** The adapters of one tenant. */
export interface TenantAdapters {
  graph: GraphAdapter;
  teams: TeamsAdapter;
}

export interface ReadOptions {
  /** The tenant's cloud (identity sync settings do not exist in China). */
  localCloud: CloudName;
  /** Owned items of partnerships being removed: what they name is read too. */
  ownership?: readonly OwnedItem[];
  /** Extra Teams configurations to read (e.g. all of them for a report). */
  teamsTypes?: readonly TeamsConfigurationType[];
  /** Read the guests even if no target needs them. */
  guests?: boolean;
}

const IDENTITY_SYNC = (tenantId: string): string => `/policies/crossTenantAccessPolicy/partners/${tenantId}/identitySynchronization`;

export async function readTenantState(
  adapters: TenantAdapters,
  targets: readonly PartnershipTarget[],
  options: ReadOptions,
): Promise<TenantState> {
  const readAt = new Date().toISOString();
  const needs = needsOf(targets, options.localCloud);
  const owned = options.ownership ?? [];

  const teamsTypes = new Set<TeamsConfigurationType>([...teamsTypesNeeded(needs), ...(options.teamsTypes ?? [])]);
  for (const item of owned) {
    if (item.kind === 'teamsSetting' || item.kind === 'teamsListEntry') teamsTypes.add(item.configurationType);
    if (item.kind === 'crossCloudMeetingPartner') teamsTypes.add('TeamsCrossCloudMeetingConfiguration');
  }
  const readGuests =
    Boolean(options.guests) || needs.guests.size > 0 || owned.some((item) => item.kind === 'guest' || item.kind === 'teamMember');
  const meetingPolicyIdentities = new Set<string>(needs.meetingPolicies.keys());
  for (const item of owned) if (item.kind === 'meetingPolicySetting') meetingPolicyIdentities.add(item.identity);

  const [allowedCloudEndpoints, partnerList, teams, guestList, meetingPolicies] = await Promise.all([
    adapters.graph.getAllowedCloudEndpoints(),
    adapters.graph.listPartners(),
    teamsTypes.size > 0 ? adapters.teams.read([...teamsTypes]) : Promise.resolve({}),
    readGuests ? adapters.graph.listGuests() : Promise.resolve([]),
    meetingPolicyIdentities.size > 0 ? adapters.teams.readMeetingPolicies([...meetingPolicyIdentities]) : Promise.resolve({}),
  ]);
  const partners = Object.fromEntries(partnerList.map((partner) => [partner.tenantId, partner]));

  // Identity sync: only where a partnership uses it or a removal may have to delete it.
  const syncTenants = new Set<string>(needs.identitySync.keys());
  for (const item of owned) {
    if (item.kind === 'partner' || item.kind === 'identitySync') syncTenants.add(item.tenantId.toLowerCase());
  }
  const identitySync: Record<string, IdentitySyncSettings | null> = {};
  const existing = [...syncTenants].filter((tenantId) => partners[tenantId]);
  if (!environmentDefinition(options.localCloud).crossTenantSyncApi) {
    // Not offered by Graph in China: there is none to read or to remove.
    for (const tenantId of existing) identitySync[tenantId] = null;
  } else if (existing.length > 0) {
    const responses = await adapters.graph.batch(existing.map((tenantId) => ({ id: tenantId, method: 'GET' as const, url: IDENTITY_SYNC(tenantId) })));
    for (const response of responses) {
      if (response.status === 200) identitySync[response.id] = stripOData(response.body as IdentitySyncSettings);
      else if (response.status === 404) identitySync[response.id] = null;
      else throw batchItemError(response, `GET ${IDENTITY_SYNC(response.id)}`);
    }
  }

  // Sync configurations (source side): only towards targets a partnership syncs to or owns one for.
  const syncTargets = new Set<string>(needs.syncSources.keys());
  for (const item of owned) if (item.kind === 'syncConfiguration') syncTargets.add(item.targetTenantId.toLowerCase());
  const syncSources: Record<string, SyncSourceConfiguration | null> = {};
  if (environmentDefinition(options.localCloud).crossTenantSyncApi) {
    // Not in China: Graph there has no synchronization jobs, so there is nothing to read.
    await Promise.all(
      [...syncTargets].map(async (targetTenantId) => {
        syncSources[targetTenantId] = await readSyncConfiguration(adapters.graph, syncConfigurationName(targetTenantId));
      }),
    );
  } else {
    for (const targetTenantId of syncTargets) syncSources[targetTenantId] = null;
  }

  const collaboration = await readCollaboration(adapters, needs, owned, partners, options.localCloud);

  return {
    readAt,
    allowedCloudEndpoints,
    partners,
    identitySync,
    teams,
    guests: Object.fromEntries(guestList.map((guest) => [guest.invitedAs, guest])),
    syncSources,
    m365Capabilities: collaboration.m365Capabilities,
    teamMembers: collaboration.teamMembers,
    meetingPolicies,
    coverage: {
      identitySyncFor: existing,
      teams: [...teamsTypes],
      guests: readGuests,
      syncSourcesFor: [...syncTargets],
      m365CapabilitiesFor: Object.keys(collaboration.m365Capabilities),
      teamMembersFor: Object.keys(collaboration.teamMembers),
      meetingPoliciesFor: [...meetingPolicyIdentities],
    },
  };
}

/**
 * Microsoft 365 capabilities of the partners that partnerships authorise (global Graph service
 * only) and the members of the teams guests are added to: one $batch for both.
 */
async function readCollaboration(
  adapters: TenantAdapters,
  needs: ReturnType<typeof needsOf>,
  owned: readonly OwnedItem[],
  partners: Record<string, PartnerConfiguration>,
  localCloud: CloudName,
): Promise<{ m365Capabilities: Record<string, Record<string, M365Capability>>; teamMembers: Record<string, TeamMember[] | null> }> {
  const capabilityPartners = new Set<string>(needs.m365Capabilities.keys());
  for (const item of owned) if (item.kind === 'm365Capability') capabilityPartners.add(item.tenantId.toLowerCase());
  const teamIds = new Set<string>([...needs.teamMembers.values()].map((need) => need.teamId));
  for (const item of owned) if (item.kind === 'teamMember') teamIds.add(item.teamId.toLowerCase());

  const m365Capabilities: Record<string, Record<string, M365Capability>> = {};
  const teamMembers: Record<string, TeamMember[] | null> = {};
  const requests: BatchRequest[] = [];
  for (const tenantId of capabilityPartners) {
    // A partner not there yet has none; outside the global Graph service there are none to read.
    if (!partners[tenantId] || !environmentDefinition(localCloud).globalGraphService) m365Capabilities[tenantId] = {};
    else requests.push({ id: `m365:${tenantId}`, method: 'GET', url: m365CapabilitiesPath(tenantId) });
  }
  for (const teamId of teamIds) requests.push({ id: `team:${teamId}`, method: 'GET', url: teamMembersPath(teamId) });
  if (requests.length === 0) return { m365Capabilities, teamMembers };

  for (const response of await adapters.graph.batch(requests)) {
    const [kind, key] = [response.id.slice(0, response.id.indexOf(':')), response.id.slice(response.id.indexOf(':') + 1)];
    const request = requests.find((candidate) => candidate.id === response.id)!;
    const values = ((response.body as { value?: Record<string, unknown>[] } | null)?.value ?? []);
    if (kind === 'm365') {
      if (response.status === 200) m365Capabilities[key] = Object.fromEntries(values.map(m365CapabilityOf).map((capability) => [capability.name, capability]));
      else if (response.status === 404) m365Capabilities[key] = {};
      else throw batchItemError(response, `GET ${request.url}`);
    } else if (response.status === 200) {
      teamMembers[key] = values.flatMap((value) => teamMemberOf(value) ?? []);
    } else if (response.status === 404) {
      teamMembers[key] = null;
    } else {
      throw batchItemError(response, `GET ${request.url}`);
    }
  }
  return { m365Capabilities, teamMembers };
}

function stripOData<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([key]) => !key.startsWith('@odata.'))) as T;
}

function batchItemError(response: { status: number; body: unknown }, operation: string): Error {
  const error = (response.body as { error?: { code?: string; message?: string } } | null)?.error;
  return graphError({ status: response.status, code: error?.code, message: error?.message }, operation);
}
