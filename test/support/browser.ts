// Headless Chromium (Debian's package) driven by playwright-core, for the console's browser tests,
// the screenshots and the console benchmark: sign-in through the emulated App Service
// Authentication and the simulator's sign-in page, and an axe-core accessibility check.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The world's console users (infra/local/worlds/default.json): an admin with the role and a user without. */
export const CONSOLE_USERS = {
  contosoAdmin: { upn: 'admin@contoso.com', password: 'sim-console-admin-1' },
  contosoUser: { upn: 'adele.vance@contoso.com', password: 'sim-console-user-1' },
  chinaAdmin: { upn: 'admin@woodgrove.cn', password: 'sim-console-admin-1' },
} as const;

export interface ConsoleBrowser {
  context: BrowserContext;
  /** A new tab (each with the context's cookies). */
  page(): Promise<Page>;
  close(): Promise<void>;
}

/** A fresh Chromium profile (no cookies), trusting the local stack's certificates. */
export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'cch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    page: () => context.newPage(),
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the console at `path` and signs in on the simulator's sign-in page when asked (the
 * session cookie then serves every later page of this context). Resolves once the page rendered.
 */
export async function openConsole(page: Page, baseUrl: string, user: { upn: string; password: string }, path = '/api/console'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  if (await page.locator('#passwd').count()) {
    await page.fill('#login', user.upn);
    await page.fill('#passwd', user.password);
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(baseUrl)), page.click('#signin')]);
  }
  await waitForConsole(page);
}

/** The console script has rendered its page (or a server page such as the 403 is shown). */
export async function waitForConsole(page: Page): Promise<void> {
  // Selectors only: the console's CSP forbids evaluating strings in the page.
  await page.locator('body[data-ready="true"], #role-missing').first().waitFor({ timeout: 30_000 });
}

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's violations of impact serious or critical on the page as it is now. */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol: the console's CSP (scripts from its origin only) stays on.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)")) as AxeViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
