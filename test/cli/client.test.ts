// The API client and the CLI's exit codes against a stand-in deployment: a real HTTP server that
// answers the API's documented shapes (a fake at the network boundary; the real deployment is
// exercised in commands.test.ts). It checks what the client makes of each kind of answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClientError, ApiProblemError, HandshakeClient, WaitTimeoutError, type PartnershipDetails } from '../../shared/client';
import { EXIT } from '../../shared/cli';
import { cli } from './support';

const KEY = 'function-key-0123456789abcdef';
type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const seen: Array<{ method: string; url: string; key: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, key: request.headers['x-functions-key'] as string | undefined, body });
      handler(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (seen.length = 0));

function answer(status: number, body: unknown, contentType = status >= 400 ? 'application/problem+json' : 'application/json'): Handler {
  return (_request, _body, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** A URL nobody listens on (a port that was just free). */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const VIOLATION = {
  type: 'https://cross-cloud-handshake.dev/problems/capability.violation',
  title: 'The requested collaboration breaks a capability rule',
  status: 422,
  detail: 'The requested collaboration breaks 1 capability rule.',
  code: 'capability.violation',
  violations: [{ code: 'clouds.usgov-china', field: 'partnerCloud', message: 'USGov and China cannot collaborate.' }],
};

function details(status: PartnershipDetails['status'], steps: number): PartnershipDetails {
  return {
    id: 'p1',
    role: 'initiator',
    status,
    driftStatus: null,
    partnerTenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87',
    partnerCloud: 'China',
    partnerDeploymentUrl: 'https://w.example',
    desired: {} as PartnershipDetails['desired'],
    steps: Array.from({ length: steps }, (_, i) => ({ at: `2025-01-01T00:00:0${i}Z`, type: 'status.changed', message: `step ${i + 1}` })),
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
  };
}

describe('HandshakeClient', () => {
  it('sends the key in x-functions-key, JSON bodies, and strips a trailing /api from the base URL', async () => {
    handler = answer(202, { id: 'p1', status: 'Draft', pairingCode: 'ABCD-EFGH', statusUrl: `${baseUrl}/api/partnerships/p1` });
    const client = new HandshakeClient({ baseUrl: `${baseUrl}/api/`, functionKey: KEY });
    const created = await client.createPartnership({ partnerCloud: 'China', partnerDeploymentUrl: 'https://w.example' });
    expect(created.pairingCode).toBe('ABCD-EFGH');
    expect(seen).toEqual([{ method: 'POST', url: '/api/partnerships', key: KEY, body: '{"partnerCloud":"China","partnerDeploymentUrl":"https://w.example"}' }]);
  });

  it('a problem+json answer becomes an ApiProblemError with its code, violations and issues', async () => {
    handler = answer(422, VIOLATION);
    const client = new HandshakeClient({ baseUrl, functionKey: KEY });
    const error = await client.createPartnership({ partnerCloud: 'China', partnerDeploymentUrl: 'https://w.example' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(error).toMatchObject({
      status: 422,
      code: 'capability.violation',
      type: VIOLATION.type,
      detail: VIOLATION.detail,
      violations: VIOLATION.violations,
      request: 'POST /api/partnerships',
    });
    expect(String((error as Error).message)).not.toContain(KEY);
  });

  it('an answer without problem+json keeps its status as code http.<status>', async () => {
    handler = answer(500, '', 'text/plain');
    const error = (await new HandshakeClient({ baseUrl, functionKey: KEY }).listPartnerships().catch((e: unknown) => e)) as ApiProblemError;
    expect(error).toBeInstanceOf(ApiProblemError);
    expect([error.status, error.code, error.type]).toEqual([500, 'http.500', 'about:blank']);
  });

  it('a code-less problem takes its code from the type URI', async () => {
    handler = answer(404, { type: 'https://cross-cloud-handshake.dev/problems/partnership.not-found', title: 'No such partnership', status: 404 });
    const error = (await new HandshakeClient({ baseUrl, functionKey: KEY }).getPartnership('nope').catch((e: unknown) => e)) as ApiProblemError;
    expect([error.code, error.detail]).toEqual(['partnership.not-found', 'No such partnership']);
  });

  it('no answer at all is client.unreachable, without the key in the message', async () => {
    const closed = await closedPortUrl();
    const error = (await new HandshakeClient({ baseUrl: closed, functionKey: KEY }).listPartnerships().catch((e: unknown) => e)) as ApiClientError;
    expect(error).toBeInstanceOf(ApiClientError);
    expect(error.code).toBe('client.unreachable');
    expect(error.message).toBe(`GET /api/partnerships: cannot reach ${closed} (ECONNREFUSED)`);
    expect(error.message).not.toContain(KEY);
  });

  it('a base URL that is not http(s) is refused at construction', () => {
    expect(() => new HandshakeClient({ baseUrl: 'contoso.example' })).toThrow(expect.objectContaining({ code: 'client.bad-options' }));
  });

  it('waitForPartnership reports each change once and returns the settled state', async () => {
    const states = [details('ConfiguringLocal', 1), details('ConfiguringLocal', 1), details('AwaitingPartner', 2), details('Active', 5)];
    handler = (_request, _body, response) => answer(200, states.shift() ?? details('Active', 5))(_request, _body, response);
    const changes: string[] = [];
    const final = await new HandshakeClient({ baseUrl, functionKey: KEY }).waitForPartnership('p1', {
      intervalMs: 10,
      onChange: (current, previous) => changes.push(`${previous?.status ?? '-'}→${current.status}/${current.steps.length}`),
    });
    expect(final.status).toBe('Active');
    expect(changes).toEqual(['-→ConfiguringLocal/1', 'ConfiguringLocal→AwaitingPartner/2', 'AwaitingPartner→Active/5']);
  });

  it('waitForPartnership keeps polling through a 503 and ends in WaitTimeoutError with the last state', async () => {
    const timeoutMs = 2_000;
    const started = Date.now();
    // The wait's deadline is at least this late (it starts counting after `started`).
    const deadline = started + timeoutMs;
    let calls = 0;
    handler = (request, body, response) => {
      calls += 1;
      // A 503 first (polled through), then the state, then 503s answered only once the wait's
      // deadline has passed: the state it ends with is the one before the deadline, however slow
      // the machine is.
      if (calls === 2) return answer(200, details('AwaitingPartner', 2))(request, body, response);
      const unavailable = (): void => answer(503, { status: 503, code: 'storage.unavailable' })(request, body, response);
      if (calls === 1) return unavailable();
      setTimeout(unavailable, Math.max(0, deadline + 1 - Date.now()));
    };
    const error = (await new HandshakeClient({ baseUrl, functionKey: KEY })
      .waitForPartnership('p1', { intervalMs: 20, timeoutMs })
      .catch((e: unknown) => e)) as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.code).toBe('client.timeout');
    expect(error.last?.status).toBe('AwaitingPartner');
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline);
  });
});

describe('CLI exit codes for the answers of a deployment', () => {
  const connection = () => ['--url', baseUrl, '--key', KEY];
  const request = ['--partner-tenant', '7e8be59e-c071-47fb-ab9c-d694c21edb87', '--partner-cloud', 'China', '--partner-url', 'https://w.example'];

  it('422 → 3, listing every violation; --json puts the problem on stdout', async () => {
    handler = answer(422, VIOLATION);
    const human = await cli(['partner', 'add', ...request, ...connection()]);
    expect(human.code).toBe(EXIT.refused);
    expect(human.stderr).toContain('error: The requested collaboration breaks 1 capability rule. (422 capability.violation)');
    expect(human.stderr).toContain('- clouds.usgov-china (partnerCloud): USGov and China cannot collaborate.');
    const json = await cli(['partner', 'add', ...request, '--json', ...connection()]);
    expect(json.code).toBe(EXIT.refused);
    expect(json.json()).toEqual({ error: expect.objectContaining({ kind: 'problem', status: 422, code: 'capability.violation', violations: VIOLATION.violations }) });
  });

  it('400 → 2 with the field issues', async () => {
    handler = answer(400, { status: 400, code: 'request.invalid', detail: 'The partnership request is not valid.', issues: [{ field: 'guests.0', message: 'bad' }] });
    const run = await cli(['partner', 'add', ...request, ...connection()]);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toContain('- guests.0: bad');
  });

  it('a wrong pairing code (401 handshake.bad-pairing-code) and an unknown id (404) → 2', async () => {
    handler = answer(401, { status: 401, code: 'handshake.bad-pairing-code', detail: 'The pairing code does not match.' });
    expect((await cli(['partner', 'approve', 'p1', '--code', 'abcd efgo hjkm npqo', ...connection()])).code).toBe(EXIT.badInput);
    // The typed code is sent in its canonical form (case, separator, O → 0 folded as the deployment does).
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/api/partnerships/p1/approve', body: '{"pairingCode":"ABCD-EFG0-HJKM-NPQ0"}' });
    handler = answer(404, { status: 404, code: 'partnership.not-found', detail: 'No partnership p9.' });
    expect((await cli(['partner', 'status', 'p9', ...connection()])).code).toBe(EXIT.badInput);
  });

  it('a refused key (401 without a problem body) and a 500 → 1', async () => {
    handler = answer(401, '', 'text/plain');
    expect((await cli(['partner', 'list', ...connection()])).code).toBe(EXIT.other);
    handler = answer(500, '', 'text/plain');
    expect((await cli(['partner', 'list', ...connection()])).code).toBe(EXIT.other);
  });

  it('--wait past --timeout → 4 with the last status; an onboarding that ends Rejected → 1', async () => {
    handler = (request, body, response) =>
      request.method === 'POST'
        ? answer(202, { id: 'p1', status: 'Draft', pairingCode: 'ABCD-EFGH', statusUrl: `${baseUrl}/api/partnerships/p1` })(request, body, response)
        : answer(200, details('AwaitingPartner', 2))(request, body, response);
    const timedOut = await cli(['partner', 'add', ...request, '--wait', '--timeout', '1s', ...connection()]);
    expect(timedOut.code).toBe(EXIT.timedOut);
    expect(timedOut.stdout).toContain('AwaitingPartner');
    expect(timedOut.stderr).toMatch(/did not get there within 1 s \(last status: AwaitingPartner\)/);

    handler = (request, body, response) =>
      request.method === 'POST'
        ? answer(202, { id: 'p1', status: 'Draft', pairingCode: 'ABCD-EFGH', statusUrl: `${baseUrl}/api/partnerships/p1` })(request, body, response)
        : answer(200, { ...details('Rejected', 4), lastError: { code: 'handshake.rejected', message: 'Not now.' } })(request, body, response);
    const rejected = await cli(['partner', 'add', ...request, '--wait', '--json', ...connection()]);
    expect(rejected.code).toBe(EXIT.other);
    expect(rejected.json()).toMatchObject({ id: 'p1', pairingCode: 'ABCD-EFGH', status: 'Rejected', partnership: { status: 'Rejected' } });
    expect(rejected.stderr).toContain('Partnership p1 ended Rejected: Not now.');
  });
});
