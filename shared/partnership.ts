// The partnership: what an admin asks for (one zod schema, the type inferred from it), the
// state machine of docs/handshake.md, and the drift status of an Active partnership.
import { z } from 'zod';
import { ENVIRONMENT_NAMES, environmentSchema } from './clouds';
import { DomainError } from './errors';
import { DEFAULTS, parseDuration } from './config';

const GUID_MESSAGE = 'must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47';
export const guidSchema = z.guid({ error: GUID_MESSAGE }).transform((value) => value.toLowerCase());
const guid = guidSchema;

/** A user principal name (guests are invited by UPN across clouds, not by a mail alias). */
const UPN_MESSAGE = 'must be a user principal name such as alice@contoso.com';
const upn = z
  .string({ error: UPN_MESSAGE })
  .trim()
  .max(113, { error: 'must be at most 113 characters (a UPN limit)' })
  .regex(/^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, { error: 'must be a user principal name such as alice@contoso.com' })
  .transform((value) => value.toLowerCase());

/** A DNS domain (a partner's verified domain). */
export const domainSchema = z
  .string()
  .trim()
  .max(253)
  .regex(/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/, { error: 'must be a domain name such as contoso.com' })
  .transform((value) => value.toLowerCase());

const invitationLifetime = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, { error: 'must be a duration such as 72h, 30m or 90s' })
  .refine(
    (text) => {
      const seconds = parseDuration(text) ?? 0;
      return seconds >= parseDuration(DEFAULTS.invitationLifetimeMin)! && seconds <= parseDuration(DEFAULTS.invitationLifetimeMax)!;
    },
    { error: `must be between ${DEFAULTS.invitationLifetimeMin} and ${DEFAULTS.invitationLifetimeMax}` },
  );

/**
 * Who may cross (inbound: the partner's users into this tenant; outbound: ours to theirs), as the
 * cross-tenant access settings target them (see docs/capabilities.md, "Targeting"): all users, or
 * named users and groups; all applications, Office 365, or named applications; each list either
 * allowed (only those listed) or blocked (everyone but those listed).
 */
const usersTargetSchema = z.union(
  [
    z.literal('all'),
    z
      .strictObject({
        /** Object ids of users (inbound: the partner's users; outbound: ours). */
        userIds: z.array(guid).max(50).optional(),
        /** Object ids of groups (inbound: the partner's groups; outbound: ours). */
        groupIds: z.array(guid).max(50).optional(),
        access: z.enum(['allowed', 'blocked']).default('allowed'),
      })
      .refine((value) => (value.userIds?.length ?? 0) + (value.groupIds?.length ?? 0) > 0, { error: 'must name at least one user or group id' }),
  ],
  { error: 'must be "all" or { "groupIds": [GUID, ...], "userIds": [GUID, ...], "access": "allowed" | "blocked" }' },
);

const applicationsTargetSchema = z.union(
  [
    z.enum(['all', 'office365']),
    z.strictObject({
      /** Application (client) ids, or "Office365" for the Office 365 app group. */
      applicationIds: z.array(z.union([guid, z.literal('Office365')])).min(1).max(50),
      access: z.enum(['allowed', 'blocked']).default('allowed'),
    }),
  ],
  { error: 'must be "all", "office365" or { "applicationIds": [GUID, ...], "access": "allowed" | "blocked" }' },
);

const accessSettingsSchema = z.strictObject({
  users: usersTargetSchema,
  applications: applicationsTargetSchema.default('all'),
});
export type AccessSettings = z.infer<typeof accessSettingsSchema>;

const directionalAccessSchema = z
  .strictObject({
    inbound: accessSettingsSchema.optional(),
    outbound: accessSettingsSchema.optional(),
  })
  .default({});
export type DirectionalAccess = z.infer<typeof directionalAccessSchema>;

/** A Teams meeting policy name: `Global` or the name of a custom policy (as in `-Identity`). */
const meetingPolicyName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^(Global|(Tag:)?[A-Za-z0-9][A-Za-z0-9 ._-]*)$/, { error: 'must be "Global" or the name of a meeting policy (letters, digits, space . _ -)' })
  .transform((name) => (name === 'Global' || name.startsWith('Tag:') ? name : `Tag:${name}`));

const teamsSchema = z
  .strictObject({
    /** External access (chat, calls) with the partner's verified domains. */
    federation: z.boolean().default(false),
    /**
     * How external access is opened (with `federation`): to the partner's verified domains (default)
     * or to every domain (the admin center's "allow all external domains", `*`); and domains to block.
     * This tenant's own setting: not mirrored to the partner.
     */
    externalAccess: z
      .strictObject({
        allowedDomains: z.enum(['partner', 'all']).default('partner'),
        blockedDomains: z.array(domainSchema).max(100).default([]),
      })
      .optional(),
    /** Cross-cloud meetings with the partner tenant (Teams admin center > Meetings > Cross-cloud). */
    crossCloudMeetings: z.strictObject({ inbound: z.boolean(), outbound: z.boolean() }).optional(),
    /** Guest access in Teams (the tenant-wide switch). */
    guestAccess: z.boolean().default(false),
    /** Anonymous users may join meetings; they always wait in the lobby. */
    anonymousJoin: z.boolean().default(false),
    /**
     * The meeting policies anonymous join is turned on in (default: Global). This tenant's own
     * policy names: not mirrored to the partner.
     */
    meetingPolicies: z.array(meetingPolicyName).min(1).max(20).optional(),
    /**
     * Azure Communication Services interop with the listed ACS resource ids: a setting of this
     * tenant's own Teams (never mirrored to the partner); ACS users join as anonymous users.
     */
    acsInterop: z.strictObject({ resourceIds: z.array(guid).min(1).max(50) }).optional(),
  })
  .superRefine((teams, context) => {
    if (teams.meetingPolicies && !teams.anonymousJoin) {
      context.addIssue({ code: 'custom', path: ['meetingPolicies'], message: 'names where anonymous join is turned on: set anonymousJoin to true too' });
    }
    if (teams.externalAccess && !teams.federation) {
      context.addIssue({ code: 'custom', path: ['externalAccess'], message: 'shapes external access: set federation to true too' });
    }
  })
  .default({ federation: false, guestAccess: false, anonymousJoin: false });
export type TeamsCollaboration = z.infer<typeof teamsSchema>;

const crossTenantSyncSchema = z.strictObject({
  /** inbound: the partner provisions its users into this tenant; outbound: we provision ours there. */
  direction: z.enum(['inbound', 'outbound', 'both']),
  /** Groups in scope on the source side (ours for outbound, theirs for inbound). */
  scopingGroupIds: z.array(guid).max(50).default([]),
});
export type CrossTenantSync = z.infer<typeof crossTenantSyncSchema>;

/** A team the inviting tenant adds a guest to (a team id is its group id). */
const guestTeamSchema = z.strictObject({
  teamId: guid,
  role: z.enum(['member', 'owner']).default('member'),
});
export type GuestTeam = z.infer<typeof guestTeamSchema>;

/** A guest: the partner user's UPN, or the UPN and the teams to add the guest to. */
const guestSchema = z.union([upn, z.strictObject({ upn, teams: z.array(guestTeamSchema).max(20).default([]) })], {
  error: (issue) =>
    typeof issue.input === 'string'
      ? UPN_MESSAGE
      : 'must be a user principal name or { "upn": "...", "teams": [{ "teamId": GUID, "role": "member" | "owner" }] }',
});
export type GuestEntry = z.infer<typeof guestSchema>;

/** A guest list entry in one shape (requests and stored records may hold either). */
export function guestOf(entry: GuestEntry): { upn: string; teams: GuestTeam[] } {
  return typeof entry === 'string' ? { upn: entry, teams: [] } : { upn: entry.upn, teams: entry.teams ?? [] };
}

/** How guests hear about their invitation (Graph's invitation message and redirect URL). */
const guestInvitationSchema = z.strictObject({
  /** Send Microsoft's invitation e-mail (with the redeem link) to each guest. */
  sendInvitationMessage: z.boolean().default(true),
  /** A personal message added to the e-mail. */
  message: z.string().trim().min(1).max(1000).optional(),
  /** Language of the e-mail, e.g. en-US, zh-CN. */
  messageLanguage: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { error: 'must be a language tag such as en-US' }).optional(),
  /**
   * Where a guest lands after redeeming, per environment of the inviting tenant (each side uses
   * its own): default the My Apps portal of that environment.
   */
  redirectUrls: z.partialRecord(z.enum(ENVIRONMENT_NAMES), z.url({ protocol: /^https$/, error: 'must be an https URL' })).optional(),
});
export type GuestInvitation = z.infer<typeof guestInvitationSchema>;

/**
 * Microsoft 365 capabilities one tenant authorises for the other's users (free/busy, MailTips,
 * calendar sharing, profile card, Places), each at its level of detail, for all of the granting
 * tenant's users or some groups of them. See docs/capabilities.md, "Microsoft 365 capabilities".
 */
const m365GrantSchema = z
  .strictObject({
    /** Calendar availability (free/busy): times only, or with subject and location. */
    calendarAvailability: z.enum(['basic', 'limitedDetails']).optional(),
    /** MailTips: those that prevent a non-delivery report plus automatic replies, or all. */
    mailTips: z.enum(['limited', 'all']).optional(),
    /** Users may share their calendar with the partner's users: times, times with details, or the whole calendar. */
    calendarSharing: z.enum(['freeBusySimple', 'freeBusyDetail', 'reviewer']).optional(),
    /** The partner's users may open the profile card of this tenant's users. */
    profileCard: z.boolean().optional(),
    /** Places: booking this tenant's rooms and desks. */
    places: z.array(z.enum(['rooms', 'desks'])).min(1).max(2).optional(),
    /** Whose calendars, MailTips and cards are shared: every user of the granting tenant, or members of these groups. */
    scope: z.union([z.literal('all'), z.strictObject({ groupIds: z.array(guid).min(1).max(50) })]).default('all'),
  })
  .refine(
    (grant) => Boolean(grant.calendarAvailability || grant.mailTips || grant.calendarSharing || grant.profileCard || grant.places?.length),
    { error: 'must name at least one capability (calendarAvailability, mailTips, calendarSharing, profileCard, places)' },
  );
export type M365Grant = z.infer<typeof m365GrantSchema>;

const m365CapabilitiesSchema = z.strictObject({
  /** What this tenant authorises for the partner's users (configured here). */
  inbound: m365GrantSchema.optional(),
  /** What the partner authorises for this tenant's users (configured by the partner). */
  outbound: m365GrantSchema.optional(),
});
export type M365Capabilities = z.infer<typeof m365CapabilitiesSchema>;

const collaborationShape = {
  partnerCloud: environmentSchema,
  /** The partner deployment of this product, where handshake messages go. */
  partnerDeploymentUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
  displayName: z.string().trim().min(1).max(256).optional(),
  b2bCollaboration: directionalAccessSchema,
  /** B2B direct connect (Teams shared channels). Refused across clouds by the capability rules. */
  b2bDirectConnect: directionalAccessSchema.optional(),
  teams: teamsSchema,
  /** The partner's users this tenant invites as guests (UPNs, optionally with teams to add them to). */
  guests: z.array(guestSchema).max(500).default([]),
  /** This tenant's users the partner should invite (mirrored into the partner's `guests`). */
  partnerGuests: z.array(guestSchema).max(500).default([]),
  /** How invited guests are told (both sides use it for the guests they invite). */
  guestInvitation: guestInvitationSchema.optional(),
  crossTenantSync: crossTenantSyncSchema.optional(),
  /** Microsoft 365 cross-tenant capabilities, per direction. */
  m365Capabilities: m365CapabilitiesSchema.optional(),
  /** How long the initiator waits for the partner's answer. */
  invitationLifetime: invitationLifetime.default(DEFAULTS.invitationLifetime),
};

/**
 * The desired collaboration of one partnership, from this tenant's point of view. This is what
 * the plan works from; the partner is always identified by tenant ID.
 */
export const desiredCollaborationSchema = z.strictObject({
  partnerTenantId: guid,
  ...collaborationShape,
});
export type DesiredCollaboration = z.infer<typeof desiredCollaborationSchema>;
/** What callers may pass before defaults are applied. */
export type DesiredCollaborationInput = z.input<typeof desiredCollaborationSchema>;

/**
 * The partner's domains this admin vouches for (Teams federation). Needed across clouds and in
 * national clouds, where Graph cannot check a domain: a domain the partner declares is used only if
 * it is verified (see shared/partnerDomains). Kept with the partnership, not sent.
 */
const acceptedPartnerDomainsSchema = z.array(domainSchema).max(100).optional();

/**
 * What an admin POSTs. The partner may be named by a verified domain instead of its tenant ID;
 * the capability rules refuse that across clouds (no cross-cloud lookup), and within a cloud the
 * domain is resolved to a tenant ID before anything is planned.
 */
export const partnershipRequestSchema = z
  .strictObject({
    partnerTenantId: guid.optional(),
    partnerDomain: domainSchema.optional(),
    acceptedPartnerDomains: acceptedPartnerDomainsSchema,
    ...collaborationShape,
  })
  .superRefine((value, context) => {
    if (!value.partnerTenantId && !value.partnerDomain) {
      context.addIssue({ code: 'custom', path: ['partnerTenantId'], message: 'is required (the partner tenant ID, a GUID)' });
    }
    if (value.partnerTenantId && value.partnerDomain) {
      context.addIssue({ code: 'custom', path: ['partnerDomain'], message: 'must not be given together with partnerTenantId' });
    }
  }, {
    // Also when other fields are bad: an admin learns every problem of the request at once.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value),
  });
export type PartnershipRequest = z.infer<typeof partnershipRequestSchema>;

/**
 * A request as `handshake check` (and a console's live preflight) reads it: the partnership
 * request with the partner's identity and deployment optional — the rules look only at the
 * environments and what is asked.
 */
export const capabilityRequestSchema = z.strictObject({
  partnerTenantId: guid.optional(),
  partnerDomain: domainSchema.optional(),
  // Read by no rule; accepted so that a whole request can be checked as it is.
  acceptedPartnerDomains: acceptedPartnerDomainsSchema,
  ...collaborationShape,
  partnerCloud: environmentSchema.optional(),
  partnerDeploymentUrl: collaborationShape.partnerDeploymentUrl.optional(),
});
export type CapabilityRequest = z.infer<typeof capabilityRequestSchema>;

export interface FieldIssue {
  /** Dotted path of the field, e.g. "teams.acsInterop.resourceIds.0". */
  field: string;
  message: string;
}

/** Parses with a schema; a failure is a `request.invalid` error naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  throw new DomainError(
    'request.invalid',
    `The ${what} is not valid: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}.`,
    { details: { issues } },
  );
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ field: [...base, key].join('.'), message: 'is not a known field' });
    } else {
      issues.push({ field: base.join('.') || '(body)', message: issue.message });
    }
  }
  return issues;
}

export function parsePartnershipRequest(input: unknown): PartnershipRequest {
  return parseOrThrow(partnershipRequestSchema, input, 'partnership request');
}

export function parseDesiredCollaboration(input: unknown): DesiredCollaboration {
  return parseOrThrow(desiredCollaborationSchema, input, 'desired collaboration');
}

/** The request once the partner is known by tenant ID. */
export function toDesiredCollaboration(request: PartnershipRequest, partnerTenantId?: string): DesiredCollaboration {
  const { partnerDomain: _domain, partnerTenantId: requested, acceptedPartnerDomains: _accepted, ...rest } = request;
  const tenantId = requested ?? partnerTenantId;
  if (!tenantId) {
    throw new DomainError('request.invalid', 'The partner tenant ID is not known yet: resolve the partner domain first.');
  }
  return parseDesiredCollaboration({ ...rest, partnerTenantId: tenantId });
}

/** Invitation lifetime in seconds. */
export function invitationLifetimeSeconds(desired: Pick<DesiredCollaboration, 'invitationLifetime'>): number {
  return parseDuration(desired.invitationLifetime) ?? parseDuration(DEFAULTS.invitationLifetime)!;
}

/**
 * The same collaboration seen from the partner's side (what the responder configures): inbound
 * and outbound swap (B2B, cross-cloud meetings, Microsoft 365 capabilities), sync direction swaps,
 * guest lists swap. Settings of one tenant's own Teams — ACS interop, the meeting policies named
 * for anonymous join, how external access is opened and blocked — stay with the tenant that asked
 * for them: the partner gets none of them (see docs/capabilities.md, "Which side").
 */
export function mirrorForPartner(
  desired: DesiredCollaboration,
  self: { tenantId: string; cloud: DesiredCollaboration['partnerCloud']; deploymentUrl: string },
): DesiredCollaboration {
  const swap = (access: DirectionalAccess | undefined): DirectionalAccess | undefined =>
    access === undefined ? undefined : dropUndefined({ inbound: access.outbound, outbound: access.inbound });
  const { federation, guestAccess, anonymousJoin, crossCloudMeetings } = desired.teams;
  const mirrored = {
    partnerTenantId: self.tenantId,
    partnerCloud: self.cloud,
    partnerDeploymentUrl: self.deploymentUrl,
    displayName: desired.displayName,
    b2bCollaboration: swap(desired.b2bCollaboration),
    b2bDirectConnect: swap(desired.b2bDirectConnect),
    teams: {
      federation,
      guestAccess,
      anonymousJoin,
      crossCloudMeetings: crossCloudMeetings && { inbound: crossCloudMeetings.outbound, outbound: crossCloudMeetings.inbound },
    },
    guests: desired.partnerGuests,
    partnerGuests: desired.guests,
    guestInvitation: desired.guestInvitation,
    crossTenantSync: desired.crossTenantSync && {
      ...desired.crossTenantSync,
      direction: ({ inbound: 'outbound', outbound: 'inbound', both: 'both' } as const)[desired.crossTenantSync.direction],
    },
    m365Capabilities: desired.m365Capabilities && { inbound: desired.m365Capabilities.outbound, outbound: desired.m365Capabilities.inbound },
    invitationLifetime: desired.invitationLifetime,
  };
  return parseDesiredCollaboration(dropUndefined(mirrored));
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v && typeof v === 'object' && !Array.isArray(v) ? dropUndefined(v) : v]),
  ) as T;
}

/** Which side of the handshake a partnership is: the initiator (A) invites, the responder (B) approves. */
export type PartnershipRole = 'initiator' | 'responder';

// ---------------------------------------------------------------------------------------------
// State machine (see docs/handshake.md)

export const PARTNERSHIP_STATUSES = [
  'Draft',
  'ConfiguringLocal',
  'AwaitingPartner',
  'ConfiguringTeams',
  'Verifying',
  'Active',
  'Rejected',
  'Expired',
  'Failed',
  'RolledBack',
  'Offboarding',
  'Removed',
] as const;
export type PartnershipStatus = (typeof PARTNERSHIP_STATUSES)[number];

/**
 * Allowed transitions. The initiator goes Draft → ConfiguringLocal → AwaitingPartner →
 * ConfiguringTeams; the responder (approved invitation) goes ConfiguringLocal → ConfiguringTeams
 * directly. Rejected and Expired are reached after compensation; Failed may be rolled back.
 * Either side may offboard from any status that is not final (a setup under way is cancelled);
 * a failed offboarding may be started again (see docs/offboarding.md).
 */
export const TRANSITIONS: Readonly<Record<PartnershipStatus, readonly PartnershipStatus[]>> = {
  Draft: ['ConfiguringLocal', 'Rejected', 'Expired', 'Failed', 'Offboarding'],
  ConfiguringLocal: ['AwaitingPartner', 'ConfiguringTeams', 'Failed', 'Offboarding'],
  AwaitingPartner: ['ConfiguringTeams', 'Rejected', 'Expired', 'Failed', 'Offboarding'],
  ConfiguringTeams: ['Verifying', 'Failed', 'Offboarding'],
  Verifying: ['Active', 'Failed', 'Offboarding'],
  Active: ['Offboarding'],
  Rejected: [],
  Expired: [],
  Failed: ['RolledBack', 'Offboarding'],
  RolledBack: [],
  Offboarding: ['Removed', 'Failed'],
  Removed: [],
};

export const TERMINAL_STATUSES: readonly PartnershipStatus[] = PARTNERSHIP_STATUSES.filter(
  (status) => TRANSITIONS[status].length === 0,
);

export function isPartnershipStatus(value: unknown): value is PartnershipStatus {
  return typeof value === 'string' && (PARTNERSHIP_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: PartnershipStatus, to: PartnershipStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

/** The next status, or a `partnership.illegal-transition` error (never a silent no-op). */
export function transition(from: PartnershipStatus, to: PartnershipStatus): PartnershipStatus {
  if (!isPartnershipStatus(from) || !isPartnershipStatus(to)) {
    throw new DomainError('partnership.illegal-transition', `Unknown partnership status "${!isPartnershipStatus(from) ? from : to}".`, {
      details: { from, to },
    });
  }
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    throw new DomainError(
      'partnership.illegal-transition',
      `A partnership in ${from} cannot move to ${to}` +
        (allowed.length ? ` (from ${from} it can move to ${allowed.join(', ')}).` : ` (${from} is final).`),
      { details: { from, to, allowed: [...allowed] } },
    );
  }
  return to;
}

export const DRIFT_STATUSES = ['InSync', 'Drifted', 'Repaired'] as const;
export type DriftStatus = (typeof DRIFT_STATUSES)[number];

/**
 * Drift status of an Active partnership after a reconcile run: InSync when nothing differed,
 * Repaired when every difference was written back, Drifted otherwise (report mode, or repair failed).
 */
export function driftStatusAfterRun(run: { driftedItems: number; repairedItems: number }): DriftStatus {
  if (run.driftedItems === 0) return 'InSync';
  return run.repairedItems >= run.driftedItems ? 'Repaired' : 'Drifted';
}
