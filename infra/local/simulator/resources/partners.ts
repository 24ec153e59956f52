// /policies/crossTenantAccessPolicy/partners and .../partners/{tenantId}/identitySynchronization.
import { maySync, supportsIdentitySynchronization } from '../clouds';
import { badRequest, GraphError, unknownSegment } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { parseList, project } from '../odata';
import { PERMISSIONS } from '../permissions';
import { emptyPartner, JsonObject } from '../state';
import { dropM365Capabilities } from './m365Capabilities';
import { listObjects, selected } from './directoryQuery';
import { ACCESS_SETTINGS, checkAccessSetting, partnerWarnings, policyEntryChanged, resolvePartnerTenant, withinSizeLimit } from './policyRules';

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';
const PARTNER_TYPE = 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner';
const PARTNER = `${PARTNERS}/{crossTenantAccessPolicyConfigurationPartner-tenantId}`;
const IDENTITY_SYNC = `${PARTNER}/identitySynchronization`;

const PARTNER_WRITABLE = [
  ...ACCESS_SETTINGS,
  'tenantId',
  'inboundTrust',
  'automaticUserConsentSettings',
  'isServiceProvider',
  'appServiceConnectInbound',
  'm365CollaborationInbound',
  'm365CollaborationOutbound',
];

const partnerNotFound = (tenantId: string): GraphError =>
  new GraphError(404, 'Directory_ObjectNotFound', `The partner configuration for tenant '${tenantId}' was not found in the cross-tenant access policy.`);

function partnerOf(call: GraphCall): JsonObject {
  const id = call.params['crossTenantAccessPolicyConfigurationPartner-tenantId'];
  const partner = call.tenant.partners[id.toLowerCase()];
  if (!partner) throw partnerNotFound(id);
  return partner;
}

function checkSettings(body: JsonObject): void {
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@odata.')) continue;
    if (key === 'identitySynchronization') {
      throw badRequest('identitySynchronization cannot be set here: use PUT .../partners/{tenantId}/identitySynchronization.');
    }
    if (!PARTNER_WRITABLE.includes(key)) throw badRequest(`Property '${key}' of a partner configuration cannot be written.`);
    if ((ACCESS_SETTINGS as readonly string[]).includes(key)) checkAccessSetting(key, value);
  }
}

function warningHeader(call: GraphCall, partner: JsonObject): Record<string, string> | undefined {
  const warnings = partnerWarnings(call.engine, call.tenant, partner);
  return warnings.length > 0 ? { 'x-sim-warning': warnings.join(' ') } : undefined;
}

/** `$expand=identitySynchronization`: each partner carries its identity sync policy, or null when it has none. */
function expanded(call: GraphCall, partner: JsonObject, tenantId: string): JsonObject {
  const expand = parseList(call.query.get('$expand'))?.map((clause) => clause.replace(/\(.*\)$/s, '').trim().toLowerCase()) ?? [];
  if (!expand.includes('identitysynchronization')) return partner;
  const sync = call.tenant.identitySync[tenantId.toLowerCase()];
  return { ...partner, identitySynchronization: sync ? structuredClone(sync) : null };
}

function listPartners(call: GraphCall) {
  // Rendering copies what it returns (project, then completion), so the stored entries are listed as they are.
  const partners = Object.values(call.tenant.partners);
  return ok(
    listObjects(call, partners, {
      typeName: PARTNER_TYPE,
      path: PARTNERS,
      context: 'policies/crossTenantAccessPolicy/partners',
      directoryObjects: false,
      decorate: (rendered, source) => expanded(call, rendered, String(source.tenantId)),
    }),
  );
}

function createPartner(call: GraphCall) {
  const body = call.body as JsonObject;
  if (typeof body.tenantId !== 'string' || body.tenantId === '') throw badRequest("Property 'tenantId' is required to add a partner.");
  checkSettings(body);
  const tenantId = body.tenantId.toLowerCase();
  if (call.tenant.partners[tenantId]) {
    throw new GraphError(409, 'Request_MultipleObjectsWithSameKeyValue', `A partner configuration for tenant '${body.tenantId}' already exists. Use PATCH to update it.`);
  }
  resolvePartnerTenant(call.engine, call.tenant, tenantId);
  const partner = withinSizeLimit(call.engine, call.tenant, () => {
    const entry: JsonObject = { ...emptyPartner(tenantId), ...structuredClone(body), tenantId };
    for (const key of Object.keys(entry)) if (key.startsWith('@odata.')) delete entry[key];
    call.tenant.partners[tenantId] = entry;
    return entry;
  }, { partners: [tenantId] });
  return created(
    { '@odata.context': `${call.graphBase}/$metadata#policies/crossTenantAccessPolicy/partners/$entity`, ...structuredClone(partner) },
    warningHeader(call, partner),
  );
}

function getPartner(call: GraphCall) {
  const partner = partnerOf(call);
  return ok({
    '@odata.context': `${call.graphBase}/$metadata#policies/crossTenantAccessPolicy/partners/$entity`,
    ...expanded(call, project(structuredClone(partner), selected(call, PARTNER_TYPE)), String(partner.tenantId)),
  });
}

function updatePartner(call: GraphCall) {
  const partner = partnerOf(call);
  const body = call.body as JsonObject;
  checkSettings(body);
  if (body.tenantId !== undefined && String(body.tenantId).toLowerCase() !== String(partner.tenantId).toLowerCase()) {
    throw badRequest('The tenantId of a partner configuration cannot be changed.');
  }
  withinSizeLimit(call.engine, call.tenant, () => {
    const key = String(partner.tenantId);
    const next = { ...call.tenant.partners[key] };
    // Each top-level setting given replaces the stored one; the others stay.
    for (const [name, value] of Object.entries(body)) if (!name.startsWith('@odata.') && name !== 'tenantId') next[name] = structuredClone(value);
    call.tenant.partners[key] = next;
  }, { partners: [String(partner.tenantId)] });
  return noContent(warningHeader(call, call.tenant.partners[String(partner.tenantId)]));
}

function deletePartner(call: GraphCall) {
  const partner = partnerOf(call);
  const tenantId = String(partner.tenantId);
  if (call.tenant.identitySync[tenantId]) {
    throw badRequest(`The partner configuration for tenant '${tenantId}' has an identitySynchronization policy: delete it first.`);
  }
  delete call.tenant.partners[tenantId];
  dropM365Capabilities(call.tenant, tenantId);
  policyEntryChanged(call.tenant, 'partners', tenantId);
  // A cross-cloud meeting connection is this partner entry seen from Teams: it goes with it.
  const meetings = call.tenant.teams.TeamsCrossCloudMeetingConfiguration;
  meetings.Partners = meetings.Partners.filter((entry) => entry.TenantId.toLowerCase() !== tenantId);
  return noContent();
}

// ---------------------------------------------------------------------------------------------
// identitySynchronization (Global and US Gov only)

function requireSyncApi(call: GraphCall): void {
  if (!supportsIdentitySynchronization(call.cloud)) {
    throw unknownSegment('identitySynchronization', `Cross-tenant synchronization settings are not available in the ${call.cloud} cloud (operated by 21Vianet).`);
  }
}

function syncOf(call: GraphCall): JsonObject {
  requireSyncApi(call);
  const partner = partnerOf(call);
  const sync = call.tenant.identitySync[String(partner.tenantId)];
  if (!sync) {
    throw new GraphError(404, 'Directory_ObjectNotFound', `No identitySynchronization policy exists for partner '${String(partner.tenantId)}'.`);
  }
  return sync;
}

function checkSyncBody(call: GraphCall, partnerTenantId: string, body: JsonObject): void {
  if (body.tenantId !== undefined && String(body.tenantId).toLowerCase() !== partnerTenantId) {
    throw badRequest('The tenantId of an identitySynchronization policy must be the partner tenant id.');
  }
  const source = call.engine.tenant(partnerTenantId);
  const allowed = (body.userSyncInbound as JsonObject | null | undefined)?.isSyncAllowed === true;
  if (source && allowed && !maySync(source.cloud, call.tenant.cloud)) {
    throw badRequest(`Users cannot be synchronized from the ${source.cloud} cloud into the ${call.tenant.cloud} cloud.`);
  }
}

function putSync(call: GraphCall) {
  requireSyncApi(call);
  const partner = partnerOf(call);
  const tenantId = String(partner.tenantId);
  const body = call.body as JsonObject;
  checkSyncBody(call, tenantId, body);
  withinSizeLimit(call.engine, call.tenant, () => {
    call.tenant.identitySync[tenantId] = {
      tenantId,
      displayName: (body.displayName as string | null | undefined) ?? null,
      userSyncInbound: structuredClone(body.userSyncInbound ?? null),
    };
  }, { identitySync: [tenantId] });
  return noContent();
}

function patchSync(call: GraphCall) {
  const sync = syncOf(call);
  const body = call.body as JsonObject;
  checkSyncBody(call, String(sync.tenantId), body);
  withinSizeLimit(call.engine, call.tenant, () => {
    const key = String(sync.tenantId);
    const next = { ...call.tenant.identitySync[key] };
    for (const name of ['displayName', 'userSyncInbound']) if (body[name] !== undefined) next[name] = structuredClone(body[name]);
    call.tenant.identitySync[key] = next;
  }, { identitySync: [String(sync.tenantId)] });
  return noContent();
}

export const partnerRoutes: GraphRoute[] = [
  { method: 'GET', template: PARTNERS, permissions: PERMISSIONS.policyRead, handler: listPartners, expand: ['identitySynchronization'] },
  { method: 'POST', template: PARTNERS, permissions: PERMISSIONS.policyWrite, handler: createPartner },
  { method: 'GET', template: PARTNER, permissions: PERMISSIONS.policyRead, handler: getPartner, expand: ['identitySynchronization'] },
  { method: 'PATCH', template: PARTNER, permissions: PERMISSIONS.policyWrite, handler: updatePartner },
  { method: 'DELETE', template: PARTNER, permissions: PERMISSIONS.policyWrite, handler: deletePartner },
  {
    method: 'GET',
    template: IDENTITY_SYNC,
    permissions: PERMISSIONS.policyRead,
    handler: (call) =>
      ok({
        '@odata.context': `${call.graphBase}/$metadata#policies/crossTenantAccessPolicy/partners('${call.params['crossTenantAccessPolicyConfigurationPartner-tenantId']}')/identitySynchronization/$entity`,
        ...project(structuredClone(syncOf(call)), parseList(call.query.get('$select'))),
      }),
  },
  { method: 'PUT', template: IDENTITY_SYNC, permissions: PERMISSIONS.policyWrite, handler: putSync },
  { method: 'PATCH', template: IDENTITY_SYNC, permissions: PERMISSIONS.policyWrite, handler: patchSync },
  {
    method: 'DELETE',
    template: IDENTITY_SYNC,
    permissions: PERMISSIONS.policyWrite,
    handler: (call) => {
      const sync = syncOf(call);
      delete call.tenant.identitySync[String(sync.tenantId)];
      policyEntryChanged(call.tenant, 'identitySync', String(sync.tenantId));
      return noContent();
    },
  },
];
