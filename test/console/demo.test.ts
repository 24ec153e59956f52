// `npm start -- --console --screenshots DIR`: the demo takes PNGs of both consoles' pages in
// headless Chromium, then keeps everything running and prints each console's URL and a sign-in
// link; Ctrl-C ends it normally (the outcome of the demo, exit 0) and leaves no process behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendantsOf, isAlive, killLeftoverDemos, startDemo } from '../demo/support';

jest.setTimeout(420_000);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'console-demo-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killLeftoverDemos);

it('takes the screenshots, serves both consoles with a sign-in link each until Ctrl-C, then stops everything', async () => {
  const demo = startDemo(['--console', '--screenshots', dir]);
  await demo.waitFor(/Press Ctrl-C to stop everything\./, 360_000);
  const output = demo.output();

  const shots = readdirSync(dir).filter((file) => file.endsWith('.png'));
  expect(shots.sort()).toEqual([
    'contoso-1-partnerships.png',
    'contoso-2-new-partnership-plan.png',
    'contoso-4-detail-timeline.png',
    'contoso-5-audit.png',
    'woodgrovechina-1-partnerships.png',
    'woodgrovechina-3-invitation.png',
    'woodgrovechina-4-detail-timeline.png',
    'woodgrovechina-5-audit.png',
  ]);
  for (const file of shots) expect(readFileSync(join(dir, file)).subarray(0, 8)).toEqual(PNG_SIGNATURE);

  const consoles = [...output.matchAll(/\] +(Contoso|Woodgrove China): (https:\/\/127\.0\.0\.1:\d+)\/api\/console$/gm)].map((match) => ({ name: match[1], base: match[2] }));
  expect(consoles.map((entry) => entry.name)).toEqual(['Contoso', 'Woodgrove China']);
  const links = [...output.matchAll(/sign in as (\S+) \(password (\S+)\): (https:\/\/\S+)$/gm)].map((match) => ({ upn: match[1], password: match[2], url: match[3] }));
  expect(links.map((link) => link.upn)).toEqual(['admin@contoso.com', 'admin@woodgrove.cn']);
  for (const [index, entry] of consoles.entries()) {
    // Still running: the console sends an anonymous visitor to sign in; the link starts that sign-in.
    const page = await fetch(`${entry.base}/api/console`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const signIn = await fetch(links[index].url, { redirect: 'manual' });
    expect(signIn.status).toBe(302);
    const authorize = new URL(signIn.headers.get('location')!);
    expect(authorize.pathname).toMatch(/\/oauth2\/v2\.0\/authorize$/);
    expect(authorize.searchParams.get('login_hint')).toBe(links[index].upn);
  }

  const started = descendantsOf(demo.child.pid!);
  expect(started.length).toBeGreaterThanOrEqual(3);
  demo.child.kill('SIGINT');
  const { code } = await demo.exited;
  expect(demo.output().trimEnd().split('\n').pop()).toBe('handshake: Active');
  expect(code).toBe(0);
  for (let i = 0; i < 50 && started.some(isAlive); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(started.filter(isAlive)).toEqual([]);
});
