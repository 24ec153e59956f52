// `npm start`: the demo program as a user runs it (a child process on the real local stack),
// its report, a refused scenario, and Ctrl-C leaving nothing behind.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoReport } from '../../infra/local/demo/report';
import { descendantsOf, isAlive, killLeftoverDemos, startDemo } from './support';

const CONTOSO = '14763f8a-fb9a-451a-9f75-c33963a5b05a';
const WOODGROVE = '7e8be59e-c071-47fb-ab9c-d694c21edb87';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'demo-test-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killLeftoverDemos);

function lastLine(output: string): string {
  return output.trimEnd().split('\n').pop() ?? '';
}

it('the default scenario: both sides reach Active, the tenants are configured, the report says so', async () => {
  const reportFile = join(dir, 'approve.json');
  const demo = startDemo(['--report', reportFile]);
  const { code } = await demo.exited;
  const output = demo.output();
  expect(lastLine(output)).toBe('handshake: Active');
  expect(code).toBe(0);
  // Progress lines are stamped relative to the start, and the pairing code travels from A to B.
  const pairingCode = /pairing code ([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})/.exec(output)?.[1];
  expect(pairingCode).toBeDefined();
  expect(output).toMatch(new RegExp(`^\\[\\+\\s*\\d+\\.\\ds\\] Woodgrove China's admin approves with the pairing code ${pairingCode}`, 'm'));
  // Each admin's side authenticates the other's key: A from B's URL, B with the code.
  expect(output).toMatch(/Contoso authenticated Woodgrove China's key before inviting: fetched from https:\/\/127\.0\.0\.1:\d+\/api\/handshake\/jwks \(the URL its admin typed, over HTTPS\) and pinned, thumbprint \S{43}/);
  expect(output).toMatch(/Woodgrove China holds the invitation's key \S{43} as presented, not trusted/);
  expect(output).toMatch(/Woodgrove China: approved \(ConfiguringLocal\); the code opened the invitation's commitment, so Contoso's key \S{43} is now trusted \(pairing-code\)/);
  expect(output).toMatch(/Woodgrove China's admin vouches for Contoso's domains \(Graph cannot check them across clouds\): contoso\.com, contoso\.onmicrosoft\.com/);
  expect(output).toMatch(/Woodgrove China's admin lists its partnerships: 1 — \S+ from Contoso \(Global\), \w+, awaiting approval/);
  expect(output).toMatch(/^ {4}\* Cloud endpoints\s+\(none\)\s+partner\.microsoftonline\.cn$/m);
  expect(output).toMatch(/Elapsed: [\d.]+ (s|min) \(\d+ ms\)/);
  // Each side's statuses are all shown, in order — also one held for less than a poll.
  const statusesOf = (name: string): string[] => [...output.matchAll(new RegExp(`^\\[\\+\\s*[\\d.]+s\\] ${name}: (\\w+)$`, 'gm'))].map((m) => m[1]);
  expect(statusesOf('Contoso').slice(-4)).toEqual(['AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active']);
  expect(statusesOf('Woodgrove China').slice(-3)).toEqual(['ConfiguringTeams', 'Verifying', 'Active']);

  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
  expect(report.outcome).toEqual({ asExpected: true, finalStatus: 'Active', problems: [] });
  expect(report.pairingCode).toBe(pairingCode);
  expect(report.partnerships.initiator).toMatchObject({ deployment: 'Contoso', tenantId: CONTOSO, status: 'Active' });
  expect(report.partnerships.responder).toMatchObject({ deployment: 'WoodgroveChina', tenantId: WOODGROVE, status: 'Active' });
  expect(report.partnerships.initiator.id).toBe(report.partnerships.responder.id);
  expect(report.partnerships.initiator.steps.length).toBeGreaterThan(0);

  const contoso = report.tenants.Contoso;
  const woodgrove = report.tenants.WoodgroveChina;
  // The starting point: Contoso limits Teams external access to fabrikam.com; Woodgrove China is locked down.
  expect(output).toContain('Starting point: at Contoso, Teams external access is limited to fabrikam.com');
  expect(contoso.before).toMatchObject({ allowedCloudEndpoints: [], partner: null, guests: [], teams: { federation: { allowFederatedUsers: true, allowedDomains: ['fabrikam.com'] } } });
  expect(woodgrove.before).toMatchObject({
    allowedCloudEndpoints: [],
    partner: null,
    guests: [],
    teams: { federation: { allowFederatedUsers: false }, guestAccess: false, anonymousJoin: false },
  });
  // Each side enabled the other's cloud, added it as a partner, configured Teams (adding to what was
  // there, never removing) and invited the guests.
  expect(contoso.after).toMatchObject({
    allowedCloudEndpoints: ['partner.microsoftonline.cn'],
    partner: { tenantId: WOODGROVE, b2bCollaborationInbound: 'allowed: all users, all apps', b2bCollaborationOutbound: 'allowed: 1 group(s), all apps' },
    teams: {
      federation: { allowFederatedUsers: true, allowedDomains: expect.arrayContaining(['fabrikam.com', 'woodgrove.cn']) },
      guestAccess: true,
      anonymousJoin: true,
      crossCloudMeetings: [{ tenantId: WOODGROVE, inbound: true, outbound: true }],
    },
  });
  expect(contoso.after!.guests.map((g) => g.mail).sort()).toEqual(['li.wei@woodgrove.cn', 'wang.fang@woodgrove.cn']);
  expect(woodgrove.after).toMatchObject({
    allowedCloudEndpoints: ['microsoftonline.com'],
    partner: { tenantId: CONTOSO, b2bCollaborationInbound: 'allowed: 1 group(s), all apps', b2bCollaborationOutbound: 'allowed: all users, all apps' },
    teams: {
      federation: { allowFederatedUsers: true, allowedDomains: expect.arrayContaining(['contoso.com']) },
      guestAccess: true,
      anonymousJoin: true,
      crossCloudMeetings: [{ tenantId: CONTOSO, inbound: true, outbound: true }],
    },
  });
  expect(woodgrove.after!.teams.federation.allowedDomains).not.toContain('fabrikam.com');
  expect(woodgrove.after!.guests.map((g) => g.mail).sort()).toEqual(['adele.vance@contoso.com', 'megan.bowen@contoso.com']);
  expect(output).toMatch(/^ {4}\* Teams guest access\s+off\s+on$/m);
  // ACS interop is Contoso's own: on at Contoso, untouched at Woodgrove. Contoso authorises free/busy
  // and MailTips for Woodgrove's users (a China tenant cannot authorise them the other way).
  expect(contoso.after!.teams.acs).toEqual({ enabled: true, resources: ['6c0a2e1f-5b3d-4c7e-9a8f-1e2d3c4b5a69'] });
  expect(woodgrove.after!.teams.acs.enabled).toBe(false);
  expect(contoso.after!.partner!.m365Capabilities).toEqual(['CalendarAvailabilityBasic', 'MailTipsAll']);
  expect(contoso.after!.partner!.m365CollaborationInbound).toBe('allowed: all users');
  expect(woodgrove.after!.partner!.m365Capabilities).toEqual([]);
  expect(output).toMatch(/^ {4}\* Microsoft 365 \(partner may use\)\s+\(none\)\s+trust: allowed: all users$/m);
  expect(output).toMatch(/^ {4}\* ACS interop\s+off\s+on \(1 resource\(s\)\)$/m);

  // Both deployments made their own Graph requests, reads and writes.
  for (const name of ['Contoso', 'WoodgroveChina']) {
    expect(report.graphRequests[name]).toMatchObject({ reads: expect.any(Number), writes: expect.any(Number) });
    expect(report.graphRequests[name].writes).toBeGreaterThan(0);
    expect(report.graphRequests[name].reads).toBeGreaterThan(0);
    // Every request succeeded: notably the change-notification subscriptions, whose validation the
    // simulator (inside the demo process) delivers to the deployments over HTTPS.
    expect(report.graphRequests[name].errors).toBe(0);
  }
  expect(report.elapsedMs).toBeGreaterThan(0);
}, 300_000);

it('gcc: Contoso and Northwind GCC authorise free/busy and MailTips both ways and reach Active', async () => {
  const reportFile = join(dir, 'gcc.json');
  const demo = startDemo(['--scenario', 'gcc', '--report', reportFile]);
  const { code } = await demo.exited;
  const output = demo.output();
  expect(lastLine(output)).toBe('handshake: Active');
  expect(code).toBe(0);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
  const contoso = report.tenants.Contoso;
  const northwind = report.tenants.NorthwindGcc;
  expect(contoso.before!.partner).toBeNull();
  expect(contoso.after!.partner!.m365Capabilities).toEqual(['CalendarAvailabilityBasic', 'MailTipsAll']);
  expect(northwind.after!.partner!.m365Capabilities).toEqual(['CalendarAvailabilityBasic', 'MailTipsAll']);
  // Commercial and GCC share one Entra cloud (no cloud endpoint) but meet across Microsoft 365 environments.
  expect(northwind.after!.allowedCloudEndpoints).toEqual([]);
  expect(northwind.after!.teams.crossCloudMeetings).toEqual([{ tenantId: CONTOSO, inbound: true, outbound: true }]);
  expect(contoso.after!.teams.acs.enabled).toBe(true);
  expect(northwind.after!.teams.acs.enabled).toBe(false);
  expect(contoso.after!.guests.map((guest) => guest.mail)).toEqual(['avery.howard@northwind.gov']);
}, 300_000);

it('reject: Woodgrove China rejects, Contoso ends Rejected with its tenant as it was', async () => {
  const reportFile = join(dir, 'reject.json');
  const demo = startDemo(['--scenario', 'reject', '--report', reportFile]);
  const { code } = await demo.exited;
  expect(lastLine(demo.output())).toBe('handshake: Rejected');
  expect(code).toBe(0);
  expect(demo.output()).toContain(`Woodgrove China's admin rejects it: "`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
  expect(report.partnerships.initiator.status).toBe('Rejected');
  // Contoso wrote its Entra side, then undid exactly that.
  expect(report.graphRequests.Contoso.writes).toBeGreaterThan(0);
  expect(report.tenants.Contoso.after).toEqual(report.tenants.Contoso.before);
  expect(report.tenants.WoodgroveChina.after).toEqual(report.tenants.WoodgroveChina.before);
}, 180_000);

it('offboard: both reach Active, Woodgrove China ends it, both Removed; the tenants are as before except the guests kept, listed', async () => {
  const reportFile = join(dir, 'offboard.json');
  const demo = startDemo(['--scenario', 'offboard', '--report', reportFile]);
  const { code } = await demo.exited;
  const output = demo.output();
  expect(lastLine(output)).toBe('handshake: Removed');
  expect(code).toBe(0);
  expect(output).toContain(`Woodgrove China's admin removes the partnership: "The joint project with Contoso has ended." (invited guests are kept)`);
  expect(output).toMatch(new RegExp(`Contoso:\\s+message\\.received — Offboard received from tenant ${WOODGROVE}; reason: The joint project with Contoso has ended\\.`));
  // Each side's statuses after Active, in order, each shown once.
  const statusesOf = (name: string): string[] => [...output.matchAll(new RegExp(`^\\[\\+\\s*[\\d.]+s\\] ${name}: (\\w+)$`, 'gm'))].map((m) => m[1]);
  expect(statusesOf('Contoso').slice(-3)).toEqual(['Active', 'Offboarding', 'Removed']);
  expect(statusesOf('Woodgrove China').slice(-3)).toEqual(['Active', 'Offboarding', 'Removed']);
  expect(output).toMatch(/^\[\+\s*[\d.]+s\] Kept at Contoso: guest li\.wei@woodgrove\.cn \(invited guests are kept/m);

  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
  expect(report.outcome).toEqual({ asExpected: true, finalStatus: 'Removed', problems: [] });
  expect(report.partnerships.initiator).toMatchObject({ deployment: 'Contoso', status: 'Removed' });
  expect(report.partnerships.responder).toMatchObject({ deployment: 'WoodgroveChina', status: 'Removed' });
  // After equals before, except the guests kept — and those are exactly what `kept` lists.
  const withoutGuests = <T extends { guests: unknown[] }>(tenant: T | null) => ({ ...tenant, guests: [] });
  for (const name of ['Contoso', 'WoodgroveChina']) {
    const tenant = report.tenants[name];
    expect(withoutGuests(tenant.after)).toEqual(withoutGuests(tenant.before));
    expect(tenant.before!.guests).toEqual([]);
    const kept = report.kept.filter((entry) => entry.tenant === tenant.displayName).map((entry) => entry.item).sort();
    expect(kept).toEqual(tenant.after!.guests.map((guest) => `guest ${guest.mail}`).sort());
  }
  expect(report.kept).toHaveLength(4);
  for (const entry of report.kept) expect(entry.why).toContain('User.ReadWrite.All');
  expect(report.drift).toEqual([]);
}, 300_000);

it('usgov-china: the request is refused (422) and nothing is written anywhere', async () => {
  const reportFile = join(dir, 'usgov-china.json');
  const demo = startDemo(['--scenario', 'usgov-china', '--report', reportFile]);
  const { code } = await demo.exited;
  const output = demo.output();
  expect(lastLine(output)).toBe('handshake: Refused');
  expect(code).toBe(0);
  expect(output).toMatch(/Tailspin Gov: refused \(422 capability\.violation\)/);
  expect(output).toMatch(/- clouds\.usgov-china: /);
  expect(output).toContain('Tailspin Gov lists its partnerships: none');

  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
  expect(report.outcome.asExpected).toBe(true);
  expect(report.refusal).toMatchObject({ status: 422, code: 'capability.violation', violations: expect.arrayContaining([expect.objectContaining({ code: 'clouds.usgov-china' })]) });
  expect(report.partnerships.initiator.status).toBeNull();
  expect(report.graphRequests.TailspinGov).toMatchObject({ total: 0, writes: 0 });
  expect(report.graphRequests.WoodgroveChina).toMatchObject({ total: 0 });
  expect(report.tenants.TailspinGov.after).toEqual(report.tenants.TailspinGov.before);
  expect(report.tenants.WoodgroveChina.after).toEqual(report.tenants.WoodgroveChina.before);
}, 120_000);

it('Ctrl-C (SIGINT) stops every process the demo started and ends "Interrupted"', async () => {
  const demo = startDemo(['--scenario', 'timeout']);
  // Once both deployments run, the stack is complete: Azurite, and one host per deployment.
  await demo.waitFor(/Woodgrove China \(China\) deployment at https:/);
  const started = descendantsOf(demo.child.pid!);
  expect(started.length).toBeGreaterThanOrEqual(3);

  demo.child.kill('SIGINT');
  const { code } = await demo.exited;
  expect(lastLine(demo.output())).toBe('handshake: Interrupted');
  expect(demo.output()).toContain('SIGINT: stopping everything');
  expect(code).toBe(130);
  // The demo waited for its processes to stop; allow the kernel a moment to reap them.
  for (let i = 0; i < 50 && started.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
  expect(started.filter(isAlive)).toEqual([]);
}, 120_000);

it('Ctrl-C in a terminal (SIGINT to the whole process group) also leaves nothing behind', async () => {
  const demo = startDemo(['--scenario', 'timeout'], { detached: true });
  await demo.waitFor(/Woodgrove China \(China\) deployment at https:/);
  const started = descendantsOf(demo.child.pid!);
  expect(started.length).toBeGreaterThanOrEqual(3);

  process.kill(-demo.child.pid!, 'SIGINT');
  const { code } = await demo.exited;
  expect(lastLine(demo.output())).toBe('handshake: Interrupted');
  expect(code).toBe(130);
  for (let i = 0; i < 50 && started.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
  expect(started.filter(isAlive)).toEqual([]);
}, 120_000);

it('a bad option is a usage error (exit 2) that starts nothing', async () => {
  const demo = startDemo(['--scenario', 'sideways']);
  const { code } = await demo.exited;
  expect(code).toBe(2);
  expect(demo.output()).toContain('error: --scenario must be one of approve, reject, timeout, usgov-china, gcc, offboard (got "sideways")');
  expect(demo.output()).not.toContain('Starting Azurite');
});
