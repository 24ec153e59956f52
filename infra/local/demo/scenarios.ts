// The demo's scenarios: who asks whom for what, how the partner's admin answers, and how the
// scenario must end. Tenants, users and groups are those of the default world
// (infra/local/worlds/default.json).
import type { PartnershipRequestBody } from '../../../shared/client';
import type { AdminRequest } from '../simulator';
import type { PartnershipStatus } from '../../../shared/partnership';
import type { EnvironmentName } from '../../../shared/clouds';

export const SCENARIO_NAMES = ['approve', 'reject', 'timeout', 'usgov-china', 'gcc', 'offboard'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** A tenant of the default world that runs a deployment in the demo. */
export interface DemoTenant {
  /** Deployment name (also its task hub / table prefix in the stack). */
  name: string;
  tenantId: string;
  cloud: EnvironmentName;
  displayName: string;
}

export const CONTOSO: DemoTenant = { name: 'Contoso', tenantId: '14763f8a-fb9a-451a-9f75-c33963a5b05a', cloud: 'Global', displayName: 'Contoso' };
export const WOODGROVE_CHINA: DemoTenant = { name: 'WoodgroveChina', tenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87', cloud: 'China', displayName: 'Woodgrove China' };
export const TAILSPIN_GOV: DemoTenant = { name: 'TailspinGov', tenantId: '1df56d2a-1bd5-4423-877d-a12629343cfe', cloud: 'GCCHigh', displayName: 'Tailspin Gov' };
export const NORTHWIND_GCC: DemoTenant = { name: 'NorthwindGcc', tenantId: '3c9a5e71-2d4b-4f6a-8e1c-7b0d9f2a4c65', cloud: 'GCC', displayName: 'Northwind GCC' };

/** Contoso's ACS resource whose users may join Contoso's meetings (ACS interop is Contoso's own setting). */
const CONTOSO_ACS_RESOURCE = '6c0a2e1f-5b3d-4c7e-9a8f-1e2d3c4b5a69';

/** Free/busy (times only) and every MailTip: what each side authorises for the other's users. */
const FREE_BUSY_AND_MAILTIPS = { calendarAvailability: 'basic', mailTips: 'all' } as const;

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
  /** Once both sides are Active, this side's admin ends the partnership (offboarding). */
  offboard?: { by: 'initiator' | 'responder'; reason: string };
  /** The ending that makes the demo exit 0. */
  expected: {
    /** Status the initiator's partnership must end in, or `refused` (422, nothing written). */
    initiator: PartnershipStatus | 'refused';
    responder?: PartnershipStatus;
    /** The initiator's tenant must be as it was before (compensation, or nothing ever written). */
    initiatorTenantUnchanged?: boolean;
    /** Both tenants must be as they were before, except what the report lists as kept (offboarding). */
    tenantsRestoredExceptKept?: boolean;
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
      // Contoso's own Teams: its ACS app's users may join Contoso's meetings (never mirrored to Woodgrove).
      acsInterop: { resourceIds: [CONTOSO_ACS_RESOURCE] },
    },
    // Contoso lets Woodgrove's users see its free/busy and MailTips. The other way needs a tenant of the
    // global Graph service: a China tenant cannot authorise them (the rules refuse m365Capabilities.outbound).
    m365Capabilities: { inbound: FREE_BUSY_AND_MAILTIPS },
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
  gcc: {
    name: 'gcc',
    title: 'Contoso (commercial) and Northwind (GCC) authorise free/busy and MailTips both ways and meet across Microsoft 365 environments',
    initiator: CONTOSO,
    responder: NORTHWIND_GCC,
    responderDeployed: true,
    request: (url) => ({
      partnerTenantId: NORTHWIND_GCC.tenantId,
      partnerCloud: 'GCC',
      partnerDeploymentUrl: url,
      displayName: 'Contoso ↔ Northwind GCC (interagency program)',
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: { groupIds: [CONTOSO_COLLABORATORS_GROUP] } } },
      teams: {
        federation: true,
        crossCloudMeetings: { inbound: true, outbound: true },
        guestAccess: true,
        anonymousJoin: true,
        acsInterop: { resourceIds: [CONTOSO_ACS_RESOURCE] },
      },
      m365Capabilities: { inbound: FREE_BUSY_AND_MAILTIPS, outbound: FREE_BUSY_AND_MAILTIPS },
      guests: [{ upn: 'avery.howard@northwind.gov', teams: [{ teamId: '5f0e6c1a-3b7d-4e2a-9c4f-8a1b2c3d4e5f', role: 'member' }] }],
      guestInvitation: { message: 'Welcome to the interagency program team.' },
    }),
    answer: 'approve',
    expected: { initiator: 'Active', responder: 'Active' },
  },
  offboard: {
    name: 'offboard',
    title: "Contoso and Woodgrove China reach Active, then Woodgrove China's administrator ends the partnership; both sides remove what it added",
    initiator: CONTOSO,
    responder: WOODGROVE_CHINA,
    responderDeployed: true,
    request: (url) => contosoAsksWoodgrove(url),
    startingPoint: LIVED_IN_TENANTS,
    answer: 'approve',
    offboard: { by: 'responder', reason: 'The joint project with Contoso has ended.' },
    expected: { initiator: 'Removed', responder: 'Removed', tenantsRestoredExceptKept: true },
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

/**
 * Contoso (commercial) and Northwind (GCC, a commercial Entra tenant with government Teams): free/busy
 * and MailTips authorised both ways, cross-cloud meetings between the two Microsoft 365
 * environments, ACS interop at Contoso (GCC refuses it on its own side).
 */
/** Where the request points when the responder has no deployment in this run. */
export const UNDEPLOYED_PARTNER_URL = 'https://handshake.woodgrove.example.cn';
