// The JWKS document served at GET /api/handshake/jwks.
import type { PublicJwk } from './keys';

export interface JwksDocument {
  keys: PublicJwk[];
}

/**
 * A JWKS document (RFC 7517 §5) of the given public keys: only public members are copied (a
 * private `d` handed in by mistake never leaves), duplicates by `kid` are dropped, order kept.
 */
export function buildJwks(keys: readonly PublicJwk[]): JwksDocument {
  const seen = new Set<string>();
  const out: PublicJwk[] = [];
  for (const key of keys) {
    if (seen.has(key.kid)) continue;
    seen.add(key.kid);
    out.push({ kty: key.kty, crv: key.crv, x: key.x, kid: key.kid, alg: key.alg, use: key.use });
  }
  return { keys: out };
}

/** Media type of the JWKS response. */
export const JWKS_CONTENT_TYPE = 'application/jwk-set+json';
