// The API the console adds, on the local stack (one deployment, Contoso): the OpenAPI 3.1
// description (valid, complete, matching real answers), the dry run (writes nothing, anywhere),
// the capability preflight of both sides (the one check the CLI, the console and the dry run
// share), the audit events (paged, filtered, bad input refused), and sign-in headers a client
// forges (stripped by App Service Authentication, never trusted).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { preflight } from '../../shared/preflight';
import { api, contosoRequest, requestCount, useDeployments, WORLD, writeCount } from '../support/stack';

jest.setTimeout(180_000);

type Json = Record<string, any>;

/** The maintained validator (ESM only) in a child process: jest runs CommonJS. */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown; version?: string } {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
let text = ''; process.stdin.on('data', (c) => (text += c)); process.stdin.on('end', async () => {
  const validator = new Validator(); const result = await validator.validate(JSON.parse(text));
  process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors, version: validator.version }));
});`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(document), cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
  return JSON.parse(output);
}

/** The response schema of an operation, with component references inlined. */
function responseSchema(document: Json, path: string, method: string, status: string, contentType = 'application/json'): Json {
  const schema = document.paths[path]?.[method]?.responses?.[status]?.content?.[contentType]?.schema;
  if (!schema) throw new Error(`No ${status} ${contentType} answer for ${method.toUpperCase()} ${path} in the description`);
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (value && typeof value === 'object') {
      const ref = (value as Json).$ref;
      if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) return inline(document.components.schemas[ref.slice('#/components/schemas/'.length)]);
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, inline(child)]));
    }
    return value;
  };
  return inline(schema) as Json;
}

describe('the console API of Contoso (Global)', () => {
  const { stack, contoso } = useDeployments({ Contoso: WORLD.contoso });
  let description: Json;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const expectMatches = (path: string, method: string, status: string, body: unknown, contentType?: string): void => {
    const validate = ajv.compile(responseSchema(description, path, method, status, contentType));
    if (!validate(body)) throw new Error(`${method.toUpperCase()} ${path} ${status} does not match the description: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  };

  it('serves an OpenAPI 3.1 description that a maintained validator accepts, equal to the one the build wrote', async () => {
    const served = await api(contoso(), 'GET', '/api/openapi.json', { key: 'none' });
    expect(served.status).toBe(200);
    description = served.body;
    expect(description.openapi).toBe('3.1.0');
    expect(validateOpenApi(description)).toMatchObject({ valid: true, version: '3.1' });
    const built = JSON.parse(readFileSync(join(__dirname, '..', '..', 'dist', 'openapi.json'), 'utf8')) as Json;
    expect({ ...description, servers: undefined }).toEqual({ ...built, servers: undefined });
    expect(validateOpenApi({ ...description, openapi: '3.1.0', paths: { '/x': { get: { responses: 'not an object' } } } }).valid).toBe(false);
  });

  it('describes every HTTP route the app registers on the host, with its methods', async () => {
    const functions = (await api(contoso(), 'GET', '/admin/functions', { key: 'master' })).body as { name: string; kind: string; config: { bindings: Json[] } }[];
    const http = functions.filter((fn) => fn.kind === 'http');
    expect(http.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const fn of http) {
      const trigger = fn.config.bindings.find((binding) => binding.type === 'httpTrigger') as Json;
      const route = `/api/${String(trigger.route).replace(/\{\*?([A-Za-z]+)[^}]*\}/g, '{$1}')}`;
      for (const method of (trigger.methods as string[]) ?? ['get']) {
        if (!description.paths[route]?.[method.toLowerCase()]) missing.push(`${method} ${route} (${fn.name})`);
      }
    }
    expect(missing).toEqual([]);
    // The request schema is the API's own, with every field explained.
    const request = description.components.schemas.PartnershipRequest;
    expect(request.properties.partnerCloud.enum).toEqual(['Global', 'GCC', 'GCCHigh', 'DoD', 'China']);
    expect(request.properties.teams.properties.federation.description).toMatch(/External access/);
    expect(request.properties.guests.items.anyOf[1].properties.teams.description).toMatch(/Teams of this tenant/);
    // Every admin route has its signed-in console copy, with the header the console sends.
    const adminRoutes = Object.keys(description.paths).filter((path) => path.startsWith('/api/') && !path.startsWith('/api/console'));
    for (const path of adminRoutes) {
      for (const [method, operation] of Object.entries(description.paths[path] as Json)) {
        if ((operation as Json).security.length === 0) continue;
        const copy = description.paths[path.replace('/api/', '/api/console-api/')]?.[method];
        expect(copy?.security).toEqual([{ appServiceAuthentication: [] }]);
      }
    }
    expect(description.paths['/api/console-api/health'].get.responses['403']).toBeDefined();
  });

  it('dry run: validates, checks both sides’ rules and returns the plan for this tenant, writing nothing anywhere', async () => {
    const writes = await writeCount(stack(), WORLD.contoso);
    const preview = await api(contoso(), 'POST', '/api/partnerships?dryRun=true', { body: contosoRequest(stack()) });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, localCloud: 'Global', partnerCloud: 'China', empty: false, desired: { partnerTenantId: WORLD.china } });
    expect(preview.body.operations.map((operation: Json) => operation.kind)).toEqual(expect.arrayContaining(['cloudEndpoints.update', 'partner.create']));
    expectMatches('/api/partnerships', 'post', '200', preview.body);

    // The dry run carries the capability check of both sides for exactly this request.
    expect(preview.body.capabilities).toMatchObject({ local: 'Global', partner: 'China', violations: [], capabilities: { crossCloudMeetings: { allowed: true, requested: true } } });

    // The partner's rules: a China tenant cannot authorise Microsoft 365 capabilities for Contoso's users.
    const refused = await api(contoso(), 'POST', '/api/partnerships?dryRun=true', {
      body: contosoRequest(stack(), { m365Capabilities: { outbound: { calendarAvailability: 'basic' } } }),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.violations).toEqual([expect.objectContaining({ code: 'm365.global-service-only', side: 'partner', field: 'm365Capabilities.outbound' })]);
    expectMatches('/api/partnerships', 'post', '422', refused.body, 'application/problem+json');

    const invalid = await api(contoso(), 'POST', '/api/partnerships?dryRun=true', { body: { partnerCloud: 'Mars' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues.map((issue: Json) => issue.field)).toEqual(expect.arrayContaining(['partnerCloud', 'partnerDeploymentUrl', 'partnerTenantId']));
    const badFlag = await api(contoso(), 'POST', '/api/partnerships?dryRun=yes', { body: contosoRequest(stack()) });
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.issues).toEqual([{ field: 'dryRun', message: 'must be true or false' }]);

    expect(await writeCount(stack(), WORLD.contoso)).toBe(writes);
    expect(await writeCount(stack(), WORLD.china)).toBe(0);
    expect((await api(contoso(), 'GET', '/api/partnerships')).body.partnerships).toEqual([]);
    expect((await api(contoso(), 'GET', '/api/events')).body.events).toEqual([]);
  });

  it('capability check: the pair (GET), or exactly what a request asks (POST), for both sides — the same verdicts as handshake check; pure', async () => {
    const reads = await requestCount(stack(), WORLD.contoso);
    const pair = await api(contoso(), 'GET', '/api/capabilities/check?partner=China');
    expect(pair.status).toBe(200);
    expect(pair.body).toEqual(preflight('Global', 'China'));
    expectMatches('/api/capabilities/check', 'get', '200', pair.body);
    expect(pair.body.capabilities.b2bDirectConnect).toMatchObject({ allowed: false, code: 'b2b-direct-connect.cross-cloud', side: 'both' });

    // The console's live check: the request as filled in so far, the partner named by its partnerCloud.
    const asked = { partnerCloud: 'China', b2bDirectConnect: { inbound: { users: 'all' } }, crossTenantSync: { direction: 'inbound' } };
    const refused = await api(contoso(), 'POST', '/api/capabilities/check', { body: asked });
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual(preflight('Global', 'China', asked));
    expect(refused.body.violations.map((violation: Json) => [violation.code, violation.side])).toEqual([
      ['b2b-direct-connect.cross-cloud', 'both'],
      ['sync.direction-not-allowed', 'partner'],
      ['sync.china-unsupported', 'partner'],
    ]);
    expectMatches('/api/capabilities/check', 'post', '200', refused.body);
    const alias = await api(contoso(), 'POST', '/api/capabilities/check?partner=USGov', { body: { teams: { federation: true } } });
    expect(alias.body).toMatchObject({ local: 'Global', partner: 'GCCHigh', violations: [] });
    // A whole partnership request is checked as it is (identity, deployment and vouched-for domains included).
    const whole = await api(contoso(), 'POST', '/api/capabilities/check', { body: contosoRequest(stack()) });
    expect(whole.body.violations).toEqual([]);

    for (const [method, path, body, field] of [
      ['GET', '/api/capabilities/check', undefined, 'partner'],
      ['GET', '/api/capabilities/check?partner=Mars', undefined, 'partner'],
      ['POST', '/api/capabilities/check', { partnerCloud: 'China', teams: { federation: 'yes' } }, 'teams.federation'],
      ['POST', '/api/capabilities/check?partner=GCC', { partnerCloud: 'China' }, 'partnerCloud'],
    ] as const) {
      const bad = await api(contoso(), method, path, body === undefined ? {} : { body });
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((issue: Json) => issue.field)).toContain(field);
      expectMatches('/api/capabilities/check', method.toLowerCase(), '400', bad.body, 'application/problem+json');
    }
    // The old console-only route is gone: one check for the CLI, the console and the dry run.
    expect((await api(contoso(), 'POST', '/api/preflight', { body: { partnerCloud: 'China' } })).status).toBe(404);
    // Pure: it reads nothing from the tenant.
    expect(await requestCount(stack(), WORLD.contoso)).toBe(reads);
  });

  it('serves the deployment health to an administrator only (function key or console session)', async () => {
    const health = await api(contoso(), 'GET', '/api/health');
    expect([200, 503]).toContain(health.status);
    expectMatches('/api/health', 'get', String(health.status), health.body);
    expect(health.body.checks.map((check: Json) => check.name)).toEqual(expect.arrayContaining(['configuration', 'storage', 'signing-key']));
    expect((await api(contoso(), 'GET', '/api/health', { key: 'none' })).status).toBe(401);
    const anonymousConsole = await api(contoso(), 'GET', '/api/console-api/health', { key: 'none', headers: { 'x-console-request': '1' } });
    expect(anonymousConsole.status).toBe(401);
    expect(anonymousConsole.body).toMatchObject({ code: 'auth.sign-in-required' });
  });

  it('events: paged with continuation tokens and nextLink, filtered by partnership, actor, type and time; bad queries refused', async () => {
    // Two requested partnerships (their partner deployment does not exist: the events are what counts).
    const first = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack(), { partnerDeploymentUrl: 'https://127.0.0.1:9' }) });
    const second = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack(), { partnerDeploymentUrl: 'https://127.0.0.1:9', partnerTenantId: WORLD.usgov, partnerCloud: 'USGov', teams: { federation: true } }) });
    expect([first.status, second.status]).toEqual([202, 202]);

    const all = await api(contoso(), 'GET', '/api/events?$top=200');
    expect(all.status).toBe(200);
    expectMatches('/api/events', 'get', '200', all.body);
    const requested = all.body.events.filter((event: Json) => event.type === 'partnership.requested');
    expect(requested).toHaveLength(2);
    expect(requested.every((event: Json) => event.actor === 'admin:function-key')).toBe(true);

    const pages: Json[][] = [];
    let next: string | undefined = `/api/events?$top=1`;
    while (next) {
      const page: Json = await api(contoso(), 'GET', next);
      expect(page.status).toBe(200);
      pages.push(page.body.events);
      expect(page.body.events.length).toBeLessThanOrEqual(1);
      if (page.body.continuationToken) {
        const link = new URL(page.body.nextLink);
        expect(link.searchParams.get('continuationToken')).toBe(page.body.continuationToken);
        next = `${link.pathname}${link.search}`;
      } else {
        next = undefined;
      }
    }
    // The workflows keep appending while this pages: every event seen before is on a page, once.
    const paged = pages.flat().map((event) => `${event.partnershipId}/${event.id}`);
    expect(new Set(paged).size).toBe(paged.length);
    expect(paged).toEqual(expect.arrayContaining(all.body.events.map((event: Json) => `${event.partnershipId}/${event.id}`)));

    const ofFirst = await api(contoso(), 'GET', `/api/events?partnership=${first.body.id}`);
    expect(ofFirst.body.events.length).toBeGreaterThan(0);
    expect(ofFirst.body.events.every((event: Json) => event.partnershipId === first.body.id)).toBe(true);
    const byType = await api(contoso(), 'GET', '/api/events?type=partnership.requested');
    expect(byType.body.events).toHaveLength(2);
    const byActor = await api(contoso(), 'GET', `/api/events?actor=${encodeURIComponent('admin:function-key')}`);
    expect(byActor.body.events.map((event: Json) => event.type)).toEqual(expect.arrayContaining(['partnership.requested']));
    expect(byActor.body.events.every((event: Json) => event.actor === 'admin:function-key')).toBe(true);
    const future = await api(contoso(), 'GET', `/api/events?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.body.events).toEqual([]);

    for (const [query, field] of [
      ['$top=0', '$top'],
      ['$top=500', '$top'],
      ['since=yesterday', 'since'],
      ['continuationToken=not-a-token', 'continuationToken'],
      ['colour=blue', 'colour'],
    ]) {
      const bad = await api(contoso(), 'GET', `/api/events?${query}`);
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((issue: Json) => issue.field)).toContain(field);
      expectMatches('/api/events', 'get', '400', bad.body, 'application/problem+json');
    }
    const list = await api(contoso(), 'GET', '/api/partnerships');
    expectMatches('/api/partnerships', 'get', '200', list.body);
    const details = await api(contoso(), 'GET', `/api/partnerships/${first.body.id}`);
    expectMatches('/api/partnerships/{id}', 'get', '200', details.body);
  });

  it('never trusts a principal header sent by a client: stripped before the app, so the console API refuses and the key route records the key', async () => {
    const forged = Buffer.from(
      JSON.stringify({ auth_typ: 'aad', name_typ: 'name', role_typ: 'roles', claims: [{ typ: 'name', val: 'mallory@contoso.com' }, { typ: 'roles', val: 'Partnerships.Admin' }] }),
    ).toString('base64');
    const refused = await api(contoso(), 'GET', '/api/console-api/partnerships', { key: 'none', headers: { 'x-ms-client-principal': forged, 'x-console-request': '1' } });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'auth.sign-in-required' });
    expectMatches('/api/console-api/partnerships', 'get', '401', refused.body, 'application/problem+json');

    const created = await api(contoso(), 'POST', '/api/partnerships', {
      headers: { 'x-ms-client-principal': forged },
      body: contosoRequest(stack(), { partnerDeploymentUrl: 'https://127.0.0.1:9', partnerTenantId: WORLD.fabrikam, partnerCloud: 'Global', teams: { federation: true } }),
    });
    expect(created.status).toBe(202);
    const events = await api(contoso(), 'GET', `/api/events?partnership=${created.body.id}&type=partnership.requested`);
    expect(events.body.events.map((event: Json) => event.actor)).toEqual(['admin:function-key']);

    // The console page itself sends an anonymous visitor to sign in, naming where to come back.
    const page = await fetch(`${contoso().baseUrl}/api/console/audit?type=x`, { redirect: 'manual', headers: { 'x-ms-client-principal': forged } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent('/api/console/audit?type=x')}`);
    const me = await fetch(`${contoso().baseUrl}/.auth/me`);
    expect(me.status).toBe(401);
  });

  it('App Service Authentication (emulated): sign-in with PKCE, the session serves the console API as the admin, safe redirects, logout', async () => {
    const base = contoso().baseUrl;
    const jar = new Map<string, string>();
    const remember = (response: Response): void => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const index = pair.indexOf('=');
        const value = pair.slice(index + 1);
        if (value === '' || /Max-Age=0/.test(line)) jar.delete(pair.slice(0, index));
        else jar.set(pair.slice(0, index), value);
      }
    };
    const cookies = (): string => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const get = async (url: string): Promise<Response> => {
      const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookies() } });
      remember(response);
      return response;
    };

    // An absolute or scheme-relative return address is not followed: the admin lands on the site.
    const login = await get(`${base}/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent('//attacker.example/x')}&login_hint=admin%40contoso.com`);
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.pathname).toBe(`/login.microsoftonline.com/${WORLD.contoso}/oauth2/v2.0/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/.auth/login/aad/callback`);
    expect(authorize.searchParams.get('login_hint')).toBe('admin@contoso.com');
    const signedIn = await fetch(authorize, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), login: 'admin@contoso.com', passwd: 'sim-console-admin-1' }),
    });
    const callback = new URL(signedIn.headers.get('location')!);
    // A callback whose state is not the one this browser started with is refused.
    const forgedState = new URL(callback);
    forgedState.searchParams.set('state', 'forged');
    expect((await get(forgedState.toString())).status).toBe(401);
    const back = await get(callback.toString());
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/');

    const me = await get(`${base}/.auth/me`);
    expect(me.status).toBe(200);
    const [identity] = (await me.json()) as { provider_name: string; user_id: string; user_claims: { typ: string; val: string }[] }[];
    expect(identity).toMatchObject({ provider_name: 'aad', user_id: 'admin@contoso.com' });
    expect(identity.user_claims).toEqual(expect.arrayContaining([{ typ: 'roles', val: 'Partnerships.Admin' }]));

    const headers = { cookie: cookies(), 'content-type': 'application/json' };
    const withoutHeader = await fetch(`${base}/api/console-api/partnerships`, { headers });
    expect(withoutHeader.status).toBe(400);
    expect(await withoutHeader.json()).toMatchObject({ issues: [{ field: 'x-console-request', message: 'is required' }] });
    const created = await fetch(`${base}/api/console-api/partnerships`, {
      method: 'POST',
      headers: { ...headers, 'x-console-request': '1' },
      body: JSON.stringify(contosoRequest(stack(), { partnerDeploymentUrl: 'https://127.0.0.1:9', partnerTenantId: WORLD.usgov, partnerCloud: 'USGov', teams: { federation: true } })),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const events = await api(contoso(), 'GET', `/api/events?partnership=${id}&type=partnership.requested`);
    expect(events.body.events.map((event: Json) => event.actor)).toEqual(['admin:admin@contoso.com']);

    const logout = await get(`${base}/.auth/logout?post_logout_redirect_uri=${encodeURIComponent('/api/console')}`);
    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe('/api/console');
    expect((await get(`${base}/.auth/me`)).status).toBe(401);
    const after = await fetch(`${base}/api/console-api/partnerships`, { headers: { cookie: cookies(), 'x-console-request': '1' } });
    expect(after.status).toBe(401);
  });
});
