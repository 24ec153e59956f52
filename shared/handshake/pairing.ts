// The pairing code: a short human code A's admin reads to B's admin (phone, chat), binding B's
// approval to A's key and to this invitation. 8 Crockford base32 characters = 40 bits of HMAC-SHA-256.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { handshakeError } from './errors';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 8;
const DERIVATION_LABEL = 'cross-cloud-handshake/pairing-code/v1';

export interface PairingCodeInput {
  /** RFC 7638 thumbprint of the initiator's (A's) public key. */
  keyThumbprint: string;
  /** The invitation's `jti`. */
  invitationNonce: string;
}

/** The pairing code for an invitation, formatted `XXXX-XXXX`. */
export function derivePairingCode(input: PairingCodeInput): string {
  if (!input.keyThumbprint || !input.invitationNonce) {
    throw new TypeError('derivePairingCode needs the key thumbprint and the invitation nonce');
  }
  const mac = createHmac('sha256', input.invitationNonce).update(`${DERIVATION_LABEL}\n${input.keyThumbprint}`).digest();
  // First 40 bits, 5 bits per character.
  let bits = 0n;
  for (let i = 0; i < 5; i += 1) bits = (bits << 8n) | BigInt(mac[i]);
  let code = '';
  for (let i = CODE_LENGTH - 1; i >= 0; i -= 1) code += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * Canonical form of a typed code: upper case, separators (`-`, spaces) removed, and Crockford's
 * look-alikes folded (O → 0, I/L → 1). Undefined when it cannot be a code.
 */
export function normalizePairingCode(text: string): string | undefined {
  const folded = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return folded.length === CODE_LENGTH && [...folded].every((c) => CROCKFORD.includes(c)) ? folded : undefined;
}

/** Whether an entered code equals the expected one (constant-time over the normalised codes). */
export function pairingCodesMatch(expected: string, entered: string): boolean {
  const a = normalizePairingCode(expected);
  const b = normalizePairingCode(typeof entered === 'string' ? entered : '');
  if (!a || !b) return false;
  return timingSafeEqual(Buffer.from(a, 'ascii'), Buffer.from(b, 'ascii'));
}

/** Throws `handshake.bad-pairing-code` (401) unless the entered code matches. */
export function assertPairingCode(expected: string, entered: string): void {
  if (!pairingCodesMatch(expected, entered)) {
    throw handshakeError('handshake.bad-pairing-code', 'The pairing code does not match the one shown to the inviting administrator.');
  }
}
