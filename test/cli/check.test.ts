// `handshake check`: the offline preflight. No deployment is involved (every fetch is refused).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../shared/cli';
import { CAPABILITY_KEYS } from '../../shared/capabilities';
import { cli, refusingFetch } from './support';

const PROJECT_ROOT = join(__dirname, '../..');

describe('handshake check', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'handshake-check-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('--json prints one object on the last line with every capability of the pair', async () => {
    const fetch = refusingFetch();
    const run = await cli(['check', '--local', 'GCC', '--partner', 'Global', '--json'], { fetch });
    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]);
    expect(result.local).toBe('GCC');
    expect(result.partner).toBe('Global');
    for (const key of ['b2bCollaboration', 'b2bDirectConnect', 'teamsFederation', 'crossCloudMeetings', 'guestAccess', 'anonymousJoin', 'acsInterop', 'crossTenantSyncOutbound', 'crossTenantSyncInbound', 'm365Capabilities']) {
      expect(result.capabilities[key]).toEqual({ allowed: expect.any(Boolean), code: expect.any(String), message: expect.any(String), side: expect.stringMatching(/^(local|partner|both)$/), requested: true });
    }
    expect(Object.keys(result.capabilities)).toEqual([...CAPABILITY_KEYS]);
    // GCC refuses ACS interop: something is refused, exit 3.
    expect(result.capabilities.acsInterop).toMatchObject({ allowed: false, code: 'acs.gcc-not-available', side: 'local' });
    expect(result.capabilities.crossCloudMeetings.allowed).toBe(true);
    expect(result.violations).toEqual([expect.objectContaining({ code: 'acs.gcc-not-available' })]);
    expect(run.code).toBe(EXIT.refused);
    expect(fetch.calls).toEqual([]);
  });

  it('exits 0 when everything the pair offers is allowed (commercial with GCC)', async () => {
    const run = await cli(['check', '--local', 'Global', '--partner', 'GCC']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('Global (this tenant) with GCC (the partner):');
    expect(run.stdout).toContain('Everything asked is allowed on both sides.');
  });

  it('with --file judges exactly what the request asks, both sides', async () => {
    const fine = file('fine.json', { partnerCloud: 'China', teams: { federation: true, anonymousJoin: true, acsInterop: { resourceIds: ['6c0a2e1f-5b3d-4c7e-9a8f-1e2d3c4b5a69'] } } });
    const ok = await cli(['check', '--local', 'Global', '--partner', 'China', '--file', fine, '--json']);
    expect(ok.code).toBe(EXIT.ok);
    const result = ok.json<{ violations: unknown[]; capabilities: Record<string, { requested: boolean; allowed: boolean }> }>();
    expect(result.violations).toEqual([]);
    expect(result.capabilities.acsInterop).toMatchObject({ requested: true, allowed: true });
    expect(result.capabilities.b2bDirectConnect).toMatchObject({ requested: false, allowed: false });

    const sync = file('sync.json', { partnerCloud: 'China', crossTenantSync: { direction: 'outbound' } });
    const refused = await cli(['check', '--local', 'Global', '--partner', 'China', '-f', sync]);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stdout).toMatch(/crossTenantSyncOutbound\s+REFUSED sync\.china-unsupported \(the partner\)/);
  });

  it.each([
    [['check', '--local', 'Mars', '--partner', 'Global'], /Unknown local environment "Mars"/],
    [['check', '--local', 'Global', '--partner', 'Atlantis'], /Unknown partner environment "Atlantis"/],
    [['check', '--partner', 'Global'], /--local is required/],
    [['check', '--local', 'Global', '--partner', 'China', '--file', '/nonexistent/request.json'], /cannot read --file/],
    [['check', '--local', 'Global', '--partner', 'Global', '--colour'], /Unknown option '--colour'/],
  ])('%j is bad input (exit 2)', async (argv, message) => {
    const run = await cli(argv as string[]);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(message);
  });

  it('a request that is not valid names every bad field (exit 2)', async () => {
    const elsewhere = file('elsewhere.json', { partnerCloud: 'GCC', teams: { federation: true } });
    const run = await cli(['check', '--local', 'Global', '--partner', 'China', '--file', elsewhere, '--json']);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toContain('The request places the partner in GCC, not China');
    const notJson = file('not.json', '{');
    expect((await cli(['check', '--local', 'Global', '--partner', 'China', '--file', notJson])).code).toBe(EXIT.badInput);
    const invalid = file('invalid.json', { teams: { acsInterop: { resourceIds: ['x'] } }, colour: 'blue' });
    const fields = await cli(['check', '--local', 'Global', '--partner', 'China', '--file', invalid]);
    expect(fields.code).toBe(EXIT.badInput);
    expect(fields.stderr).toContain('colour: is not a known field');
    expect(fields.stderr).toContain('teams.acsInterop.resourceIds.0');
  });

  it('--help explains it', async () => {
    const run = await cli(['check', '--help']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('handshake check --local ENV --partner ENV [--file request.json] [--json]');
    expect((await cli(['--help'])).stdout).toContain('handshake check');
  });

  it('the installed bin prints the JSON object last and exits 3 for a refused pair', () => {
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist/shared/cli/handshake.js'), 'check', '--local', 'China', '--partner', 'GCCHigh', '--json'], { encoding: 'utf8' });
    expect(run.status).toBe(EXIT.refused);
    const last = run.stdout.trim().split('\n').pop()!;
    expect(JSON.parse(last)).toMatchObject({ local: 'China', partner: 'GCCHigh', capabilities: { b2bCollaboration: { allowed: false, code: 'clouds.usgov-china', side: 'both' } } });
  });
});
