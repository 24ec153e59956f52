// One sentence for every field of a partnership request, by dotted path (`[]` stands for the items
// of a list, e.g. guests[].teams): the OpenAPI description carries them and the console shows them
// beside each field. A test fails when the request schema gains a field without one here.
import { ENVIRONMENT_NAMES } from '../clouds';

type Direction = 'inbound' | 'outbound';

/** Who crosses in one direction of B2B collaboration or direct connect (see docs/capabilities.md, "Targeting"). */
function accessHelp(prefix: string, direction: Direction): Record<string, string> {
  const whose = direction === 'inbound' ? "the partner's" : "this tenant's";
  return {
    [`${prefix}.${direction}.users`]: `"all" of ${whose} users, or only the users and groups listed (allowed), or everyone but them (blocked).`,
    [`${prefix}.${direction}.users.userIds`]: `Object IDs of ${whose} users (one per line).`,
    [`${prefix}.${direction}.users.groupIds`]: `Object IDs of ${whose} groups (one per line).`,
    [`${prefix}.${direction}.users.access`]: 'allowed: only the users and groups listed; blocked: everyone but them.',
    [`${prefix}.${direction}.applications`]: 'All applications, only Office 365, or the applications listed (allowed) or all but them (blocked).',
    [`${prefix}.${direction}.applications.applicationIds`]: 'Application (client) IDs, or Office365 for the Office 365 app group (one per line).',
    [`${prefix}.${direction}.applications.access`]: 'allowed: only the applications listed; blocked: every application but them.',
  };
}

/** What one tenant authorises of its Microsoft 365 resources for the other's users. */
function m365Help(direction: Direction): Record<string, string> {
  const prefix = `m365Capabilities.${direction}`;
  const granting = direction === 'inbound' ? 'this tenant' : 'the partner';
  const users = direction === 'inbound' ? "the partner's users" : "this tenant's users";
  return {
    [prefix]:
      direction === 'inbound'
        ? "What this tenant authorises for the partner's users (configured here; only commercial and GCC tenants can)."
        : "What the partner authorises for this tenant's users (configured there; only a commercial or GCC partner can).",
    [`${prefix}.calendarAvailability`]: `Free/busy of ${granting}'s calendars for ${users}: basic (times only) or limitedDetails (with subject and location).`,
    [`${prefix}.mailTips`]: `MailTips of ${granting}'s mailboxes for ${users}: limited (those preventing a non-delivery report, and automatic replies) or all.`,
    [`${prefix}.calendarSharing`]: `${granting === 'this tenant' ? 'This tenant' : "The partner"}'s users may share their calendar with ${users}: free/busy, free/busy with details, or the whole calendar (reviewer).`,
    [`${prefix}.profileCard`]: `${users.charAt(0).toUpperCase()}${users.slice(1)} may open the profile card of ${granting}'s users.`,
    [`${prefix}.places`]: `${users.charAt(0).toUpperCase()}${users.slice(1)} may book ${granting}'s rooms, desks or both (Places).`,
    [`${prefix}.scope`]: `Whose calendars, MailTips and cards are shared: "all" users of ${granting}, or members of the groups listed.`,
    [`${prefix}.scope.groupIds`]: `Object IDs of ${granting}'s groups whose members are shared (one per line).`,
  };
}

export const PARTNERSHIP_REQUEST_HELP: Readonly<Record<string, string>> = {
  partnerTenantId: "The partner organisation's tenant ID (a GUID, from its Entra admin center > Overview). Give this or the partner domain.",
  partnerDomain: 'A verified domain of the partner (same Entra cloud only: a domain cannot be looked up across clouds). Give this or the tenant ID.',
  acceptedPartnerDomains:
    "The partner's domains you vouch for (one per line), for Teams federation: across clouds Graph cannot check whose a domain is, so only domains the partner declares and you name here are used.",
  partnerCloud: `The Microsoft 365 environment of the partner's tenant: ${ENVIRONMENT_NAMES.join(', ')} (USGov and USGovDoD are still accepted for GCCHigh and DoD).`,
  partnerDeploymentUrl: "The https address of the partner's deployment of this product (where the signed invitation is sent; this deployment also fetches its key there).",
  displayName: 'A name for this partnership, shown in lists (optional).',
  b2bCollaboration: 'B2B collaboration: who may be invited as a guest across the two tenants, and to which applications.',
  'b2bCollaboration.inbound': "The partner's users coming into this tenant as guests.",
  ...accessHelp('b2bCollaboration', 'inbound'),
  'b2bCollaboration.outbound': "This tenant's users going to the partner as guests.",
  ...accessHelp('b2bCollaboration', 'outbound'),
  b2bDirectConnect: 'B2B direct connect (Teams shared channels). Only within one Entra cloud.',
  'b2bDirectConnect.inbound': "The partner's users reaching this tenant's shared channels.",
  ...accessHelp('b2bDirectConnect', 'inbound'),
  'b2bDirectConnect.outbound': "This tenant's users reaching the partner's shared channels.",
  ...accessHelp('b2bDirectConnect', 'outbound'),
  teams: 'Microsoft Teams settings for this partner.',
  'teams.federation': "External access: chat and calls with the partner's verified domains.",
  'teams.externalAccess': "How this tenant's external access is opened (with federation); this tenant's own setting, not sent to the partner.",
  'teams.externalAccess.allowedDomains': "partner: add the partner's verified domains to the allowed list; all: allow every external domain (restored on removal).",
  'teams.externalAccess.blockedDomains': 'Domains to add to the block list (one per line); a domain on both lists is refused by Teams.',
  'teams.crossCloudMeetings': 'Cross-cloud meetings with the partner tenant (only when the partner is in another Microsoft 365 environment).',
  'teams.crossCloudMeetings.inbound': "The partner's users may join this tenant's meetings.",
  'teams.crossCloudMeetings.outbound': "This tenant's users may join the partner's meetings.",
  'teams.guestAccess': 'Guest access in Teams (the tenant-wide switch).',
  'teams.anonymousJoin': 'Anonymous users may join meetings (they always wait in the lobby).',
  'teams.meetingPolicies': 'The meeting policies anonymous join is turned on in, one per line (default Global; a policy that does not exist is not created).',
  'teams.acsInterop': "Azure Communication Services interop for this tenant's own Teams (commercial only; needs anonymous join).",
  'teams.acsInterop.resourceIds': 'Immutable IDs of the ACS resources (one per line).',
  guests: "The partner's users this tenant invites as guests: each by user principal name, optionally added to teams.",
  'guests[].upn': "The guest's user principal name in the partner's tenant, e.g. li.wei@woodgrove.cn.",
  'guests[].teams': 'Teams of this tenant to add the guest to (a team ID is its group ID).',
  'guests[].teams[].teamId': "The team's ID (its Microsoft 365 group ID).",
  'guests[].teams[].role': 'member (a guest cannot be a team owner).',
  partnerGuests: "This tenant's users the partner should invite as guests, by user principal name, optionally added to the partner's teams.",
  'partnerGuests[].upn': "The user principal name of this tenant's user, e.g. adele.vance@contoso.com.",
  'partnerGuests[].teams': "Teams of the partner's tenant to add the guest to (a team ID is its group ID).",
  'partnerGuests[].teams[].teamId': "The team's ID in the partner's tenant.",
  'partnerGuests[].teams[].role': 'member (a guest cannot be a team owner).',
  guestInvitation: 'How invited guests are told (both sides use it for the guests they invite).',
  'guestInvitation.sendInvitationMessage': "Send Microsoft's invitation e-mail with the redeem link to each guest (default yes).",
  'guestInvitation.message': 'A personal message added to the invitation e-mail (optional).',
  'guestInvitation.messageLanguage': 'Language of the invitation e-mail, e.g. en-US or zh-CN (optional).',
  'guestInvitation.redirectUrls':
    "Where a guest lands after redeeming, per environment of the inviting tenant (https; default the My Apps portal of that environment).",
  crossTenantSync: 'Cross-tenant synchronisation: users provisioned automatically between the tenants.',
  'crossTenantSync.direction': 'inbound: the partner provisions into this tenant; outbound: this tenant provisions into the partner; both.',
  'crossTenantSync.scopingGroupIds': 'Groups in scope on the source side (one per line; empty: none yet).',
  m365Capabilities: 'Microsoft 365 capabilities across the tenants: free/busy, MailTips, calendar sharing, profile card, Places.',
  ...m365Help('inbound'),
  ...m365Help('outbound'),
  invitationLifetime: 'How long the partner has to answer, e.g. 72h, 30m (10s to 30d).',
};
