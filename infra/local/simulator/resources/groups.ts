// /groups: list, get, create, update (members@odata.bind), delete, delta; members: list,
// $ref add/remove (already a member → 400, unknown object → 404).
import { randomUUID } from 'node:crypto';
import { badRequest, GraphError, resourceNotFound } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { paginate, project } from '../odata';
import { PERMISSIONS } from '../permissions';
import { GraphObject, JsonObject, newGroup } from '../state';
import { deltaResponse } from './delta';
import { listObjects, renderOne, USER_DEFAULT_PROPERTIES, visible } from './directoryQuery';

const GROUP_TYPE = 'microsoft.graph.group';
const MAX_BIND = 20;
const READ_ONLY = new Set(['id', 'createdDateTime', 'deletedDateTime', 'mail', 'renewedDateTime', 'securityIdentifier']);

function groupOr404(call: GraphCall): GraphObject {
  const id = call.params['group-id'];
  const group = call.directory.findGroup(id);
  if (!group) throw resourceNotFound(id);
  return group;
}

/** The object id at the end of an @odata.id / @odata.bind URL (`.../directoryObjects/{id}`). */
export function referencedId(reference: unknown): string {
  if (typeof reference !== 'string' || reference.trim() === '') throw badRequest('Invalid object identifier: expected an @odata.id URL such as https://graph.microsoft.com/v1.0/directoryObjects/{id}.', 'BadRequest');
  const match = /\/(?:directoryObjects|users|groups)\/([^/?#]+)\/?$/i.exec(reference.trim()) ?? /^([0-9a-f-]{36})$/i.exec(reference.trim());
  if (!match) throw badRequest(`Invalid object identifier '${reference}'.`, 'BadRequest');
  return decodeURIComponent(match[1]);
}

function memberToAdd(call: GraphCall, group: GraphObject, reference: unknown): string {
  const id = referencedId(reference);
  const found = call.directory.findObject(id);
  if (!found) throw resourceNotFound(id);
  if (found.object.id === group.id) throw badRequest('A group cannot be a member of itself.');
  if (call.directory.membersOf(group).includes(found.object.id)) {
    throw badRequest("One or more added object references already exist for the following modified properties: 'members'.");
  }
  return found.object.id;
}

function bindMembers(call: GraphCall, group: GraphObject, body: JsonObject): string[] {
  const binds = body['members@odata.bind'];
  if (binds === undefined) return [];
  if (!Array.isArray(binds)) throw badRequest("'members@odata.bind' must be an array of object URLs.", 'BadRequest');
  if (binds.length > MAX_BIND) throw badRequest(`At most ${MAX_BIND} members can be added in one request (got ${binds.length}).`);
  const ids = binds.map((reference) => memberToAdd(call, group, reference));
  if (new Set(ids).size !== ids.length) throw badRequest("One or more added object references already exist for the following modified properties: 'members'.");
  return ids;
}

function writable(body: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@odata.') || key.includes('@odata.bind')) continue;
    if (READ_ONLY.has(key)) throw badRequest(`Property '${key}' is read-only and cannot be set.`);
    out[key] = structuredClone(value);
  }
  return out;
}

function createGroup(call: GraphCall) {
  const body = call.body as JsonObject;
  for (const required of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled']) {
    if (body[required] === undefined || body[required] === null) throw badRequest(`Property '${required}' is required when creating a group.`);
  }
  const group = newGroup({ ...writable(body), id: randomUUID(), displayName: String(body.displayName) });
  // Validate the binds against the new group before anything is stored: all or none.
  const memberIds = bindMembers(call, group, body);
  call.directory.addGroup(group, memberIds);
  return created({ '@odata.context': `${call.graphBase}/$metadata#groups/$entity`, ...visible(group) });
}

function updateGroup(call: GraphCall) {
  const group = groupOr404(call);
  const body = call.body as JsonObject;
  const memberIds = bindMembers(call, group, body);
  const changes = writable(body);
  if (Object.keys(changes).length > 0) call.directory.updateGroup(group, changes);
  for (const id of memberIds) call.directory.addMember(group, id);
  return noContent();
}

function renderMember(call: GraphCall, id: string): JsonObject {
  const user = call.tenant.users[id] ?? call.directory.findUser(id);
  if (user) return { '@odata.type': '#microsoft.graph.user', ...visible(project(user, undefined, USER_DEFAULT_PROPERTIES)) };
  const group = call.directory.findGroup(id);
  if (group) return { '@odata.type': '#microsoft.graph.group', ...visible(group) };
  return { '@odata.type': '#microsoft.graph.directoryObject', id };
}

function removeMember(call: GraphCall, memberId: string) {
  const group = groupOr404(call);
  const member = call.directory.membersOf(group).find((id) => id.toLowerCase() === memberId.toLowerCase());
  if (!member) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${memberId}' does not exist or one of its queried reference-property objects are not present.`);
  call.directory.removeMember(group, member);
  return noContent();
}

export const groupRoutes: GraphRoute[] = [
  {
    method: 'GET',
    template: '/groups',
    permissions: PERMISSIONS.groupRead,
    handler: (call) => ok(listObjects(call, Object.values(call.tenant.groups), { typeName: GROUP_TYPE, path: '/groups', context: 'groups' })),
  },
  { method: 'POST', template: '/groups', permissions: PERMISSIONS.groupCreate, handler: createGroup },
  {
    method: 'GET',
    template: '/groups/delta()',
    permissions: PERMISSIONS.groupRead,
    handler: (call) =>
      ok(
        deltaResponse(call, {
          kind: 'group',
          path: '/groups/delta',
          context: 'groups',
          current: () => Object.values(call.tenant.groups),
          find: (id) => call.tenant.groups[id],
          render: (item, select) => visible(project(item, select ? [...new Set([...select, 'id'])] : undefined)),
        }),
      ),
  },
  {
    method: 'GET',
    template: '/groups/{group-id}',
    permissions: PERMISSIONS.groupRead,
    handler: (call) => ok({ '@odata.context': `${call.graphBase}/$metadata#groups/$entity`, ...renderOne(call, groupOr404(call), GROUP_TYPE) }),
  },
  { method: 'PATCH', template: '/groups/{group-id}', permissions: PERMISSIONS.groupWrite, handler: updateGroup },
  {
    method: 'DELETE',
    template: '/groups/{group-id}',
    permissions: PERMISSIONS.groupWrite,
    handler: (call) => {
      call.directory.deleteGroup(groupOr404(call));
      return noContent();
    },
  },
  {
    method: 'GET',
    template: '/groups/{group-id}/members',
    permissions: PERMISSIONS.groupRead,
    handler: (call) => {
      const group = groupOr404(call);
      const members = call.directory.membersOf(group).map((id) => renderMember(call, id));
      return ok(
        listObjects(call, members, {
          typeName: 'microsoft.graph.user',
          path: `/groups/${group.id}/members`,
          context: 'directoryObjects',
          decorate: (rendered, source) => ({ '@odata.type': source['@odata.type'], ...rendered }),
        }),
      );
    },
  },
  {
    method: 'GET',
    template: '/groups/{group-id}/members/$ref',
    permissions: PERMISSIONS.groupRead,
    handler: (call) => {
      const group = groupOr404(call);
      // The OpenAPI description types this collection as strings: the members' @odata.id URLs.
      const refs = call.directory.membersOf(group).map((id) => `${call.graphBase}/directoryObjects/${id}`);
      const page = paginate(refs, call.query, call.headers, call.graphBase, `/groups/${group.id}/members/$ref`);
      return ok({
        '@odata.context': `${call.graphBase}/$metadata#Collection(string)`,
        value: page.value,
        ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
      });
    },
  },
  {
    method: 'POST',
    template: '/groups/{group-id}/members/$ref',
    permissions: PERMISSIONS.groupMemberWrite,
    handler: (call) => {
      const group = groupOr404(call);
      const id = memberToAdd(call, group, (call.body as JsonObject)['@odata.id']);
      call.directory.addMember(group, id);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    template: '/groups/{group-id}/members/$ref',
    permissions: PERMISSIONS.groupMemberWrite,
    handler: (call) => removeMember(call, referencedId(call.query.get('@id') ?? call.query.get('$id'))),
  },
  {
    method: 'DELETE',
    template: '/groups/{group-id}/members/{directoryObject-id}/$ref',
    permissions: PERMISSIONS.groupMemberWrite,
    handler: (call) => removeMember(call, call.params['directoryObject-id']),
  },
];
