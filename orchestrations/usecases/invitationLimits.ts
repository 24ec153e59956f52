// How many invitations anonymous senders may leave waiting for this tenant's approval: anyone can
// sign an invitation with a key of their own, so without a cap the partner webhook would store
// unlimited Draft partnerships, pinned keys and nonces. An invitation takes room while it waits
// (a responder Draft whose invitation has not expired) and, however short its own lifetime, for at
// least the Retry-After the refusal announces after it arrived — so short-lived invitations cannot
// be used to store more than the caps allow per Retry-After period. An administrator's answer
// (approve, reject) frees its room at once. The refusal is the same whichever cap is reached and
// names no count (see docs/robustness.md).
import { DomainError } from '../../shared/errors';
import { MAX_CLOCK_SKEW_SECONDS, MAX_MESSAGE_LIFETIME_SECONDS } from '../../shared/handshake';
import type { PartnershipRecord } from '../../shared/tables';
import type { HandshakeDeployment } from '../deployment';
import { handshakeData } from '../records';

/** True while a received invitation counts against the caps. */
export function takesRoom(record: PartnershipRecord, now: Date, holdSeconds: number): boolean {
  const invitation = handshakeData(record).invitation;
  if (record.role !== 'responder' || !invitation) return false;
  const waiting = record.status === 'Draft' && invitation.exp * 1000 > now.getTime();
  const recent = (record.status === 'Draft' || record.status === 'Expired') && new Date(invitation.receivedAt).getTime() + holdSeconds * 1000 > now.getTime();
  return waiting || recent;
}

/**
 * Refuses (`handshake.too-many-invitations`, 429 with Retry-After) a new invitation from `issuer`
 * when that tenant, or all senders together, already take as much room as allowed.
 */
export async function assertRoomForInvitation(deployment: Pick<HandshakeDeployment, 'config' | 'repositories'>, issuer: string, now = new Date()): Promise<void> {
  const limits = deployment.config.invitationDrafts;
  // Only invitations young enough to still take room (none lives longer than a message may).
  const createdSince = new Date(now.getTime() - (Math.max(MAX_MESSAGE_LIFETIME_SECONDS, limits.retryAfterSeconds) + MAX_CLOCK_SKEW_SECONDS) * 1000);
  const candidates = await deployment.repositories.partnerships.list({ statuses: ['Draft', 'Expired'], createdSince });
  const taken = candidates.filter((record) => takesRoom(record, now, limits.retryAfterSeconds));
  const fromIssuer = taken.filter((record) => record.partnerTenantId === issuer.toLowerCase()).length;
  if (fromIssuer >= limits.perPartnerMax || taken.length >= limits.max) {
    throw new DomainError('handshake.too-many-invitations', 'This deployment is not taking more invitations now; try again later.', {
      details: { retryAfterSeconds: limits.retryAfterSeconds },
    });
  }
}
