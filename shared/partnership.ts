// The partnership: what an admin asks for (one zod schema, the type inferred from it), the
// state machine of design §4, and the drift status of an Active partnership.
import { z } from 'zod';
import { CLOUD_NAMES } from './clouds';
import { DomainError } from './errors';
import { DEFAULTS, parseDuration } from './config';

const GUID_MESSAGE = 'must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47';
const guid = z.guid({ error: GUID_MESSAGE }).transform((value) => value.toLowerCase());

/** A user principal name (guests are invited by UPN across clouds, not by a mail alias). */
const upn = z
  .string({ error: 'must be a user principal name such as alice@contoso.com' })
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

/** Who may cross (inbound: the partner's users into this tenant; outbound: ours to theirs). */
const accessSettingsSchema = z.strictObject({
  /** "all" users, or the ids of groups (inbound: the partner's groups; outbound: ours). */
  users: z.union([z.literal('all'), z.strictObject({ groupIds: z.array(guid).min(1).max(50) })], {
    error: 'must be "all" or { "groupIds": [GUID, ...] }',
  }),
  /** "all" applications, or only Office 365. */
  applications: z.enum(['all', 'office365']).default('all'),
});
export type AccessSettings = z.infer<typeof accessSettingsSchema>;

const directionalAccessSchema = z
  .strictObject({
    inbound: accessSettingsSchema.optional(),
    outbound: accessSettingsSchema.optional(),
  })
  .default({});
export type DirectionalAccess = z.infer<typeof directionalAccessSchema>;

const teamsSchema = z
  .strictObject({
    /** External access (chat, calls) with the partner's verified domains. */
    federation: z.boolean().default(false),
    /** Cross-cloud meetings with the partner tenant (Teams admin center > Meetings > Cross-cloud). */
    crossCloudMeetings: z.strictObject({ inbound: z.boolean(), outbound: z.boolean() }).optional(),
    /** Guest access in Teams (the tenant-wide switch). */
    guestAccess: z.boolean().default(false),
    /** Anonymous users may join meetings; they always wait in the lobby. */
    anonymousJoin: z.boolean().default(false),
    /** Azure Communication Services interop with the listed ACS resource ids. */
    acsInterop: z.strictObject({ resourceIds: z.array(guid).min(1).max(50) }).optional(),
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

const collaborationShape = {
  partnerCloud: z.enum(CLOUD_NAMES, { error: `must be one of ${CLOUD_NAMES.join(', ')}` }),
  /** The partner deployment of this product, where handshake messages go. */
  partnerDeploymentUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
  displayName: z.string().trim().min(1).max(256).optional(),
  b2bCollaboration: directionalAccessSchema,
  /** B2B direct connect (Teams shared channels). Refused across clouds by the capability rules. */
  b2bDirectConnect: directionalAccessSchema.optional(),
  teams: teamsSchema,
  /** UPNs of the partner's users this tenant invites as guests. */
  guests: z.array(upn).max(500).default([]),
  /** UPNs of this tenant's users the partner should invite (mirrored into the partner's `guests`). */
  partnerGuests: z.array(upn).max(500).default([]),
  crossTenantSync: crossTenantSyncSchema.optional(),
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
 * What an admin POSTs. The partner may be named by a verified domain instead of its tenant ID;
 * the capability rules refuse that across clouds (no cross-cloud lookup), and within a cloud the
 * domain is resolved to a tenant ID before anything is planned.
 */
export const partnershipRequestSchema = z
  .strictObject({
    partnerTenantId: guid.optional(),
    partnerDomain: domainSchema.optional(),
    /**
     * The partner's domains this admin vouches for (Teams federation). Needed across clouds and in
     * national clouds, where Graph cannot check a domain: a domain the partner declares is used
     * only if it is verified (see shared/partnerDomains). Kept with the partnership, not sent.
     */
    acceptedPartnerDomains: z.array(domainSchema).max(100).optional(),
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
 * The same collaboration seen from the partner's side (what the responder configures):
 * inbound and outbound swap, sync direction swaps, guest lists swap.
 */
export function mirrorForPartner(
  desired: DesiredCollaboration,
  self: { tenantId: string; cloud: DesiredCollaboration['partnerCloud']; deploymentUrl: string },
): DesiredCollaboration {
  const swap = (access: DirectionalAccess | undefined): DirectionalAccess | undefined =>
    access === undefined ? undefined : dropUndefined({ inbound: access.outbound, outbound: access.inbound });
  const mirrored = {
    partnerTenantId: self.tenantId,
    partnerCloud: self.cloud,
    partnerDeploymentUrl: self.deploymentUrl,
    displayName: desired.displayName,
    b2bCollaboration: swap(desired.b2bCollaboration),
    b2bDirectConnect: swap(desired.b2bDirectConnect),
    teams: {
      ...desired.teams,
      crossCloudMeetings: desired.teams.crossCloudMeetings && {
        inbound: desired.teams.crossCloudMeetings.outbound,
        outbound: desired.teams.crossCloudMeetings.inbound,
      },
    },
    guests: desired.partnerGuests,
    partnerGuests: desired.guests,
    crossTenantSync: desired.crossTenantSync && {
      ...desired.crossTenantSync,
      direction: ({ inbound: 'outbound', outbound: 'inbound', both: 'both' } as const)[desired.crossTenantSync.direction],
    },
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

// ---------------------------------------------------------------------------------------------
// State machine (design §4)

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
 */
export const TRANSITIONS: Readonly<Record<PartnershipStatus, readonly PartnershipStatus[]>> = {
  Draft: ['ConfiguringLocal', 'Rejected', 'Expired', 'Failed'],
  ConfiguringLocal: ['AwaitingPartner', 'ConfiguringTeams', 'Failed'],
  AwaitingPartner: ['ConfiguringTeams', 'Rejected', 'Expired', 'Failed', 'Offboarding'],
  ConfiguringTeams: ['Verifying', 'Failed'],
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
