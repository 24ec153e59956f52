// The demo's scenarios: who asks whom for what, how the partner's admin answers, and how the
// scenario must end. Tenants, users and groups are those of the default world
// (infra/local/worlds/default.json).
import type { PartnershipRequestBody } from '../../../shared/client';
import type { AdminRequest } from '../simulator';
import type { PartnershipStatus } from '../../../shared/partnership';

export const SCENARIO_NAMES = ['approve', 'reject', 'timeout', 'usgov-china'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** A tenant of the default world that runs a deployment in the demo. */
export interface DemoTenant {
  /** Deployment name (also its task hub / table prefix in the stack). */
  name: string;
  tenantId: string;
  cloud: 'Global' | 'USGov' | 'China';
  displayName: string;
}

export const CONTOSO: DemoTenant = { name: 'Contoso', tenantId: '14763f8a-fb9a-451a-9f75-c33963a5b05a', cloud: 'Global', displayName: 'Contoso' };
export const WOODGROVE_CHINA: DemoTenant = { name: 'WoodgroveChina', tenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87', cloud: 'China', displayName: 'Woodgrove China' };
export const TAILSPIN_GOV: DemoTenant = { name: 'TailspinGov', tenantId: '1df56d2a-1bd5-4423-877d-a12629343cfe', cloud: 'USGov', displayName: 'Tailspin Gov' };

/** Contoso's "Cross-cloud Collaborators" group: the Contoso people who may go out as guests. */
const CONTOSO_COLLABORATORS_GROUP = '2fda2898-91b5-4a9f-a23b-7ec7fb25509b';

/** A change an administrator made before the demo starts (applied through the simulator's admin API). */
export interface StartingChange {
  tenant: DemoTenant;
  /** One sentence for the output. */
  description: string;
  request: AdminRequest;
}

const teamsPut = (type: string, body: Record<string, unknown>): AdminRequest => ({
  service: 'teams',
  method: 'PUT',
  path: `/Skype.Policy/configurations/${type}/configuration/Global`,
  body: { Identity: 'Global', ...body },
});

/**
 * Where the tenants stand before the handshake: Contoso already limits Teams external access to an
 * existing partner (the handshake must add to that list, not replace it); Woodgrove China is
 * locked down (no federation, no guests, no anonymous join) and opens only what is asked.
 */
export const LIVED_IN_TENANTS: readonly StartingChange[] = [
  {
    tenant: CONTOSO,
    description: 'Teams external access is limited to fabrikam.com (an existing partner)',
    request: teamsPut('TenantFederationSettings', { AllowFederatedUsers: true, AllowedDomains: ['fabrikam.com'], BlockedDomains: [], AllowTeamsConsumer: false }),
  },
  {
    tenant: WOODGROVE_CHINA,
    description: 'Teams external access is off',
    request: teamsPut('TenantFederationSettings', { AllowFederatedUsers: false, AllowedDomains: [], BlockedDomains: [], AllowTeamsConsumer: false }),
  },
  {
    tenant: WOODGROVE_CHINA,
    description: 'Teams guest access is off',
    request: teamsPut('TeamsClientConfiguration', { AllowGuestUser: false }),
  },
  {
    tenant: WOODGROVE_CHINA,
    description: 'anonymous users may not join meetings',
    request: teamsPut('TeamsMeetingPolicy', { AllowAnonymousUsersToJoinMeeting: false, AutoAdmittedUsers: 'EveryoneInCompany' }),
  },
];

/** How the partner's administrator answers the invitation. */
export type Answer = 'approve' | 'reject' | 'none';

export interface Scenario {
  name: ScenarioName;
  /** One line for the top of the output. */
  title: string;
  initiator: DemoTenant;
  responder: DemoTenant;
  /** False when the responder's deployment is not needed (the request never leaves A). */
  responderDeployed: boolean;
  /** The request A's admin makes; `responderUrl` is B's deployment (a placeholder when not deployed). */
  request(responderUrl: string): PartnershipRequestBody;
  /** Admin changes made before the demo starts (default: none, the world as loaded). */
  startingPoint?: readonly StartingChange[];
  answer: Answer;
  rejectReason?: string;
  /** The ending that makes the demo exit 0. */
  expected: {
    /** Status the initiator's partnership must end in, or `refused` (422, nothing written). */
    initiator: PartnershipStatus | 'refused';
    responder?: PartnershipStatus;
    /** The initiator's tenant must be as it was before (compensation, or nothing ever written). */
    initiatorTenantUnchanged?: boolean;
  };
}

/** What Contoso asks of Woodgrove China: a realistic cross-cloud collaboration. */
function contosoAsksWoodgrove(responderUrl: string, overrides: Partial<PartnershipRequestBody> = {}): PartnershipRequestBody {
  return {
    partnerTenantId: WOODGROVE_CHINA.tenantId,
    partnerCloud: 'China',
    partnerDeploymentUrl: responderUrl,
    displayName: 'Contoso ↔ Woodgrove China (joint project)',
    b2bCollaboration: {
      // Every Woodgrove user may come in as a guest; only Contoso's collaborators go out.
      inbound: { users: 'all', applications: 'all' },
      outbound: { users: { groupIds: [CONTOSO_COLLABORATORS_GROUP] }, applications: 'all' },
    },
    teams: {
      federation: true,
      crossCloudMeetings: { inbound: true, outbound: true },
      guestAccess: true,
      anonymousJoin: true,
    },
    // Woodgrove people Contoso invites, and Contoso people Woodgrove invites (by UPN).
    guests: ['li.wei@woodgrove.cn', 'wang.fang@woodgrove.cn'],
    partnerGuests: ['adele.vance@contoso.com', 'megan.bowen@contoso.com'],
    // Across clouds Graph cannot check Woodgrove's domains: Contoso's admin vouches for them.
    acceptedPartnerDomains: ['woodgrove.cn', 'woodgrovecn.partner.onmschina.cn'],
    invitationLifetime: '72h',
    ...overrides,
  };
}

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  approve: {
    name: 'approve',
    title: 'Contoso (Global) and Woodgrove China (21Vianet) set up Teams and Entra collaboration',
    initiator: CONTOSO,
    responder: WOODGROVE_CHINA,
    responderDeployed: true,
    request: (url) => contosoAsksWoodgrove(url),
    startingPoint: LIVED_IN_TENANTS,
    answer: 'approve',
    expected: { initiator: 'Active', responder: 'Active' },
  },
  reject: {
    name: 'reject',
    title: "Woodgrove China's administrator rejects Contoso's invitation; Contoso undoes its side",
    initiator: CONTOSO,
    responder: WOODGROVE_CHINA,
    responderDeployed: true,
    request: (url) => contosoAsksWoodgrove(url),
    startingPoint: LIVED_IN_TENANTS,
    answer: 'reject',
    rejectReason: 'Our security review of this partnership is not finished yet.',
    expected: { initiator: 'Rejected', initiatorTenantUnchanged: true },
  },
  timeout: {
    name: 'timeout',
    title: "Nobody at Woodgrove China answers; Contoso's invitation expires and Contoso undoes its side",
    initiator: CONTOSO,
    responder: WOODGROVE_CHINA,
    responderDeployed: true,
    // The shortest lifetime the schema allows keeps the demo short.
    request: (url) => contosoAsksWoodgrove(url, { invitationLifetime: '10s' }),
    startingPoint: LIVED_IN_TENANTS,
    answer: 'none',
    expected: { initiator: 'Expired', initiatorTenantUnchanged: true },
  },
  'usgov-china': {
    name: 'usgov-china',
    title: 'Tailspin Gov (US Government) asks Woodgrove China (21Vianet): refused by the capability rules, nothing written',
    initiator: TAILSPIN_GOV,
    responder: WOODGROVE_CHINA,
    responderDeployed: false,
    request: (url) => ({
      partnerTenantId: WOODGROVE_CHINA.tenantId,
      partnerCloud: 'China',
      partnerDeploymentUrl: url,
      displayName: 'Tailspin Gov ↔ Woodgrove China',
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
      teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: true }, guestAccess: true },
      guests: ['li.wei@woodgrove.cn'],
    }),
    answer: 'none',
    expected: { initiator: 'refused', initiatorTenantUnchanged: true },
  },
};

/** Where the request points when the responder has no deployment in this run. */
export const UNDEPLOYED_PARTNER_URL = 'https://handshake.woodgrove.example.cn';
