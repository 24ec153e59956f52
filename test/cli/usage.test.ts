// The CLI's command line: help, usage errors, local validation of the request and exit codes.
// No deployment is needed: nothing here may reach one (the fetch refuses every call).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../shared/cli';
import { cli, refusingFetch } from './support';

const PROJECT_ROOT = join(__dirname, '../..');
const CONNECTION = ['--url', 'https://127.0.0.1:9', '--key', 'k'.repeat(32)];
const GOOD_REQUEST = [
  '--partner-tenant', '7e8be59e-c071-47fb-ab9c-d694c21edb87',
  '--partner-cloud', 'China',
  '--partner-url', 'https://woodgrove.example.cn',
];

describe('help', () => {
  it.each([[[]], [['--help']], [['partner']], [['partner', '-h']]])('%j prints the usage and exits 0', async (argv) => {
    const run = await cli(argv);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('handshake partner add');
    expect(run.stdout).toContain('handshake partner approve <id> --code XXXX-XXXX-XXXX-XXXX');
    expect(run.stdout).toContain('handshake partner trust-key <id> --thumbprint THUMBPRINT');
    expect(run.stdout).toContain('handshake partner domains <id> [--accept DOMAIN ...]');
    expect(run.stdout).toContain('Exit codes: 0 ok');
  });

  it('a command with --help prints its own flags', async () => {
    const run = await cli(['partner', 'add', '--help']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('--partner-tenant GUID');
    expect(run.stdout).toContain('--timeout DURATION');
    expect(run.stdout).toContain('--accept-domain DOMAIN');
  });

  it('trust-key and domains explain what they are for', async () => {
    const trustKey = await cli(['partner', 'trust-key', '--help']);
    expect(trustKey.code).toBe(EXIT.ok);
    expect(trustKey.stdout).toContain('--thumbprint THUMBPRINT');
    expect(trustKey.stdout).toMatch(/could not fetch the partner's key/);
    const domains = await cli(['partner', 'domains', '--help']);
    expect(domains.code).toBe(EXIT.ok);
    expect(domains.stdout).toContain('--accept DOMAIN');
    expect(domains.stdout).toMatch(/only verified domains go into Teams\s+federation/);
  });

  it('partner remove --help explains offboarding and its guest flags', async () => {
    const run = await cli(['partner', 'remove', '--help']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('handshake partner remove <id> [--keep-guests|--delete-guests] [--reason "..."] [--wait [--timeout 10m]]');
    expect(run.stdout).toContain('--delete-guests');
    expect(run.stdout).toContain('User.ReadWrite.All');
    expect(run.stdout).toContain('Exit codes: 0 ok');
  });
});

describe('usage errors exit 2 and send nothing', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown group', ['partners', 'list'], /Unknown command "partners"/],
    ['unknown command', ['partner', 'delete', 'x'], /Unknown command "partner delete": use one of add, approve, reject, remove, status, plan, list/],
    ['unknown flag', ['partner', 'list', '--colour', ...CONNECTION], /partner list: Unknown option '--colour'/],
    ['missing id', ['partner', 'status', ...CONNECTION], /the partnership id is missing \(handshake partner status <id>\)/],
    ['two ids', ['partner', 'status', 'a', 'b', ...CONNECTION], /one partnership id expected, got 2 arguments/],
    ['an id where none is taken', ['partner', 'list', 'abc', ...CONNECTION], /unexpected argument "abc"/],
    ['approve without --code', ['partner', 'approve', 'abc', ...CONNECTION], /--code is required/],
    ['approve with a malformed code', ['partner', 'approve', 'abc', '--code', '12', ...CONNECTION], /--code must look like XXXX-XXXX-XXXX-XXXX \(got "12"\)/],
    ['approve with the old 8-character code', ['partner', 'approve', 'abc', '--code', 'ABCD-EFGH', ...CONNECTION], /--code must look like XXXX-XXXX-XXXX-XXXX/],
    ['trust-key without --thumbprint', ['partner', 'trust-key', 'abc', ...CONNECTION], /--thumbprint is required/],
    ['trust-key with a bad thumbprint', ['partner', 'trust-key', 'abc', '--thumbprint', 'abc', ...CONNECTION], /--thumbprint must be a key thumbprint/],
    ['reject without --reason', ['partner', 'reject', 'abc', ...CONNECTION], /--reason is required/],
    ['remove without an id', ['partner', 'remove', ...CONNECTION], /the partnership id is missing \(handshake partner remove <id> \[--keep-guests\|--delete-guests\]/],
    ['remove keeping and deleting the guests', ['partner', 'remove', 'abc', '--keep-guests', '--delete-guests', ...CONNECTION], /--keep-guests and --delete-guests exclude each other/],
    ['remove with an empty --reason', ['partner', 'remove', 'abc', '--reason', ' ', ...CONNECTION], /partner remove: --reason must not be empty/],
    ['remove with a bad --timeout', ['partner', 'remove', 'abc', '--timeout', 'never', ...CONNECTION], /partner remove: --timeout must be a duration/],
    ['a bad --timeout', ['partner', 'approve', 'abc', '--code', 'ABCD-EFGH-JKMN-PQRS', '--timeout', 'soon', ...CONNECTION], /--timeout must be a duration such as 90s, 10m or 1h \(got "soon"\)/],
    ['no URL', ['partner', 'list', '--key', 'k'.repeat(32)], /the deployment URL is missing \(--url or HANDSHAKE_URL\)/],
    ['a URL that is not http(s)', ['partner', 'list', '--url', 'ftp://x', '--key', 'k'.repeat(32)], /--url must be an http\(s\) URL/],
    ['no key', ['partner', 'list', '--url', 'https://127.0.0.1:9'], /the function key is missing \(--key or HANDSHAKE_KEY\)/],
    ['a bad --meetings', ['partner', 'add', ...GOOD_REQUEST, '--meetings', 'sometimes', ...CONNECTION], /--meetings must be both, inbound or outbound/],
    ['a bad --accept-domain', ['partner', 'add', ...GOOD_REQUEST, '--accept-domain', 'not a domain', ...CONNECTION], /acceptedPartnerDomains\.0.*--accept-domain|--accept-domain/],
  ];

  it.each(cases)('%s', async (_name, argv, message) => {
    const fetch = refusingFetch();
    const run = await cli(argv, { fetch });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stdout).toBe('');
    expect(fetch.calls).toEqual([]);
  });

  it('under --json the error is one JSON document on stdout', async () => {
    const run = await cli(['partner', 'status', '--json', ...CONNECTION], { fetch: refusingFetch() });
    expect(run.code).toBe(EXIT.badInput);
    expect(run.json()).toEqual({ error: { kind: 'usage', code: 'cli.usage', detail: expect.stringContaining('the partnership id is missing'), issues: [] } });
  });

  it('HANDSHAKE_URL and HANDSHAKE_KEY stand in for the flags', async () => {
    const fetch = refusingFetch();
    const run = await cli(['partner', 'list'], { fetch, env: { HANDSHAKE_URL: 'https://127.0.0.1:9', HANDSHAKE_KEY: 'k'.repeat(32) } });
    // It got as far as calling the deployment (which the fake refuses): exit 1, no usage error.
    expect(fetch.calls).toEqual(['https://127.0.0.1:9/api/partnerships']);
    expect(run.stderr).toMatch(/cannot reach https:\/\/127\.0\.0\.1:9/);
    expect(run.code).toBe(EXIT.other);
  });
});

describe('partner add validates the request locally with the domain schema', () => {
  it('names every bad field with its flag and the schema message, and sends nothing', async () => {
    const fetch = refusingFetch();
    const run = await cli(
      ['partner', 'add', '--partner-tenant', 'not-a-guid', '--partner-cloud', 'Mars', '--partner-url', 'http://plain.example', '--guest', 'Li Wei', ...CONNECTION],
      { fetch },
    );
    expect(run.code).toBe(EXIT.badInput);
    expect(fetch.calls).toEqual([]);
    expect(run.stderr).toContain('The partnership request is not valid (nothing was sent):');
    expect(run.stderr).toContain('partnerTenantId (--partner-tenant): must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(run.stderr).toContain('partnerCloud (--partner-cloud): must be one of Global, GCC, GCCHigh, DoD, China');
    expect(run.stderr).toContain('partnerDeploymentUrl (--partner-url): must be an https URL');
    expect(run.stderr).toContain('guests.0 (--guest): must be a user principal name such as alice@contoso.com');
  });

  it('a request without a partner says which flag is missing', async () => {
    const run = await cli(['partner', 'add', '--partner-cloud', 'China', '--partner-url', 'https://w.example', ...CONNECTION], { fetch: refusingFetch() });
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toContain('partnerTenantId (--partner-tenant): is required (the partner tenant ID, a GUID)');
  });

  describe('--file', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cli-usage-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('a missing file, bad JSON or a non-object are usage errors naming the file', async () => {
      writeFileSync(join(dir, 'bad.json'), '{ "partnerCloud": ');
      writeFileSync(join(dir, 'array.json'), '[]');
      const missing = await cli(['partner', 'add', '--file', join(dir, 'nope.json'), ...CONNECTION], { fetch: refusingFetch() });
      expect(missing.stderr).toMatch(/--file .*nope\.json: cannot read it \(ENOENT\)/);
      const bad = await cli(['partner', 'add', '--file', join(dir, 'bad.json'), ...CONNECTION], { fetch: refusingFetch() });
      expect(bad.stderr).toMatch(/--file .*bad\.json: not valid JSON/);
      const array = await cli(['partner', 'add', '-f', join(dir, 'array.json'), ...CONNECTION], { fetch: refusingFetch() });
      expect(array.stderr).toMatch(/must hold one JSON object/);
      expect([missing.code, bad.code, array.code]).toEqual([EXIT.badInput, EXIT.badInput, EXIT.badInput]);
    });

    it('unknown fields of the file are refused like the API refuses them', async () => {
      writeFileSync(join(dir, 'extra.json'), JSON.stringify({ partnerTenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87', partnerCloud: 'China', partnerDeploymentUrl: 'https://w.example', colour: 'blue' }));
      const run = await cli(['partner', 'add', '--file', join(dir, 'extra.json'), '--json', ...CONNECTION], { fetch: refusingFetch() });
      expect(run.code).toBe(EXIT.badInput);
      expect(run.json<{ error: { issues: unknown[] } }>().error.issues).toEqual([{ field: 'colour', message: 'is not a known field' }]);
    });

    it('flags replace the fields of the file; the combined request is what is sent', async () => {
      writeFileSync(
        join(dir, 'request.json'),
        JSON.stringify({
          partnerTenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87',
          partnerCloud: 'China',
          partnerDeploymentUrl: 'https://old.example',
          b2bCollaboration: { inbound: { users: 'all', applications: 'office365' } },
          guests: ['li.wei@woodgrove.cn'],
        }),
      );
      const sent: unknown[] = [];
      const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
        sent.push(JSON.parse(String(init?.body)));
        return new Response(JSON.stringify({ id: 'p1', status: 'Draft', pairingCode: 'ABCD-EFGH', statusUrl: 'https://x/api/partnerships/p1' }), {
          status: 202,
          headers: { 'content-type': 'application/json' },
        });
      }) as typeof globalThis.fetch;
      const run = await cli(
        ['partner', 'add', '-f', join(dir, 'request.json'), '--partner-url', 'https://new.example', '--b2b-inbound', '2fda2898-91b5-4a9f-a23b-7ec7fb25509b', '--b2b-outbound', 'all', '--federation', '--meetings', 'inbound', '--guest', 'wang.fang@woodgrove.cn,zhang.min@woodgrove.cn', ...CONNECTION],
        { fetch },
      );
      expect(run.code).toBe(EXIT.ok);
      expect(sent).toEqual([
        {
          partnerTenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87',
          partnerCloud: 'China',
          partnerDeploymentUrl: 'https://new.example',
          b2bCollaboration: {
            inbound: { users: { groupIds: ['2fda2898-91b5-4a9f-a23b-7ec7fb25509b'] }, applications: 'office365' },
            outbound: { users: 'all' },
          },
          teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: false } },
          guests: ['wang.fang@woodgrove.cn', 'zhang.min@woodgrove.cn'],
        },
      ]);
      expect(run.stdout).toContain('Pairing code: ABCD-EFGH');
    });
  });
});

describe('the bin', () => {
  const bin = join(PROJECT_ROOT, 'dist/shared/cli/handshake.js');

  it('prints the usage with exit 0 and refuses a usage error with exit 2 (never echoing the key)', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('handshake partner list');

    const secret = 'secret-key-0123456789abcdef';
    const bad = spawnSync(process.execPath, [bin, 'partner', 'approve', 'p1', '--key', secret, '--url', 'https://127.0.0.1:9'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--code is required');
    expect(bad.stdout + bad.stderr).not.toContain(secret);
  });
});
