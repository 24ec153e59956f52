// /users: list, get (by id or userPrincipalName), create, update, delete, delta.
import { randomUUID } from 'node:crypto';
import { badRequest, resourceNotFound } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { project } from '../odata';
import { PERMISSIONS } from '../permissions';
import { GraphObject, initialDomainOfState, JsonObject, newUser } from '../state';
import { deltaResponse } from './delta';
import { listObjects, renderOne, USER_DEFAULT_PROPERTIES, visible } from './directoryQuery';

const USER_TYPE = 'microsoft.graph.user';
const READ_ONLY = new Set(['id', 'createdDateTime', 'creationType', 'externalUserStateChangeDateTime', 'deletedDateTime']);

export function findUserOr404(call: GraphCall, idOrUpn: string): GraphObject {
  const user = call.directory.findUser(idOrUpn);
  if (!user) throw resourceNotFound(idOrUpn);
  return user;
}

function checkUpn(call: GraphCall, upn: string, self?: GraphObject): void {
  const [local, domain] = upn.split('@');
  if (!local || !domain || upn.split('@').length !== 2) throw badRequest(`Invalid value specified for property 'userPrincipalName' of resource 'User': '${upn}'.`);
  const external = local.includes('#EXT#');
  if (!external && !call.tenant.domains.some((verified) => verified.toLowerCase() === domain.toLowerCase())) {
    throw badRequest(
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
    );
  }
  const clash = call.directory.findUser(upn);
  if (clash && clash !== self) throw badRequest('Another object with the same value for property userPrincipalName already exists.');
}

function writable(body: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@odata.')) continue;
    if (READ_ONLY.has(key)) throw badRequest(`Property '${key}' is read-only and cannot be set.`);
    out[key] = structuredClone(value);
  }
  return out;
}

function createUser(call: GraphCall) {
  const body = writable(call.body as JsonObject);
  if (typeof body.displayName !== 'string' || body.displayName.trim() === '') throw badRequest("Property 'displayName' is required.", 'Request_BadRequest');
  const identities = Array.isArray(body.identities) && body.identities.length > 0;
  if (!identities) {
    for (const required of ['accountEnabled', 'mailNickname', 'userPrincipalName', 'passwordProfile']) {
      if (body[required] === undefined || body[required] === null) throw badRequest(`Property '${required}' is required when creating a user.`, 'Request_BadRequest');
    }
  }
  if (body.passwordProfile !== undefined && typeof (body.passwordProfile as JsonObject)?.password !== 'string') {
    throw badRequest("Property 'passwordProfile.password' is required.", 'Request_BadRequest');
  }
  const id = randomUUID();
  const upn = typeof body.userPrincipalName === 'string' ? body.userPrincipalName : `${id}@${initialDomainOfState(call.tenant)}`;
  checkUpn(call, upn);
  const user = newUser({ ...body, id, displayName: body.displayName, userPrincipalName: upn, mailNickname: body.mailNickname ?? upn.split('@')[0] });
  delete user.passwordProfile;
  call.directory.addUser(user);
  const given = Object.keys(body).filter((key) => key !== 'passwordProfile');
  return created({
    '@odata.context': `${call.graphBase}/$metadata#users/$entity`,
    ...visible(project(user, [...new Set([...USER_DEFAULT_PROPERTIES, ...given])])),
  });
}

function updateUser(call: GraphCall) {
  const user = findUserOr404(call, call.params['user-id']);
  const body = writable(call.body as JsonObject);
  if (typeof body.userPrincipalName === 'string') checkUpn(call, body.userPrincipalName, user);
  delete body.passwordProfile;
  call.directory.updateUser(user, body);
  return noContent();
}

export const userRoutes: GraphRoute[] = [
  {
    method: 'GET',
    template: '/users',
    permissions: PERMISSIONS.userRead,
    handler: (call) =>
      ok(listObjects(call, Object.values(call.tenant.users), { typeName: USER_TYPE, defaults: USER_DEFAULT_PROPERTIES, path: '/users', context: 'users' })),
  },
  { method: 'POST', template: '/users', permissions: PERMISSIONS.userWrite, handler: createUser },
  {
    method: 'GET',
    template: '/users/delta()',
    permissions: PERMISSIONS.userRead,
    handler: (call) =>
      ok(
        deltaResponse(call, {
          kind: 'user',
          path: '/users/delta',
          context: 'users',
          current: () => Object.values(call.tenant.users),
          find: (id) => call.tenant.users[id],
          render: (item, select) => visible(project(item, select ? [...new Set([...select, 'id'])] : undefined, USER_DEFAULT_PROPERTIES)),
        }),
      ),
  },
  {
    method: 'GET',
    template: '/users/{user-id}',
    permissions: PERMISSIONS.userRead,
    handler: (call) =>
      ok({
        '@odata.context': `${call.graphBase}/$metadata#users/$entity`,
        ...renderOne(call, findUserOr404(call, call.params['user-id']), USER_TYPE, USER_DEFAULT_PROPERTIES),
      }),
  },
  { method: 'PATCH', template: '/users/{user-id}', permissions: PERMISSIONS.userWrite, handler: updateUser },
  {
    method: 'DELETE',
    template: '/users/{user-id}',
    permissions: PERMISSIONS.userWrite,
    handler: (call) => {
      call.directory.deleteUser(findUserOr404(call, call.params['user-id']));
      return noContent();
    },
  },
];
