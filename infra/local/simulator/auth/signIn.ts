// Interactive sign-in on the login hosts: the OAuth 2.0 authorization code flow with PKCE, as
// Entra ID runs it for a web app (App Service Authentication is one). `GET …/oauth2/v2.0/authorize`
// shows a sign-in page; `POST …/oauth2/v2.0/authorize` checks the world user's password and
// redirects back with a one-time code; `POST …/oauth2/v2.0/token` with `grant_type=
// authorization_code` redeems it against the `code_verifier` (and the client secret when one is
// sent) for an ID token carrying the user's app roles. Only apps with a `signIn` block in the
// world take part; see docs/console.md.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Engine } from '../engine';
import type { HttpReply } from '../http';
import type { TenantState } from '../state';
import type { WorldApp, WorldUser } from '../world';

/** How long an issued code may be redeemed (Entra: about 10 minutes; shorter is enough here). */
export const AUTHORIZATION_CODE_LIFETIME_MS = 5 * 60_000;
/** Lifetime of the ID tokens issued to signed-in users. */
export const ID_TOKEN_LIFETIME_SECONDS = 3_600;
const MAX_PENDING_CODES = 10_000;

interface PendingCode {
  clientId: string;
  tenantId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  user: WorldUser;
  expiresAt: number;
}

/** The one-time codes issued and not yet redeemed, per engine (a simulator process). */
const codesByEngine = new WeakMap<Engine, Map<string, PendingCode>>();

function pendingCodes(engine: Engine): Map<string, PendingCode> {
  let codes = codesByEngine.get(engine);
  if (!codes) {
    codes = new Map();
    codesByEngine.set(engine, codes);
  }
  return codes;
}

type OAuthError = (status: number, error: string, code: number, description: string) => HttpReply;

interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  nonce?: string;
  scope: string;
  app: WorldApp;
}

/** Reads and checks the authorize parameters; an error that cannot go back to the app is shown here. */
function authorizeRequest(engine: Engine, tenant: TenantState, params: URLSearchParams, oauthError: OAuthError): AuthorizeRequest | HttpReply {
  const clientId = params.get('client_id') ?? '';
  const app = engine.app(clientId);
  if (!app || app.tenantId.toLowerCase() !== tenant.id.toLowerCase() || !app.signIn) {
    return oauthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'.`);
  }
  const redirectUri = params.get('redirect_uri') ?? '';
  if (!redirectUriAllowed(app, redirectUri)) {
    return oauthError(400, 'invalid_request', 50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`);
  }
  if (params.get('response_type') !== 'code') {
    return oauthError(400, 'unsupported_response_type', 700054, "Only response_type 'code' is simulated.");
  }
  const codeChallenge = params.get('code_challenge') ?? '';
  if (params.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    return oauthError(400, 'invalid_request', 501491, 'A code_challenge (S256, 43 base64url characters) is required: PKCE is mandatory here.');
  }
  const scope = params.get('scope') ?? '';
  if (!scope.split(/\s+/).includes('openid')) return oauthError(400, 'invalid_scope', 70011, "The scope must include 'openid'.");
  const nonce = params.get('nonce') ?? undefined;
  return { clientId, redirectUri, state: params.get('state') ?? '', codeChallenge, nonce, scope, app };
}

/** Entra's rule: a registered loopback redirect URI matches the same path on any port. */
export function redirectUriAllowed(app: WorldApp, redirectUri: string): boolean {
  let requested: URL;
  try {
    requested = new URL(redirectUri);
  } catch {
    return false;
  }
  return (app.signIn?.redirectUris ?? []).some((registered) => {
    const allowed = new URL(registered);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(allowed.hostname);
    return (
      allowed.protocol === requested.protocol &&
      allowed.hostname === requested.hostname &&
      allowed.pathname === requested.pathname &&
      (loopback || allowed.port === requested.port)
    );
  });
}

/** GET (show the page) or POST (check the password) of `…/oauth2/v2.0/authorize`. */
export function handleAuthorize(engine: Engine, tenant: TenantState, method: string, query: URLSearchParams, form: URLSearchParams, oauthError: OAuthError): HttpReply {
  const params = method === 'POST' ? form : query;
  const request = authorizeRequest(engine, tenant, params, oauthError);
  if ('status' in request) return request;
  if (method === 'GET') return signInPage(tenant, request, params);

  const login = (form.get('login') ?? '').trim().toLowerCase();
  const password = form.get('passwd') ?? '';
  const worldTenant = engine.world.tenants.find((candidate) => candidate.id.toLowerCase() === tenant.id.toLowerCase());
  const user = worldTenant?.users.find((candidate) => candidate.userPrincipalName.toLowerCase() === login);
  if (!user || !user.password || !sameText(user.password, password) || user.accountEnabled === false) {
    return signInPage(tenant, request, params, "Your account or password is incorrect. (AADSTS50126)", 200);
  }
  const codes = pendingCodes(engine);
  const now = Date.now();
  for (const [key, pending] of codes) if (pending.expiresAt <= now) codes.delete(key);
  if (codes.size >= MAX_PENDING_CODES) codes.delete(codes.keys().next().value as string);
  const code = randomBytes(32).toString('base64url');
  codes.set(code, {
    clientId: request.clientId,
    tenantId: tenant.id,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    nonce: request.nonce,
    user,
    expiresAt: now + AUTHORIZATION_CODE_LIFETIME_MS,
  });
  const target = new URL(request.redirectUri);
  target.searchParams.set('code', code);
  if (request.state) target.searchParams.set('state', request.state);
  return { status: 302, headers: { Location: target.toString(), 'Cache-Control': 'no-store' } };
}

/** `grant_type=authorization_code` of `…/oauth2/v2.0/token`. */
export async function redeemAuthorizationCode(engine: Engine, host: string, tenant: TenantState, form: URLSearchParams, oauthError: OAuthError): Promise<HttpReply> {
  const codes = pendingCodes(engine);
  const code = form.get('code') ?? '';
  const pending = codes.get(code);
  // One use only, whatever happens next.
  codes.delete(code);
  if (!pending || pending.expiresAt <= Date.now() || pending.tenantId.toLowerCase() !== tenant.id.toLowerCase()) {
    return oauthError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired or was already used. Send a new interactive authorization request.');
  }
  const clientId = form.get('client_id') ?? '';
  const app = engine.app(clientId);
  if (!app || clientId.toLowerCase() !== pending.clientId.toLowerCase()) {
    return oauthError(400, 'invalid_grant', 700005, 'The authorization code was issued to another application.');
  }
  if ((form.get('redirect_uri') ?? '') !== pending.redirectUri) {
    return oauthError(400, 'invalid_grant', 70002, 'The redirect_uri does not match the one of the authorization request.');
  }
  const secret = form.get('client_secret');
  if (secret !== null && !sameText(secret, app.clientSecret)) {
    return oauthError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
  }
  const verifier = form.get('code_verifier') ?? '';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !sameText(challenge, pending.codeChallenge)) {
    return oauthError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
  }
  const roles = (app.signIn?.roleAssignments ?? [])
    .filter((assignment) => [pending.user.id, pending.user.userPrincipalName].some((key) => key.toLowerCase() === assignment.user.toLowerCase()))
    .flatMap((assignment) => assignment.roles);
  const idToken = await engine.tokens.signIdToken(
    {
      tid: tenant.id,
      oid: pending.user.id,
      sub: pending.user.id,
      name: pending.user.displayName,
      preferred_username: pending.user.userPrincipalName,
      ...(roles.length > 0 ? { roles: [...new Set(roles)] } : {}),
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
      ver: '2.0',
    },
    { audience: app.clientId, issuer: `${engine.url}/${host}/${tenant.id}/v2.0`, lifetimeSeconds: ID_TOKEN_LIFETIME_SECONDS },
  );
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store' },
    body: { token_type: 'Bearer', scope: 'openid profile', expires_in: ID_TOKEN_LIFETIME_SECONDS, id_token: idToken },
  };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The sign-in page: the authorize parameters ride along as hidden fields of the POST. */
function signInPage(tenant: TenantState, request: AuthorizeRequest, params: URLSearchParams, error?: string, status = 200): HttpReply {
  const hidden = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'response_mode']
    .filter((name) => params.get(name) !== null)
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) ?? '')}">`)
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}main{max-width:420px;margin:10vh auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
label{display:block;margin-top:16px;font-weight:600}input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:8px;margin-top:4px;border:1px solid #666;font-size:15px}
button{margin-top:24px;background:#0067b8;color:#fff;border:0;padding:8px 24px;font-size:15px;cursor:pointer}button:focus,input:focus{outline:2px solid #000;outline-offset:2px}
p.error{color:#a4262c}</style></head><body><main>
<h1>Sign in</h1><p>${escapeHtml(tenant.displayName)} — ${escapeHtml(request.app.displayName)}</p>
${error ? `<p class="error" role="alert" id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="">${hidden}
<label for="login">Email or user name</label><input id="login" name="login" type="email" autocomplete="username" required value="${escapeHtml(params.get('login') ?? params.get('login_hint') ?? '')}">
<label for="passwd">Password</label><input id="passwd" name="passwd" type="password" autocomplete="current-password" required>
<button type="submit" id="signin">Sign in</button></form></main></body></html>`;
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' }, body: html };
}
