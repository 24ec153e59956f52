// Access tokens: RS256 JWTs signed with the simulator's key (kept in the state folder when there
// is one, so tokens survive a restart), carrying what Graph and the Teams admin API check.
import { createHash, createPublicKey, KeyObject, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, JWK, jwtVerify, KeyLike, SignJWT, errors as joseErrors } from 'jose';
import type { SimCloud } from '../clouds';

export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3599;
const SIGNING_KEY_FILE = 'signing-key.pem';

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  tid: string;
  /** The tenant's cloud (a simulator claim; real tokens tell it by issuer). */
  cloud: SimCloud;
  appid: string;
  azp: string;
  app_displayname: string;
  idtyp: 'app';
  oid: string;
  sub: string;
  roles: string[];
  wids: string[];
  ver: '1.0';
  uti: string;
}

export interface IssueRequest {
  tenantId: string;
  cloud: SimCloud;
  /** `{simUrl}/{loginHost}`: the issuer is `${issuerBase}/${tenantId}/v2.0`. */
  issuerBase: string;
  clientId: string;
  appDisplayName: string;
  servicePrincipalId: string;
  audience: string;
  roles: string[];
  wids: string[];
  /** Negative values mint already-expired tokens (tests). */
  lifetimeSeconds?: number;
}

export type TokenProblem = 'malformed' | 'signature' | 'expired' | 'notYetValid';

export class TokenRejected extends Error {
  constructor(
    readonly problem: TokenProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TokenRejected';
  }
}

export class TokenAuthority {
  private constructor(
    private readonly privateKey: KeyLike,
    private readonly publicKey: KeyLike,
    private readonly publicJwk: JWK & { kid: string },
  ) {}

  /** Loads the signing key from `stateDir` (creating it there), or makes an ephemeral one. */
  static async create(stateDir?: string): Promise<TokenAuthority> {
    const file = stateDir ? join(stateDir, SIGNING_KEY_FILE) : undefined;
    let privateKey: KeyLike;
    if (file && existsSync(file)) {
      privateKey = await importPKCS8(readFileSync(file, 'utf8'), 'RS256', { extractable: true });
    } else {
      ({ privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true }));
      if (file && stateDir) {
        mkdirSync(stateDir, { recursive: true });
        writeFileSync(file, await exportPKCS8(privateKey), { mode: 0o600 });
      }
    }
    const jwk = await exportJWK(privateKey);
    const publicJwk = { kty: jwk.kty, n: jwk.n, e: jwk.e } as JWK;
    const kid = createHash('sha256').update(`${publicJwk.n}.${publicJwk.e}`).digest('base64url').slice(0, 27);
    const publicKey = createPublicKey(privateKey as KeyObject);
    return new TokenAuthority(privateKey, publicKey, { ...publicJwk, kid, use: 'sig', alg: 'RS256' });
  }

  /** The JSON Web Key Set published at `{login}/{tenant}/discovery/v2.0/keys`. */
  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk, x5t: this.publicJwk.kid }] };
  }

  async issue(request: IssueRequest): Promise<{ accessToken: string; expiresIn: number }> {
    const lifetime = request.lifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    const now = Math.floor(Date.now() / 1000);
    const claims: Omit<AccessTokenClaims, 'aud' | 'iss' | 'iat' | 'exp'> = {
      nbf: Math.min(now, now + lifetime) - 300,
      tid: request.tenantId,
      cloud: request.cloud,
      appid: request.clientId,
      azp: request.clientId,
      app_displayname: request.appDisplayName,
      idtyp: 'app',
      oid: request.servicePrincipalId,
      sub: request.servicePrincipalId,
      roles: [...request.roles],
      wids: [...request.wids],
      ver: '1.0',
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
    };
    const accessToken = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.publicJwk.kid, x5t: this.publicJwk.kid })
      .setAudience(request.audience)
      .setIssuer(`${request.issuerBase}/${request.tenantId}/v2.0`)
      .setIssuedAt(Math.min(now, now + lifetime))
      .setExpirationTime(now + lifetime)
      .sign(this.privateKey);
    return { accessToken, expiresIn: lifetime };
  }

  /** Signs an ID token (interactive sign-in, see signIn.ts) with the same key as access tokens. */
  async signIdToken(claims: Record<string, unknown>, options: { audience: string; issuer: string; lifetimeSeconds: number }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims, nbf: now - 300 })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.publicJwk.kid })
      .setAudience(options.audience)
      .setIssuer(options.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + options.lifetimeSeconds)
      .sign(this.privateKey);
  }

  /** Verifies signature and lifetime; audience and issuer are the caller's business. */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { algorithms: ['RS256'], clockTolerance: 0 });
      return payload as unknown as AccessTokenClaims;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new TokenRejected('expired', 'Lifetime validation failed, the token is expired.');
      }
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') {
        throw new TokenRejected('notYetValid', 'Lifetime validation failed, the token is not yet valid.');
      }
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
        throw new TokenRejected('signature', 'Access token validation failure. Invalid signature.');
      }
      throw new TokenRejected('malformed', 'Access token validation failure. The token is not a valid JWT.');
    }
  }
}
