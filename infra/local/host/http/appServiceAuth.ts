// App Service Authentication ("Easy Auth") as the local host emulates it, so that the app's
// sign-in code path runs locally exactly as in Azure (see docs/console.md):
// - `/.auth/login/aad` starts the OpenID Connect authorization code flow with PKCE against the
//   configured issuer (the simulator's login host locally), `/.auth/login/aad/callback` redeems
//   the code, checks the ID token and sets the session cookie, `/.auth/me` shows the session,
//   `/.auth/logout` ends it;
// - on every other request the `x-ms-client-principal*` headers a client sent are removed, and a
//   valid session adds them as App Service does (base64 JSON with `claims`, `name_typ`, `role_typ`).
// Unauthenticated requests pass through (App Service's "allow anonymous" action): the app decides.
// Enabled by the app settings App Service itself reads: WEBSITE_AUTH_ENABLED, WEBSITE_AUTH_OPENID_ISSUER,
// WEBSITE_AUTH_CLIENT_ID and the client secret in MICROSOFT_PROVIDER_AUTHENTICATION_SECRET.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, EncryptJWT, jwtDecrypt, jwtVerify, type JWTPayload } from 'jose';

export const AUTH_SETTINGS = {
  enabled: 'WEBSITE_AUTH_ENABLED',
  issuer: 'WEBSITE_AUTH_OPENID_ISSUER',
  clientId: 'WEBSITE_AUTH_CLIENT_ID',
  clientSecret: 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET',
} as const;

export const SESSION_COOKIE = 'AppServiceAuthSession';
const FLOW_COOKIE = 'AppServiceAuthFlow';

/**
 * Cookies are shared by every port of a host name, and local deployments differ only by port:
 * on a loopback address the cookie names carry the port, so one browser can be signed in to two
 * local deployments at once (in Azure each app has its own host name and App Service's names).
 */
export function cookieName(base: string, url: URL): string {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return loopback && url.port ? `${base}_${url.port}` : base;
}
/** App Service's default session lifetime (token store off) is the ID token's; 8 hours here. */
const SESSION_LIFETIME_SECONDS = 8 * 3_600;
const FLOW_LIFETIME_SECONDS = 600;
const NAME_TYPE = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const ROLE_TYPE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';
/** Claims App Service passes under their long names. */
const LONG_CLAIM_NAMES: Record<string, string> = {
  oid: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  tid: 'http://schemas.microsoft.com/identity/claims/tenantid',
};

export interface ClientPrincipal {
  auth_typ: 'aad';
  name_typ: string;
  role_typ: string;
  claims: { typ: string; val: string }[];
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

export interface AppServiceAuthOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Keys the session and flow cookies (derived from the host's master key). */
  sessionSecret: string;
  log?: (message: string) => void;
}

export class AppServiceAuthentication {
  private readonly key: Uint8Array;
  private discovery: Promise<Discovery> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly options: AppServiceAuthOptions) {
    this.key = createHash('sha256').update(`app-service-authentication\n${options.sessionSecret}`).digest();
  }

  /** The emulation, when the app settings turn it on; undefined otherwise. */
  static fromEnv(env: NodeJS.ProcessEnv, sessionSecret: string, log?: (message: string) => void): AppServiceAuthentication | undefined {
    if (!/^(true|1)$/i.test(env[AUTH_SETTINGS.enabled] ?? '')) return undefined;
    const issuer = env[AUTH_SETTINGS.issuer];
    const clientId = env[AUTH_SETTINGS.clientId];
    if (!issuer || !clientId) {
      throw new Error(`${AUTH_SETTINGS.enabled} is set but ${AUTH_SETTINGS.issuer} or ${AUTH_SETTINGS.clientId} is missing`);
    }
    return new AppServiceAuthentication({ issuer: issuer.replace(/\/+$/, ''), clientId, clientSecret: env[AUTH_SETTINGS.clientSecret], sessionSecret, log });
  }

  /**
   * Answers `/.auth/*` (true), or strips client-sent principal headers and adds the session's
   * (false: the request goes on to the app).
   */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    for (const name of Object.keys(request.headers)) {
      if (name.startsWith('x-ms-client-principal') || name.startsWith('x-ms-token-')) delete request.headers[name];
    }
    const path = url.pathname.toLowerCase();
    if (path === '/.auth/login/aad') return this.login(request, response, url);
    if (path === '/.auth/login/aad/callback') return this.callback(request, response, url);
    if (path === '/.auth/me') return this.me(request, response, url);
    if (path === '/.auth/logout') return this.logout(response, url);
    if (path.startsWith('/.auth/')) return answer(response, 404, 'text/plain; charset=utf-8', 'Not found');
    const principal = await this.session(request, url);
    if (principal) {
      const claim = (typ: string): string | undefined => principal.claims.find((entry) => entry.typ === typ)?.val;
      request.headers['x-ms-client-principal'] = Buffer.from(JSON.stringify(principal)).toString('base64');
      request.headers['x-ms-client-principal-name'] = claim(NAME_TYPE) ?? '';
      request.headers['x-ms-client-principal-id'] = claim(LONG_CLAIM_NAMES.oid) ?? '';
      request.headers['x-ms-client-principal-idp'] = 'aad';
    }
    return false;
  }

  private async login(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const discovery = await this.discover();
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const redirect = safeRedirect(url.searchParams.get('post_login_redirect_uri'));
    const flow = await this.seal({ state, verifier, nonce, redirect }, FLOW_LIFETIME_SECONDS);
    const target = new URL(discovery.authorization_endpoint);
    target.searchParams.set('client_id', this.options.clientId);
    target.searchParams.set('response_type', 'code');
    target.searchParams.set('redirect_uri', callbackUrl(request, url));
    target.searchParams.set('scope', 'openid profile');
    target.searchParams.set('state', state);
    target.searchParams.set('nonce', nonce);
    target.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    target.searchParams.set('code_challenge_method', 'S256');
    const hint = url.searchParams.get('login_hint');
    if (hint) target.searchParams.set('login_hint', hint.slice(0, 256));
    response.setHeader('set-cookie', cookie(cookieName(FLOW_COOKIE, url), flow, FLOW_LIFETIME_SECONDS, '/.auth'));
    return redirectTo(response, target.toString());
  }

  private async callback(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const flow = await this.unseal(readCookie(request, cookieName(FLOW_COOKIE, url)));
    const state = url.searchParams.get('state');
    const code = url.searchParams.get('code');
    if (!flow || typeof flow.state !== 'string' || state !== flow.state || !code) {
      return answer(response, 401, 'text/plain; charset=utf-8', 'The sign-in could not be completed (missing or stale sign-in state). Start again at /.auth/login/aad.');
    }
    const discovery = await this.discover();
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: this.options.clientId,
      code,
      redirect_uri: callbackUrl(request, url),
      code_verifier: String(flow.verifier),
    });
    if (this.options.clientSecret) form.set('client_secret', this.options.clientSecret);
    const tokenResponse = await fetch(discovery.token_endpoint, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const tokens = (await tokenResponse.json().catch(() => ({}))) as { id_token?: string; error?: string };
    if (!tokenResponse.ok || !tokens.id_token) {
      this.options.log?.(`App Service Authentication: the token endpoint refused the code (${tokenResponse.status} ${tokens.error ?? ''})`);
      return answer(response, 401, 'text/plain; charset=utf-8', 'The sign-in could not be completed: the identity provider refused the code.');
    }
    let claims: JWTPayload;
    try {
      this.jwks ??= createRemoteJWKSet(new URL(discovery.jwks_uri));
      ({ payload: claims } = await jwtVerify(tokens.id_token, this.jwks, { issuer: discovery.issuer, audience: this.options.clientId }));
    } catch (error) {
      this.options.log?.(`App Service Authentication: ID token refused: ${(error as Error).message}`);
      return answer(response, 401, 'text/plain; charset=utf-8', 'The sign-in could not be completed: the ID token is not valid.');
    }
    if (claims.nonce !== flow.nonce) return answer(response, 401, 'text/plain; charset=utf-8', 'The sign-in could not be completed: nonce mismatch.');
    const principal = principalOf(claims);
    const session = await this.seal({ principal }, SESSION_LIFETIME_SECONDS);
    response.setHeader('set-cookie', [cookie(cookieName(SESSION_COOKIE, url), session, SESSION_LIFETIME_SECONDS, '/'), cookie(cookieName(FLOW_COOKIE, url), '', 0, '/.auth')]);
    return redirectTo(response, typeof flow.redirect === 'string' ? flow.redirect : '/');
  }

  private async me(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const principal = await this.session(request, url);
    if (!principal) return answer(response, 401, 'application/json', '[]');
    const userId = principal.claims.find((claim) => claim.typ === NAME_TYPE)?.val ?? '';
    return answer(response, 200, 'application/json', JSON.stringify([{ provider_name: 'aad', user_id: userId, user_claims: principal.claims }]));
  }

  private logout(response: ServerResponse, url: URL): boolean {
    response.setHeader('set-cookie', cookie(cookieName(SESSION_COOKIE, url), '', 0, '/'));
    const target = url.searchParams.get('post_logout_redirect_uri');
    if (target) return redirectTo(response, safeRedirect(target));
    return answer(response, 200, 'text/html; charset=utf-8', '<!doctype html><html lang="en"><head><title>Signed out</title></head><body><main><h1>You have signed out</h1><p><a href="/.auth/login/aad">Sign in again</a></p></main></body></html>');
  }

  private async session(request: IncomingMessage, url: URL): Promise<ClientPrincipal | undefined> {
    const payload = await this.unseal(readCookie(request, cookieName(SESSION_COOKIE, url)));
    const principal = payload?.principal as ClientPrincipal | undefined;
    return principal && Array.isArray(principal.claims) ? principal : undefined;
  }

  private discover(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const answer = await fetch(`${this.options.issuer}/.well-known/openid-configuration`);
      if (!answer.ok) throw new Error(`OpenID configuration of ${this.options.issuer}: HTTP ${answer.status}`);
      return (await answer.json()) as Discovery;
    })().catch((error: unknown) => {
      this.discovery = undefined;
      throw error;
    });
    return this.discovery;
  }

  private seal(payload: Record<string, unknown>, lifetimeSeconds: number): Promise<string> {
    return new EncryptJWT(payload).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).setIssuedAt().setExpirationTime(`${lifetimeSeconds}s`).encrypt(this.key);
  }

  private async unseal(value: string | undefined): Promise<JWTPayload | undefined> {
    if (!value) return undefined;
    try {
      return (await jwtDecrypt(value, this.key)).payload;
    } catch {
      return undefined;
    }
  }
}

/** The principal App Service builds from an Entra ID token. */
export function principalOf(claims: JWTPayload): ClientPrincipal {
  const entries: { typ: string; val: string }[] = [];
  for (const [name, value] of Object.entries(claims)) {
    if (['aud', 'iss', 'iat', 'nbf', 'exp', 'nonce'].includes(name)) continue;
    const typ = LONG_CLAIM_NAMES[name] ?? name;
    for (const item of Array.isArray(value) ? value : [value]) entries.push({ typ, val: String(item) });
  }
  const name = claims.preferred_username ?? claims.name ?? claims.sub;
  if (name !== undefined) entries.push({ typ: NAME_TYPE, val: String(name) });
  return { auth_typ: 'aad', name_typ: NAME_TYPE, role_typ: ROLE_TYPE, claims: entries };
}

/** Only a path on this site (no other origin, no scheme-relative `//host`). */
function safeRedirect(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}

function callbackUrl(request: IncomingMessage, url: URL): string {
  const scheme = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return `${scheme}://${url.host}/.auth/login/aad/callback`;
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

function cookie(name: string, value: string, maxAgeSeconds: number, path: string): string {
  return `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Lax`;
}

function redirectTo(response: ServerResponse, location: string): true {
  response.writeHead(302, { location, 'cache-control': 'no-store' }).end();
  return true;
}

function answer(response: ServerResponse, status: number, contentType: string, body: string): true {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
  return true;
}
