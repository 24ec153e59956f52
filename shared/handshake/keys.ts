// Ed25519 keys of the protocol: the deployment's own signing key and partners' public keys.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import { z } from 'zod';
import { DomainError } from '../errors';
import { HANDSHAKE_ALGORITHM } from './constants';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** An Ed25519 public key is 32 bytes: 43 base64url characters without padding. */
const ED25519_X = z.string().length(43).regex(BASE64URL);
/** RFC 7638 SHA-256 thumbprint: 32 bytes, 43 base64url characters. */
export const keyThumbprintSchema = z.string().length(43).regex(BASE64URL, 'must be a base64url SHA-256 thumbprint');

/** The public JWK the protocol publishes and presents: `kid` is its RFC 7638 thumbprint. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/**
 * A public JWK received from elsewhere (a message header, the Keys table, configuration).
 * Only Ed25519 signing keys; any private member (`d`) is refused rather than silently dropped.
 */
export const receivedPublicJwkSchema = z
  .object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: ED25519_X,
    kid: z.string().max(128).optional(),
    alg: z.literal(HANDSHAKE_ALGORITHM).optional(),
    use: z.literal('sig').optional(),
    d: z.undefined({ error: 'a public key must not carry its private part' }).optional(),
  })
  .loose();

/** RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key. */
export async function keyThumbprint(jwk: { kty: string; crv?: string; x?: string }): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256');
}

/** Normalises a received public key to the protocol's form (recomputing `kid`); throws a ZodError if it is not one. */
export async function toPublicJwk(jwk: unknown): Promise<PublicJwk> {
  const parsed = receivedPublicJwkSchema.parse(jwk);
  const kid = await keyThumbprint(parsed);
  return { kty: 'OKP', crv: 'Ed25519', x: parsed.x, kid, alg: 'EdDSA', use: 'sig' };
}

/** Imports a public JWK for signature verification. */
export async function importPublicJwk(jwk: PublicJwk): Promise<KeyObject> {
  return (await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, HANDSHAKE_ALGORITHM)) as KeyObject;
}

/**
 * The deployment's signing key. `privateKey` is an opaque KeyObject (Node prints it as
 * `KeyObject { type: 'private' }`); serialising the whole object yields only the public part.
 */
export interface DeploymentKey {
  /** RFC 7638 thumbprint of the public key; the JWS `kid`. */
  readonly kid: string;
  readonly publicJwk: PublicJwk;
  readonly privateKey: KeyObject;
}

/** Where the deployment's own key pair lives: a local file, or Key Vault in Azure. */
export interface DeploymentKeyStore {
  /** The deployment key, created on first use and the same on every later call and restart. */
  getDeploymentKey(): Promise<DeploymentKey>;
}

/**
 * A store that keeps the key somewhere durable: read once per process (a failed attempt is tried
 * again by the next call, not remembered), created there when there is none yet.
 */
export abstract class PersistentDeploymentKeyStore implements DeploymentKeyStore {
  private key: Promise<DeploymentKey> | undefined;

  getDeploymentKey(): Promise<DeploymentKey> {
    this.key ??= this.readOrCreate().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async readOrCreate(): Promise<DeploymentKey> {
    return (await this.read()) ?? (await this.create());
  }

  /** The stored key, or undefined when none is stored yet. */
  protected abstract read(): Promise<DeploymentKey | undefined>;

  /** Stores a new key and returns the key in force (another process's, if it stored one first). */
  protected abstract create(): Promise<DeploymentKey>;
}

/** The private JWK as kept in a key file or secret (never logged, never returned by an API). */
export const privateJwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: ED25519_X,
  d: ED25519_X,
});
export type PrivateJwk = z.infer<typeof privateJwkSchema>;

/** A fresh Ed25519 key pair, returned with its private JWK for the store to persist. */
export async function generateDeploymentKey(): Promise<{ key: DeploymentKey; privateJwk: PrivateJwk }> {
  const { privateKey } = await generateKeyPair<KeyObject>(HANDSHAKE_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const exported = await exportJWK(privateKey);
  const privateJwk = privateJwkSchema.parse(exported);
  return { key: await deploymentKeyFromPrivateJwk(privateJwk), privateJwk };
}

/**
 * Rebuilds the deployment key from its stored private JWK, checking that the stored public part
 * belongs to the private part (a corrupted or hand-edited store fails here, not at signing time).
 */
export async function deploymentKeyFromPrivateJwk(value: unknown, source = 'the key store'): Promise<DeploymentKey> {
  const parsed = privateJwkSchema.safeParse(value);
  if (!parsed.success) {
    throw new DomainError('config.invalid', `The deployment key in ${source} is not an Ed25519 private JWK.`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = (await importJWK(parsed.data, HANDSHAKE_ALGORITHM)) as KeyObject;
  } catch {
    throw new DomainError('config.invalid', `The deployment key in ${source} cannot be imported.`);
  }
  const derivedX = (createPublicKey(privateKey).export({ format: 'jwk' }) as { x?: string }).x;
  if (derivedX !== parsed.data.x) {
    throw new DomainError('config.invalid', `The deployment key in ${source} is corrupt: its public part does not match.`);
  }
  const publicJwk = await toPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: parsed.data.x });
  return Object.freeze({
    kid: publicJwk.kid,
    publicJwk,
    privateKey,
    toJSON: () => ({ kid: publicJwk.kid, publicJwk }),
  });
}
