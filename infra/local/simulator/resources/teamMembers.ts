// /teams/{id}/members — the members of a team (a group of the world marked `team`), modelled from
// the Graph documentation (not in the CSDL of the OpenAPI subset; see
// openapi/documented-additions.json). Members are the group's members (so membership changes fire
// the group's notifications); owners are also kept apart. A guest's roles contain `guest`, and a
// guest cannot be an owner; adding someone twice is a 409.
import { createHash } from 'node:crypto';
import { badRequest, GraphError } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { paginate, parseList, project } from '../odata';
import { PERMISSIONS } from '../permissions';
import type { GraphObject, JsonObject } from '../state';
import { referencedId } from './groups';

const MEMBERS = '/teams/{team-id}/members';
const MEMBER = `${MEMBERS}/{conversationMember-id}`;

function teamOr404(call: GraphCall): GraphObject {
  const id = call.params['team-id'];
  const group = call.directory.findGroup(id);
  const isTeam = Array.isArray(group?.resourceProvisioningOptions) && (group!.resourceProvisioningOptions as string[]).includes('Team');
  if (!group || !isTeam) throw new GraphError(404, 'NotFound', `No team found with Group Id ${id}.`);
  return group;
}

/** A stable membership id for a user in a team. */
function membershipId(teamId: string, userId: string): string {
  return Buffer.from(createHash('sha1').update(`${teamId.toLowerCase()}:${userId.toLowerCase()}`).digest()).toString('base64url');
}

function memberView(call: GraphCall, team: GraphObject, userId: string): JsonObject {
  const user = call.directory.findUser(userId);
  const owners = call.tenant.teamOwners?.[team.id] ?? [];
  const roles = [...(owners.includes(userId) ? ['owner'] : []), ...(user?.userType === 'Guest' ? ['guest'] : [])];
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    id: membershipId(team.id, userId),
    roles,
    displayName: (user?.displayName as string | undefined) ?? null,
    visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
    userId,
    email: (user?.mail as string | undefined) ?? null,
    tenantId: call.tenant.id,
  };
}

function list(call: GraphCall) {
  const team = teamOr404(call);
  const members = call.directory.membersOf(team).filter((id) => call.directory.findUser(id));
  const page = paginate(members.map((id) => memberView(call, team, id)), call.query, call.headers, call.graphBase, `/teams/${team.id}/members`);
  const select = parseList(call.query.get('$select'));
  return ok({
    '@odata.context': `${call.graphBase}/$metadata#teams('${team.id}')/members`,
    value: page.value.map((member) => project(member, select)),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
  });
}

function add(call: GraphCall) {
  const team = teamOr404(call);
  const body = call.body as JsonObject;
  if (body['@odata.type'] !== '#microsoft.graph.aadUserConversationMember') {
    throw badRequest("The member must be a #microsoft.graph.aadUserConversationMember with 'user@odata.bind'.", 'BadRequest');
  }
  const userId = referencedIdOfUser(body['user@odata.bind']);
  const user = call.directory.findUser(userId);
  if (!user || user.accountEnabled === false) throw new GraphError(404, 'NotFound', `User ${userId} was not found or is disabled.`);
  const roles = Array.isArray(body.roles) ? (body.roles as unknown[]).map(String) : [];
  if (roles.some((role) => role !== 'owner')) throw badRequest("roles must be empty (a member) or ['owner'].", 'BadRequest');
  if (roles.includes('owner') && user.userType === 'Guest') throw badRequest('Team members with the role of guest cannot be given the role of owner.', 'BadRequest');
  if (roles.includes('owner') && !call.caller.roles.includes('TeamMember.ReadWrite.All') && call.caller.kind === 'app') {
    throw new GraphError(403, 'Authorization_RequestDenied', 'Adding an owner needs TeamMember.ReadWrite.All (TeamMember.ReadWriteNonOwnerRole.All adds members only).');
  }
  if (call.directory.membersOf(team).includes(user.id)) throw new GraphError(409, 'Conflict', `User ${user.id} is already a member of team ${team.id}.`);
  call.directory.addMember(team, user.id);
  if (roles.includes('owner')) ((call.tenant.teamOwners ??= {})[team.id] ??= []).push(user.id);
  return created({ '@odata.context': `${call.graphBase}/$metadata#teams('${team.id}')/members/$entity`, ...memberView(call, team, user.id) });
}

function referencedIdOfUser(reference: unknown): string {
  const match = typeof reference === 'string' ? /users\('([^']+)'\)\/?$/i.exec(reference.trim()) : null;
  return match ? decodeURIComponent(match[1]) : referencedId(reference);
}

function memberOr404(call: GraphCall): { team: GraphObject; userId: string } {
  const team = teamOr404(call);
  const id = call.params['conversationMember-id'];
  const userId = call.directory.membersOf(team).find((member) => membershipId(team.id, member) === id);
  if (!userId) throw new GraphError(404, 'NotFound', `No member ${id} in team ${team.id}.`);
  return { team, userId };
}

function remove(call: GraphCall) {
  const { team, userId } = memberOr404(call);
  call.directory.removeMember(team, userId);
  const owners = call.tenant.teamOwners?.[team.id];
  if (owners) call.tenant.teamOwners![team.id] = owners.filter((owner) => owner !== userId);
  return noContent();
}

export const teamMemberRoutes: GraphRoute[] = [
  { method: 'GET', template: MEMBERS, permissions: PERMISSIONS.teamMemberRead, handler: list },
  { method: 'POST', template: MEMBERS, permissions: PERMISSIONS.teamMemberWrite, handler: add },
  {
    method: 'GET',
    template: MEMBER,
    permissions: PERMISSIONS.teamMemberRead,
    handler: (call) => {
      const { team, userId } = memberOr404(call);
      return ok(project(memberView(call, team, userId), parseList(call.query.get('$select'))));
    },
  },
  { method: 'DELETE', template: MEMBER, permissions: PERMISSIONS.teamMemberWrite, handler: remove },
];
