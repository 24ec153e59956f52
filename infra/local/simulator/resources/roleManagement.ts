// Directory roles and who holds them, and the app role assignments a service principal holds:
//   GET  /roleManagement/directory/roleDefinitions[?$filter=]        built-in roles (firstParty.ts)
//   GET  /roleManagement/directory/roleDefinitions/{id}
//   GET  /roleManagement/directory/roleAssignments[?$filter=]         e.g. principalId eq '…'
//   POST /roleManagement/directory/roleAssignments                   {principalId, roleDefinitionId, directoryScopeId}
//   GET|DELETE /roleManagement/directory/roleAssignments/{id}
//   GET  /servicePrincipals/{id}/appRoleAssignments                  what the principal was granted
// Shapes and rules from the Graph v1.0 reference ("List unifiedRoleDefinitions", "Create
// unifiedRoleAssignment", "servicePrincipal: list appRoleAssignments"): an unknown role or
// principal is 404, a duplicate assignment 409 ("A conflicting object with one or more of the
// specified property values is present in the directory."). The paths are not in the OpenAPI
// subset: openapi/documented-additions.json describes them from the same pages.
import { badRequest, GraphError, resourceNotFound } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { evaluateFilter, filterProperties, parseFilter } from '../odata';
import type { PermissionSet } from '../permissions';
import { GraphObject, JsonObject } from '../state';
import { DIRECTORY_ROLE_DEFINITIONS, ensureFirstParty, newRoleAssignment, roleDefinitionObject } from './firstParty';

const ROLE_READ: PermissionSet = ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const ROLE_WRITE: PermissionSet = ['RoleManagement.ReadWrite.Directory'];
const APP_ROLE_ASSIGNMENTS_READ: PermissionSet = ['Application.Read.All', 'Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

const DEFINITIONS = '/roleManagement/directory/roleDefinitions';
const ASSIGNMENTS = '/roleManagement/directory/roleAssignments';
const DEFINITION_PROPERTIES = ['id', 'displayName', 'templateId', 'isBuiltIn', 'isEnabled', 'description', 'version'];
const ASSIGNMENT_PROPERTIES = ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId'];

function filtered(call: GraphCall, items: GraphObject[], properties: string[]): GraphObject[] {
  const text = call.query.get('$filter');
  if (!text) return items;
  const tree = parseFilter(text);
  for (const name of filterProperties(tree)) {
    if (!properties.includes(name)) throw badRequest(`Invalid filter clause: property '${name}' is not supported here (use ${properties.join(', ')}).`, 'BadRequest');
  }
  return items.filter((item) => evaluateFilter(tree, item));
}

function definitions(): GraphObject[] {
  return DIRECTORY_ROLE_DEFINITIONS.map(roleDefinitionObject);
}

function assignmentsOf(call: GraphCall): GraphObject[] {
  ensureFirstParty(call.tenant, call.engine.world);
  return (call.tenant.directoryRoleAssignments ??= []);
}

function servicePrincipalOr404(call: GraphCall, id: string): GraphObject {
  const sp = Object.values(call.tenant.servicePrincipals).find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (!sp) throw resourceNotFound(id);
  return sp;
}

function createAssignment(call: GraphCall) {
  const body = (call.body as JsonObject | undefined) ?? {};
  const allowed = new Set(['@odata.type', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId']);
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) throw badRequest(`Property '${key}' does not exist on type 'microsoft.graph.unifiedRoleAssignment'.`, 'BadRequest');
  }
  const principalId = typeof body.principalId === 'string' ? body.principalId : '';
  const roleDefinitionId = typeof body.roleDefinitionId === 'string' ? body.roleDefinitionId : '';
  const directoryScopeId = body.directoryScopeId ?? '/';
  if (!principalId || !roleDefinitionId) throw badRequest('principalId and roleDefinitionId are required.');
  if (directoryScopeId !== '/') throw badRequest(`Only the directory scope "/" is simulated (got "${String(directoryScopeId)}").`);
  if (!definitions().some((definition) => definition.id.toLowerCase() === roleDefinitionId.toLowerCase())) throw resourceNotFound(roleDefinitionId);
  const principal =
    Object.values(call.tenant.servicePrincipals).find((candidate) => candidate.id.toLowerCase() === principalId.toLowerCase()) ??
    call.directory.findObject(principalId)?.object;
  if (!principal) throw resourceNotFound(principalId);
  const assignments = assignmentsOf(call);
  const duplicate = assignments.some(
    (existing) => String(existing.principalId).toLowerCase() === principal.id.toLowerCase() && String(existing.roleDefinitionId).toLowerCase() === roleDefinitionId.toLowerCase(),
  );
  if (duplicate) throw new GraphError(409, 'Request_BadRequest', 'A conflicting object with one or more of the specified property values is present in the directory.');
  const assignment = newRoleAssignment(principal.id, roleDefinitionId.toLowerCase());
  assignments.push(assignment);
  return created({ '@odata.context': `${call.graphBase}/$metadata#roleManagement/directory/roleAssignments/$entity`, ...assignment });
}

export const roleManagementRoutes: GraphRoute[] = [
  {
    method: 'GET',
    template: DEFINITIONS,
    permissions: ROLE_READ,
    handler: (call) => ok({ '@odata.context': `${call.graphBase}/$metadata#roleManagement/directory/roleDefinitions`, value: filtered(call, definitions(), DEFINITION_PROPERTIES) }),
  },
  {
    method: 'GET',
    template: `${DEFINITIONS}/{unifiedRoleDefinition-id}`,
    permissions: ROLE_READ,
    handler: (call) => {
      const id = call.params['unifiedRoleDefinition-id'].toLowerCase();
      const definition = definitions().find((candidate) => candidate.id === id);
      if (!definition) throw resourceNotFound(id);
      return ok({ '@odata.context': `${call.graphBase}/$metadata#roleManagement/directory/roleDefinitions/$entity`, ...definition });
    },
  },
  {
    method: 'GET',
    template: ASSIGNMENTS,
    permissions: ROLE_READ,
    handler: (call) => ok({ '@odata.context': `${call.graphBase}/$metadata#roleManagement/directory/roleAssignments`, value: filtered(call, assignmentsOf(call), ASSIGNMENT_PROPERTIES) }),
  },
  { method: 'POST', template: ASSIGNMENTS, permissions: ROLE_WRITE, handler: createAssignment },
  {
    method: 'GET',
    template: `${ASSIGNMENTS}/{unifiedRoleAssignment-id}`,
    permissions: ROLE_READ,
    handler: (call) => {
      const assignment = assignmentsOf(call).find((candidate) => candidate.id === call.params['unifiedRoleAssignment-id']);
      if (!assignment) throw resourceNotFound(call.params['unifiedRoleAssignment-id']);
      return ok({ '@odata.context': `${call.graphBase}/$metadata#roleManagement/directory/roleAssignments/$entity`, ...assignment });
    },
  },
  {
    method: 'DELETE',
    template: `${ASSIGNMENTS}/{unifiedRoleAssignment-id}`,
    permissions: ROLE_WRITE,
    handler: (call) => {
      const assignments = assignmentsOf(call);
      const index = assignments.findIndex((candidate) => candidate.id === call.params['unifiedRoleAssignment-id']);
      if (index < 0) throw resourceNotFound(call.params['unifiedRoleAssignment-id']);
      assignments.splice(index, 1);
      return noContent();
    },
  },
  {
    method: 'GET',
    template: '/servicePrincipals/{servicePrincipal-id}/appRoleAssignments',
    permissions: APP_ROLE_ASSIGNMENTS_READ,
    handler: (call) => {
      const principal = servicePrincipalOr404(call, call.params['servicePrincipal-id']);
      ensureFirstParty(call.tenant, call.engine.world);
      const granted = Object.values(call.tenant.appRoleAssignments ?? {})
        .flat()
        .filter((assignment) => String(assignment.principalId).toLowerCase() === principal.id.toLowerCase());
      return ok({ '@odata.context': `${call.graphBase}/$metadata#servicePrincipals('${principal.id}')/appRoleAssignments`, value: granted });
    },
  },
];
