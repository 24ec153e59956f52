// The demo and the console: `--screenshots DIR` drives each deployment's console in headless
// Chromium as the demo goes (A's new-partnership form with its plan preview before A asks, B's
// invitation page before B answers, then both sides' list, detail timeline and audit) and saves a
// PNG of each page; `--console` keeps the deployments, the simulator and Azurite running at the end
// and prints each console's URL with a sign-in link for its demo admin, until Ctrl-C.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { fillPartnershipForm, launchConsoleBrowser, openConsole, type ConsoleBrowser } from '../browser';
import { loadWorld } from '../simulator';
import type { DemoContext, Side } from './context';
import { answerInvitation, requestPartnership, type DemoPhase } from './phases';
import type { DemoTenant } from './scenarios';

export interface ConsoleDemoOptions {
  screenshotsDir?: string;
  console?: boolean;
}

interface ConsoleAdmin {
  upn: string;
  password: string;
}

/** The demo admin of a tenant: a world user with a password and the console's admin app role. */
export function consoleAdminOf(tenant: Pick<DemoTenant, 'tenantId'>): ConsoleAdmin | undefined {
  const world = loadWorld();
  const worldTenant = world.tenants.find((candidate) => candidate.id === tenant.tenantId);
  const app = world.apps.find((candidate) => candidate.tenantId === tenant.tenantId && candidate.signIn);
  for (const assignment of app?.signIn?.roleAssignments ?? []) {
    const user = worldTenant?.users.find((candidate) => [candidate.id, candidate.userPrincipalName].includes(assignment.user) && candidate.password);
    if (user && assignment.roles.includes('Partnerships.Admin')) return { upn: user.userPrincipalName, password: user.password! };
  }
  return undefined;
}

/** The demo's phases with the console's inserted (screenshots along the way, serving at the end). */
export function withConsolePhases(phases: DemoPhase[], options: ConsoleDemoOptions): DemoPhase[] {
  if (!options.screenshotsDir && !options.console) return phases;
  const shots = options.screenshotsDir ? new Screenshots(resolve(options.screenshotsDir)) : undefined;
  const result: DemoPhase[] = [];
  for (const phase of phases) {
    if (shots && phase === requestPartnership) result.push(shots.newPartnershipPhase());
    if (shots && phase === answerInvitation) result.push(shots.invitationPhase());
    result.push(phase);
  }
  if (shots) result.push(shots.finalPhase());
  if (options.console) result.push(serveConsoles);
  return result;
}

class Screenshots {
  private readonly browsers = new Map<Side, ConsoleBrowser>();
  readonly files: string[] = [];

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private async page(context: DemoContext, side: Side, path: string): Promise<Page> {
    const state = context.sides[side];
    const admin = consoleAdminOf(state.tenant);
    if (!admin || !state.baseUrl) throw new Error(`No console admin or deployment for ${state.tenant.displayName}`);
    let browser = this.browsers.get(side);
    if (!browser) {
      browser = await launchConsoleBrowser();
      this.browsers.set(side, browser);
    }
    const page = browser.context.pages()[0] ?? (await browser.page());
    await openConsole(page, state.baseUrl, admin, path);
    return page;
  }

  private async save(context: DemoContext, side: Side, page: Page, name: string): Promise<void> {
    const file = join(this.dir, `${context.sides[side].tenant.name.toLowerCase()}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.files.push(file);
    context.log.line(`screenshot: ${file}`);
  }

  newPartnershipPhase(): DemoPhase {
    return {
      name: "screenshot: A's new-partnership form with its plan preview",
      when: (context) => context.scenario.responderDeployed,
      run: async (context) => {
        const page = await this.page(context, 'initiator', '/api/console/new');
        await page.locator('#new-partnership').waitFor();
        await fillPartnershipForm(page, context.scenario.request(context.sides.responder.baseUrl ?? '') as Record<string, unknown>);
        await page.click('#preview');
        await page.locator('#plan-heading, #result fluent-message-bar').first().waitFor({ timeout: 60_000 });
        await this.save(context, 'initiator', page, '2-new-partnership-plan');
      },
    };
  }

  invitationPhase(): DemoPhase {
    return {
      name: "screenshot: B's invitation page",
      when: (context) => context.partnershipId !== undefined && context.scenario.responderDeployed,
      run: async (context) => {
        const page = await this.page(context, 'responder', `/api/console/invitations/${context.partnershipId}`);
        await page.locator('#invitation-plan table, #invitation-plan .plan-empty, #invitation-plan fluent-message-bar').first().waitFor({ timeout: 60_000 });
        await this.save(context, 'responder', page, '3-invitation');
      },
    };
  }

  finalPhase(): DemoPhase {
    return {
      name: 'screenshots: both consoles at the end',
      run: async (context) => {
        try {
          for (const side of ['initiator', 'responder'] as const) {
            if (!context.sides[side].baseUrl) continue;
            const list = await this.page(context, side, '/api/console');
            await this.save(context, side, list, '1-partnerships');
            if (context.partnershipId) {
              const detail = await this.page(context, side, `/api/console/partnerships/${context.partnershipId}`);
              await detail.locator('#timeline li').first().waitFor();
              await detail.locator('#changes table, #changes p').first().waitFor();
              await this.save(context, side, detail, '4-detail-timeline');
            }
            const audit = await this.page(context, side, '/api/console/audit');
            await audit.locator('#audit, #audit-body .empty').first().waitFor();
            await this.save(context, side, audit, '5-audit');
          }
          context.log.line(`${this.files.length} screenshots in ${this.dir}`);
        } finally {
          for (const browser of this.browsers.values()) await browser.close();
          this.browsers.clear();
        }
      },
    };
  }
}

/** Keeps everything running and says how to reach each console, until Ctrl-C. */
export const serveConsoles: DemoPhase = {
  name: 'keep the consoles running',
  async run(context) {
    context.log.line('');
    context.log.line('The deployments, the simulator and Azurite keep running. Each console (trust the local CA, or accept its certificate once):');
    for (const side of ['initiator', 'responder'] as const) {
      const state = context.sides[side];
      if (!state.baseUrl) continue;
      const admin = consoleAdminOf(state.tenant);
      context.log.line(`  ${state.tenant.displayName}: ${state.baseUrl}/api/console`);
      if (admin) {
        context.log.line(`    sign in as ${admin.upn} (password ${admin.password}): ${state.baseUrl}/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent('/api/console')}&login_hint=${encodeURIComponent(admin.upn)}`);
      }
    }
    context.log.line('Press Ctrl-C to stop everything.');
    context.servingConsoles = true;
    await new Promise<void>((done) => {
      if (context.signal.aborted) return done();
      context.signal.addEventListener('abort', () => done(), { once: true });
    });
  },
};
