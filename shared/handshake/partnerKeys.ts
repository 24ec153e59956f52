// How a deployment comes to trust its partner's signing key. A key a message presents proves only
// that the sender holds it; it is pinned (Keys table) only on evidence that does not come from the
// message: the JWKS at the URL this side's admin typed, a thumbprint the admin pinned, the pairing
// code (B opening A's commitment; A checking B's key proof) or a pre-trust rule. See docs/security.md.
import { z } from 'zod';
import { handshakeError } from './errors';
import { toPublicJwk, type PublicJwk } from './keys';
import { checkPairingKeyProof, type PairingContext } from './pairing';

/** Why a pinned partner key is trusted. */
export const PARTNER_KEY_SOURCES = ['jwks', 'admin', 'key-proof', 'pairing-code', 'pre-trust'] as const;
export type PartnerKeySource = (typeof PARTNER_KEY_SOURCES)[number];

/** Most keys a partner's JWKS may list (one in practice; a few during a rotation). */
const MAX_JWKS_KEYS = 10;

const jwksDocumentSchema = z.object({ keys: z.array(z.unknown()).min(1).max(MAX_JWKS_KEYS) }).loose();

/**
 * The Ed25519 signing keys of a partner's JWKS document (other key types are skipped); throws
 * `handshake.malformed` when the document is not a JWKS or holds no usable key.
 */
export async function partnerKeyFromJwks(document: unknown): Promise<PublicJwk[]> {
  const parsed = jwksDocumentSchema.safeParse(document);
  if (!parsed.success) throw handshakeError('handshake.malformed', `The partner's JWKS is not a key set of 1 to ${MAX_JWKS_KEYS} keys.`);
  const keys: PublicJwk[] = [];
  for (const candidate of parsed.data.keys) {
    try {
      const key = await toPublicJwk(candidate);
      if (!keys.some((known) => known.kid === key.kid)) keys.push(key);
    } catch {
      // not an Ed25519 public signing key: not one the handshake can use
    }
  }
  if (keys.length === 0) throw handshakeError('handshake.malformed', "The partner's JWKS holds no Ed25519 signing key.");
  return keys;
}

/** What the initiator knows about its partner's key, from outside the partner's messages. */
export interface PartnerKeyEvidence {
  /** Thumbprints this deployment fetched from the partner's JWKS (when it listed several keys). */
  jwksThumbprints?: readonly string[];
  /** The thumbprint this deployment's admin pinned (read back from the partner's admin). */
  adminThumbprint?: string;
  /** The invitation's pairing code, to check a key proof. */
  pairing?: { code: string; context: Omit<PairingContext, 'keyThumbprint'> };
}

/**
 * Whether a key a message presents is the partner's, and on what evidence; undefined when nothing
 * vouches for it. Evidence that names a key rules out every other key: a valid key proof does not
 * override a thumbprint the admin pinned or the keys the partner's URL published.
 */
export function authenticatePresentedKey(key: PublicJwk, keyProof: string | undefined, evidence: PartnerKeyEvidence): PartnerKeySource | undefined {
  if (evidence.adminThumbprint) return evidence.adminThumbprint === key.kid ? 'admin' : undefined;
  if (evidence.jwksThumbprints && evidence.jwksThumbprints.length > 0) return evidence.jwksThumbprints.includes(key.kid) ? 'jwks' : undefined;
  if (keyProof && evidence.pairing && checkPairingKeyProof(evidence.pairing.code, keyProof, { ...evidence.pairing.context, keyThumbprint: key.kid })) {
    return 'key-proof';
  }
  return undefined;
}
