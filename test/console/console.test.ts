// The console in a real browser (headless Chromium), on the whole local stack: Contoso (Global)
// and Woodgrove China (21Vianet), each signed in through the host's App Service Authentication
// emulation against the simulator's sign-in page. Contoso's admin requests a partnership with a
// plan preview, Woodgrove's admin approves it with the pairing code, both reach Active, the audit
// shows each admin by name, drift is repaired from the detail page; a field error shows next to
// its field and a user without the app role is refused. The trust section shows both keys, the
// pairing-code tries, accepts a partner domain and pins a key; the list pages; offboarding with the
// partner down ends Removed with what stays and the signed message to hand over. axe-core checks
// every page.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { CONSOLE_USERS, fillPartnershipForm, launchConsoleBrowser, openConsole, seriousAccessibilityViolations, waitForConsole, type ConsoleBrowser } from '../support/browser';
import { api, contosoRequest, hasStatus, PAIRING_CODE_FORMAT, useDeployments, waitForPartnership, WORLD, wrongPairingCode, writeCount } from '../support/stack';

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
  const { stack, contoso, china } = useDeployments(
    { Contoso: WORLD.contoso, China: WORLD.china },
    // Contoso gives up telling an unreachable partner after a few quick attempts (the offboarding case).
    { settings: { MESSAGE_DELIVERY_MAX_ATTEMPTS: '3', MESSAGE_DELIVERY_MAX_RETRY_INTERVAL_MS: '500' } },
  );
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
    // A guest is a row of the list (given by UPN alone).
    await fillPartnershipForm(contosoPage, { guests: ['li.wei@woodgrove.cn'] });

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
    expect(pairingCode).toMatch(PAIRING_CODE_FORMAT);
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

    await expect(chinaPage.locator('#attempts-left').textContent()).resolves.toBe('5 of 5 left');

    // A mistyped shape costs no try; a wrong code of the right shape costs one.
    await chinaPage.fill('#pairing-code-input', 'AAAA-BBBB');
    await chinaPage.click('#approve');
    await chinaPage.locator('#outcome fluent-message-bar[intent="error"]').waitFor();
    await expect(chinaPage.locator('#outcome').textContent()).resolves.toMatch(/pairing ?code/i);
    await expect(chinaPage.locator('#attempts-left').textContent()).resolves.toBe('5 of 5 left');
    await chinaPage.fill('#pairing-code-input', wrongPairingCode(pairingCode));
    await chinaPage.click('#approve');
    await chinaPage.locator('#attempts-left', { hasText: '4 of 5 left' }).waitFor();
    await expect(chinaPage.locator('#outcome').textContent()).resolves.toMatch(/pairing ?code/i);
    expect((await api(china(), 'GET', `/api/partnerships/${partnershipId}`)).body).toMatchObject({ status: 'Draft', pairingAttempts: { used: 1, max: 5 } });

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

  it("shows each side's key, the partner's key with the evidence it is trusted on, and the pairing-code tries", async () => {
    const contosoDetails = (await api(contoso(), 'GET', `/api/partnerships/${partnershipId}`)).body;
    const chinaDetails = (await api(china(), 'GET', `/api/partnerships/${partnershipId}`)).body;
    await contosoPage.locator('#keys #own-key').waitFor();
    await chinaPage.locator('#keys #own-key').waitFor();
    const contosoKey = (await contosoPage.locator('#own-key').textContent()) ?? '';
    const chinaKey = (await chinaPage.locator('#own-key').textContent()) ?? '';
    expect(contosoKey).toMatch(/\S{16,}/);
    expect(chinaKey).not.toBe(contosoKey);
    // Each side trusts the other's key, and says why.
    await expect(contosoPage.locator('#partner-key').textContent()).resolves.toBe(chinaKey);
    await expect(chinaPage.locator('#partner-key').textContent()).resolves.toBe(contosoKey);
    expect(contosoDetails.keys.partner.thumbprint).toBe(chinaKey);
    await expect(contosoPage.locator('#partner-key-source').textContent()).resolves.toContain(`(${contosoDetails.keys.partner.source})`);
    await expect(chinaPage.locator('#partner-key-source').textContent()).resolves.toContain(`(${chinaDetails.keys.partner.source})`);
    // The responder counted the tries of a well-formed code: the wrong one and the right one.
    await expect(chinaPage.locator('#pairing-attempts').textContent()).resolves.toBe('2 of 5 used (3 left)');
    // Approved: the pairing code is no longer shown, and no key is pinned any more.
    expect(await chinaPage.locator('#detail-pairing-code').count()).toBe(0);
    expect(await contosoPage.locator('#partner-key-form').count()).toBe(0);
  });

  it("accepts a domain the partner declared (unverified across clouds) from the detail page; it is used from then on", async () => {
    const before = (await api(contoso(), 'GET', `/api/partnerships/${partnershipId}`)).body;
    const unverified = (before.partnerDomains as { domain: string; status: string }[]).filter((domain) => domain.status === 'unverified');
    expect(unverified.length).toBeGreaterThan(0);
    const domain = unverified[0].domain;
    const row = contosoPage.locator(`#partner-domains tr[data-domain="${domain}"]`);
    await row.waitFor();
    await expect(row.locator('fluent-badge').getAttribute('data-status')).resolves.toBe('unverified');
    await expectAccessible(contosoPage);
    await row.locator('button, fluent-button').first().click();
    // The answer stays readable although it re-renders the section (the domain is now verified).
    await contosoPage.locator('#partner-domains-outcome fluent-message-bar').waitFor();
    await expect(contosoPage.locator('#partner-domains-outcome').textContent()).resolves.toContain(`Accepted ${domain}.`);
    await expect(contosoPage.locator('#partner-domains-outcome fluent-message-bar').getAttribute('intent')).resolves.toBe('success');
    await contosoPage.locator(`#partner-domains tr[data-domain="${domain}"] fluent-badge[data-status="verified"]`).waitFor();
    await expect(contosoPage.locator(`#partner-domains tr[data-domain="${domain}"]`).textContent()).resolves.toContain('an administrator');
    const after = (await api(contoso(), 'GET', `/api/partnerships/${partnershipId}`)).body;
    expect(after.partnerDomains).toContainEqual(expect.objectContaining({ domain, status: 'verified', source: 'admin' }));
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

  it("rejecting an invitation with a reason from the console; the requester's page shows the last error with how to fix it", async () => {
    // A second request, which Woodgrove's admin declines.
    const declined = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
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

    // A guest UPN with a typo (no such user in the partner tenant): after the approval, Contoso ends Failed with the reason.
    const refused = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack(), { guests: ['li.wie@woodgrove.cn'] }) });
    expect(refused.status).toBe(202);
    await waitForPartnership(china(), refused.body.id, hasStatus('Draft'));
    expect((await api(china(), 'POST', `/api/partnerships/${refused.body.id}/approve`, { body: { pairingCode: refused.body.pairingCode } })).status).toBeLessThan(300);
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, `/api/console/partnerships/${refused.body.id}`);
    await contosoPage.locator('#last-error fluent-message-bar').waitFor({ timeout: 120_000 });
    const failed = await waitForPartnership(contoso(), refused.body.id, (partnership) => partnership.lastError !== undefined);
    expect(failed.lastError.code).toBe('apply.partial-failure');
    const shown = (await contosoPage.locator('#last-error').textContent()) ?? '';
    expect(shown).toContain(failed.lastError.message);
    expect(shown).toContain(failed.lastError.code);
    expect(shown).toMatch(/How to fix: \S/);
    await expectAccessible(contosoPage);
  });

  it('pages the list: one partnership a page, the next page and back to the first', async () => {
    const all = (await api(contoso(), 'GET', '/api/partnerships?$top=200')).body.partnerships as { id: string }[];
    expect(all.length).toBeGreaterThanOrEqual(3);
    await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, '/api/console?$top=1');
    const rows = contosoPage.locator('#partnerships tbody tr');
    expect(await rows.count()).toBe(1);
    const first = await rows.first().getAttribute('data-id');
    expect(await contosoPage.locator('#first-page').count()).toBe(0);
    await Promise.all([contosoPage.waitForURL(/continuationToken=/), contosoPage.click('#next-page')]);
    await waitForConsole(contosoPage);
    await contosoPage.locator('#partnerships tbody tr').first().waitFor();
    expect(await rows.count()).toBe(1);
    const second = await rows.first().getAttribute('data-id');
    expect(second).not.toBe(first);
    expect(all.map((row) => row.id)).toEqual(expect.arrayContaining([first, second]));
    await expectAccessible(contosoPage);
    await Promise.all([contosoPage.waitForURL((url) => !url.searchParams.has('continuationToken')), contosoPage.click('#first-page')]);
    await waitForConsole(contosoPage);
    await contosoPage.locator('#partnerships tbody tr').first().waitFor();
    await expect(rows.first().getAttribute('data-id')).resolves.toBe(first);
  });

  it("pins the partner's key read back by its administrator while the partner is down; a malformed thumbprint is refused and pins nothing", async () => {
    const chinaKey = (await api(china(), 'GET', `/api/partnerships/${partnershipId}`)).body.keys.own as string;
    await china().stop();
    try {
      const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
      expect(created.status).toBe(202);
      // The partner's key could not be fetched from its URL: nothing trusted, the admin may pin it.
      const awaiting = await waitForPartnership(contoso(), created.body.id, hasStatus('AwaitingPartner'));
      expect(awaiting.keys.partner).toBeUndefined();
      await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, `/api/console/partnerships/${created.body.id}`);
      await contosoPage.locator('#partner-key-form').waitFor();
      await expectAccessible(contosoPage);

      await contosoPage.fill('#partner-key-thumbprint', 'not a thumbprint');
      await contosoPage.click('#partner-key-pin');
      await contosoPage.locator('#partner-key-outcome fluent-message-bar[intent="error"]').waitFor();
      expect((await api(contoso(), 'GET', `/api/partnerships/${created.body.id}`)).body.keys.partnerExpected).toBeUndefined();

      await contosoPage.fill('#partner-key-thumbprint', chinaKey);
      await contosoPage.click('#partner-key-pin');
      await contosoPage.locator('#partner-key-outcome fluent-message-bar[intent="success"]').waitFor();
      await expect(contosoPage.locator('#partner-key-outcome').textContent()).resolves.toContain('Pinned');
      await contosoPage.locator('#keys fluent-badge', { hasText: 'Awaiting answer' }).waitFor();
      await expect(contosoPage.locator('#partner-key').textContent()).resolves.toBe(chinaKey);
      expect((await api(contoso(), 'GET', `/api/partnerships/${created.body.id}`)).body.keys.partnerExpected).toBe(chinaKey);
    } finally {
      await china().restart();
    }
  });

  it("offboards with the partner down: Removed, what stays in the tenant and why, and the signed offboard message to hand over", async () => {
    await china().stop();
    try {
      await openConsole(contosoPage, contoso().baseUrl, CONSOLE_USERS.contosoAdmin, `/api/console/partnerships/${partnershipId}`);
      await contosoPage.locator('#offboard-form').waitFor();
      await contosoPage.fill('#offboard-reason', 'Project ended');
      const [request] = await Promise.all([contosoPage.waitForRequest((candidate) => candidate.method() === 'DELETE'), contosoPage.click('#offboard')]);
      expect(new URL(request.url()).pathname).toBe(`/api/console-api/partnerships/${partnershipId}`);
      expect(request.postDataJSON()).toEqual({ deleteGuests: false, reason: 'Project ended' });
      await contosoPage.locator('#offboard-outcome fluent-message-bar[intent="success"]').waitFor();

      // The page follows the removal until Removed, then lists what stays in the tenant, as the API records it.
      await contosoPage.locator('#status fluent-badge[data-status="Removed"]').waitFor({ timeout: 180_000 });
      expect(await contosoPage.locator('#offboard-form').count()).toBe(0);
      await contosoPage.locator('#kept tbody tr').first().waitFor();
      const removed = await waitForPartnership(contoso(), partnershipId, hasStatus('Removed'));
      const keptByApi = (removed.steps.at(-1).data.kept as { description: string; why: string }[]).map((item) => `${item.description}${item.why}`);
      const kept = await contosoPage.locator('#kept tbody tr').allTextContents();
      expect(kept).toEqual(keptByApi);
      // The guest stays, and what the other partnerships with Woodgrove still need, each saying why.
      expect(kept).toContainEqual(expect.stringMatching(/^guest li\.wei@woodgrove\.cn\S/));
      expect(kept).toContainEqual(expect.stringMatching(new RegExp(`^partner organisation ${WORLD.china}still needed by partnership [0-9a-f-]{36}$`)));

      // The partner was not told: the signed message to carry over, the one the API hands out.
      await contosoPage.locator('#offboard-message').waitFor();
      await expectAccessible(contosoPage);
      const [download] = await Promise.all([contosoPage.waitForEvent('download'), contosoPage.click('#offboard-message')]);
      expect(download.suggestedFilename()).toBe(`offboard-${partnershipId}.jws`);
      const jws = readFileSync((await download.path()) as string, 'utf8');
      expect(jws.split('.')).toHaveLength(3);
      expect(JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString())).toMatchObject({ type: 'offboard', partnershipId });
      expect(removed.offboardMessageUrl).toBe(`${contoso().baseUrl}/api/partnerships/${partnershipId}/offboard-message`);
    } finally {
      await china().restart();
    }
  });
});
