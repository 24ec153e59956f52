// How the demo judges the offboard scenario: both sides Removed, and each tenant as it was before
// except the guests the report lists as kept — anything else left behind is a problem, named.
import type { DemoContext } from '../../infra/local/demo/context';
import { buildReport, judgeOutcome } from '../../infra/local/demo/report';
import { SCENARIOS } from '../../infra/local/demo/scenarios';
import type { TenantConfiguration } from '../../infra/local/demo/tenants';
import type { PartnershipDetails } from '../../shared/client';

function configuration(displayName: string, overrides: Partial<TenantConfiguration> = {}): TenantConfiguration {
  return {
    tenantId: displayName === 'Contoso' ? '14763f8a-fb9a-451a-9f75-c33963a5b05a' : '7e8be59e-c071-47fb-ab9c-d694c21edb87',
    displayName,
    cloud: displayName === 'Contoso' ? 'Global' : 'China',
    allowedCloudEndpoints: [],
    partner: null,
    partnerCount: 0,
    teams: {
      federation: { allowFederatedUsers: true, allowedDomains: [], blockedDomains: [] },
      guestAccess: true,
      anonymousJoin: true,
      lobbyBypass: 'EveryoneInCompany',
      crossCloudMeetings: [],
      acs: { enabled: false, resources: [] },
      coexistenceMode: 'TeamsOnly',
    },
    guests: [],
    ...overrides,
  };
}

const guest = (mail: string) => ({ userPrincipalName: `${mail.replace('@', '_')}#EXT#@x.onmicrosoft.com`, mail, displayName: mail, externalUserState: 'PendingAcceptance' });

function context(after: { contoso?: Partial<TenantConfiguration>; woodgrove?: Partial<TenantConfiguration> }, kept: DemoContext['kept']): DemoContext {
  const scenario = SCENARIOS.offboard;
  const removed = { status: 'Removed', steps: [] } as unknown as PartnershipDetails;
  return {
    scenario,
    log: { line: () => undefined, block: () => undefined, elapsedMs: () => 0 } as unknown as DemoContext['log'],
    signal: new AbortController().signal,
    verbose: false,
    sides: { initiator: { tenant: scenario.initiator, partnership: removed }, responder: { tenant: scenario.responder, partnership: removed } },
    partnershipId: 'p',
    tenantsBefore: { Contoso: configuration('Contoso'), WoodgroveChina: configuration('Woodgrove China') },
    tenantsAfter: { Contoso: configuration('Contoso', after.contoso), WoodgroveChina: configuration('Woodgrove China', after.woodgrove) },
    graphRequests: {},
    kept,
  };
}

describe('the offboard scenario is judged', () => {
  it('as expected when both are Removed and only the guests listed as kept remain', () => {
    const judged = judgeOutcome(
      context({ contoso: { guests: [guest('li.wei@woodgrove.cn')] } }, [{ tenant: 'Contoso', item: 'guest li.wei@woodgrove.cn', why: 'kept' }]),
    );
    expect(judged).toEqual({ asExpected: true, finalStatus: 'Removed', problems: [] });
  });

  it('not as expected when a guest remains that is not listed as kept', () => {
    const judged = judgeOutcome(context({ woodgrove: { guests: [guest('adele.vance@contoso.com')] } }, []));
    expect(judged.asExpected).toBe(false);
    expect(judged.problems).toEqual(['Woodgrove China still has the guest adele.vance@contoso.com, which is not listed as kept']);
  });

  it('not as expected when anything else differs from before', () => {
    const judged = judgeOutcome(context({ contoso: { allowedCloudEndpoints: ['partner.microsoftonline.cn'] } }, []));
    expect(judged.problems).toEqual(["Contoso's configuration is not what it was before the partnership"]);
  });

  it('the report carries what was kept', () => {
    const kept = [{ tenant: 'Contoso', item: 'guest li.wei@woodgrove.cn', why: 'kept' }];
    const built = context({ contoso: { guests: [guest('li.wei@woodgrove.cn')] } }, kept);
    expect(buildReport(built, judgeOutcome(built), 1).kept).toEqual(kept);
  });
});
