// State-dependent acceptance checks, made inside `act` (after the nonce is claimed), so that a
// redelivery of an already-processed message still gets its stored answer.
import type { DomainError } from '../errors';
import { handshakeError } from './errors';
import type { ConfirmationMessage, HandshakeMessage, RejectionMessage } from './messages';

/** The invitation an initiator is waiting on (from its Partnerships row). */
export interface OutstandingInvitation {
  partnershipId: string;
  /** The invitation's `jti`. */
  jti: string;
  /** The tenant the invitation went to. */
  partnerTenantId: string;
}

/**
 * Throws `handshake.no-outstanding-invitation` (409) unless the confirmation or rejection answers
 * exactly this outstanding invitation (same partnership, same nonce, from the invited tenant).
 */
export function assertAnswersOutstandingInvitation(
  message: ConfirmationMessage | RejectionMessage,
  outstanding: OutstandingInvitation | undefined,
): void {
  const answers =
    outstanding !== undefined &&
    outstanding.partnershipId === message.partnershipId &&
    outstanding.jti === message.inResponseTo &&
    outstanding.partnerTenantId.toLowerCase() === message.iss;
  if (!answers) {
    throw handshakeError(
      'handshake.no-outstanding-invitation',
      `The ${message.type} answers invitation ${message.inResponseTo}, which is not outstanding for partnership ${message.partnershipId}.`,
      { partnershipId: message.partnershipId, inResponseTo: message.inResponseTo },
    );
  }
}

/**
 * `handshake.wrong-state` (409): the partnership cannot take this message now. The state is not
 * named (the sender is anonymous until verified, and a partner needs only to know it was refused).
 */
export function wrongStateError(message: Pick<HandshakeMessage, 'type' | 'partnershipId'>): DomainError {
  return handshakeError('handshake.wrong-state', `Partnership ${message.partnershipId} cannot take a ${message.type} now.`, {
    partnershipId: message.partnershipId,
    type: message.type,
  });
}
