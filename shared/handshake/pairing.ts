// The pairing code: a random secret A's deployment generates for one invitation and shows only to
// A's admin, who reads it to B's admin over a channel they already trust (phone, chat).
//
// The code itself never travels in a message. The invitation carries a *commitment* to it, bound to
// the invitation (partnership, jti, both tenants) and to A's key thumbprint: B's deployment checks
// the code its admin types against the commitment, and so learns that A's presented key is the key
// of whoever generated the code. In the other direction B's confirmation may carry a *key proof*,
// the same construction bound to B's key thumbprint, that only someone who was told the code can
// make. See docs/security.md.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PAIRING_CODE_LENGTH } from './constants';
import type { DomainError } from '../errors';
import { handshakeError } from './errors';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUP = 4;
/** Domain separation: a commitment can never be taken for a key proof, nor either for anything else. */
const LABEL = 'cross-cloud-handshake/pairing/v2';

/** A commitment or key proof on the wire: HMAC-SHA-256, base64url (43 characters). */
export const pairingMacSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url HMAC-SHA-256 (43 characters)');

/** What a commitment or key proof binds: one invitation and one key. */
export interface PairingContext {
  partnershipId: string;
  /** The invitation's `jti`. */
  invitationJti: string;
  initiatorTenantId: string;
  responderTenantId: string;
  /** RFC 7638 thumbprint of the key being vouched for (A's for the commitment, B's for the proof). */
  keyThumbprint: string;
}

/** A fresh code: PAIRING_CODE_LENGTH random Crockford base32 characters, shown `XXXX-XXXX-XXXX-XXXX`. */
export function generatePairingCode(): string {
  const bytes = randomBytes((PAIRING_CODE_LENGTH * 5) / 8);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = PAIRING_CODE_LENGTH - 1; i >= 0; i -= 1) code += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  return formatPairingCode(code);
}

/** `XXXXXXXXXXXXXXXX` → `XXXX-XXXX-XXXX-XXXX`. */
export function formatPairingCode(normalized: string): string {
  return normalized.match(new RegExp(`.{1,${GROUP}}`, 'g'))!.join('-');
}

/**
 * Canonical form of a typed code: upper case, separators (`-`, spaces) removed, and Crockford's
 * look-alikes folded (O → 0, I/L → 1). Undefined when it cannot be a code.
 */
export function normalizePairingCode(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const folded = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return folded.length === PAIRING_CODE_LENGTH && [...folded].every((c) => CROCKFORD.includes(c)) ? folded : undefined;
}

/** The invitation's commitment to `code` (A computes it when it signs the invitation). */
export function pairingCommitment(code: string, context: PairingContext): string {
  return mac('invitation', code, context);
}

/** B's proof that its key is vouched for by someone who knows `code` (sent in the confirmation). */
export function pairingKeyProof(code: string, context: PairingContext): string {
  return mac('key-proof', code, context);
}

/** Whether the typed code opens the commitment (constant-time comparison). */
export function openPairingCommitment(typedCode: unknown, commitment: string, context: PairingContext): boolean {
  const code = normalizePairingCode(typedCode);
  return code !== undefined && macsEqual(mac('invitation', code, context), commitment);
}

/** Whether the key proof was made with `code` for this key (constant-time comparison). */
export function checkPairingKeyProof(code: string, proof: string, context: PairingContext): boolean {
  return normalizePairingCode(code) !== undefined && macsEqual(mac('key-proof', code, context), proof);
}

/** `handshake.bad-pairing-code` (401), with how many tries are left. */
export function badPairingCode(attemptsLeft: number): DomainError {
  return handshakeError(
    'handshake.bad-pairing-code',
    attemptsLeft > 0
      ? `The pairing code does not match the one shown to the inviting administrator; ${attemptsLeft} attempt(s) left.`
      : 'The pairing code does not match the one shown to the inviting administrator; no attempt is left: the invitation is refused.',
    { attemptsLeft },
  );
}

function mac(purpose: 'invitation' | 'key-proof', code: string, context: PairingContext): string {
  const key = normalizePairingCode(code);
  if (!key) throw new TypeError('a pairing commitment needs a well-formed pairing code');
  // Every field is a GUID, a base64url value or a partnership id: none can hold a newline.
  const fields = [
    LABEL,
    purpose,
    context.partnershipId,
    context.invitationJti,
    context.initiatorTenantId.toLowerCase(),
    context.responderTenantId.toLowerCase(),
    context.keyThumbprint,
  ];
  if (fields.some((field) => field.length === 0 || field.includes('\n'))) throw new TypeError('a pairing context field is empty or holds a newline');
  return createHmac('sha256', key).update(fields.join('\n')).digest('base64url');
}

function macsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(typeof b === 'string' ? b : '', 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
