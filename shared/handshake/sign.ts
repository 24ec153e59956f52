// Producing handshake messages: claims completed, validated, signed as compact JWS (EdDSA).
import { createHash, randomBytes } from 'node:crypto';
import { CompactSign } from 'jose';
import { z } from 'zod';
import {
  DEFAULT_INVITATION_LIFETIME_SECONDS,
  DEFAULT_MESSAGE_LIFETIME_SECONDS,
  HANDSHAKE_ALGORITHM,
  HANDSHAKE_JWS_TYPE,
  MAX_MESSAGE_BYTES,
  NONCE_BYTES,
} from './constants';
import { handshakeError } from './errors';
import type { DeploymentKey } from './keys';
import {
  handshakeMessageSchema,
  KEY_PRESENTING_TYPES,
  type HandshakeMessage,
  type HandshakeMessageDraft,
} from './messages';

export interface SignHandshakeMessageOptions {
  /** The sender's deployment key. */
  key: DeploymentKey;
  /** Signing time; defaults to the system clock. */
  now?: Date | number;
  /** Validity in seconds; defaults per type (invitation 7 days, others 24 h). */
  lifetimeSeconds?: number;
  /** Fixed `jti` (tests and deterministic re-creation); a fresh random one by default. */
  jti?: string;
}

export interface SignedHandshakeMessage {
  /** The compact JWS to send (HTTP body, or a file for out-of-band delivery). */
  jws: string;
  /** The claims as signed. */
  message: HandshakeMessage;
  /** SHA-256 of the exact JWS (what the receiver's Nonces table keeps). */
  digest: string;
}

/** A fresh random nonce for `jti`. */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url');
}

/** SHA-256 (base64url) of the exact message text: the identity of one delivery's content. */
export function messageDigest(jws: string): string {
  return createHash('sha256').update(jws, 'utf8').digest('base64url');
}

export function toEpochSeconds(time: Date | number | undefined): number {
  const ms = time === undefined ? Date.now() : typeof time === 'number' ? time : time.getTime();
  return Math.floor(ms / 1000);
}

/**
 * Signs a handshake message. Header: `alg` EdDSA, `typ`, `kid` = the key's thumbprint, plus `jwk`
 * for invitation, confirmation and rejection (the sender presents its key on first contact).
 * Retries must resend the same `jws`: Ed25519 is deterministic, but a new `jti`/`iat` is a new message.
 */
export async function signHandshakeMessage(
  draft: HandshakeMessageDraft,
  options: SignHandshakeMessageOptions,
): Promise<SignedHandshakeMessage> {
  const iat = toEpochSeconds(options.now);
  const lifetime =
    options.lifetimeSeconds ??
    (draft.type === 'invitation' ? DEFAULT_INVITATION_LIFETIME_SECONDS : DEFAULT_MESSAGE_LIFETIME_SECONDS);
  const parsed = handshakeMessageSchema.safeParse({ ...draft, jti: options.jti ?? newNonce(), iat, exp: iat + lifetime });
  if (!parsed.success) {
    throw handshakeError('handshake.malformed', `Refusing to sign an invalid ${draft.type} message: ${describeIssues(parsed.error)}`, {
      issues: issueList(parsed.error),
    });
  }
  const message = parsed.data;
  const presentsKey = KEY_PRESENTING_TYPES.includes(message.type);
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(message)))
    .setProtectedHeader({
      alg: HANDSHAKE_ALGORITHM,
      typ: HANDSHAKE_JWS_TYPE,
      kid: options.key.kid,
      ...(presentsKey ? { jwk: { ...options.key.publicJwk } } : {}),
    })
    .sign(options.key.privateKey);
  const size = Buffer.byteLength(jws, 'utf8');
  if (size > MAX_MESSAGE_BYTES) {
    throw handshakeError('handshake.message-too-large', `The signed ${message.type} is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}.`, {
      size,
      limit: MAX_MESSAGE_BYTES,
    });
  }
  return { jws, message, digest: messageDigest(jws) };
}

/** Field issues of a ZodError as plain data (path + message), at most 20. */
export function issueList(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function describeIssues(error: z.ZodError): string {
  return issueList(error)
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
}
