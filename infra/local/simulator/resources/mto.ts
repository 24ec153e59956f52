// /tenantRelationships/multiTenantOrganization (Global cloud only): the owner creates it (PUT),
// adds tenants (pending), each added tenant joins through its joinRequest (PATCH addedByTenantId)
// and becomes active. A model for the product's own handshake, not usable across clouds.
import { randomUUID } from 'node:crypto';
import { supportsGlobalOnlyApis } from '../clouds';
import { badRequest, GraphError, resourceNotFound, unknownSegment } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { PERMISSIONS } from '../permissions';
import type { JsonObject, MultiTenantOrganizationState, TenantState } from '../state';
import { listObjects } from './directoryQuery';

const MTO = '/tenantRelationships/multiTenantOrganization';
const MEMBER = `${MTO}/tenants/{multiTenantOrganizationMember-id}`;

function requireGlobal(call: GraphCall): void {
  if (!supportsGlobalOnlyApis(call.cloud)) throw unknownSegment('multiTenantOrganization', `Multitenant organizations exist in the Global cloud only (called in ${call.cloud}).`);
}

/** The organization this tenant owns or has joined. */
function organizationOf(call: GraphCall): { owner: TenantState; state: MultiTenantOrganizationState } | undefined {
  if (call.tenant.multiTenantOrganization) return { owner: call.tenant, state: call.tenant.multiTenantOrganization };
  for (const owner of call.engine.tenantList()) {
    const state = owner.multiTenantOrganization;
    if (state?.tenants[call.tenant.id.toLowerCase()]?.state === 'active') return { owner, state };
  }
  return undefined;
}

function requireOrganization(call: GraphCall): { owner: TenantState; state: MultiTenantOrganizationState } {
  requireGlobal(call);
  const found = organizationOf(call);
  if (!found) throw new GraphError(404, 'Request_ResourceNotFound', 'This tenant is not part of a multitenant organization.');
  return found;
}

function requireOwner(call: GraphCall): MultiTenantOrganizationState {
  const { owner, state } = requireOrganization(call);
  if (owner !== call.tenant) throw new GraphError(403, 'Authorization_RequestDenied', 'Only the owner tenant can change the members of the multitenant organization.');
  return state;
}

function memberOr404(call: GraphCall, state: MultiTenantOrganizationState): JsonObject {
  const id = call.params['multiTenantOrganizationMember-id'].toLowerCase();
  const member = state.tenants[id];
  if (!member) throw resourceNotFound(id);
  return member;
}

function memberRecord(tenantId: string, displayName: string, addedBy: string, role: string, state: string): JsonObject {
  const now = new Date().toISOString();
  // Graph names a member by its tenant id.
  return { id: tenantId, tenantId, displayName, addedDateTime: now, joinedDateTime: state === 'active' ? now : null, addedByTenantId: addedBy, role, state, transitionDetails: null };
}

function put(call: GraphCall) {
  requireGlobal(call);
  const body = call.body as JsonObject;
  const existing = call.tenant.multiTenantOrganization;
  if (existing) {
    Object.assign(existing.organization, { displayName: body.displayName ?? existing.organization.displayName, description: body.description ?? existing.organization.description });
    return ok({ '@odata.context': `${call.graphBase}/$metadata#tenantRelationships/multiTenantOrganization/$entity`, ...existing.organization });
  }
  if (organizationOf(call)) throw badRequest('This tenant already belongs to a multitenant organization.');
  const organization = {
    id: randomUUID(),
    createdDateTime: new Date().toISOString(),
    displayName: (body.displayName as string | undefined) ?? call.tenant.displayName,
    description: (body.description as string | null | undefined) ?? null,
    state: 'active',
  };
  call.tenant.multiTenantOrganization = {
    organization,
    tenants: { [call.tenant.id.toLowerCase()]: memberRecord(call.tenant.id, call.tenant.displayName, call.tenant.id, 'owner', 'active') },
    joinRequest: {},
  };
  return created({ '@odata.context': `${call.graphBase}/$metadata#tenantRelationships/multiTenantOrganization/$entity`, ...organization });
}

function addTenant(call: GraphCall) {
  const state = requireOwner(call);
  const body = call.body as JsonObject;
  const tenantId = String(body.tenantId ?? '').toLowerCase();
  const other = call.engine.tenant(tenantId);
  if (!other || other.cloud !== 'Global') throw badRequest(`Tenant '${String(body.tenantId)}' was not found in the Global cloud.`);
  if (state.tenants[tenantId]) throw new GraphError(409, 'Request_MultipleObjectsWithSameKeyValue', `Tenant ${tenantId} is already in the multitenant organization.`);
  const member = memberRecord(other.id, (body.displayName as string | undefined) ?? other.displayName, call.tenant.id, (body.role as string | undefined) ?? 'member', 'pending');
  state.tenants[tenantId] = member;
  return created({ '@odata.context': `${call.graphBase}/$metadata#tenantRelationships/multiTenantOrganization/tenants/$entity`, ...member });
}

function joinRequestOf(call: GraphCall): JsonObject {
  requireGlobal(call);
  const key = call.tenant.id.toLowerCase();
  // Pending or active: the record the owner keeps for this tenant.
  const member = call.engine
    .tenantList()
    .map((owner) => owner.multiTenantOrganization?.tenants[key])
    .find((record) => record !== undefined);
  return {
    id: call.tenant.id,
    addedByTenantId: (member?.addedByTenantId as string | undefined) ?? null,
    memberState: member ? (member.state === 'active' ? 'active' : 'pending') : null,
    role: (member?.role as string | undefined) ?? null,
    transitionDetails: null,
  };
}

function join(call: GraphCall) {
  requireGlobal(call);
  const ownerId = String((call.body as JsonObject).addedByTenantId ?? '').toLowerCase();
  const owner = call.engine.tenant(ownerId);
  const record = owner?.multiTenantOrganization?.tenants[call.tenant.id.toLowerCase()];
  if (!owner || !record) throw badRequest(`Tenant ${ownerId} has not added this tenant to a multitenant organization.`);
  record.state = 'active';
  record.joinedDateTime = new Date().toISOString();
  return noContent();
}

export const mtoRoutes: GraphRoute[] = [
  {
    method: 'GET',
    template: MTO,
    permissions: PERMISSIONS.mtoRead,
    handler: (call) => ok({ '@odata.context': `${call.graphBase}/$metadata#tenantRelationships/multiTenantOrganization/$entity`, ...requireOrganization(call).state.organization }),
  },
  { method: 'PUT', template: MTO, permissions: PERMISSIONS.mtoWrite, handler: put },
  {
    // Documented, but not in the OpenAPI subset: the body is checked against PUT's schema.
    method: 'PATCH',
    template: MTO,
    permissions: PERMISSIONS.mtoWrite,
    bodyFrom: { template: MTO, method: 'PUT' },
    operationId: 'tenantRelationships.UpdateMultiTenantOrganization',
    handler: (call) => {
      const { owner, state } = requireOrganization(call);
      if (owner !== call.tenant) throw new GraphError(403, 'Authorization_RequestDenied', 'Only the owner tenant can update the multitenant organization.');
      const body = call.body as JsonObject;
      for (const key of ['displayName', 'description']) if (body[key] !== undefined) state.organization[key] = body[key];
      return noContent();
    },
  },
  {
    method: 'GET',
    template: `${MTO}/tenants`,
    permissions: PERMISSIONS.mtoRead,
    handler: (call) =>
      ok(
        listObjects(call, Object.values(requireOrganization(call).state.tenants).map((tenant) => structuredClone(tenant)), {
          typeName: 'microsoft.graph.multiTenantOrganizationMember',
          path: `${MTO}/tenants`,
          context: 'tenantRelationships/multiTenantOrganization/tenants',
          directoryObjects: false,
        }),
      ),
  },
  { method: 'POST', template: `${MTO}/tenants`, permissions: PERMISSIONS.mtoWrite, handler: addTenant },
  {
    method: 'GET',
    template: MEMBER,
    permissions: PERMISSIONS.mtoRead,
    handler: (call) => ok({ '@odata.context': `${call.graphBase}/$metadata#tenantRelationships/multiTenantOrganization/tenants/$entity`, ...memberOr404(call, requireOrganization(call).state) }),
  },
  {
    method: 'PATCH',
    template: MEMBER,
    permissions: PERMISSIONS.mtoWrite,
    handler: (call) => {
      const member = memberOr404(call, requireOwner(call));
      const role = (call.body as JsonObject).role;
      if (role !== undefined) {
        if (role !== 'owner' && role !== 'member') throw badRequest("role must be 'owner' or 'member'.");
        member.role = role;
      }
      return noContent();
    },
  },
  {
    method: 'DELETE',
    template: MEMBER,
    permissions: PERMISSIONS.mtoWrite,
    handler: (call) => {
      const state = requireOwner(call);
      const member = memberOr404(call, state);
      if (String(member.tenantId).toLowerCase() === call.tenant.id.toLowerCase()) throw badRequest('The owner tenant cannot be removed.');
      delete state.tenants[String(member.tenantId).toLowerCase()];
      return noContent();
    },
  },
  {
    method: 'GET',
    template: `${MTO}/joinRequest`,
    permissions: PERMISSIONS.mtoRead,
    handler: (call) => ok({ '@odata.context': `${call.graphBase}/$metadata#tenantRelationships/multiTenantOrganization/joinRequest/$entity`, ...joinRequestOf(call) }),
  },
  { method: 'PATCH', template: `${MTO}/joinRequest`, permissions: PERMISSIONS.mtoWrite, handler: join },
];
