// The hardened outbound helper against real HTTPS servers (the local CA): https only, plain http to
// loopback only behind the development switch, redirects never followed, answers capped, deadlines.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ensureLocalCa } from '../../infra/local/tls';
import { checkOutboundUrl, outboundRequest, sanitizePartnerText, type OutboundPolicy } from '../../shared/outbound';

const POLICY: OutboundPolicy = { allowHttpLoopback: false, timeoutMs: 2_000, maxResponseBytes: 64 * 1024 };

describe('outbound requests to partner deployments', () => {
  const hits: string[] = [];
  let server: Server;
  let base = '';
  let plain: ReturnType<typeof createHttpServer>;
  let plainBase = '';

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    hits.push(request.url ?? '');
    switch (request.url) {
      case '/ok':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
        return;
      case '/redirect':
        response.writeHead(302, { location: `${base}/internal` }).end();
        return;
      case '/big':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('x'.repeat(64 * 1024 + 1));
        return;
      case '/big-chunked':
        response.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 70; i += 1) response.write('y'.repeat(1024));
        response.end();
        return;
      case '/slow':
        setTimeout(() => response.writeHead(200).end('late'), 5_000).unref();
        return;
      default:
        response.writeHead(404).end();
    }
  };

  beforeAll(async () => {
    const ca = await ensureLocalCa();
    const certificate = await ca.issue(['localhost', '127.0.0.1']);
    server = createServer({ cert: certificate.cert, key: certificate.key }, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    plain = createHttpServer(handler);
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    plainBase = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    plain.closeAllConnections();
    await Promise.all([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => plain.close(resolve))]);
  });
  beforeEach(() => {
    hits.length = 0;
  });

  it('reads an https answer', async () => {
    expect(await outboundRequest(`${base}/ok`, { method: 'GET' }, POLICY)).toEqual({ status: 200, contentType: 'application/json', text: '{"keys":[]}' });
  });

  it('does not follow a redirect: the target is never called', async () => {
    await expect(outboundRequest(`${base}/redirect`, { method: 'POST', body: 'x' }, POLICY)).rejects.toMatchObject({ failure: 'redirect-refused', transient: false });
    expect(hits).toEqual(['/redirect']);
  });

  it('refuses an answer over the limit, declared or streamed', async () => {
    await expect(outboundRequest(`${base}/big`, { method: 'GET' }, POLICY)).rejects.toMatchObject({ failure: 'too-large' });
    await expect(outboundRequest(`${base}/big-chunked`, { method: 'GET' }, POLICY)).rejects.toMatchObject({ failure: 'too-large' });
  });

  it('gives up at the deadline (worth retrying), and on no connection', async () => {
    await expect(outboundRequest(`${base}/slow`, { method: 'GET' }, { ...POLICY, timeoutMs: 300 })).rejects.toMatchObject({ failure: 'timeout', transient: true });
    await expect(outboundRequest('https://127.0.0.1:9/x', { method: 'GET' }, POLICY)).rejects.toMatchObject({ failure: 'network', transient: true });
  });

  it('calls plain http only on loopback and only with the development switch; never other schemes or credentials', async () => {
    await expect(outboundRequest(`${plainBase}/ok`, { method: 'GET' }, POLICY)).rejects.toMatchObject({ failure: 'url-refused' });
    expect(hits).toEqual([]);
    expect((await outboundRequest(`${plainBase}/ok`, { method: 'GET' }, { ...POLICY, allowHttpLoopback: true })).status).toBe(200);
    for (const url of ['http://example.com/x', 'http://10.0.0.1/x', 'file:///etc/passwd', 'ftp://example.com', 'https://user:pw@example.com/', 'not a url']) {
      expect(() => checkOutboundUrl(url, { allowHttpLoopback: true })).toThrow(expect.objectContaining({ failure: 'url-refused' }));
    }
    expect(checkOutboundUrl('http://localhost:7071/api', { allowHttpLoopback: true }).host).toBe('localhost:7071');
  });

  it('keeps partner text short and free of control characters', () => {
    expect(sanitizePartnerText('bad\u001b[31m red\u202e\n\tthing')).toBe('bad [31m red thing');
    expect(sanitizePartnerText('a'.repeat(500))).toHaveLength(200);
    expect(sanitizePartnerText({ not: 'text' })).toBe('');
  });
});
