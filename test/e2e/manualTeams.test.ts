// Manual Teams mode end to end (TEAMS_ADAPTER=manual): the product writes no Teams setting itself;
// the workflow records a step carrying the MicrosoftTeams PowerShell script and re-verifies on a
// durable timer. Contoso's administrator applies the settings (through the simulator, as in the
// admin center) and the partnership reaches Active; Tailspin's administrator never does, and its
// partnership ends Failed at the deadline with the script in the last error.
import { teamsConfigurationPath } from '../../shared/teams';
import { tenantNamed } from '../support/simulator';
import { api, hasStatus, useStack, waitForPartnership, WORLD } from '../support/stack';

jest.setTimeout(240_000);

type Step = { type: string; message: string; data?: { script?: string; remaining?: string[]; deadline?: string } };

describe('manual Teams mode waits for the administrator', () => {
  const stack = useStack(() => ({
    deployments: [
      { name: 'Contoso', tenantId: WORLD.contoso, env: { TEAMS_ADAPTER: 'manual', TEAMS_MANUAL_RECHECK_INTERVAL: '1s', TEAMS_MANUAL_DEADLINE: '10m' } },
      { name: 'Fabrikam', tenantId: WORLD.fabrikam },
      { name: 'Tailspin', tenantId: WORLD.usgov, env: { TEAMS_ADAPTER: 'manual', TEAMS_MANUAL_RECHECK_INTERVAL: '1s', TEAMS_MANUAL_DEADLINE: '4s' } },
    ],
    timings: 'short',
    inMemoryStorage: true,
  }));
  const deployment = (name: string) => stack().deployment(name);

  /** An admin's change "in the Teams admin center". */
  async function putTeams(tenantId: string, type: 'TenantFederationSettings' | 'TeamsClientConfiguration', changes: Record<string, unknown>): Promise<void> {
    const current = (await stack().simulator.control.state(tenantId)).teams[type];
    const answer = await stack().simulator.control.admin(tenantId, { service: 'teams', method: 'PUT', path: teamsConfigurationPath(type), body: { ...current, ...changes } });
    expect(answer.status).toBe(200);
  }

  async function teamsWrites(tenantId: string): Promise<number> {
    const rows = await stack().simulator.control.counters({ tenantId });
    return rows.filter((row) => row.operation.startsWith('teams.Put')).reduce((sum, row) => sum + row.count, 0);
  }

  async function teamsReads(tenantId: string): Promise<number> {
    const rows = await stack().simulator.control.counters({ tenantId });
    return rows.filter((row) => row.operation.startsWith('teams.Get')).reduce((sum, row) => sum + row.count, 0);
  }

  async function waitForCondition(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function requestAndApprove(from: string, to: string, body: Record<string, unknown>): Promise<string> {
    const created = await api(deployment(from), 'POST', '/api/partnerships', { body: { partnerDeploymentUrl: deployment(to).baseUrl, ...body } });
    expect(created.status).toBe(202);
    await waitForPartnership(deployment(to), created.body.id, hasStatus('Draft'));
    expect((await api(deployment(to), 'POST', `/api/partnerships/${created.body.id}/approve`, { body: { pairingCode: created.body.pairingCode } })).status).toBe(202);
    return created.body.id;
  }

  const awaiting = (partnership: { steps: Step[] }): Step | undefined => partnership.steps.find((step) => step.type === 'awaiting-administrator');

  it('shows the script, waits, and reaches Active once the administrator has applied it', async () => {
    // Contoso's admin limits federation to a domain of their own and keeps guests out of Teams.
    await putTeams(WORLD.contoso, 'TenantFederationSettings', { AllowFederatedUsers: true, AllowedDomains: ['adatum.com'] });
    await putTeams(WORLD.contoso, 'TeamsClientConfiguration', { AllowGuestUser: false });
    const writesBefore = await teamsWrites(WORLD.contoso);

    const id = await requestAndApprove('Contoso', 'Fabrikam', {
      partnerTenantId: WORLD.fabrikam,
      partnerCloud: 'Global',
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
      teams: { federation: true, guestAccess: true },
    });

    const waiting = await waitForPartnership(deployment('Contoso'), id, (partnership) => Boolean(awaiting(partnership)));
    expect(waiting.status).toBe('Verifying');
    const step = awaiting(waiting)!;
    expect(step.message).toMatch(/a Teams administrator must run the script/);
    expect(step.data?.script).toMatch(/^# Run in PowerShell with the MicrosoftTeams module/);
    expect(step.data?.script).toContain('Connect-MicrosoftTeams');
    expect(step.data?.script).toMatch(/Set-CsTenantFederationConfiguration .*fabrikam\.com/);
    expect(step.data?.script).toMatch(/Set-CsTeamsClientConfiguration .*-AllowGuestUser \$true/);
    expect(step.data?.remaining?.length).toBeGreaterThan(0);
    // The product wrote no Teams setting itself, and it keeps waiting (re-checking) meanwhile.
    expect(await teamsWrites(WORLD.contoso)).toBe(writesBefore);
    // It reads the tenant again on its timer (twice more here), and still waits.
    const readsAtStep = await teamsReads(WORLD.contoso);
    await waitForCondition('two more reads of the Teams settings', async () => (await teamsReads(WORLD.contoso)) >= readsAtStep + 2);
    expect((await api(deployment('Contoso'), 'GET', `/api/partnerships/${id}`)).body.status).toBe('Verifying');
    expect(await teamsWrites(WORLD.contoso)).toBe(writesBefore);

    // The administrator runs the script (here: the same settings through the admin center).
    const fabrikamDomains = tenantNamed(stack().simulator, 'Fabrikam').domains.map((domain) => domain.toLowerCase());
    await putTeams(WORLD.contoso, 'TenantFederationSettings', { AllowedDomains: ['adatum.com', ...fabrikamDomains] });
    await putTeams(WORLD.contoso, 'TeamsClientConfiguration', { AllowGuestUser: true });

    const [a, b] = await Promise.all([
      waitForPartnership(deployment('Contoso'), id, hasStatus('Active', 'Failed')),
      waitForPartnership(deployment('Fabrikam'), id, hasStatus('Active', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Active', 'Active']);
    expect(a.steps.map((s: Step) => s.message)).toContain('The Teams settings of the script are in place.');
    // What the script added is owned by the partnership now (removal undoes exactly that).
    expect(a.owned).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'teamsSetting', configurationType: 'TeamsClientConfiguration', property: 'AllowGuestUser', previous: false }),
        expect.objectContaining({ kind: 'teamsListEntry', property: 'AllowedDomains', value: 'fabrikam.com' }),
      ]),
    );
    // Every Teams change was the administrator's (the control API's admin changes are not counted).
    expect(await teamsWrites(WORLD.contoso)).toBe(writesBefore);
  });

  it('ends Failed at the deadline with the script in the last error when nobody applies it', async () => {
    await putTeams(WORLD.usgov, 'TeamsClientConfiguration', { AllowGuestUser: false });
    const id = await requestAndApprove('Tailspin', 'Fabrikam', {
      partnerTenantId: WORLD.fabrikam,
      partnerCloud: 'Global',
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
      teams: { guestAccess: true },
    });
    const failed = await waitForPartnership(deployment('Tailspin'), id, hasStatus('Active', 'Failed'));
    expect(failed.status).toBe('Failed');
    expect(awaiting(failed)).toBeDefined();
    expect(failed.lastError).toMatchObject({
      code: 'teams.manual-action-required',
      message: expect.stringMatching(/not applied within 4 s[\s\S]*Set-CsTeamsClientConfiguration .*-AllowGuestUser \$true/),
      details: { script: expect.stringContaining('Connect-MicrosoftTeams') },
    });
    expect((await stack().simulator.control.state(WORLD.usgov)).teams.TeamsClientConfiguration).toMatchObject({ AllowGuestUser: false });
  });
});
