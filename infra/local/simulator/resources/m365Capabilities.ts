// /policies/crossTenantAccessPolicy/partners/{tenantId}/m365Capabilities — the Microsoft 365
// cross-tenant capabilities a tenant authorises for a partner's users (free/busy, MailTips,
// calendar sharing, profile card, Places, migration). Modelled from the Graph documentation (the
// operations are not in the CSDL of the OpenAPI subset; see openapi/documented-additions.json):
// a capability is created with its `@odata.type` and named after it, one of each type per
// partner; it exists only on a partner entry and only in the global Graph service.
import { supportsGlobalOnlyApis } from '../clouds';
import { badRequest, GraphError, unknownSegment } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { paginate, project, parseList } from '../odata';
import { PERMISSIONS } from '../permissions';
import type { JsonObject, TenantState } from '../state';

const CAPABILITIES = '/policies/crossTenantAccessPolicy/partners/{crossTenantAccessPolicyConfigurationPartner-tenantId}/m365Capabilities';
const CAPABILITY = `${CAPABILITIES}/{m365CapabilityBase-name}`;

/** The documented derived types of m365CapabilityBase; migration exists on partner policies only. */
export const M365_CAPABILITY_TYPES = [
  'crossTenantCalendarAvailabilityBasic',
  'crossTenantCalendarAvailabilityLimitedDetails',
  'crossTenantCalendarSharingFreeBusyDetail',
  'crossTenantCalendarSharingFreeBusyReviewer',
  'crossTenantCalendarSharingFreeBusySimple',
  'crossTenantMailTipsAll',
  'crossTenantMailTipsLimited',
  'crossTenantMigration',
  'crossTenantOpenProfileCard',
  'crossTenantPlacesDeskBooking',
  'crossTenantPlacesRoomBooking',
] as const;

function requireGlobalService(call: GraphCall): void {
  if (!supportsGlobalOnlyApis(call.cloud)) {
    throw unknownSegment('m365Capabilities', `Microsoft 365 cross-tenant capabilities are available in the global Graph service only (called in ${call.cloud}).`);
  }
}

/** The partner's capabilities (the partner must exist). */
function capabilitiesOf(call: GraphCall): { tenantId: string; capabilities: Record<string, JsonObject> } {
  requireGlobalService(call);
  const id = call.params['crossTenantAccessPolicyConfigurationPartner-tenantId'].toLowerCase();
  if (!call.tenant.partners[id]) {
    throw new GraphError(404, 'Directory_ObjectNotFound', `The partner configuration for tenant '${id}' was not found in the cross-tenant access policy.`);
  }
  const all = (call.tenant.m365Capabilities ??= {});
  return { tenantId: id, capabilities: (all[id] ??= {}) };
}

function capabilityOr404(call: GraphCall): { tenantId: string; capability: JsonObject } {
  const { tenantId, capabilities } = capabilitiesOf(call);
  const name = call.params['m365CapabilityBase-name'];
  const capability = capabilities[name];
  if (!capability) throw new GraphError(404, 'Request_ResourceNotFound', `The partner '${tenantId}' has no Microsoft 365 capability '${name}'.`);
  return { tenantId, capability };
}

function typeOf(body: JsonObject): string {
  const type = typeof body['@odata.type'] === 'string' ? String(body['@odata.type']).replace(/^#?microsoft\.graph\./, '') : '';
  if (!type) throw badRequest("The @odata.type property is required to create a Microsoft 365 capability (e.g. #microsoft.graph.crossTenantMailTipsLimited).", 'BadRequest');
  if (!(M365_CAPABILITY_TYPES as readonly string[]).includes(type)) {
    throw badRequest(`'${type}' is not a Microsoft 365 capability type. Known: ${M365_CAPABILITY_TYPES.join(', ')}.`, 'BadRequest');
  }
  return type;
}

function checkAccess(value: unknown): JsonObject {
  const access = value as JsonObject | null | undefined;
  if (!access || typeof access !== 'object') throw badRequest("Property 'inboundAccess' is required.", 'BadRequest');
  if (typeof access.isAllowed !== 'boolean') throw badRequest("Property 'inboundAccess.isAllowed' is required.", 'BadRequest');
  const scopes = (access.resourceScopes ?? { included: [], excluded: [] }) as JsonObject;
  for (const list of ['included', 'excluded']) {
    for (const scope of ((scopes[list] as JsonObject[] | undefined) ?? [])) {
      if (typeof scope.resourceId !== 'string' || !['user', 'group', 'none'].includes(String(scope.resourceType))) {
        throw badRequest(`Each resource scope needs a resourceId ('All' or a user or group id) and a resourceType (user, group).`, 'BadRequest');
      }
    }
  }
  return { isAllowed: access.isAllowed, resourceScopes: { included: scopes.included ?? [], excluded: scopes.excluded ?? [] } };
}

const render = (capability: JsonObject): JsonObject => ({ '@odata.type': `#microsoft.graph.${String(capability.name)}`, ...structuredClone(capability) });

function list(call: GraphCall) {
  const { tenantId, capabilities } = capabilitiesOf(call);
  const path = CAPABILITIES.replace('{crossTenantAccessPolicyConfigurationPartner-tenantId}', tenantId);
  const page = paginate(Object.values(capabilities), call.query, call.headers, call.graphBase, path);
  const select = parseList(call.query.get('$select'));
  return ok({
    '@odata.context': `${call.graphBase}/$metadata#policies/crossTenantAccessPolicy/partners('${tenantId}')/m365Capabilities`,
    value: page.value.map((capability) => project(render(capability), select)),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
  });
}

function create(call: GraphCall) {
  const { tenantId, capabilities } = capabilitiesOf(call);
  const body = call.body as JsonObject;
  const name = typeOf(body);
  if (capabilities[name]) {
    throw new GraphError(409, 'Request_MultipleObjectsWithSameKeyValue', `The partner '${tenantId}' already has the Microsoft 365 capability '${name}'. Use PATCH to update it.`);
  }
  capabilities[name] = { name, lastModifiedDateTime: new Date().toISOString(), inboundAccess: checkAccess(body.inboundAccess) };
  return created({ '@odata.context': `${call.graphBase}/$metadata#policies/crossTenantAccessPolicy/partners('${tenantId}')/m365Capabilities/$entity`, ...render(capabilities[name]) });
}

function update(call: GraphCall) {
  const { capability } = capabilityOr404(call);
  const body = call.body as JsonObject;
  if (body['@odata.type'] !== undefined && typeOf(body) !== capability.name) throw badRequest('The type of a Microsoft 365 capability cannot be changed.', 'BadRequest');
  if (body.inboundAccess !== undefined) capability.inboundAccess = checkAccess(body.inboundAccess);
  capability.lastModifiedDateTime = new Date().toISOString();
  return noContent();
}

function remove(call: GraphCall) {
  const { tenantId } = capabilityOr404(call);
  delete call.tenant.m365Capabilities![tenantId][call.params['m365CapabilityBase-name']];
  return noContent();
}

/** A deleted partner entry takes its capabilities with it. */
export function dropM365Capabilities(tenant: TenantState, partnerTenantId: string): void {
  delete tenant.m365Capabilities?.[partnerTenantId.toLowerCase()];
}

export const m365CapabilityRoutes: GraphRoute[] = [
  { method: 'GET', template: CAPABILITIES, permissions: PERMISSIONS.m365CapabilityRead, handler: list },
  { method: 'POST', template: CAPABILITIES, permissions: PERMISSIONS.m365CapabilityWrite, handler: create },
  {
    method: 'GET',
    template: CAPABILITY,
    permissions: PERMISSIONS.m365CapabilityRead,
    handler: (call) => ok(project(render(capabilityOr404(call).capability), parseList(call.query.get('$select')))),
  },
  { method: 'PATCH', template: CAPABILITY, permissions: PERMISSIONS.m365CapabilityWrite, handler: update },
  { method: 'DELETE', template: CAPABILITY, permissions: PERMISSIONS.m365CapabilityWrite, handler: remove },
];
