// Receiving handshake messages: every check of docs/handshake.md, each refusal a typed error, and no side
// effect (the only storage access is a read of the Nonces table).
import type { KeyObject } from 'node:crypto';
import { base64url, compactVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { HANDSHAKE_ALGORITHM, HANDSHAKE_JWS_TYPE, MAX_CLOCK_SKEW_SECONDS, MAX_MESSAGE_BYTES } from './constants';
import type { DomainError } from '../errors';
import { handshakeError } from './errors';
import { importPublicJwk, toPublicJwk, type PublicJwk } from './keys';
import {
  handshakeMessageSchema,
  KEY_PRESENTING_TYPES,
  type HandshakeMessage,
  type PayloadSchemas,
} from './messages';
import type { HandshakeAnswer, NonceLookup } from './nonceStore';
import { describeIssues, issueList, messageDigest, toEpochSeconds } from './sign';

/** Which key may have signed the message. */
export interface HandshakeKeyTrust {
  /** The partner's pinned key (Keys table): when set, the message must be signed with exactly it. */
  pinnedKey?: PublicJwk;
  /**
   * First contact: with no pinned key, the key the message presents in its header (`jwk`) is
   * acceptable. Only invitation, confirmation and rejection present a key.
   */
  acceptPresentedKey?: boolean;
}

export interface VerifyHandshakeContext {
  /** This deployment's tenant id: the expected `aud`. */
  ownTenantId: string;
  /** The partner tenant, when known (e.g. the partnership's partner): the expected `iss`. */
  expectedIssuer?: string;
  trust: HandshakeKeyTrust;
  /** Verification time; the system clock by default. */
  now?: Date | number;
  /** Tolerated clock difference; MAX_CLOCK_SKEW_SECONDS (±5 min) by default. */
  clockSkewSeconds?: number;
  /** Nonces table (read only): a reused `jti` is refused, an identical redelivery is recognised. */
  nonces?: NonceLookup;
  /** Domain schemas for `collaboration` / `configured`; their output replaces the raw payload. */
  payloadSchemas?: PayloadSchemas;
}

export interface VerifiedHandshakeMessage {
  message: HandshakeMessage;
  /** The exact JWS that was verified (surrounding whitespace removed). */
  jws: string;
  /** SHA-256 of `jws`: what the Nonces table compares. */
  digest: string;
  /** The key the signature verified with. */
  key: PublicJwk;
  /**
   * `presented`: the key comes from the message itself, which proves only that the sender holds it;
   * pin it only on evidence from elsewhere (shared/handshake/partnerKeys).
   */
  keySource: 'pinned' | 'presented';
  /** Until when the nonce must be remembered (`exp` + skew). */
  nonceExpiresAt: Date;
  /** Set when this exact message was already processed: return this answer, act no further. */
  previousAnswer?: HandshakeAnswer;
}

/** Protected header fields, as read before anything is verified. */
export interface HandshakeHeader {
  alg?: unknown;
  typ?: unknown;
  kid?: unknown;
  jwk?: unknown;
}

/**
 * The message's header and routing claims WITHOUT verification: only to find which partnership
 * and which pinned key to verify against. Never act on it. Throws for oversize or non-JWS input.
 */
export function peekHandshakeMessage(jws: string): {
  header: HandshakeHeader;
  claims: { iss?: string; aud?: string; jti?: string; type?: string; partnershipId?: string };
} {
  const parts = splitCompact(jws);
  const payload = decodeJson(parts[1], 'payload');
  const pick = (name: string): string | undefined => {
    const value = (payload as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    header: parts.header,
    claims: { iss: pick('iss')?.toLowerCase(), aud: pick('aud')?.toLowerCase(), jti: pick('jti'), type: pick('type'), partnershipId: pick('partnershipId') },
  };
}

/**
 * Verifies a handshake message: size, structure, algorithm, key (pinned or presented), signature,
 * claims schema, audience, issuer, validity window, and the nonce. Throws a DomainError with a
 * `handshake.*` code on the first failed check; has no side effect.
 */
export async function verifyHandshakeMessage(input: string, context: VerifyHandshakeContext): Promise<VerifiedHandshakeMessage> {
  const { header, jws } = splitCompact(input);

  if (header.alg !== HANDSHAKE_ALGORITHM) {
    throw handshakeError('handshake.bad-signature', `The message is signed with "${String(header.alg)}"; only ${HANDSHAKE_ALGORITHM} is accepted.`, {
      alg: typeof header.alg === 'string' ? header.alg : null,
    });
  }
  if (header.typ !== HANDSHAKE_JWS_TYPE) {
    throw handshakeError('handshake.malformed', `The message header "typ" must be "${HANDSHAKE_JWS_TYPE}".`);
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0) {
    throw handshakeError('handshake.unknown-key', 'The message header names no key ("kid").');
  }

  const { key, keySource } = await chooseKey(header as HandshakeHeader & { kid: string }, context.trust);

  let verifyingKey: KeyObject;
  try {
    verifyingKey = await importPublicJwk(key);
  } catch (error) {
    throw handshakeError('handshake.unknown-key', 'The key of the message cannot be used for Ed25519 verification.', {}, error);
  }
  let payloadBytes: Uint8Array;
  try {
    payloadBytes = (await compactVerify(jws, verifyingKey, { algorithms: [HANDSHAKE_ALGORITHM] })).payload;
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw handshakeError('handshake.bad-signature', 'The message signature does not verify with the sender key.', { kid: key.kid });
    }
    throw handshakeError('handshake.malformed', `The message is not a valid JWS (${(error as Error).message}).`, {}, error);
  }

  const message = parseClaims(payloadBytes, context.payloadSchemas);

  if (keySource === 'presented' && !KEY_PRESENTING_TYPES.includes(message.type)) throw untrustedKey(key.kid);
  const ownTenantId = context.ownTenantId.toLowerCase();
  if (message.aud !== ownTenantId) {
    throw handshakeError('handshake.wrong-audience', `The message is addressed to tenant ${message.aud}, which is not this deployment's tenant.`, {
      aud: message.aud,
    });
  }
  if (context.expectedIssuer !== undefined && message.iss !== context.expectedIssuer.toLowerCase()) {
    // Said without naming the partner this deployment expects (the caller is anonymous).
    throw handshakeError('handshake.unexpected-issuer', `The message comes from tenant ${message.iss}, which is not the partner of partnership ${message.partnershipId}.`, {
      iss: message.iss,
    });
  }

  const now = toEpochSeconds(context.now);
  const skew = context.clockSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS;
  if (now > message.exp + skew) {
    throw handshakeError('handshake.expired', `The ${message.type} expired at ${isoSeconds(message.exp)}.`, { exp: message.exp, now });
  }
  if (message.iat > now + skew) {
    throw handshakeError('handshake.not-yet-valid', `The ${message.type} is issued at ${isoSeconds(message.iat)}, too far in the future.`, {
      iat: message.iat,
      now,
    });
  }

  const digest = messageDigest(jws);
  const verified: VerifiedHandshakeMessage = {
    message,
    jws,
    digest,
    key,
    keySource,
    nonceExpiresAt: new Date((message.exp + skew) * 1000),
  };
  if (context.nonces) {
    const seen = await context.nonces.find(message.iss, message.jti);
    if (seen && seen.digest !== digest) {
      throw handshakeError('handshake.replay', `The nonce ${message.jti} was already used by another message.`, { jti: message.jti });
    }
    if (seen?.state === 'answered' && seen.answer) verified.previousAnswer = seen.answer;
  }
  return verified;
}

async function chooseKey(
  header: HandshakeHeader & { kid: string },
  trust: HandshakeKeyTrust,
): Promise<{ key: PublicJwk; keySource: 'pinned' | 'presented' }> {
  let presented: PublicJwk | undefined;
  if (header.jwk !== undefined) {
    try {
      presented = await toPublicJwk(header.jwk);
    } catch (error) {
      throw handshakeError('handshake.malformed', 'The key presented in the header ("jwk") is not an Ed25519 public key.', {}, error);
    }
    if (presented.kid !== header.kid) {
      throw handshakeError('handshake.key-mismatch', 'The header "kid" is not the thumbprint of the presented key.', { kid: header.kid });
    }
  }
  if (trust.pinnedKey) {
    const pinned = await toPublicJwk(trust.pinnedKey);
    if (header.kid !== pinned.kid || (presented && presented.kid !== pinned.kid)) {
      throw untrustedKey(header.kid);
    }
    return { key: pinned, keySource: 'pinned' };
  }
  if (!trust.acceptPresentedKey || !presented) throw untrustedKey(header.kid);
  return { key: presented, keySource: 'presented' };
}

/**
 * One refusal for "signed with a key not trusted here", whether another key is pinned or none is:
 * an anonymous caller learns what is wrong with its message, not what this deployment holds.
 */
export function untrustedKey(kid: string, hint = ''): DomainError {
  return handshakeError('handshake.unknown-key', `The message is signed with key ${kid}, which is not trusted for this partner.${hint ? ` ${hint}` : ''}`, { kid });
}

function parseClaims(payloadBytes: Uint8Array, payloadSchemas: PayloadSchemas | undefined): HandshakeMessage {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    throw handshakeError('handshake.malformed', 'The message payload is not JSON.');
  }
  const parsed = handshakeMessageSchema.safeParse(claims);
  if (!parsed.success) throw malformedClaims(parsed.error);
  const message = parsed.data;
  if (message.type === 'invitation' && payloadSchemas?.collaboration) {
    message.collaboration = parsePayload(payloadSchemas.collaboration, message.collaboration, 'collaboration');
  }
  if (message.type === 'confirmation' && payloadSchemas?.configured) {
    message.configured = parsePayload(payloadSchemas.configured, message.configured, 'configured');
  }
  return message;
}

function parsePayload(schema: z.ZodType, value: unknown, field: string): unknown {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const prefixed = new z.ZodError(parsed.error.issues.map((issue) => ({ ...issue, path: [field, ...issue.path] })));
    throw malformedClaims(prefixed);
  }
  return parsed.data;
}

function malformedClaims(error: z.ZodError) {
  return handshakeError('handshake.malformed', `The message claims are not valid: ${describeIssues(error)}`, { issues: issueList(error) });
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Size check first (nothing larger is even split), then the three-part shape and the header. */
function splitCompact(input: string): string[] & { header: HandshakeHeader; jws: string } {
  if (typeof input !== 'string') throw handshakeError('handshake.malformed', 'The message must be a compact JWS string.');
  const size = Buffer.byteLength(input, 'utf8');
  if (size > MAX_MESSAGE_BYTES) {
    throw handshakeError('handshake.message-too-large', `The message is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}.`, {
      size,
      limit: MAX_MESSAGE_BYTES,
    });
  }
  const jws = input.trim();
  if (!COMPACT_JWS.test(jws)) throw handshakeError('handshake.malformed', 'The message is not a compact JWS (three base64url parts).');
  const parts = jws.split('.');
  const header = decodeJson(parts[0], 'header');
  return Object.assign(parts, { header: header as HandshakeHeader, jws });
}

function decodeJson(part: string, what: 'header' | 'payload'): object {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(part)));
  } catch {
    throw handshakeError('handshake.malformed', `The message ${what} is not base64url-encoded JSON.`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw handshakeError('handshake.malformed', `The message ${what} is not a JSON object.`);
  }
  return value;
}

function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}
