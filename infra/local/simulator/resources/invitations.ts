// POST /invitations — B2B collaboration invitations. The invitee must be a user of a tenant the
// inviting tenant may collaborate with: found by UPN (across clouds only by UPN; within a cloud
// also by mail), with both tenants' cross-tenant access settings allowing it (across clouds:
// each cloud enabled and each tenant a partner of the other). The result is a guest user
// (`alice_contoso.com#EXT#@fabrikam.onmicrosoft.com`, userType Guest, PendingAcceptance); inviting
// the same person again returns the same guest. The redeem URL marks the guest Accepted. With
// sendInvitationMessage the invitation e-mail (redeem URL, custom message) is recorded as sent.
import { randomUUID } from 'node:crypto';
import { CLOUD_TABLE, isCrossCloud, mayCollaborate } from '../clouds';
import type { Engine } from '../engine';
import { badRequest, GraphError } from '../errors';
import { created, GraphCall, GraphRoute } from '../graph/types';
import { PERMISSIONS } from '../permissions';
import { GraphObject, initialDomainOfState, JsonObject, newUser, TenantState } from '../state';

const blocked = (reason: string): GraphError => new GraphError(400, 'BadRequest', `This invitation is blocked by cross-tenant access settings: ${reason}`);

interface Invitee {
  home: TenantState;
  user: GraphObject;
}

function findInvitee(engine: Engine, inviter: TenantState, address: string): Invitee | undefined {
  const key = address.toLowerCase();
  for (const home of engine.tenantList()) {
    if (home === inviter) continue;
    const crossCloud = isCrossCloud(inviter.cloud, home.cloud);
    const user = Object.values(home.users).find(
      (candidate) =>
        candidate.userType !== 'Guest' &&
        (String(candidate.userPrincipalName).toLowerCase() === key || (!crossCloud && String(candidate.mail ?? '').toLowerCase() === key)),
    );
    if (user) return { home, user };
  }
  return undefined;
}

/** Group ids of a user in its home tenant (for settings that target groups). */
function groupsOf(tenant: TenantState, userId: string): string[] {
  return Object.entries(tenant.members)
    .filter(([, members]) => members.includes(userId))
    .map(([groupId]) => groupId);
}

function setting(tenant: TenantState, partnerId: string, name: 'b2bCollaborationInbound' | 'b2bCollaborationOutbound'): JsonObject | null {
  const partner = tenant.partners[partnerId.toLowerCase()];
  return ((partner?.[name] as JsonObject | null | undefined) ?? (tenant.defaultConfig[name] as JsonObject | null | undefined)) ?? null;
}

/** Whether a B2B setting lets this user through (accessType allowed: listed; blocked: not listed). */
export function settingAllows(value: JsonObject | null, userId: string, groupIds: string[]): boolean {
  const usersAndGroups = value?.usersAndGroups as JsonObject | null | undefined;
  if (!usersAndGroups) return true;
  const targets = (usersAndGroups.targets as Array<{ target: string }> | undefined) ?? [];
  const hit = targets.some((entry) => entry.target === 'AllUsers' || entry.target === userId || groupIds.includes(entry.target));
  return usersAndGroups.accessType === 'blocked' ? !hit : hit;
}

export function checkCollaboration(inviter: TenantState, invitee: Invitee): void {
  const { home, user } = invitee;
  if (isCrossCloud(inviter.cloud, home.cloud)) {
    if (!mayCollaborate(inviter.cloud, home.cloud)) {
      throw blocked(`B2B collaboration between the ${inviter.cloud} and ${home.cloud} clouds is not supported.`);
    }
    const homeEndpoint = CLOUD_TABLE[home.cloud].cloudEndpoint;
    const inviterEndpoint = CLOUD_TABLE[inviter.cloud].cloudEndpoint;
    if (!inviter.policy.allowedCloudEndpoints.includes(homeEndpoint)) {
      throw blocked(`${inviter.displayName} has not enabled the ${home.cloud} cloud ('${homeEndpoint}' in allowedCloudEndpoints).`);
    }
    if (!inviter.partners[home.id.toLowerCase()]) throw blocked(`${inviter.displayName} has not added ${home.id} (${home.cloud}) as a partner organization.`);
    if (!home.policy.allowedCloudEndpoints.includes(inviterEndpoint)) {
      throw blocked(`the invited user's organization has not enabled the ${inviter.cloud} cloud ('${inviterEndpoint}' in allowedCloudEndpoints).`);
    }
    if (!home.partners[inviter.id.toLowerCase()]) throw blocked(`the invited user's organization has not added ${inviter.id} (${inviter.cloud}) as a partner organization.`);
  }
  if (!settingAllows(setting(inviter, home.id, 'b2bCollaborationInbound'), user.id, groupsOf(home, user.id))) {
    throw blocked(`${inviter.displayName} does not allow inbound B2B collaboration for this user of ${home.id}.`);
  }
  if (!settingAllows(setting(home, inviter.id, 'b2bCollaborationOutbound'), user.id, groupsOf(home, user.id))) {
    throw blocked(`the invited user's organization does not allow outbound B2B collaboration with ${inviter.id}.`);
  }
}

/** `alice@contoso.com` → `alice_contoso.com#EXT#@fabrikam.onmicrosoft.com`. */
export function guestUpn(address: string, tenant: TenantState): string {
  return `${address.replace('@', '_')}#EXT#@${initialDomainOfState(tenant)}`;
}

function createInvitation(call: GraphCall) {
  const body = call.body as JsonObject;
  const address = body.invitedUserEmailAddress;
  if (typeof address !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(address)) {
    throw badRequest("Property 'invitedUserEmailAddress' is required and must be an email address or user principal name.", 'BadRequest');
  }
  if (typeof body.inviteRedirectUrl !== 'string' || body.inviteRedirectUrl === '') {
    throw badRequest("Property 'inviteRedirectUrl' is required.", 'BadRequest');
  }
  const invitedUserType = (body.invitedUserType as string | undefined) ?? 'Guest';
  if (invitedUserType !== 'Guest' && invitedUserType !== 'Member') throw badRequest("invitedUserType must be 'Guest' or 'Member'.", 'BadRequest');
  const inviter = call.tenant;
  const member = call.directory.findUser(address);
  if (member && member.userType !== 'Guest') {
    throw badRequest(`The invited user '${address}' is already a member of this organization.`, 'BadRequest');
  }
  const invitee = findInvitee(call.engine, inviter, address);
  if (!invitee) {
    throw badRequest(
      `The invited user '${address}' was not found in any organization ${inviter.displayName} can collaborate with. Across clouds, guests are invited by their user principal name.`,
      'BadRequest',
    );
  }
  checkCollaboration(inviter, invitee);

  const existing = Object.values(inviter.users).find((user) => {
    const external = user.userType === 'Guest' || String(user.userPrincipalName).includes('#EXT#');
    const mails = [String(user.mail ?? ''), ...((user.otherMails as string[] | undefined) ?? [])].map((mail) => mail.toLowerCase());
    return external && mails.includes(address.toLowerCase());
  });
  const now = new Date().toISOString();
  const guest =
    existing ??
    call.directory.addUser(
      newUser({
        id: randomUUID(),
        userPrincipalName: guestUpn(address, inviter),
        displayName: (body.invitedUserDisplayName as string | undefined) ?? String(invitee.user.displayName),
        givenName: invitee.user.givenName ?? null,
        surname: invitee.user.surname ?? null,
        mail: address,
        otherMails: [address],
        userType: invitedUserType,
        creationType: 'Invitation',
        externalUserState: 'PendingAcceptance',
        externalUserStateChangeDateTime: now,
        mailNickname: address.replace('@', '_'),
        identities: [{ signInType: 'federated', issuer: 'ExternalAzureAD', issuerAssignedId: null }],
      }),
    );
  const loginHost = CLOUD_TABLE[inviter.cloud].loginHost;
  const redeemUrl = `${call.engine.url}/${loginHost}/redeem?tenant=${inviter.id}&user=${guest.id}&rd=${randomUUID()}`;
  const messageInfo = (body.invitedUserMessageInfo as JsonObject | null | undefined) ?? null;
  if (body.sendInvitationMessage === true) {
    // The e-mail Microsoft sends the guest: kept for tests and the demo (GET /_sim/tenants/{id}/state).
    (inviter.invitationMessages ??= []).push({
      to: address,
      from: inviter.displayName,
      invitedUserId: guest.id,
      inviteRedeemUrl: redeemUrl,
      inviteRedirectUrl: body.inviteRedirectUrl,
      customizedMessageBody: (messageInfo?.customizedMessageBody as string | null | undefined) ?? null,
      messageLanguage: (messageInfo?.messageLanguage as string | null | undefined) ?? null,
      sentAt: now,
    });
  }
  return created({
    '@odata.context': `${call.graphBase}/$metadata#invitations/$entity`,
    id: randomUUID(),
    inviteRedeemUrl: redeemUrl,
    invitedUserDisplayName: guest.displayName,
    invitedUserType: guest.userType,
    invitedUserEmailAddress: address,
    sendInvitationMessage: body.sendInvitationMessage === true,
    resetRedemption: false,
    inviteRedirectUrl: body.inviteRedirectUrl,
    status: guest.externalUserState === 'Accepted' ? 'Completed' : 'PendingAcceptance',
    invitedUserMessageInfo: body.invitedUserMessageInfo ?? { messageLanguage: null, customizedMessageBody: null, ccRecipients: [] },
    invitedUser: { id: guest.id },
  });
}

/** GET {login}/redeem?tenant&user: the guest accepts (externalUserState → Accepted). */
export function redeemInvitation(engine: Engine, tenantId: string | null, userId: string | null): boolean {
  const tenant = tenantId ? engine.tenant(tenantId) : undefined;
  const guest = tenant && userId ? tenant.users[userId] : undefined;
  if (!tenant || !guest) return false;
  engine.directory(tenant).updateUser(guest, { externalUserState: 'Accepted', externalUserStateChangeDateTime: new Date().toISOString() });
  return true;
}

export const invitationRoutes: GraphRoute[] = [
  { method: 'POST', template: '/invitations', permissions: PERMISSIONS.userInvite, handler: createInvitation },
  {
    method: 'GET',
    template: '/invitations',
    permissions: PERMISSIONS.userInvite,
    handler: () => {
      throw new GraphError(405, 'Request_BadRequest', 'Invitations cannot be listed; find guests with GET /users?$filter=userType eq \'Guest\'.');
    },
  },
];
