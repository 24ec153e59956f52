// What the demo shows of a tenant: the configuration the handshake touches, read from the
// simulator's state dump (GET /_sim/tenants/{id}/state), and a before/after view of it.
import type { CounterRow, TenantDump } from '../simulator';

/** The parts of a tenant the handshake configures (plain JSON, as in the report). */
export interface TenantConfiguration {
  tenantId: string;
  displayName: string;
  cloud: string;
  /** crossTenantAccessPolicy.allowedCloudEndpoints */
  allowedCloudEndpoints: string[];
  /** The partner entry of the other tenant (cross-tenant access settings), or null. */
  partner: PartnerEntry | null;
  /** How many partner entries the policy holds in all. */
  partnerCount: number;
  teams: TeamsView;
  /** Guest users (userType Guest) of the tenant. */
  guests: GuestView[];
}

export interface PartnerEntry {
  tenantId: string;
  b2bCollaborationInbound: string;
  b2bCollaborationOutbound: string;
  b2bDirectConnectInbound: string;
  b2bDirectConnectOutbound: string;
  identitySynchronization: string;
  /** Microsoft 365 collaboration trust of the partner's users ("default" when not set). */
  m365CollaborationInbound: string;
  /** Microsoft 365 capabilities authorised for the partner's users (names; "(blocked)" when not allowed). */
  m365Capabilities: string[];
  /** The entry as stored (null settings left out). */
  raw: Record<string, unknown>;
}

export interface TeamsView {
  federation: { allowFederatedUsers: boolean; allowedDomains: string[]; blockedDomains: string[] };
  guestAccess: boolean;
  anonymousJoin: boolean;
  lobbyBypass: string;
  crossCloudMeetings: Array<{ tenantId: string; inbound: boolean; outbound: boolean }>;
  acs: { enabled: boolean; resources: string[] };
  /** The tenant's coexistence mode (TeamsUpgradePolicy): read, never set by the product. */
  coexistenceMode: string;
}

export interface GuestView {
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  externalUserState: string | null;
}

/** The configuration of `dump`'s tenant as regards `partnerTenantId`. */
export function summarizeTenant(dump: TenantDump, partnerTenantId: string): TenantConfiguration {
  const partner = dump.partners.find((entry) => entry.tenantId.toLowerCase() === partnerTenantId.toLowerCase());
  const teams = dump.teams as Record<string, Record<string, unknown> | undefined>;
  const federation = teams.TenantFederationSettings ?? {};
  const meetingPolicy = teams.TeamsMeetingPolicy ?? {};
  const meetingConfiguration = teams.TeamsMeetingConfiguration ?? {};
  const acs = teams.TeamsAcsFederationConfiguration ?? {};
  const crossCloud = (teams.TeamsCrossCloudMeetingConfiguration?.Partners as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    tenantId: dump.tenant.id,
    displayName: dump.tenant.displayName,
    cloud: dump.tenant.cloud,
    allowedCloudEndpoints: [...dump.policy.allowedCloudEndpoints],
    partner: partner ? partnerEntry(partner) : null,
    partnerCount: dump.partners.length,
    teams: {
      federation: {
        allowFederatedUsers: Boolean(federation.AllowFederatedUsers),
        allowedDomains: strings(federation.AllowedDomains),
        blockedDomains: strings(federation.BlockedDomains),
      },
      guestAccess: Boolean(teams.TeamsClientConfiguration?.AllowGuestUser),
      anonymousJoin: Boolean(meetingPolicy.AllowAnonymousUsersToJoinMeeting) && !meetingConfiguration.DisableAnonymousJoin,
      lobbyBypass: String(meetingPolicy.AutoAdmittedUsers ?? '-'),
      crossCloudMeetings: crossCloud.map((entry) => ({
        tenantId: String(entry.TenantId),
        inbound: Boolean(entry.InboundMeetingsAllowed),
        outbound: Boolean(entry.OutboundMeetingsAllowed),
      })),
      acs: { enabled: Boolean(acs.EnableAcsUsers), resources: strings(acs.AllowedAcsResources) },
      coexistenceMode: String(teams.TeamsUpgradeConfiguration?.Mode ?? 'TeamsOnly'),
    },
    guests: dump.users
      .filter((user) => user.userType === 'Guest')
      .map((user) => ({
        userPrincipalName: user.userPrincipalName,
        mail: typeof user.mail === 'string' ? user.mail : null,
        displayName: String(user.displayName ?? ''),
        externalUserState: typeof user.externalUserState === 'string' ? user.externalUserState : null,
      })),
  };
}

function partnerEntry(entry: TenantDump['partners'][number]): PartnerEntry {
  const raw = Object.fromEntries(Object.entries(entry).filter(([key, value]) => value !== null && key !== 'warnings' && key !== 'm365Capabilities'));
  const trust = (entry.m365CollaborationInbound as { users?: AccessTargets } | null | undefined)?.users;
  return {
    tenantId: entry.tenantId,
    b2bCollaborationInbound: describeAccess(entry.b2bCollaborationInbound),
    b2bCollaborationOutbound: describeAccess(entry.b2bCollaborationOutbound),
    b2bDirectConnectInbound: describeAccess(entry.b2bDirectConnectInbound),
    b2bDirectConnectOutbound: describeAccess(entry.b2bDirectConnectOutbound),
    identitySynchronization: entry.identitySynchronization ? describeSync(entry.identitySynchronization) : 'not set',
    m365CollaborationInbound: trust ? `${trust.accessType ?? 'allowed'}: ${targets(trust, 'users')}` : 'default',
    m365Capabilities: (entry.m365Capabilities ?? []).map(
      (capability) => `${capability.name.replace(/^crossTenant/, '')}${(capability.inboundAccess as { isAllowed?: boolean }).isAllowed ? '' : ' (blocked)'}`,
    ),
    raw,
  };
}

/** A cross-tenant access setting in a few words: "allowed: all users, all apps". */
export function describeAccess(setting: unknown): string {
  if (!setting || typeof setting !== 'object') return 'default';
  const { usersAndGroups, applications } = setting as { usersAndGroups?: AccessTargets; applications?: AccessTargets };
  if (!usersAndGroups && !applications) return 'default';
  const access = usersAndGroups?.accessType ?? applications?.accessType ?? 'allowed';
  return `${access}: ${targets(usersAndGroups, 'users')}, ${targets(applications, 'apps')}`;
}

interface AccessTargets {
  accessType?: string;
  targets?: Array<{ target: string; targetType: string }>;
}

function targets(setting: AccessTargets | undefined, noun: 'users' | 'apps'): string {
  const list = setting?.targets ?? [];
  if (list.length === 0) return `no ${noun}`;
  if (list.some((t) => t.target === 'AllUsers' || t.target === 'AllApplications')) return `all ${noun}`;
  if (list.some((t) => t.target === 'Office365')) return 'Office 365';
  const groups = list.filter((t) => t.targetType === 'group').length;
  return groups === list.length ? `${groups} group(s)` : `${list.length} ${noun}`;
}

function describeSync(sync: Record<string, unknown>): string {
  const inbound = (sync.userSyncInbound as { isSyncAllowed?: boolean } | undefined)?.isSyncAllowed;
  return inbound ? 'inbound user sync allowed' : 'present, inbound sync not allowed';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

// ---------------------------------------------------------------------------------------------
// Before / after view

interface ViewRow {
  label: string;
  before: string[];
  after: string[];
}

/** The configuration before and after, one row per setting, changed rows marked with `*`. */
export function renderBeforeAfter(before: TenantConfiguration, after: TenantConfiguration, partnerName: string): string {
  const rows: ViewRow[] = [
    { label: 'Cloud endpoints', before: endpoints(before), after: endpoints(after) },
    { label: `Partner entry (${partnerName})`, before: partnerLines(before), after: partnerLines(after) },
    { label: 'Partner entries in all', before: [String(before.partnerCount)], after: [String(after.partnerCount)] },
    { label: 'Teams federation', before: federationLines(before), after: federationLines(after) },
    { label: 'Cross-cloud meetings', before: meetingLines(before), after: meetingLines(after) },
    { label: 'Teams guest access', before: [onOff(before.teams.guestAccess)], after: [onOff(after.teams.guestAccess)] },
    { label: 'Anonymous join / lobby', before: [anonymous(before)], after: [anonymous(after)] },
    { label: 'Microsoft 365 (partner may use)', before: m365Lines(before), after: m365Lines(after) },
    { label: 'ACS interop', before: [acs(before)], after: [acs(after)] },
    { label: 'Coexistence mode', before: [before.teams.coexistenceMode], after: [after.teams.coexistenceMode] },
    { label: 'Guests', before: guestLines(before), after: guestLines(after) },
  ];
  const labelWidth = Math.max(...rows.map((row) => row.label.length)) + 2;
  const beforeWidth = Math.min(48, Math.max(6, ...rows.flatMap((row) => row.before.map((line) => line.length)))) + 2;
  const lines = [
    `${after.displayName} (${after.cloud}, tenant ${after.tenantId})`,
    `  ${' '.repeat(labelWidth)}${'before'.padEnd(beforeWidth)}after`,
  ];
  for (const row of rows) {
    const changed = JSON.stringify(row.before) !== JSON.stringify(row.after);
    const height = Math.max(row.before.length, row.after.length);
    for (let i = 0; i < height; i++) {
      const mark = i === 0 && changed ? '* ' : '  ';
      const label = i === 0 ? row.label : '';
      lines.push(`${mark}${label.padEnd(labelWidth)}${(row.before[i] ?? '').padEnd(beforeWidth)}${row.after[i] ?? ''}`.trimEnd());
    }
  }
  return lines.join('\n');
}

const endpoints = (c: TenantConfiguration): string[] => (c.allowedCloudEndpoints.length ? c.allowedCloudEndpoints : ['(none)']);

function partnerLines(c: TenantConfiguration): string[] {
  if (!c.partner) return ['(none)'];
  return [
    `B2B in:  ${c.partner.b2bCollaborationInbound}`,
    `B2B out: ${c.partner.b2bCollaborationOutbound}`,
    `direct connect in/out: ${shortAccess(c.partner.b2bDirectConnectInbound)}/${shortAccess(c.partner.b2bDirectConnectOutbound)}`,
    `identity sync: ${c.partner.identitySynchronization}`,
  ];
}

const shortAccess = (text: string): string => text.split(':')[0];

function federationLines(c: TenantConfiguration): string[] {
  const f = c.teams.federation;
  if (!f.allowFederatedUsers) return ['off'];
  const lines = [f.allowedDomains.length ? 'on, only allowed domains:' : 'on, all domains'];
  for (const domain of f.allowedDomains) lines.push(`  ${domain}`);
  if (f.blockedDomains.length) lines.push(`blocked: ${f.blockedDomains.join(', ')}`);
  return lines;
}

function meetingLines(c: TenantConfiguration): string[] {
  if (c.teams.crossCloudMeetings.length === 0) return ['(none)'];
  return c.teams.crossCloudMeetings.map((m) => `${m.tenantId.slice(0, 8)}… in ${onOff(m.inbound)}, out ${onOff(m.outbound)}`);
}

function anonymous(c: TenantConfiguration): string {
  return `${onOff(c.teams.anonymousJoin)} / bypass: ${c.teams.lobbyBypass}`;
}

function acs(c: TenantConfiguration): string {
  return c.teams.acs.enabled ? `on (${c.teams.acs.resources.length} resource(s))` : 'off';
}

function m365Lines(c: TenantConfiguration): string[] {
  if (!c.partner || c.partner.m365Capabilities.length === 0) return ['(none)'];
  return [`trust: ${c.partner.m365CollaborationInbound}`, ...c.partner.m365Capabilities];
}

function guestLines(c: TenantConfiguration): string[] {
  if (c.guests.length === 0) return ['(none)'];
  return c.guests.map((g) => `${g.mail ?? g.userPrincipalName}${g.externalUserState ? ` (${g.externalUserState})` : ''}`);
}

const onOff = (value: boolean): string => (value ? 'on' : 'off');

// ---------------------------------------------------------------------------------------------
// Graph requests

export interface GraphRequestSummary {
  tenantId: string;
  /** Every Graph and Teams admin operation the deployment's app made ($batch items included). */
  total: number;
  reads: number;
  writes: number;
  /** $batch requests (their items are counted as operations too). */
  batches: number;
  /** Answers that were errors (status ≥ 400), e.g. 404 on a first read, 429. */
  errors: number;
  operations: Array<{ operation: string; count: number; statuses: Record<string, number> }>;
}

/** Reads are Get*, List*, delta and find* operations; `batch` is the envelope; the rest write. */
export function operationKind(operation: string): 'read' | 'write' | 'batch' {
  if (operation === 'batch') return 'batch';
  const verb = operation.slice(operation.lastIndexOf('.') + 1);
  return /^(Get|List|delta|find)/.test(verb) ? 'read' : 'write';
}

/** The counters of one tenant, optionally of one app (the deployment's). */
export function summarizeGraphRequests(rows: CounterRow[], tenantId: string, clientId?: string): GraphRequestSummary {
  const mine = rows.filter((row) => row.tenantId === tenantId.toLowerCase() && (!clientId || row.clientId === clientId.toLowerCase()));
  const byOperation = new Map<string, { operation: string; count: number; statuses: Record<string, number> }>();
  for (const row of mine) {
    const entry = byOperation.get(row.operation) ?? { operation: row.operation, count: 0, statuses: {} };
    entry.count += row.count;
    for (const [status, count] of Object.entries(row.statuses)) entry.statuses[status] = (entry.statuses[status] ?? 0) + count;
    byOperation.set(row.operation, entry);
  }
  const operations = [...byOperation.values()].sort((a, b) => a.operation.localeCompare(b.operation));
  const sum = (kind: 'read' | 'write' | 'batch'): number =>
    operations.filter((o) => operationKind(o.operation) === kind).reduce((total, o) => total + o.count, 0);
  const errors = operations.reduce(
    (total, o) => total + Object.entries(o.statuses).filter(([status]) => Number(status) >= 400).reduce((n, [, count]) => n + count, 0),
    0,
  );
  return { tenantId, total: sum('read') + sum('write'), reads: sum('read'), writes: sum('write'), batches: sum('batch'), errors, operations };
}

export function renderGraphRequests(name: string, summary: GraphRequestSummary): string {
  const lines = [
    `${name}: ${summary.total} operation(s): ${summary.reads} read(s), ${summary.writes} write(s); ${summary.batches} $batch request(s)` +
      (summary.errors ? `; ${summary.errors} answered with an error` : ''),
  ];
  for (const o of summary.operations) {
    const statuses = Object.entries(o.statuses)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    lines.push(`    ${String(o.count).padStart(3)}  ${o.operation.padEnd(58)} ${statuses}`);
  }
  return lines.join('\n');
}
