// HTTP triggers, keys, admin endpoints and settings, through real HTTP against a host process.
import { request, useWorkflowsHost } from '../support/host';

describe('HTTP triggers on the local host', () => {
  const { host } = useWorkflowsHost('host-http', { env: { OVERRIDDEN_SETTING: 'from-environment', TICK_SCHEDULE: undefined } });

  describe('routing', () => {
    it('serves a route with an optional parameter under the routePrefix', async () => {
      expect((await request(host(), 'GET', '/api/hello/Ada', { key: 'none' })).text).toBe('Hello, Ada!');
      expect((await request(host(), 'GET', '/api/hello?name=Bob', { key: 'none' })).text).toBe('Hello, Bob!');
      expect((await request(host(), 'GET', '/API/Hello', { key: 'none' })).text).toBe('Hello, world!');
      expect((await request(host(), 'GET', '/hello/Ada', { key: 'none' })).status).toBe(404);
    });

    it('passes method, route values, query, headers and a JSON body', async () => {
      const response = await request(host(), 'PUT', '/api/items/42/a/b?x=1&x=2&y=z', { body: { n: 1 }, headers: { 'x-custom': 'hi' }, key: 'none' });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-echo')).toBe('yes');
      expect(response.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly');
      expect(response.json()).toEqual({
        method: 'PUT',
        url: `${host().baseUrl}/api/items/42/a/b?x=1&x=2&y=z`,
        params: { id: '42', rest: 'a/b' },
        query: { x: '1,2', y: 'z' },
        custom: 'hi',
        contentType: 'application/json',
        body: { n: 1 },
      });
    });

    it('passes a text body', async () => {
      const response = await request(host(), 'POST', '/api/items/7', { rawBody: 'plain words', headers: { 'content-type': 'text/plain' }, key: 'none' });
      expect(response.json()).toMatchObject({ method: 'POST', params: { id: '7' }, body: 'plain words' });
    });

    it('round-trips a binary body', async () => {
      const bytes = Buffer.from([0, 1, 2, 254, 255]);
      const response = await fetch(`${host().baseUrl}/api/binary`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([255, 254, 2, 1, 0]));
    });

    it('prefers a literal route, honours constraints and methods', async () => {
      expect((await request(host(), 'GET', '/api/items/special', { key: 'none' })).text).toBe('literal route wins');
      expect((await request(host(), 'GET', '/api/items/notanumber', { key: 'none' })).status).toBe(404);
      expect((await request(host(), 'DELETE', '/api/hello/x', { key: 'none' })).status).toBe(404);
    });

    it('answers 204 when a handler returns nothing', async () => {
      expect((await request(host(), 'GET', '/api/no-response', { key: 'none' })).status).toBe(204);
    });
  });

  describe('auth levels', () => {
    it('lets anyone call an anonymous function', async () => {
      expect((await request(host(), 'GET', '/api/hello', { key: 'none' })).status).toBe(200);
    });

    it('requires the function key (header or ?code=) or the master key for a function-level function', async () => {
      expect((await request(host(), 'GET', '/api/secure', { key: 'none' })).status).toBe(401);
      expect((await request(host(), 'GET', '/api/secure', { key: { key: 'wrong-key-wrong-key' } })).status).toBe(401);
      expect((await request(host(), 'GET', '/api/secure', { key: 'function' })).json()).toEqual({ level: 'function' });
      expect((await request(host(), 'GET', '/api/secure', { key: 'master' })).status).toBe(200);
      expect((await request(host(), 'GET', `/api/secure?code=${encodeURIComponent(host().functionKey)}`, { key: 'none' })).status).toBe(200);
    });

    it('requires the master key for an admin-level function', async () => {
      expect((await request(host(), 'GET', '/api/admin-only', { key: 'function' })).status).toBe(401);
      expect((await request(host(), 'GET', '/api/admin-only', { key: 'master' })).json()).toEqual({ level: 'admin' });
    });

    it('guards the admin API with the master key', async () => {
      expect((await request(host(), 'GET', '/admin/host/status', { key: 'none' })).status).toBe(401);
      expect((await request(host(), 'GET', '/admin/host/status', { key: 'function' })).status).toBe(401);
      const status = await request(host(), 'GET', '/admin/host/status', { key: 'master' });
      expect(status.json()).toMatchObject({ state: 'Running' });
      expect((await request(host(), 'GET', '/admin/host/ping', { key: 'none' })).status).toBe(200);
    });

    it('never writes a key into its log', async () => {
      await request(host(), 'GET', `/api/secure?code=${encodeURIComponent(host().functionKey)}`, { key: 'none' });
      expect(host().output()).not.toContain(host().functionKey);
      expect(host().output()).not.toContain(host().masterKey);
    });
  });

  describe('failures', () => {
    it('answers 500 when a handler throws, logs the error, and keeps serving', async () => {
      const response = await request(host(), 'GET', '/api/boom', { key: 'none' });
      expect(response.status).toBe(500);
      await host().waitForOutput(/handler exploded on purpose/);
      expect((await request(host(), 'GET', '/api/hello', { key: 'none' })).status).toBe(200);
    });

    it('survives unhandled rejections and uncaught exceptions from app code', async () => {
      expect((await request(host(), 'GET', '/api/unhandled', { key: 'none' })).text).toBe('ok');
      await host().waitForOutput(/late uncaught exception on purpose/);
      await host().waitForOutput(/late unhandled rejection on purpose/);
      expect((await request(host(), 'GET', '/api/hello', { key: 'none' })).status).toBe(200);
    });
  });

  describe('app settings, hooks and the admin API', () => {
    it('loads local.settings.json Values, with the real environment winning', async () => {
      const settings = (await request(host(), 'GET', '/api/settings', { key: 'none' })).json<Record<string, string>>();
      expect(settings.fromFile).toBe('from-local-settings');
      expect(settings.overridden).toBe('from-environment');
      expect(settings.websiteHostname).toBe(new URL(host().baseUrl).host);
    });

    it('runs appStart and preInvocation hooks', async () => {
      expect((await request(host(), 'GET', '/api/hooks', { key: 'none' })).json()).toMatchObject({ appStarted: true });
    });

    it('lists functions and invokes a non-HTTP function with the master key', async () => {
      const list = (await request(host(), 'GET', '/admin/functions', { key: 'master' })).json<{ name: string; kind: string }[]>();
      expect(list.find((f) => f.name === 'sayHello')).toMatchObject({ kind: 'activity' });
      expect((await request(host(), 'POST', '/admin/functions/sayHello', { body: { input: 'admin' }, key: 'function' })).status).toBe(401);
      const invoked = await request(host(), 'POST', '/admin/functions/sayHello', { body: { input: 'admin' }, key: 'master' });
      expect(invoked.status).toBe(202);
      await host().waitForOutput(/Executing 'Functions\.sayHello' \(Reason='Manual'/);
      expect((await request(host(), 'POST', '/admin/functions/hello', { body: {}, key: 'master' })).status).toBe(400);
      expect((await request(host(), 'POST', '/admin/functions/nosuch', { body: {}, key: 'master' })).status).toBe(404);
    });
  });
});

describe('routePrefix from host.json', () => {
  const { host } = useWorkflowsHost('host-route-prefix', { env: { AzureFunctionsJobHost__extensions__http__routePrefix: 'v2' } });

  it('serves functions under the configured prefix only', async () => {
    expect((await request(host(), 'GET', '/v2/hello/Ann', { key: 'none' })).text).toBe('Hello, Ann!');
    expect((await request(host(), 'GET', '/api/hello/Ann', { key: 'none' })).status).toBe(404);
  });
});
