// The console in a real browser (headless Chromium), on the whole local stack: Contoso (Global)
// and Woodgrove China (21Vianet), each signed in through the host's App Service Authentication
// emulation against the simulator's sign-in page. Contoso's admin requests a partnership with a
// plan preview, Woodgrove's admin approves it with the pairing code, both reach Active, the audit
// shows each admin by name, drift is repaired from the detail page; a field error shows next to
// its field and a user without the app role is refused. axe-core checks every page.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { CONSOLE_USERS, launchConsoleBrowser, openConsole, seriousAccessibilityViolations, waitForConsole, type ConsoleBrowser } from '../support/browser';
import { api, useDeployments, WORLD, writeCount } from '../support/stack';

jest.setTimeout(300_000);

const TEAMS_CLIENT = '/Skype.Policy/configurations/TeamsClientConfiguration/configuration/Global';

async function expectAccessible(page: Page): Promise<void> {
  const violations = await seriousAccessibilityViolations(page);
  expect(violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`)).toEqual([]);
}

async function statusOf(page: Page): Promise<string | null> {
  return page.locator('#status fluent-badge').getAttribute('data-status');
}

describe('the console in a browser, Contoso (Global) and Woodgrove China (21Vianet)', () => {
  const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china });
  let contosoBrowser: ConsoleBrowser;
  let chinaBrowser: ConsoleBrowser;
  let contosoPage: Page;
  let chinaPage: Page;
  let partnershipId = '';
  let pairingCode = '';

  beforeAll(async () => {
    contosoBrowser = await launchConsoleBrowser();
    chinaBrowser = await launchConsoleBrowser();
    contosoPage = await contosoBrowser.page();
    chinaPage = await chinaBrowser.page();
  });
  afterAll(async () => {
    await contosoBrowser?.close();
    await chinaBrowser?.close();
  });

  it('refuses a signed-in user without the app role: 403 and a page naming the missing role; the API refuses too', async () => {
    const browser = await launchConsoleBrowser();
    try {
      const page = await browser.page();
      await openConsole(page, contoso().baseUrl, CONSOLE_USERS.contosoUser);
      const response = await page.goto(`${contoso().baseUrl}/api/console`);
      expect(response?.status()).toBe(403);
      await expect(page.locator('#role-missing').textContent()).resolves.toContain('Partnerships.Admin');
      await expect(page.locator('#role-missing').textContent()).resolves.toContain(CONSOLE_USERS.contosoUser.upn);
      await expectAccessible(page);
      const answer = await page.evaluate(async () => {
        const reply = await fetch('/api/console-api/partnerships', { headers: { 'x-console-request': '1' } });
        return { status: reply.status, body: await reply.json() };
      });
      expect(answer).toMatchObject({ status: 403, body: { code: 'auth.role-missing', missingRole: 'Partnerships.Admin' } });
    } finally {
      await browser.close();
    }
  });

  it('signs the admin in through App Service Authentication and shows the (empty) list, accessibly', async () => {
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin);
    expect(new URL(contosoPage.url()).pathname).toBe('/api/console');
    await expect(contosoPage.locator('#who').textContent()).resolves.toBe('Contoso Administrator');
    await expect(contosoPage.locator('main .empty').textContent()).resolves.toContain('No partnership yet');
    await expectAccessible(contosoPage);
  });

  it('shows an API field error next to its field, and writes nothing', async () => {
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, '/api/console/new');
    await contosoPage.waitForSelector('#new-partnership');
    await expectAccessible(contosoPage);
    await contosoPage.fill('#f-partnerTenantId', 'not-a-tenant-id');
    await contosoPage.selectOption('#f-partnerCloud', 'China');
    await contosoPage.fill('#f-partnerDeploymentUrl', china().baseUrl);
    await contosoPage.click('#preview');
    const error = contosoPage.locator('#f-partnerTenantId-error');
    await error.waitFor({ state: 'visible' });
    await expect(error.textContent()).resolves.toContain('must be a GUID');
    await expect(contosoPage.getAttribute('#f-partnerTenantId', 'aria-invalid')).resolves.toBe('true');
    await expect(contosoPage.getAttribute('#f-partnerTenantId', 'aria-describedby')).resolves.toContain('f-partnerTenantId-error');
    const list = await api(contoso(), 'GET', '/api/partnerships');
    expect(list.body.partnerships).toEqual([]);
  });

  it('previews the plan (live capability check first), then confirms and shows the pairing code', async () => {
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, '/api/console/new');
    await contosoPage.waitForSelector('#new-partnership');
    await contosoPage.fill('#f-partnerTenantId', WORLD.china);
    await contosoPage.selectOption('#f-partnerCloud', 'China');
    await contosoPage.fill('#f-partnerDeploymentUrl', china().baseUrl);
    await contosoPage.fill('#f-displayName', 'Woodgrove China');
    await contosoPage.check('#f-b2bCollaboration_inbound-include');
    await contosoPage.selectOption('#f-b2bCollaboration_inbound_users', { label: 'all' });
    await contosoPage.check('#f-b2bCollaboration_outbound-include');
    await contosoPage.selectOption('#f-b2bCollaboration_outbound_users', { label: 'all' });
    await contosoPage.check('#f-teams_federation');
    await contosoPage.check('#f-teams_guestAccess');
    // The live preflight: B2B direct connect is refused across clouds, before anything is sent.
    await contosoPage.check('#f-b2bDirectConnect_inbound-include');
    await contosoPage.selectOption('#f-b2bDirectConnect_inbound_users', { label: 'all' });
    await contosoPage.locator('#preflight [data-code="b2b-direct-connect.cross-cloud"]').waitFor();
    await contosoPage.uncheck('#f-b2bDirectConnect_inbound-include');
    await contosoPage.locator('#preflight fluent-message-bar[intent="success"]').waitFor();
    await contosoPage.fill('#f-guests', 'li.wei@woodgrove.cn');

    const writesBefore = await writeCount(stack(), WORLD.contoso);
    await contosoPage.click('#preview');
    await contosoPage.locator('#plan-heading').waitFor();
    const operations = await contosoPage.locator('table.plan tbody tr').allTextContents();
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.join('\n')).toMatch(/Woodgrove|7e8be59e|partner/i);
    expect(await writeCount(stack(), WORLD.contoso)).toBe(writesBefore);
    expect((await api(contoso(), 'GET', '/api/partnerships')).body.partnerships).toEqual([]);
    await expectAccessible(contosoPage);

    await contosoPage.click('#confirm');
    await contosoPage.locator('#pairing-code').waitFor();
    pairingCode = (await contosoPage.locator('#pairing-code').textContent()) ?? '';
    expect(pairingCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    const href = (await contosoPage.getAttribute('#follow', 'href')) ?? '';
    partnershipId = decodeURIComponent(href.split('/').pop() ?? '');
    expect(partnershipId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("shows Woodgrove's admin the invitation (who asks, key fingerprint, plan) and approves it with the pairing code", async () => {
    await openConsole(chinaPage, china().baseUrl, CONSOLE_USERS.chinaAdmin);
    // The invitation arrives through the handshake; reload the list until it is there.
    const deadline = Date.now() + 60_000;
    while (!(await chinaPage.locator(`tr[data-id="${partnershipId}"]`).count())) {
      if (Date.now() > deadline) throw new Error('The invitation did not reach Woodgrove China');
      await chinaPage.reload();
      await waitForConsole(chinaPage);
    }
    await expectAccessible(chinaPage);
    await chinaPage.click(`tr[data-id="${partnershipId}"] a`);
    await chinaPage.locator('#approve-form').waitFor();
    await expect(chinaPage.locator('#inviter').textContent()).resolves.toContain(WORLD.contoso);
    await expect(chinaPage.locator('#key-fingerprint').textContent()).resolves.toMatch(/\S{16,}/);
    await chinaPage.locator('#invitation-plan table.plan, #invitation-plan .plan-empty').first().waitFor();
    await expectAccessible(chinaPage);

    await chinaPage.fill('#pairing-code-input', 'AAAA-BBBB');
    await chinaPage.click('#approve');
    await chinaPage.locator('#outcome fluent-message-bar[intent="error"]').waitFor();
    await expect(chinaPage.locator('#outcome').textContent()).resolves.toMatch(/pairing code/i);

    await chinaPage.fill('#pairing-code-input', pairingCode);
    await Promise.all([chinaPage.waitForURL(`**/api/console/partnerships/${partnershipId}`), chinaPage.click('#approve')]);
    await waitForConsole(chinaPage);
  });

  it('shows both sides reach Active on their live timelines', async () => {
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, `/api/console/partnerships/${partnershipId}`);
    for (const page of [contosoPage, chinaPage]) {
      await page.locator('#status fluent-badge[data-status="Active"]').waitFor({ timeout: 180_000 });
      expect(await statusOf(page)).toBe('Active');
      expect(await page.locator('#timeline li').count()).toBeGreaterThan(3);
    }
    await contosoPage.locator('#before-after tbody tr').first().waitFor();
    await expectAccessible(contosoPage);
  });

  it("lists each admin's actions by name in the audit, and exports them as CSV", async () => {
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, `/api/console/audit?partnership=${partnershipId}`);
    await contosoPage.locator('#audit tbody tr').first().waitFor();
    const actors = await contosoPage.locator('#audit td.actor').allTextContents();
    expect(actors).toContain(`admin:${CONSOLE_USERS.contosoAdmin.upn}`);
    await expectAccessible(contosoPage);
    const [download] = await Promise.all([contosoPage.waitForEvent('download'), contosoPage.click('#audit-export')]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('at,actor,type,message,partnershipId,before,after');
    expect(csv).toContain(`admin:${CONSOLE_USERS.contosoAdmin.upn},partnership.requested`);

    await openConsole(chinaPage, china().baseUrl, CONSOLE_USERS.chinaAdmin, `/api/console/audit?actor=${encodeURIComponent(`admin:${CONSOLE_USERS.chinaAdmin.upn}`)}`);
    await chinaPage.locator('#audit tbody tr').first().waitFor();
    await expect(chinaPage.locator('#audit tbody').textContent()).resolves.toContain('invitation.approved');
  });

  it('finds drift made in the tenant and repairs it from the detail page', async () => {
    const control = stack().simulator.control;
    const current = (await control.state(WORLD.contoso)).teams.TeamsClientConfiguration;
    expect(current.AllowGuestUser).toBe(true);
    const changed = await control.admin(WORLD.contoso, { service: 'teams', method: 'PUT', path: TEAMS_CLIENT, body: { ...current, AllowGuestUser: false } });
    expect(changed.status).toBeLessThan(300);

    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, `/api/console/partnerships/${partnershipId}`);
    await contosoPage.locator('#reconcile-enforce').waitFor();
    await contosoPage.click('#reconcile-enforce');
    await contosoPage.locator('#reconcile-outcome fluent-message-bar').waitFor({ timeout: 60_000 });
    await expect(contosoPage.locator('#reconcile-outcome').textContent()).resolves.toMatch(/Repaired 1 difference/);
    await contosoPage.locator('#drift-status fluent-badge[data-status="Repaired"]').waitFor();
    expect((await control.state(WORLD.contoso)).teams.TeamsClientConfiguration.AllowGuestUser).toBe(true);
    await expect(contosoPage.locator('#timeline').textContent()).resolves.toContain('drift.repaired');
  });

  it('offboarding form: sends the contract (deleteGuests, reason) and shows the answer — 501 here, nothing changed', async () => {
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, `/api/console/partnerships/${partnershipId}`);
    await contosoPage.locator('#offboard-form').waitFor();
    await contosoPage.check('#offboard-delete-guests');
    await contosoPage.fill('#offboard-reason', 'Project ended');
    const [request] = await Promise.all([
      contosoPage.waitForRequest((candidate) => candidate.method() === 'DELETE'),
      contosoPage.click('#offboard'),
    ]);
    expect(new URL(request.url()).pathname).toBe(`/api/console-api/partnerships/${partnershipId}`);
    expect(request.postDataJSON()).toEqual({ deleteGuests: true, reason: 'Project ended' });
    await contosoPage.locator('#offboard-outcome fluent-message-bar[intent="error"]').waitFor();
    await expect(contosoPage.locator('#offboard-outcome').textContent()).resolves.toMatch(/Offboarding a partnership is not available yet; nothing was changed/);
    expect((await api(contoso(), 'GET', `/api/partnerships/${partnershipId}`)).body.status).toBe('Active');
  });

  it("rejecting an invitation with a reason from the console; the requester's page shows the last error with how to fix it", async () => {
    // A second request, which Woodgrove's admin declines.
    const declined = await api(contoso(), 'POST', '/api/partnerships', {
      body: { partnerTenantId: WORLD.china, partnerCloud: 'China', partnerDeploymentUrl: china().baseUrl, teams: { federation: true } },
    });
    expect(declined.status).toBe(202);
    await openConsole(chinaPage, china().baseUrl, CONSOLE_USERS.chinaAdmin, `/api/console/invitations/${declined.body.id}`);
    const deadline = Date.now() + 60_000;
    while (!(await chinaPage.locator('#reject-form').count())) {
      if (Date.now() > deadline) throw new Error('The second invitation did not reach Woodgrove China');
      await chinaPage.reload();
      await waitForConsole(chinaPage);
    }
    await chinaPage.fill('#reject-reason', 'Not expected');
    await Promise.all([chinaPage.waitForURL(`**/api/console/partnerships/${declined.body.id}`), chinaPage.click('#reject')]);
    await chinaPage.locator('#status fluent-badge[data-status="Rejected"]').waitFor();
    const rejected = await api(china(), 'GET', `/api/events?partnership=${declined.body.id}&type=status.changed`);
    expect(rejected.body.events.map((event: { actor: string }) => event.actor)).toContain(`admin:${CONSOLE_USERS.chinaAdmin.upn}`);

    // A request the partner's rules refuse (sync into a China tenant): Contoso ends Failed with the reason.
    const refused = await api(contoso(), 'POST', '/api/partnerships', {
      body: { partnerTenantId: WORLD.china, partnerCloud: 'China', partnerDeploymentUrl: china().baseUrl, crossTenantSync: { direction: 'outbound' } },
    });
    expect(refused.status).toBe(202);
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, `/api/console/partnerships/${refused.body.id}`);
    await contosoPage.locator('#last-error fluent-message-bar').waitFor({ timeout: 120_000 });
    const shown = (await contosoPage.locator('#last-error').textContent()) ?? '';
    expect(shown).toContain('handshake.partner-refused');
    expect(shown).toMatch(/How to fix: Read the partner's reason/);
    await expectAccessible(contosoPage);
  });
});
