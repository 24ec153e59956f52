// The capability rules: one table, evaluated from one tenant's point of view for BOTH sides of a
// partnership, before anything is written. The initiator evaluates the request (its partner's
// side included); the responder evaluates the mirrored request again. Each rule names the side
// whose environment refuses, the capability it is about and its source — docs/capabilities.md
// lists every rule with the article or Microsoft page it comes from.
import {
  ENVIRONMENTS,
  environmentDefinition,
  type EnvironmentDefinition,
  type EnvironmentName,
} from './clouds';
import { DomainError } from './errors';
import { guestOf, type GuestEntry, type PartnershipRequest } from './partnership';

/** The capabilities `handshake check` reports on, in this order. */
export const CAPABILITY_KEYS = [
  'b2bCollaboration',
  'b2bDirectConnect',
  'teamsFederation',
  'crossCloudMeetings',
  'guestAccess',
  'guestTeams',
  'anonymousJoin',
  'acsInterop',
  'crossTenantSyncOutbound',
  'crossTenantSyncInbound',
  'm365Capabilities',
  'm365CapabilitiesInbound',
  'm365CapabilitiesOutbound',
  'partnerLookupByDomain',
] as const;
export type CapabilityKey = (typeof CAPABILITY_KEYS)[number];

export const VIOLATION_CODES = [
  'clouds.usgov-china',
  'b2b-direct-connect.cross-cloud',
  'sync.direction-not-allowed',
  'sync.china-unsupported',
  'acs.gcc-not-available',
  'acs.usgov-not-available',
  'acs.china-not-available',
  'acs.needs-anonymous-join',
  'partner.domain-across-clouds',
  'teams.cross-cloud-meetings-same-cloud',
  'm365.global-service-only',
  'guests.team-owner',
] as const;
export type ViolationCode = (typeof VIOLATION_CODES)[number];

/**
 * Whose environment a rule is about, seen from the tenant evaluating: `local` (this tenant),
 * `partner` (the other tenant), `both` (the pair).
 */
export type Side = 'local' | 'partner' | 'both';

export interface CapabilityViolation {
  code: ViolationCode;
  /** The request field the rule is about (dotted path), when there is one. */
  field?: string;
  message: string;
  side: Side;
  capability: CapabilityKey;
  /** Where the rule comes from (a section of docs/capabilities.md). */
  source: string;
}

/** The parts of a request the rules look at (a parsed request or a desired collaboration). */
export type CapabilityInput = Partial<
  Pick<PartnershipRequest, 'teams' | 'b2bDirectConnect' | 'crossTenantSync' | 'm365Capabilities' | 'guests' | 'partnerGuests'>
> & {
  partnerDomain?: string;
};

interface Pair {
  local: EnvironmentDefinition;
  partner: EnvironmentDefinition;
}

interface Rule {
  code: ViolationCode;
  side: Side;
  /** The capabilities the rule refuses. */
  capabilities: readonly CapabilityKey[];
  field: string;
  /** docs/capabilities.md section naming the source. */
  source: string;
  /** True when the pair refuses (or, for rules about the request's shape, the request does). */
  refuses(pair: Pair, request: CapabilityInput): boolean;
  message(pair: Pair): string;
}

const name = (environment: EnvironmentDefinition): string => environment.displayName;
const syncOutbound = (request: CapabilityInput): boolean => ['outbound', 'both'].includes(request.crossTenantSync?.direction ?? '');
const syncInbound = (request: CapabilityInput): boolean => ['inbound', 'both'].includes(request.crossTenantSync?.direction ?? '');
const anySync = (request: CapabilityInput): boolean => Boolean(request.crossTenantSync);
const ownerIn = (guests: readonly GuestEntry[] | undefined): boolean =>
  (guests ?? []).some((entry) => guestOf(entry).teams.some((team) => team.role === 'owner'));
const usGovChina = ({ local, partner }: Pair): boolean =>
  [local.entraCloud, partner.entraCloud].sort().join('|') === 'China|USGov';

const ALL_BUT_LOCAL_TEAMS: readonly CapabilityKey[] = CAPABILITY_KEYS.filter(
  (key) => key !== 'anonymousJoin' && key !== 'acsInterop' && key !== 'partnerLookupByDomain',
);

/** The rules (see docs/capabilities.md for each one's source). */
export const RULES: readonly Rule[] = [
  {
    code: 'clouds.usgov-china',
    side: 'both',
    capabilities: ALL_BUT_LOCAL_TEAMS,
    field: 'partnerCloud',
    source: 'rule-usgov-china',
    refuses: (pair) => usGovChina(pair),
    message: ({ local, partner }) =>
      `${name(local)} and ${name(partner)} cannot collaborate: Microsoft supports neither B2B collaboration, ` +
      'Teams federation nor cross-cloud meetings between Azure Government (GCC High, DoD) and China (21Vianet) tenants.',
  },
  {
    code: 'partner.domain-across-clouds',
    side: 'local',
    capabilities: ['partnerLookupByDomain'],
    field: 'partnerDomain',
    source: 'rule-tenant-id',
    refuses: ({ local, partner }, request) => Boolean(request.partnerDomain) && local.entraCloud !== partner.entraCloud,
    message: ({ partner }) =>
      `A partner in ${name(partner)} must be identified by its tenant ID: a domain cannot be looked up across clouds. Ask the partner for its tenant ID.`,
  },
  {
    code: 'b2b-direct-connect.cross-cloud',
    side: 'both',
    capabilities: ['b2bDirectConnect'],
    field: 'b2bDirectConnect',
    source: 'rule-direct-connect',
    refuses: ({ local, partner }) => local.entraCloud !== partner.entraCloud,
    message: () =>
      'B2B direct connect (Teams shared channels) does not work between different Microsoft clouds. ' +
      'Remove b2bDirectConnect; B2B collaboration (guests) and Teams federation still work.',
  },
  {
    code: 'sync.direction-not-allowed',
    side: 'local',
    capabilities: ['crossTenantSyncOutbound'],
    field: 'crossTenantSync.direction',
    source: 'rule-sync-direction',
    refuses: ({ local, partner }, request) => syncOutbound(request) && local.entraCloud === 'China' && partner.entraCloud === 'Global',
    message: () =>
      'Cross-tenant synchronisation between Global and China (21Vianet) works only from the Global tenant to the China tenant: ' +
      'this China tenant cannot push its users out; use direction "inbound".',
  },
  {
    code: 'sync.direction-not-allowed',
    side: 'partner',
    capabilities: ['crossTenantSyncInbound'],
    field: 'crossTenantSync.direction',
    source: 'rule-sync-direction',
    refuses: ({ local, partner }, request) => syncInbound(request) && partner.entraCloud === 'China' && local.entraCloud === 'Global',
    message: () =>
      'Cross-tenant synchronisation between Global and China (21Vianet) works only from the Global tenant to the China tenant: ' +
      'the China partner cannot push its users here; use direction "outbound".',
  },
  {
    code: 'sync.china-unsupported',
    side: 'local',
    capabilities: ['crossTenantSyncOutbound', 'crossTenantSyncInbound'],
    field: 'crossTenantSync',
    source: 'rule-sync-china',
    refuses: ({ local }, request) => anySync(request) && !local.crossTenantSyncApi,
    message: () =>
      'This product cannot configure cross-tenant synchronisation in a China (21Vianet) tenant: Microsoft Graph there offers ' +
      'neither identitySynchronization nor synchronisation jobs. Configure it in the Entra admin center instead.',
  },
  {
    code: 'sync.china-unsupported',
    side: 'partner',
    capabilities: ['crossTenantSyncOutbound', 'crossTenantSyncInbound'],
    field: 'crossTenantSync',
    source: 'rule-sync-china',
    refuses: ({ partner }, request) => anySync(request) && !partner.crossTenantSyncApi,
    message: () =>
      'The partner is a China (21Vianet) tenant, where Microsoft Graph offers neither identitySynchronization nor synchronisation ' +
      'jobs, so its side of a cross-tenant synchronisation cannot be configured or checked by this product. Configure it in the ' +
      'Entra admin centers instead, or remove crossTenantSync.',
  },
  {
    code: 'teams.cross-cloud-meetings-same-cloud',
    side: 'both',
    capabilities: ['crossCloudMeetings'],
    field: 'teams.crossCloudMeetings',
    source: 'rule-cross-cloud-meetings',
    refuses: ({ local, partner }) => local.teamsEnvironment === partner.teamsEnvironment,
    message: ({ partner }) =>
      `Cross-cloud meetings are for organisations in another Microsoft 365 environment, and ${name(partner)} is the same environment as this tenant: ` +
      'remove teams.crossCloudMeetings; meetings with a partner in the same environment work through Teams federation.',
  },
  {
    code: 'acs.gcc-not-available',
    side: 'local',
    capabilities: ['acsInterop'],
    field: 'teams.acsInterop',
    source: 'rule-acs',
    refuses: ({ local }) => local.teamsEnvironment === 'GCC',
    message: () => 'Azure Communication Services interop is not compatible with Teams in GCC (Microsoft 365 Government Community Cloud).',
  },
  {
    code: 'acs.usgov-not-available',
    side: 'local',
    capabilities: ['acsInterop'],
    field: 'teams.acsInterop',
    source: 'rule-acs',
    refuses: ({ local }) => local.teamsEnvironment === 'GCCHigh' || local.teamsEnvironment === 'DoD',
    message: () => 'Azure Communication Services interop with Teams is not available for US Government (GCC High, DoD) Teams tenants.',
  },
  {
    code: 'acs.china-not-available',
    side: 'local',
    capabilities: ['acsInterop'],
    field: 'teams.acsInterop',
    source: 'rule-acs',
    refuses: ({ local }) => local.teamsEnvironment === 'China',
    message: () => 'Azure Communication Services interop with Teams is available only for commercial Teams tenants, not for a China (21Vianet) Teams tenant.',
  },
  {
    code: 'acs.needs-anonymous-join',
    side: 'local',
    capabilities: ['acsInterop'],
    field: 'teams.anonymousJoin',
    source: 'rule-acs-anonymous',
    refuses: (_pair, request) => Boolean(request.teams?.acsInterop) && !request.teams?.anonymousJoin,
    message: () =>
      'Azure Communication Services users join Teams meetings as anonymous users: with ACS interop, set teams.anonymousJoin to true ' +
      '(otherwise they cannot join at all).',
  },
  {
    code: 'm365.global-service-only',
    side: 'local',
    capabilities: ['m365Capabilities', 'm365CapabilitiesInbound'],
    field: 'm365Capabilities.inbound',
    source: 'rule-m365',
    refuses: ({ local }, request) => Boolean(request.m365Capabilities?.inbound) && !local.globalGraphService,
    message: ({ local }) =>
      `Microsoft 365 cross-tenant capabilities (free/busy, MailTips, calendar sharing, profile card, Places) can be authorised only by a tenant ` +
      `served by the global Microsoft Graph service (commercial or GCC); this tenant is in ${name(local)}. Remove m365Capabilities.inbound.`,
  },
  {
    code: 'm365.global-service-only',
    side: 'partner',
    capabilities: ['m365Capabilities', 'm365CapabilitiesOutbound'],
    field: 'm365Capabilities.outbound',
    source: 'rule-m365',
    refuses: ({ partner }, request) => Boolean(request.m365Capabilities?.outbound) && !partner.globalGraphService,
    message: ({ partner }) =>
      `Microsoft 365 cross-tenant capabilities can be authorised only by a tenant served by the global Microsoft Graph service ` +
      `(commercial or GCC); the partner is in ${name(partner)} and cannot authorise them for this tenant's users. Remove m365Capabilities.outbound.`,
  },
  {
    code: 'guests.team-owner',
    side: 'local',
    capabilities: ['guestTeams'],
    field: 'guests',
    source: 'rule-guest-owner',
    refuses: (_pair, request) => ownerIn(request.guests),
    message: () => 'A guest cannot be a team owner in Teams: use role "member" for the teams this tenant adds its guests to.',
  },
  {
    code: 'guests.team-owner',
    side: 'partner',
    capabilities: ['guestTeams'],
    field: 'partnerGuests',
    source: 'rule-guest-owner',
    refuses: (_pair, request) => ownerIn(request.partnerGuests),
    message: () => 'A guest cannot be a team owner in Teams: use role "member" for the teams the partner adds this tenant\'s users to.',
  },
];

/** Whether a request asks for a capability (the rules of a capability it does not ask for do not apply). */
const ASKED: Record<CapabilityKey, (request: CapabilityInput) => boolean> = {
  b2bCollaboration: () => true,
  b2bDirectConnect: (request) => Boolean(request.b2bDirectConnect?.inbound || request.b2bDirectConnect?.outbound),
  teamsFederation: (request) => Boolean(request.teams?.federation),
  crossCloudMeetings: (request) => Boolean(request.teams?.crossCloudMeetings),
  guestAccess: (request) => Boolean(request.teams?.guestAccess || request.guests?.length || request.partnerGuests?.length),
  guestTeams: (request) => [...(request.guests ?? []), ...(request.partnerGuests ?? [])].some((entry) => guestOf(entry).teams.length > 0),
  anonymousJoin: (request) => Boolean(request.teams?.anonymousJoin),
  acsInterop: (request) => Boolean(request.teams?.acsInterop),
  crossTenantSyncOutbound: syncOutbound,
  crossTenantSyncInbound: syncInbound,
  m365Capabilities: (request) => Boolean(request.m365Capabilities?.inbound || request.m365Capabilities?.outbound),
  m365CapabilitiesInbound: (request) => Boolean(request.m365Capabilities?.inbound),
  m365CapabilitiesOutbound: (request) => Boolean(request.m365Capabilities?.outbound),
  partnerLookupByDomain: (request) => Boolean(request.partnerDomain),
};

/** The side a capability is configured on (of an allowed capability). */
const CAPABILITY_SIDE: Record<CapabilityKey, Side> = {
  b2bCollaboration: 'both',
  b2bDirectConnect: 'both',
  teamsFederation: 'both',
  crossCloudMeetings: 'both',
  guestAccess: 'both',
  guestTeams: 'both',
  anonymousJoin: 'local',
  acsInterop: 'local',
  crossTenantSyncOutbound: 'both',
  crossTenantSyncInbound: 'both',
  m365Capabilities: 'both',
  m365CapabilitiesInbound: 'local',
  m365CapabilitiesOutbound: 'partner',
  partnerLookupByDomain: 'local',
};

const ALLOWED_MESSAGES: Record<CapabilityKey, (pair: Pair) => string> = {
  b2bCollaboration: ({ local, partner }) =>
    local.entraCloud === partner.entraCloud
      ? 'B2B collaboration works: both tenants are in the same Entra cloud.'
      : 'B2B collaboration works across these clouds: each tenant enables the other\'s cloud in its Microsoft cloud settings and adds the other as a partner by tenant ID.',
  b2bDirectConnect: () => 'B2B direct connect (Teams shared channels) works within one Entra cloud.',
  teamsFederation: () => 'Teams external access (chat, calls) works: both tenants allow each other\'s domains.',
  crossCloudMeetings: () => 'Cross-cloud meetings work between these Microsoft 365 environments; both organisations configure the connection.',
  guestAccess: () => 'Guest access works: guests are invited by their user principal name and receive an invitation.',
  guestTeams: () => 'Guests can be added to teams as members.',
  anonymousJoin: () => 'Anonymous meeting join is a setting of each tenant\'s meeting policies; anonymous users wait in the lobby.',
  acsInterop: () => 'Azure Communication Services users may join this tenant\'s meetings (as anonymous users).',
  crossTenantSyncOutbound: () => 'This tenant can provision its users into the partner (cross-tenant synchronisation, this tenant the source).',
  crossTenantSyncInbound: () => 'The partner can provision its users into this tenant (cross-tenant synchronisation, this tenant the target).',
  m365Capabilities: () => 'Microsoft 365 cross-tenant capabilities can be authorised in the directions asked.',
  m365CapabilitiesInbound: () => 'This tenant can authorise free/busy, MailTips, calendar sharing, profile card and Places for the partner\'s users.',
  m365CapabilitiesOutbound: () => 'The partner can authorise free/busy, MailTips, calendar sharing, profile card and Places for this tenant\'s users.',
  partnerLookupByDomain: () => 'The partner can be named by a verified domain (same Entra cloud).',
};

/** One capability's verdict for a pair (and a request). */
export interface CapabilityVerdict {
  allowed: boolean;
  /** `ok`, or the code of the (first) rule that refuses. */
  code: 'ok' | ViolationCode;
  message: string;
  side: Side;
  /** Whether the request asks for it (pair-only evaluations: every capability counts as asked). */
  requested: boolean;
}

/** Everything a request asks for, in the form every rule accepts (the pair-only evaluation). */
export const EVERY_CAPABILITY: CapabilityInput = {
  b2bDirectConnect: { inbound: { users: 'all', applications: 'all' }, outbound: { users: 'all', applications: 'all' } },
  teams: {
    federation: true,
    crossCloudMeetings: { inbound: true, outbound: true },
    guestAccess: true,
    anonymousJoin: true,
    acsInterop: { resourceIds: ['00000000-0000-0000-0000-000000000000'] },
  },
  guests: [{ upn: 'guest@partner.example', teams: [{ teamId: '00000000-0000-0000-0000-000000000000', role: 'member' }] }],
  partnerGuests: [],
  crossTenantSync: { direction: 'both', scopingGroupIds: [] },
  m365Capabilities: { inbound: { calendarAvailability: 'basic', scope: 'all' }, outbound: { calendarAvailability: 'basic', scope: 'all' } },
};

export interface CapabilityEvaluation {
  local: EnvironmentName;
  partner: EnvironmentName;
  capabilities: Record<CapabilityKey, CapabilityVerdict>;
  /** Every rule the request breaks (empty when none): what a refusal lists. */
  violations: CapabilityViolation[];
}

/**
 * Evaluates every rule for both sides. Without a request every capability counts as asked (the
 * pair's possibilities); with one, only what it asks can break a rule.
 */
export function evaluateCapabilities(localEnvironment: EnvironmentName, partnerEnvironment: EnvironmentName, request?: CapabilityInput): CapabilityEvaluation {
  const pair: Pair = { local: environmentDefinition(localEnvironment), partner: environmentDefinition(partnerEnvironment) };
  // What is not asked is judged as the pair's possibility: every capability, in a form all rules accept.
  const everything: CapabilityInput = { ...EVERY_CAPABILITY, partnerDomain: 'partner.example' };
  const capabilities = {} as Record<CapabilityKey, CapabilityVerdict>;
  const violations: CapabilityViolation[] = [];
  const reported = new Set<Rule>();
  for (const key of CAPABILITY_KEYS) {
    const requested = request ? ASKED[key](request) : true;
    const input = request && requested ? request : everything;
    const refusing = RULES.filter((rule) => rule.capabilities.includes(key) && rule.refuses(pair, input));
    if (refusing.length === 0) {
      capabilities[key] = { allowed: true, code: 'ok', message: ALLOWED_MESSAGES[key](pair), side: CAPABILITY_SIDE[key], requested };
      continue;
    }
    const sides = new Set(refusing.map((rule) => rule.side));
    capabilities[key] = {
      allowed: false,
      code: refusing[0].code,
      message: [...new Set(refusing.map((rule) => rule.message(pair)))].join(' '),
      side: sides.size === 1 ? refusing[0].side : 'both',
      requested,
    };
    if (!requested) continue;
    for (const rule of refusing) {
      if (reported.has(rule)) continue;
      reported.add(rule);
      violations.push({ code: rule.code, field: rule.field, message: rule.message(pair), side: rule.side, capability: key, source: rule.source });
    }
  }
  return { local: pair.local.name, partner: pair.partner.name, capabilities, violations };
}

/** Every rule the requested collaboration breaks between the two environments (empty when none). */
export function checkCapabilities(localEnvironment: EnvironmentName, partnerEnvironment: EnvironmentName, desired: CapabilityInput): CapabilityViolation[] {
  return evaluateCapabilities(localEnvironment, partnerEnvironment, desired).violations;
}

/** Throws `capability.violation` listing every violation (both sides), or returns when there is none. */
export function assertCapabilities(localEnvironment: EnvironmentName, partnerEnvironment: EnvironmentName, desired: CapabilityInput): void {
  const violations = checkCapabilities(localEnvironment, partnerEnvironment, desired);
  if (violations.length > 0) {
    throw new DomainError('capability.violation', violations.map((violation) => violation.message).join(' '), { details: { violations } });
  }
}

/** The environments in the order `handshake check` and the rules tests walk them. */
export const ENVIRONMENT_ORDER: readonly EnvironmentName[] = Object.keys(ENVIRONMENTS) as EnvironmentName[];
