// `npm start` continues after Active: an admin deletes the partner entry at Woodgrove
// China and, at Contoso, turns guest access off and deletes a guest; the drift is found by a timer
// run and by a notification-driven run respectively, repaired, and listed in the report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoReport } from '../../infra/local/demo/report';
import { killLeftoverDemos, startDemo } from '../demo/support';

jest.setTimeout(240_000);

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'demo-drift-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killLeftoverDemos);

it('shows the drift after Active found by a timer run and by a notification, repaired, with the time it took', async () => {
  const reportFile = join(dir, 'approve.json');
  const demo = startDemo(['--report', reportFile]);
  const { code } = await demo.exited;
  const output = demo.output();
  expect(output.trimEnd().split('\n').pop()).toBe('handshake: Active');
  expect(code).toBe(0);
  expect(output).toMatch(/An admin at Woodgrove China deletes the partner entry for Contoso/);
  expect(output).toMatch(/Woodgrove China:\s+drift\.detected — timer reconcile \(enforce\) found .*partner entry, which was deleted/);
  expect(output).toMatch(/Contoso:\s+drift\.detected — notification reconcile \(enforce\) found .*AllowGuestUser.*Invite li\.wei@woodgrove\.cn/);

  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
  expect(report.drift).toEqual([
    { tenant: 'Woodgrove China', item: 'partner entry for Contoso (cross-tenant access settings)', detectedBy: 'timer', repairedAfterMs: expect.any(Number) },
    { tenant: 'Contoso', item: 'Teams guest access', detectedBy: 'notification', repairedAfterMs: expect.any(Number) },
    { tenant: 'Contoso', item: 'guest li.wei@woodgrove.cn', detectedBy: 'notification', repairedAfterMs: expect.any(Number) },
  ]);
  for (const entry of report.drift) expect(entry.repairedAfterMs).toBeGreaterThan(0);
  expect(report.partnerships.initiator.driftStatus).toBe('Repaired');
  expect(report.partnerships.responder.driftStatus).toBe('Repaired');
});
