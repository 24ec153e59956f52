import type { RunningSimulator } from '../../infra/local/simulator';
import { parseDesiredCollaboration } from '../../shared/partnership';
import { applyPlan, plan, readTenantState } from '../../shared/plan';
import {
  applyTeamsUpdate,
  defaultTeamsConfiguration,
  emptyTeamsUpdate,
  ManualTeamsAdapter,
  manualScript,
  teamsConfigurationPath,
  teamsPowerShell,
  type TeamsUpdate,
} from '../../shared/teams';
import { startTestSimulator, tenantNamed } from '../support/simulator';
import { adaptersFor } from '../support/tenant';

jest.setTimeout(60_000);

const update = (type: TeamsUpdate['configurationType'], changes: Partial<TeamsUpdate>): TeamsUpdate => ({ ...emptyTeamsUpdate(type), ...changes });

describe('Teams changes (pure)', () => {
  it('merges list entries case-insensitively and keeps everything else', () => {
    const current = { ...defaultTeamsConfiguration('TenantFederationSettings'), AllowedDomains: ['Adatum.com'], BlockedDomains: ['x.example'] };
    const next = applyTeamsUpdate(current, update('TenantFederationSettings', { addToLists: { AllowedDomains: ['adatum.com', 'woodgrove.cn'] } }));
    expect(next).toEqual({ ...current, AllowedDomains: ['Adatum.com', 'woodgrove.cn'] });
    expect(current.AllowedDomains).toEqual(['Adatum.com']);
  });

  it('upserts and removes cross-cloud meeting partners', () => {
    const current = { Identity: 'Global' as const, Partners: [{ TenantId: 'A', InboundMeetingsAllowed: false, OutboundMeetingsAllowed: false }, { TenantId: 'b', InboundMeetingsAllowed: true, OutboundMeetingsAllowed: true }] };
    const next = applyTeamsUpdate(current, update('TeamsCrossCloudMeetingConfiguration', {
      upsertPartners: [{ TenantId: 'a', InboundMeetingsAllowed: true, OutboundMeetingsAllowed: true }],
      removePartners: ['B'],
    }));
    expect(next.Partners).toEqual([{ TenantId: 'a', InboundMeetingsAllowed: true, OutboundMeetingsAllowed: true }]);
  });

  it('renders the equivalent MicrosoftTeams PowerShell', () => {
    expect(teamsPowerShell(update('TenantFederationSettings', { set: { AllowFederatedUsers: true }, addToLists: { AllowedDomains: ['woodgrove.cn'] } }))).toEqual([
      'Set-CsTenantFederationConfiguration -AllowFederatedUsers $true -AllowedDomainsAsAList @{Add="woodgrove.cn"}',
    ]);
    expect(teamsPowerShell(update('TeamsMeetingPolicy', { set: { AllowAnonymousUsersToJoinMeeting: true, AutoAdmittedUsers: 'EveryoneInSameAndFederatedCompany' } }))).toEqual([
      'Set-CsTeamsMeetingPolicy -Identity Global -AllowAnonymousUsersToJoinMeeting $true -AutoAdmittedUsers EveryoneInSameAndFederatedCompany',
    ]);
    expect(teamsPowerShell(update('TeamsAcsFederationConfiguration', { set: { EnableAcsUsers: true }, addToLists: { AllowedAcsResources: ['r1'] }, removeFromLists: { AllowedAcsResources: ['r0'] } }))).toEqual([
      'Set-CsTeamsAcsFederationConfiguration -EnableAcsUsers $true -AllowedAcsResources @{Add="r1"; Remove="r0"}',
    ]);
    expect(teamsPowerShell(update('TeamsClientConfiguration', { set: { AllowGuestUser: false } }))).toEqual(['Set-CsTeamsClientConfiguration -Identity Global -AllowGuestUser $false']);
    expect(teamsPowerShell(update('TeamsCrossCloudMeetingConfiguration', { upsertPartners: [{ TenantId: 't1', InboundMeetingsAllowed: true, OutboundMeetingsAllowed: false }] }))[0]).toMatch(
      /^# Teams admin center > Meetings > Cross-cloud meetings: add or edit t1 \(inbound meetings allowed, outbound blocked\)$/,
    );
    expect(manualScript([update('TeamsClientConfiguration', { set: { AllowGuestUser: true } })]).split('\n')).toEqual([
      '# Run in PowerShell with the MicrosoftTeams module, as a Teams Administrator.',
      'Connect-MicrosoftTeams',
      'Set-CsTeamsClientConfiguration -Identity Global -AllowGuestUser $true',
    ]);
  });
});

describe('Teams adapters against the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.control.reset();
  });

  const federationPath = teamsConfigurationPath('TenantFederationSettings');

  it('REST: reads, merges and writes back, keeping what the update does not name', async () => {
    const { teams, tenant, teamsCounter } = adaptersFor(sim, 'Contoso');
    await sim.control.admin(tenant.id, {
      service: 'teams',
      method: 'PUT',
      path: federationPath,
      body: { Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: ['adatum.com'], BlockedDomains: ['spam.example'], AllowTeamsConsumer: false },
    });
    const change = update('TenantFederationSettings', { addToLists: { AllowedDomains: ['woodgrove.cn'] } });
    expect(await teams.verify(change)).toBe('not-satisfied');
    const outcome = await teams.apply(change);
    expect(outcome).toMatchObject({ status: 'applied', changed: true });
    expect((await sim.control.state(tenant.id)).teams.TenantFederationSettings).toEqual({
      Identity: 'Global',
      AllowFederatedUsers: true,
      AllowedDomains: ['adatum.com', 'woodgrove.cn'],
      BlockedDomains: ['spam.example'],
      AllowTeamsConsumer: false,
    });
    expect(await teams.verify(change)).toBe('satisfied');
    teamsCounter.reset();
    expect(await teams.apply(change)).toMatchObject({ status: 'applied', changed: false });
    expect(teamsCounter.snapshot().byKey).toEqual({ [`GET ${federationPath}`]: 1 });
  });

  it('REST: a value the Teams API refuses is a typed error and nothing changes', async () => {
    const { teams, tenant } = adaptersFor(sim, 'Tailspin Gov');
    const before = (await sim.control.state(tenant.id)).teams.TeamsAcsFederationConfiguration;
    await expect(teams.apply(update('TeamsAcsFederationConfiguration', { set: { EnableAcsUsers: true } }))).rejects.toMatchObject({ code: 'tenant.bad-request' });
    expect((await sim.control.state(tenant.id)).teams.TeamsAcsFederationConfiguration).toEqual(before);
  });

  it('manual: emits the script, then verifies by reading back once the admin ran it', async () => {
    const rest = adaptersFor(sim, 'Contoso');
    const manual = new ManualTeamsAdapter({ reader: rest.teams });
    const change = update('TeamsClientConfiguration', { set: { AllowGuestUser: true } });
    await sim.control.admin(rest.tenant.id, { service: 'teams', method: 'PUT', path: teamsConfigurationPath('TeamsClientConfiguration'), body: { Identity: 'Global', AllowGuestUser: false } });
    expect(await manual.apply(change)).toEqual({ status: 'manual', script: ['Set-CsTeamsClientConfiguration -Identity Global -AllowGuestUser $true'] });
    expect((await sim.control.state(rest.tenant.id)).teams.TeamsClientConfiguration).toMatchObject({ AllowGuestUser: false });
    expect(await manual.verify(change)).toBe('not-satisfied');
    // The administrator runs the script.
    await sim.control.admin(rest.tenant.id, { service: 'teams', method: 'PUT', path: teamsConfigurationPath('TeamsClientConfiguration'), body: { Identity: 'Global', AllowGuestUser: true } });
    expect(await manual.verify(change)).toBe('satisfied');
    expect(await new ManualTeamsAdapter().verify(change)).toBe('unverifiable');
  });

  it('manual: applyPlan returns the Teams steps as a script and records no ownership for them yet', async () => {
    const rest = adaptersFor(sim, 'Contoso');
    const adapters = { graph: rest.graph, teams: new ManualTeamsAdapter() };
    const target = {
      partnershipId: 'p',
      partnerDomains: ['woodgrove.cn'],
      desired: parseDesiredCollaboration({
        partnerTenantId: tenantNamed(sim, 'Woodgrove China').id,
        partnerCloud: 'China',
        partnerDeploymentUrl: 'https://handshake.woodgrove.cn',
        teams: { federation: true, guestAccess: true },
      }),
    };
    const planned = plan([target], await readTenantState(adapters, [target], { localCloud: 'Global' }), { localCloud: 'Global' });
    const result = await applyPlan(adapters, planned);
    expect(result.manual.map((step) => step.script).flat()).toEqual([
      'Set-CsTenantFederationConfiguration -AllowFederatedUsers $true -AllowedDomainsAsAList @{Add="woodgrove.cn"}',
      'Set-CsTeamsClientConfiguration -Identity Global -AllowGuestUser $true',
    ]);
    expect(result.claims.map((claim) => claim.item.kind)).toEqual(['cloudEndpoint', 'partner']);
    expect(result.manual.flatMap((step) => step.claims).length).toBeGreaterThan(0);
  });
});
