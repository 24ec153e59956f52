// Offboarding, the domain part (see docs/offboarding.md): what an admin may ask for when ending a
// partnership, from which statuses it can be ended, what a partnership keeps about its offboarding,
// and what of its configuration stayed in the tenant and why.
import { z } from 'zod';
import { DomainError } from './errors';
import type { OwnedItem } from './ownership';
import { canTransition, parseOrThrow, TERMINAL_STATUSES, type PartnershipStatus } from './partnership';
import type { Plan } from './plan/operations';

/** Deleting the guests a partnership invited needs one of these application permissions (User.ReadWrite.All is the documented one). */
export const USER_DELETE_PERMISSIONS = ['User.ReadWrite.All', 'Directory.ReadWrite.All'] as const;

/** Longest reason an admin (or a partner's `offboard` message) may give. */
export const MAX_OFFBOARDING_REASON = 1000;

const reasonSchema = z
  .string({ error: 'must be a sentence saying why the partnership ends' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(MAX_OFFBOARDING_REASON, { error: `must be at most ${MAX_OFFBOARDING_REASON} characters` });

/** What `DELETE /api/partnerships/{id}` takes (JSON body or query parameters). */
export const offboardingRequestSchema = z.strictObject({
  /** Delete the guests the partnership invited (needs User.ReadWrite.All); default: keep them. */
  deleteGuests: z.boolean({ error: 'must be true or false' }).default(false),
  /** Why (shown in the audit trail and sent to the partner). */
  reason: reasonSchema.optional(),
});
export type OffboardingRequest = z.infer<typeof offboardingRequestSchema>;

/**
 * The offboarding request from an optional JSON body and the query string. A field may come from
 * either, not from both with different values; anything else is `request.invalid` naming the field.
 */
export function parseOffboardingRequest(body: unknown, query: Record<string, string | undefined> = {}): OffboardingRequest {
  if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    throw new DomainError('request.invalid', 'The offboarding request is not valid: (body): must be a JSON object such as {"deleteGuests": false, "reason": "…"}.', {
      details: { issues: [{ field: '(body)', message: 'must be a JSON object' }] },
    });
  }
  const fromQuery: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    fromQuery[name] = name === 'deleteGuests' ? booleanText(value) : value;
  }
  const fromBody = (body ?? {}) as Record<string, unknown>;
  const conflicts = Object.keys(fromQuery).filter((name) => name in fromBody && JSON.stringify(fromBody[name]) !== JSON.stringify(fromQuery[name]));
  if (conflicts.length > 0) {
    throw new DomainError('request.invalid', `The offboarding request is not valid: ${conflicts.map((name) => `${name}: differs between the query and the body`).join('; ')}.`, {
      details: { issues: conflicts.map((field) => ({ field, message: 'differs between the query and the body' })) },
    });
  }
  return parseOrThrow(offboardingRequestSchema, { ...fromQuery, ...fromBody }, 'offboarding request');
}

/** "true"/"false" (any case) as booleans; anything else is left for the schema to refuse. */
function booleanText(value: string): unknown {
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

/** The message this side sends its partner when it offboards (none: the partner asked, or never heard of it). */
export type PartnerMessage = 'offboard' | 'rejection' | 'none';

/** What a partnership keeps about its offboarding (in `data.offboarding`). */
export interface OffboardingRecord {
  /** 1 for the first offboarding; a failed one started again counts up (a new workflow instance). */
  attempt: number;
  requestedAt: string;
  /** Who asked: `admin:<name>` or `partner:<tenantId>`. */
  actor: string;
  reason?: string;
  deleteGuests: boolean;
  /** The status the partnership was in when offboarding began. */
  previousStatus: PartnershipStatus;
  partnerMessage: PartnerMessage;
  /** The offboarding workflow's instance id. */
  instanceId: string;
}

/** Statuses offboarding starts from: every one that is not final (a setup under way is cancelled), and Failed. */
export function canOffboard(status: PartnershipStatus): boolean {
  return canTransition(status, 'Offboarding');
}

/** Offboarding asked again while it runs or after it ended: answered with the current status, nothing started. */
export function offboardingSettled(status: PartnershipStatus): boolean {
  return status === 'Offboarding' || TERMINAL_STATUSES.includes(status);
}

/** Statuses in which nothing may be configured any more for the partnership (it is being, or was, removed). */
export function isBeingRemoved(status: PartnershipStatus): boolean {
  return status === 'Offboarding' || status === 'Removed';
}

/**
 * Which message tells the partner: a responder that never approved the invitation declines it (a
 * rejection, which the initiator can verify: it has not pinned this side's key yet); the initiator
 * tells nobody when its invitation was never signed (the partner cannot know the partnership).
 */
export function partnerMessageFor(role: 'initiator' | 'responder', previousStatus: PartnershipStatus, invitationSigned: boolean): PartnerMessage {
  if (role === 'responder' && previousStatus === 'Draft') return 'rejection';
  if (role === 'initiator' && !invitationSigned) return 'none';
  return 'offboard';
}

/** The instance id of an offboarding workflow (distinct from the onboarding's, which is the partnership id). */
export function offboardingInstanceId(partnershipId: string, attempt: number): string {
  return `${partnershipId}-offboard-${attempt}`;
}

/** One thing of a removed partnership that stays in the tenant, and why. */
export interface KeptItem {
  item: OwnedItem;
  /** One sentence: what it is. */
  description: string;
  why: string;
}

/** What a removal plan leaves in the tenant: what another partnership still needs, guests kept, what an admin changed. */
export function keptItems(removal: Pick<Plan, 'handOvers' | 'warnings'>): KeptItem[] {
  const kept: KeptItem[] = removal.handOvers.map((handOver) => ({
    item: handOver.item,
    description: describeOwnedItem(handOver.item),
    why: `still needed by partnership ${handOver.toPartnershipId}`,
  }));
  for (const warning of removal.warnings) {
    for (const item of warning.items ?? []) {
      const why =
        warning.code === 'guests.left-in-place'
          ? 'invited guests are kept unless guest deletion is asked (it needs User.ReadWrite.All)'
          : warning.code === 'ownership.changed-by-admin'
            ? 'an administrator changed it since the product set it'
            : warning.message;
      kept.push({ item, description: describeOwnedItem(item), why });
    }
  }
  return kept;
}

/** An owned item in a few words, for an admin. */
export function describeOwnedItem(item: OwnedItem): string {
  switch (item.kind) {
    case 'cloudEndpoint':
      return `cloud endpoint ${item.value}`;
    case 'partner':
      return `partner organisation ${item.tenantId}`;
    case 'partnerSetting':
      return `setting ${item.setting} of partner organisation ${item.tenantId}`;
    case 'identitySync':
      return `identity synchronisation settings of partner ${item.tenantId}`;
    case 'teamsSetting':
      return `Teams ${item.configurationType}.${item.property}`;
    case 'teamsListEntry':
      return `${item.value} in Teams ${item.configurationType}.${item.property}`;
    case 'crossCloudMeetingPartner':
      return `cross-cloud meeting connection with ${item.tenantId}`;
    case 'guest':
      return `guest ${item.upn}`;
    case 'syncConfiguration':
      return `cross-tenant synchronisation to ${item.targetTenantId}`;
    case 'm365Capability':
      return `Microsoft 365 capability ${item.name} for partner ${item.tenantId}`;
    case 'teamMember':
      return `membership of ${item.upn} in team ${item.teamId}`;
    case 'meetingPolicySetting':
      return `meeting policy ${item.identity} setting ${item.property}`;
  }
}

/** `tenant.permission-denied` when the granted application permissions cannot delete users. */
export function assertCanDeleteGuests(grantedPermissions: readonly string[]): void {
  if (USER_DELETE_PERMISSIONS.some((permission) => grantedPermissions.includes(permission))) return;
  throw new DomainError(
    'tenant.permission-denied',
    'Deleting the invited guests needs the User.ReadWrite.All application permission, which this deployment does not hold; nothing was changed. ' +
      'Grant it (admin consent) and ask again, or offboard keeping the guests.',
    { details: { permission: 'User.ReadWrite.All' } },
  );
}
