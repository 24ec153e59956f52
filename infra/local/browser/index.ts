// Headless Chromium (Debian's package) driven by playwright-core, for the console's browser tests,
// the demo's screenshots and the console benchmark: a fresh profile, sign-in through the emulated
// App Service Authentication and the simulator's sign-in page, and filling the generated form.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

/**
 * Fills the console's generated partnership form with a request (the API's JSON): each value goes
 * to the control of its path; optional groups are switched on; "all"-or-a-list choices selected;
 * lists of objects get one row each (a fresh form's rows are keyed by position); values of a fixed
 * set are checked.
 */
export async function fillPartnershipForm(page: Page, request: Record<string, unknown>, path = ''): Promise<void> {
  const id = (dotted: string): string => `#f-${dotted.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const tagOf = async (selector: string): Promise<string> => page.locator(selector).evaluate((element) => element.tagName);
  for (const [name, value] of Object.entries(request)) {
    const dotted = path ? `${path}.${name}` : name;
    const control = page.locator(id(dotted));
    const include = page.locator(`${id(dotted)}-include`);
    if (await include.count()) await include.check();
    if (value === undefined || value === null) continue;
    const addRow = page.locator(`${id(dotted)}-add`);
    if (Array.isArray(value) && (await addRow.count())) {
      for (const [index, item] of value.entries()) {
        await addRow.click();
        const rowPath = `${dotted}.${index}`;
        // An item given as a string is the row's first field (a guest's UPN).
        if (typeof item === 'string') await page.locator(`[data-path="${rowPath}"] input`).first().fill(item);
        else await fillPartnershipForm(page, item as Record<string, unknown>, rowPath);
      }
    } else if (Array.isArray(value)) {
      if ((await tagOf(id(dotted))) === 'FIELDSET') {
        for (const option of value) await page.locator(`${id(dotted)}-${String(option)}`).check();
      } else {
        await control.fill(value.map(String).join('\n'));
      }
    } else if (typeof value === 'object') {
      if ((await control.count()) && (await tagOf(id(dotted))) === 'SELECT') {
        // A choice (e.g. users: "all" or { groupIds }): the alternative with fields, then the fields.
        await control.selectOption({ index: (await control.locator('option').count()) - 1 });
      }
      await fillPartnershipForm(page, value as Record<string, unknown>, dotted);
    } else if (typeof value === 'boolean') {
      await control.setChecked(value);
    } else if ((await tagOf(id(dotted))) === 'SELECT') {
      await control.selectOption({ label: String(value) });
    } else {
      await control.fill(String(value));
    }
  }
}
