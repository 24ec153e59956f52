// What a deployment's identity must be granted in its tenant, in one place: the Microsoft Graph
// application permissions the code calls for (least privileged that covers each call), and the
// directory role the Teams admin API needs. `handshake setup` grants exactly this list and
// `handshake doctor` checks it; see docs/deployment.md.
import { cloudDefinition, type CloudName } from '../clouds';
import { TEAMS_ADMINISTRATOR_ROLE_ID } from '../teams/configurations';

/** Microsoft Graph's application id (the same in every cloud). */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export { TEAMS_ADMINISTRATOR_ROLE_ID };

export interface GraphPermissionNeed {
  /** Application permission (the app role's `value` on the Graph service principal). */
  permission: string;
  /** What the product does with it (shown by setup and doctor). */
  why: string;
  /** Clouds where the product makes these calls (the API exists and the capability rules allow them). */
  appliesTo: (cloud: CloudName) => boolean;
}

const everywhere = (): boolean => true;
/** Cross-tenant synchronisation: the APIs are not available in Azure China (21Vianet). */
const outsideChina = (cloud: CloudName): boolean => cloudDefinition(cloud).crossTenantSyncApi;
/** findTenantInformationByDomainName and Microsoft 365 capabilities exist in the global Graph service only (commercial, GCC). */
const worldwideGraph = (cloud: CloudName): boolean => cloudDefinition(cloud).globalGraphService;

export const GRAPH_PERMISSION_NEEDS: readonly GraphPermissionNeed[] = [
  {
    permission: 'Policy.ReadWrite.CrossTenantAccess',
    why: 'read and write the cross-tenant access policy: cloud endpoints, partners, identity synchronisation',
    appliesTo: everywhere,
  },
  { permission: 'User.Read.All', why: 'read invited guests back; change notifications on users', appliesTo: everywhere },
  { permission: 'User.Invite.All', why: 'invite the partner\'s users as guests', appliesTo: everywhere },
  { permission: 'Organization.Read.All', why: 'read the tenant\'s verified domains (sent to the partner for Teams federation)', appliesTo: everywhere },
  { permission: 'CrossTenantInformation.ReadBasic.All', why: 'find a same-cloud partner\'s tenant ID from its domain', appliesTo: worldwideGraph },
  { permission: 'GroupMember.Read.All', why: 'change notifications on the members of synchronisation scoping groups', appliesTo: outsideChina },
  { permission: 'Application.ReadWrite.All', why: 'create and remove the cross-tenant synchronisation configuration (source side)', appliesTo: outsideChina },
  { permission: 'Synchronization.ReadWrite.All', why: 'configure, validate and start the cross-tenant synchronisation job', appliesTo: outsideChina },
  { permission: 'AppRoleAssignment.ReadWrite.All', why: 'scope the synchronisation configuration to the chosen groups', appliesTo: outsideChina },
  {
    permission: 'Policy.ReadWrite.CrossTenantCapability',
    why: 'authorise Microsoft 365 cross-tenant capabilities (free/busy, MailTips, calendar sharing, profile card, Places) for a partner',
    appliesTo: worldwideGraph,
  },
  { permission: 'TeamMember.ReadWriteNonOwnerRole.All', why: 'add invited guests to the teams a partnership names (as members)', appliesTo: everywhere },
];

/** The Graph application permissions a deployment in `cloud` needs, in a stable order. */
export function requiredGraphPermissions(cloud: CloudName): GraphPermissionNeed[] {
  return GRAPH_PERMISSION_NEEDS.filter((need) => need.appliesTo(cloud));
}

export type TeamsMode = 'rest' | 'manual';

/**
 * The Teams mode a deployment in `cloud` should use, and why. App-only tokens for the Teams admin
 * API are documented for the worldwide cloud, GCC, GCC High and DoD, not for China (21Vianet).
 */
export function recommendedTeamsMode(cloud: CloudName): { mode: TeamsMode; why: string } {
  if (cloudDefinition(cloud).entraCloud === 'China') {
    return {
      mode: 'manual',
      why:
        'app-only tokens for the Teams admin API are not documented for Azure China (21Vianet), so the app holds no Teams role: ' +
        'at the Teams step the workflow shows the MicrosoftTeams PowerShell for an administrator to run, then verifies it',
    };
  }
  return { mode: 'rest', why: 'the app writes the Teams settings itself through the Teams admin API (Teams Administrator role)' };
}

/** Why a deployment in manual Teams mode holds no Teams role (for setup and doctor). */
export function manualTeamsReason(cloud: CloudName): string {
  const recommended = recommendedTeamsMode(cloud);
  return recommended.mode === 'manual'
    ? recommended.why
    : 'TEAMS_ADAPTER is manual: the workflow shows the MicrosoftTeams PowerShell for an administrator to run, then verifies it';
}
