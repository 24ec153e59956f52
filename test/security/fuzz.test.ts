// Fuzzed input to every HTTP route of the app on a running deployment (the local stack): the routes
// are enumerated from the host (GET /admin/functions), then fast-check sends arbitrary methods,
// route values, query strings, headers and bodies. Whatever arrives: never a 5xx, never a stack
// trace or a setting value in an answer, and a 4xx changes nothing (Partnerships, Keys, Nonces,
// Events, Subscriptions, the simulator's tenants).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { generateDeploymentKey } from '../../shared/handshake';
import { strangerInvitation } from '../bench/attacks/robustness';
import { changedBetween, snapshotDeployment, type DeploymentSnapshot } from '../support/deploymentState';
import { api, useDeployments, WORLD } from '../support/stack';

jest.setTimeout(240_000);

interface HttpRoute {
  name: string;
  /** Below the origin, e.g. `/api/partnerships/{id}/approve`. */
  template: string;
  methods: string[];
  authLevel: string;
}

interface FuzzRequest {
  route: HttpRoute;
  method: string;
  params: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string;
}

const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+|node_modules|\/dist\/|\.ts:\d+/;
/** Settings whose values are public identifiers: a sign-in redirect names them (with what they contain). */
const PUBLIC_SETTINGS = ['PUBLIC_BASE_URL', 'WEBSITE_AUTH_CLIENT_ID', 'WEBSITE_AUTH_OPENID_ISSUER'];
/** Settings that hold secrets: never in any answer, to anyone. */
const SECRET_SETTING = /key|secret|password|connection|token|credential|storage/i;

describe('fuzzed input to every route', () => {
  const { stack, china } = useDeployments(
    { China: WORLD.china },
    // Nothing runs on its own while the fuzzer watches the tables.
    { settings: { RECONCILE_SCHEDULE: '0 0 0 1 1 *', HOUSEKEEPING_SCHEDULE: '0 0 0 1 1 *' } },
  );

  it('never a 5xx, a leak or a change on refusal', async () => {
    const deployment = china();
    const listed = await api(deployment, 'GET', '/admin/functions', { key: 'master' });
    expect(listed.status).toBe(200);
    const routes: HttpRoute[] = (listed.body as { kind: string; name: string; invoke_url_template: string; config: { bindings: Record<string, unknown>[] } }[])
      .filter((fn) => fn.kind === 'http')
      .map((fn) => {
        const trigger = fn.config.bindings.find((binding) => binding.type === 'httpTrigger')!;
        return {
          name: fn.name,
          template: decodeURI(new URL(fn.invoke_url_template).pathname),
          methods: ((trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map((method) => method.toUpperCase()),
          authLevel: String(trigger.authLevel ?? 'anonymous'),
        };
      });
    // Every route family of the app is there (the list is the host's, not this test's).
    expect(routes.map((route) => route.template)).toEqual(
      expect.arrayContaining(['/api/partnerships', '/api/partnerships/{id}/approve', '/api/handshake/messages', '/api/graph/notifications']),
    );

    // A real invitation waiting for approval, so route values sometimes name something that exists.
    const invitation = await strangerInvitation({ baseUrl: deployment.baseUrl, tenantId: WORLD.china, cloud: 'China' }, '6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f', (await generateDeploymentKey()).key);
    const draft = await api(deployment, 'POST', '/api/handshake/messages', { body: invitation, contentType: 'application/jose', key: 'none' });
    expect(draft.status).toBe(202);
    const realId = String(draft.body.id);

    // What must never appear in an answer: the deployment's secrets and settings.
    expect((await api(deployment, 'GET', '/api/handshake/jwks', { key: 'none' })).status).toBe(200); // the key file exists from here
    const keyFile = readFileSync(deployment.keyFile, 'utf8');
    // The rule (docs/security.md, "What an anonymous caller learns"): an anonymous answer carries
    // no secret and no setting value but the public identifiers a sign-in redirect must name — the
    // site's own URL, the sign-in app's client id and its issuer URL (and what they contain: the
    // tenant id, the login host). An admin (function key) may read the deployment's own
    // configuration (GET /api/health names its tenant and schedule), never a secret.
    const settingValues = Object.entries(deployment.settings).filter(([, value]) => value.length >= 12);
    const isSecret = (name: string): boolean => SECRET_SETTING.test(name);
    const publicValues = settingValues.filter(([name]) => PUBLIC_SETTINGS.includes(name)).map(([, value]) => value);
    const secretSettings = settingValues.filter(([name]) => isSecret(name)).map(([, value]) => value);
    const nonPublicSettings = settingValues
      .filter(([name, value]) => !isSecret(name) && !publicValues.some((identifier) => identifier.includes(value)))
      .map(([, value]) => value);
    // The rule is not empty: the secrets and the deployment's other settings are there to be caught.
    expect(secretSettings).toEqual(expect.arrayContaining([deployment.settings.CLIENT_SECRET, deployment.settings.AzureWebJobsStorage]));
    expect(nonPublicSettings).toEqual(expect.arrayContaining([deployment.settings.NODE_EXTRA_CA_CERTS]));
    const secrets = [
      ...secretSettings,
      deployment.masterKey,
      deployment.functionKey,
      deployment.systemKey,
      String(JSON.parse(keyFile).privateJwk.d),
      ...(/AccountKey=([^;]+)/.exec(stack().azurite.connectionString)?.slice(1) ?? []),
    ];

    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom('', ' ', '..', '../..', '%00', '%2F', 'null', '-1', '0', 'undefined', '<script>', "'; DROP TABLE", '\u202e', 'x'.repeat(300)),
    );
    const routeValue = fc.oneof(text, fc.uuid(), fc.constant(realId), fc.constant(realId.toUpperCase()));
    const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((name) => !['content-length', 'host', 'connection', 'transfer-encoding', 'expect', 'upgrade', 'keep-alive'].includes(name));
    const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
    const body = fc.oneof(
      fc.constant(undefined),
      fc.json({ maxDepth: 3 }),
      text,
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify({ value: [value] })),
      fc.record({ pairingCode: text, reason: text }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
      fc.constantFrom('{', '[]', '{"value":[]}', 'a.b.c', 'eyJhbGciOiJFZERTQSJ9.e30.AAAA', 'x'.repeat(70_000)),
    );
    const request: fc.Arbitrary<FuzzRequest> = fc
      .record({
        route: fc.constantFrom(...routes),
        // Mostly the route's own method, sometimes another one.
        otherMethod: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), weight: 1 }),
        params: fc.dictionary(fc.constantFrom('id', 'rest'), routeValue, { maxKeys: 2 }),
        query: fc.array(fc.tuple(fc.oneof(fc.constantFrom('$top', 'continuationToken', 'status', 'mode', 'validationToken', 'code'), fc.string({ maxLength: 10 })), text), { maxLength: 3 }),
        key: fc.oneof({ arbitrary: fc.constant('function'), weight: 4 }, { arbitrary: fc.constantFrom('none', 'wrong'), weight: 1 }),
        contentType: fc.option(fc.oneof(fc.constantFrom('application/json', 'application/jose', 'text/plain', 'application/x-www-form-urlencoded'), headerValue)),
        extraHeaders: fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
        body,
      })
      .map((r) => {
        const method = r.otherMethod ?? r.route.methods[0];
        const headers: Record<string, string> = { ...r.extraHeaders };
        if (r.key === 'function') headers['x-functions-key'] = deployment.functionKey;
        if (r.key === 'wrong') headers['x-functions-key'] = 'not-the-key-0000000000';
        if (r.contentType !== null) headers['content-type'] = r.contentType;
        return { route: r.route, method, params: r.params, query: r.query, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body: r.body }) };
      });

    let baseline: DeploymentSnapshot = await snapshotDeployment(stack(), deployment);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async (fuzz) => {
        const path = fuzz.route.template.replace(/\{(\w+)[^}]*\}/g, (_match, name: string) => encodeURIComponent(fuzz.params[name] ?? 'x'));
        const url = new URL(`${deployment.baseUrl}${path}`);
        for (const [name, value] of fuzz.query) url.searchParams.append(name, value);
        // The answer itself, not where it points: a redirect to the sign-in page is not followed.
        const response = await fetch(url, { method: fuzz.method, headers: fuzz.headers, body: fuzz.body, redirect: 'manual' });
        const answer = await response.text();
        sent += 1;
        const what = `${fuzz.method} ${url.pathname}${url.search} → ${response.status} ${answer.slice(0, 300)}`;

        if (response.status >= 500) throw new Error(`5xx: ${what}`);
        const exposed = answer + JSON.stringify([...response.headers.entries()]);
        if (STACK_TRACE.test(exposed)) throw new Error(`stack trace in the answer: ${what}`);
        const leaked = [...secrets, ...(fuzz.route.authLevel === 'anonymous' ? nonPublicSettings : [])].find((secret) => exposed.includes(secret));
        if (leaked) throw new Error(`a setting value in the answer: ${what}`);

        const after = await snapshotDeployment(stack(), deployment);
        if (response.status >= 400 && response.status < 500) {
          const changes = changedBetween(baseline, after);
          if (changes.length > 0) throw new Error(`refused (${response.status}) yet changed ${changes.join(', ')}: ${what}`);
        }
        baseline = after;
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 250), endOnFailure: true },
    );
    expect(sent).toBeGreaterThanOrEqual(Number(process.env.FUZZ_RUNS ?? 250));
  });
});
