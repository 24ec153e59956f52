// How many invitations anonymous senders may leave waiting for this tenant's approval: anyone can
// sign an invitation with a key of their own, so without a cap the partner webhook would store
// unlimited Draft partnerships, pinned keys and nonces. An invitation is waiting while its
// partnership is a responder Draft and the invitation has not expired (housekeeping closes expired
// ones). The refusal is the same whichever cap is reached, and names no count (see docs/robustness.md).
import { DomainError } from '../shared/errors';
import type { PartnershipRecord } from '../shared/tables';
import type { HandshakeDeployment } from './deployment';
import { handshakeData } from './records';

/** True while a responder Draft's invitation can still be approved. */
export function isWaitingInvitation(record: PartnershipRecord, now: Date): boolean {
  const invitation = handshakeData(record).invitation;
  return record.role === 'responder' && record.status === 'Draft' && invitation !== undefined && invitation.exp * 1000 > now.getTime();
}

/**
 * Refuses (`handshake.too-many-invitations`, 429 with Retry-After) a new invitation from `issuer`
 * when that tenant, or all senders together, already have as many invitations waiting as allowed.
 */
export async function assertRoomForInvitation(deployment: Pick<HandshakeDeployment, 'config' | 'repositories'>, issuer: string, now = new Date()): Promise<void> {
  const limits = deployment.config.invitationDrafts;
  const waiting = (await deployment.repositories.partnerships.list({ statuses: ['Draft'] })).filter((record) => isWaitingInvitation(record, now));
  const fromIssuer = waiting.filter((record) => record.partnerTenantId === issuer.toLowerCase()).length;
  if (fromIssuer >= limits.perPartnerMax || waiting.length >= limits.max) {
    throw new DomainError('handshake.too-many-invitations', 'This deployment is not taking more invitations now; try again later.', {
      details: { retryAfterSeconds: limits.retryAfterSeconds },
    });
  }
}
