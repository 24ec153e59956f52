// The receiving sequence for POST /api/handshake/messages: verify → claim nonce → act → store answer.
//
// Why this order survives crashes and concurrency:
// - verify is pure (it only reads the Nonces table), so a refused message leaves nothing behind;
// - the nonce is claimed (insert-if-absent) BEFORE acting: of two concurrent deliveries exactly
//   one acts; the other gets the stored answer, or `handshake.in-progress` (409, retry later);
// - a crash after the claim leaves a `processing` record with a lease; a redelivery after the
//   lease takes it over and acts again with `resumed: true`, so `act` must be idempotent for
//   one `jti` (e.g. Durable instance id or external-event dedupe derived from partnershipId/jti,
//   conditional Partnerships updates that are no-ops when already applied);
// - the answer is stored after acting, so every later redelivery returns it without acting;
// - when `act` throws (a refusal such as `handshake.wrong-state`, or a failure), the claim is
//   released: the refusal changes nothing and the sender may deliver the message again.
import { NONCE_PROCESSING_LEASE_SECONDS } from './constants';
import { handshakeError } from './errors';
import type { HandshakeAnswer, NonceStore } from './nonceStore';
import { verifyHandshakeMessage, type VerifiedHandshakeMessage, type VerifyHandshakeContext } from './verify';

export interface ReceiveHandshakeOptions extends VerifyHandshakeContext {
  nonces: NonceStore;
  /** How long `act` may take before a redelivery may take over; NONCE_PROCESSING_LEASE_SECONDS by default. */
  leaseSeconds?: number;
}

export interface HandshakeActContext {
  /** An earlier delivery claimed this message and never stored an answer: it may have acted already. */
  resumed: boolean;
}

/** The receiver's effect for an accepted message; returns the answer the sender gets (and gets again on redelivery). */
export type HandshakeAct = (verified: VerifiedHandshakeMessage, context: HandshakeActContext) => Promise<HandshakeAnswer>;

export interface ReceivedHandshakeMessage {
  answer: HandshakeAnswer;
  /** True when this exact message had been processed before: nothing was done this time. */
  redelivered: boolean;
  verified: VerifiedHandshakeMessage;
}

/**
 * Verifies a message and, if it is accepted and new, runs `act` exactly once per message (see the
 * ordering notes at the top of this file). Refusals are DomainErrors with `handshake.*` codes.
 */
export async function receiveHandshakeMessage(
  jws: string,
  options: ReceiveHandshakeOptions,
  act: HandshakeAct,
): Promise<ReceivedHandshakeMessage> {
  const verified = await verifyHandshakeMessage(jws, options);
  if (verified.previousAnswer) return { answer: verified.previousAnswer, redelivered: true, verified };

  const { message } = verified;
  const now = options.now === undefined ? new Date() : new Date(options.now);
  const outcome = await options.nonces.claim({
    issuer: message.iss,
    jti: message.jti,
    digest: verified.digest,
    type: message.type,
    partnershipId: message.partnershipId,
    expiresAt: verified.nonceExpiresAt,
    now,
    leaseSeconds: options.leaseSeconds ?? NONCE_PROCESSING_LEASE_SECONDS,
  });
  switch (outcome.outcome) {
    case 'answered':
      return { answer: outcome.answer, redelivered: true, verified };
    case 'replay':
      throw handshakeError('handshake.replay', `The nonce ${message.jti} was already used by another message.`, { jti: message.jti });
    case 'in-progress':
      throw handshakeError('handshake.in-progress', `The same ${message.type} is being processed; retry in ${outcome.retryAfterSeconds} s.`, {
        jti: message.jti,
        retryAfterSeconds: outcome.retryAfterSeconds,
      });
    case 'claimed':
      break;
  }

  let answer: HandshakeAnswer;
  try {
    answer = await act(verified, { resumed: outcome.claim.resumed });
  } catch (error) {
    await options.nonces.release(outcome.claim).catch(() => undefined); // the lease expires anyway
    throw error;
  }
  const stored = await options.nonces.complete(outcome.claim, answer, new Date());
  return { answer: stored, redelivered: false, verified };
}
