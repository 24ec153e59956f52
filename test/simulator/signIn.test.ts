// The simulator's interactive sign-in: the authorization code flow with PKCE on a login host,
// for world users with passwords and app role assignments (what App Service Authentication uses).
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { RunningSimulator } from '../../infra/local/simulator';
import { appOf, startTestSimulator, tenantNamed } from '../support/simulator';

const REDIRECT = 'https://127.0.0.1:7443/.auth/login/aad/callback';
const ADMIN = { login: 'admin@contoso.com', passwd: 'sim-console-admin-1' };

describe('simulator sign-in: authorization code flow with PKCE', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim?.stop());

  function flow() {
    const contoso = tenantNamed(sim, 'Contoso');
    const app = appOf(sim, contoso);
    const verifier = randomBytes(32).toString('base64url');
    const params = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      state: 'state-1',
      nonce: 'nonce-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const authorize = `${contoso.loginBaseUrl}/${contoso.id}/oauth2/v2.0/authorize`;
    const token = `${contoso.loginBaseUrl}/${contoso.id}/oauth2/v2.0/token`;
    return { contoso, app, verifier, params, authorize, token };
  }

  async function signIn(f: ReturnType<typeof flow>, credentials: { login: string; passwd: string }): Promise<Response> {
    return fetch(f.authorize, { method: 'POST', body: new URLSearchParams({ ...Object.fromEntries(f.params), ...credentials }), redirect: 'manual' });
  }

  async function redeem(f: ReturnType<typeof flow>, code: string, verifier = f.verifier): Promise<Response> {
    return fetch(f.token, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: f.app.clientId, code, redirect_uri: REDIRECT, code_verifier: verifier, client_secret: f.app.clientSecret }),
    });
  }

  it('shows a labelled sign-in page carrying the request, then redirects back with a code and the state', async () => {
    const f = flow();
    const page = await fetch(`${f.authorize}?${f.params}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<label for="login">');
    expect(html).toContain('<label for="passwd">');
    expect(html).toContain(`value="${f.params.get('code_challenge')}"`);

    const answer = await signIn(f, ADMIN);
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('state-1');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('redeems the code once, with the right verifier, for an ID token with the app roles signed by the published keys', async () => {
    const f = flow();
    const code = new URL((await signIn(f, ADMIN)).headers.get('location')!).searchParams.get('code')!;
    const wrong = await redeem(f, code, randomBytes(32).toString('base64url'));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    // A refused redemption used the code up (one use only).
    expect(await (await redeem(f, code)).json()).toMatchObject({ error: 'invalid_grant', error_codes: [70008] });

    const f3 = flow();
    const code3 = new URL((await signIn(f3, ADMIN)).headers.get('location')!).searchParams.get('code')!;
    const good = await redeem(f3, code3);
    expect(good.status).toBe(200);
    const { id_token: idToken } = (await good.json()) as { id_token: string };
    const discovery = (await (await fetch(`${f3.contoso.loginBaseUrl}/${f3.contoso.id}/v2.0/.well-known/openid-configuration`)).json()) as { jwks_uri: string; issuer: string };
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer: discovery.issuer, audience: f3.app.clientId });
    expect(payload).toMatchObject({ tid: f3.contoso.id, preferred_username: 'admin@contoso.com', name: 'Contoso Administrator', roles: ['Partnerships.Admin'], nonce: 'nonce-1' });
    const again = await redeem(f3, code3);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('gives a user without an assignment no roles, and refuses a wrong password on the page', async () => {
    const f = flow();
    const refused = await signIn(f, { login: ADMIN.login, passwd: 'not-the-password' });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain('AADSTS50126');
    const code = new URL((await signIn(f, { login: 'adele.vance@contoso.com', passwd: 'sim-console-user-1' })).headers.get('location')!).searchParams.get('code')!;
    const { id_token: idToken } = (await (await redeem(f, code)).json()) as { id_token: string };
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims.preferred_username).toBe('adele.vance@contoso.com');
    expect(claims.roles).toBeUndefined();
  });

  it('refuses an unregistered redirect URI, a request without PKCE and an unknown client, without a sign-in page', async () => {
    const f = flow();
    const elsewhere = new URLSearchParams(f.params);
    elsewhere.set('redirect_uri', 'https://attacker.example/callback');
    const noPkce = new URLSearchParams(f.params);
    noPkce.delete('code_challenge');
    const unknown = new URLSearchParams(f.params);
    unknown.set('client_id', '00000000-1111-2222-3333-444444444444');
    for (const [params, code] of [[elsewhere, 50011], [noPkce, 501491], [unknown, 700016]] as const) {
      const answer = await fetch(`${f.authorize}?${params}`);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error_codes: [code] });
    }
    // A loopback redirect URI matches on any port (Entra's rule), another host never does.
    const otherPort = new URLSearchParams(f.params);
    otherPort.set('redirect_uri', 'https://127.0.0.1:9999/.auth/login/aad/callback');
    expect((await fetch(`${f.authorize}?${otherPort}`)).status).toBe(200);
  });
});
