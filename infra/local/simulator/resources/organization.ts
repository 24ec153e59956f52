// /organization (the caller's own tenant) and /tenantRelationships/findTenantInformationBy*
// (Global cloud only, and only about tenants of the same cloud, as in reality).
import { supportsGlobalOnlyApis } from '../clouds';
import { badRequest, GraphError, resourceNotFound, unknownSegment } from '../errors';
import { GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { project } from '../odata';
import { PERMISSIONS } from '../permissions';
import type { JsonObject, TenantState } from '../state';
import { initialDomainOfState } from '../state';
import { listObjects, selected } from './directoryQuery';

const ORGANIZATION_WRITABLE = new Set([
  'marketingNotificationEmails',
  'privacyProfile',
  'securityComplianceNotificationMails',
  'securityComplianceNotificationPhones',
  'technicalNotificationMails',
]);

function organizationOr404(call: GraphCall): JsonObject {
  const id = call.params['organization-id'];
  if (id.toLowerCase() !== call.tenant.id.toLowerCase()) throw resourceNotFound(id);
  return call.tenant.organization;
}

function tenantInformation(tenant: TenantState): JsonObject {
  return {
    tenantId: tenant.id,
    displayName: tenant.displayName,
    defaultDomainName: initialDomainOfState(tenant),
    federationBrandName: null,
  };
}

function requireGlobal(call: GraphCall, segment: string): void {
  if (!supportsGlobalOnlyApis(call.cloud)) throw unknownSegment(segment, `This API is available in the Global cloud only (called in ${call.cloud}).`);
}

const notFoundTenant = (what: string): GraphError => new GraphError(404, 'Request_ResourceNotFound', `No tenant was found for ${what}.`);

export const organizationRoutes: GraphRoute[] = [
  {
    method: 'GET',
    template: '/organization',
    permissions: PERMISSIONS.organizationRead,
    handler: (call) =>
      ok(listObjects(call, [structuredClone(call.tenant.organization)], { typeName: 'microsoft.graph.organization', path: '/organization', context: 'organization' })),
  },
  {
    method: 'GET',
    template: '/organization/{organization-id}',
    permissions: PERMISSIONS.organizationRead,
    handler: (call) =>
      ok({
        '@odata.context': `${call.graphBase}/$metadata#organization/$entity`,
        ...project(structuredClone(organizationOr404(call)), selected(call, 'microsoft.graph.organization')),
      }),
  },
  {
    method: 'PATCH',
    template: '/organization/{organization-id}',
    permissions: PERMISSIONS.organizationWrite,
    handler: (call) => {
      const organization = organizationOr404(call);
      const body = call.body as JsonObject;
      for (const key of Object.keys(body)) {
        if (!key.startsWith('@odata.') && !ORGANIZATION_WRITABLE.has(key)) throw badRequest(`Property '${key}' of the organization cannot be updated.`);
      }
      for (const [key, value] of Object.entries(body)) if (ORGANIZATION_WRITABLE.has(key)) organization[key] = structuredClone(value);
      return noContent();
    },
  },
  {
    method: 'POST',
    template: '/organization',
    permissions: PERMISSIONS.organizationWrite,
    handler: () => {
      throw new GraphError(403, 'Authorization_RequestDenied', 'Organizations cannot be created through Microsoft Graph.');
    },
  },
  {
    method: 'DELETE',
    template: '/organization/{organization-id}',
    permissions: PERMISSIONS.organizationWrite,
    handler: () => {
      throw new GraphError(403, 'Authorization_RequestDenied', 'Organizations cannot be deleted through Microsoft Graph.');
    },
  },
  {
    method: 'GET',
    template: "/tenantRelationships/findTenantInformationByTenantId(tenantId='{tenantId}')",
    permissions: PERMISSIONS.tenantInformation,
    handler: (call) => {
      requireGlobal(call, 'findTenantInformationByTenantId');
      const other = call.engine.tenant(call.params.tenantId);
      // Same-cloud lookup only: a tenant of another cloud is not found.
      if (!other || other.cloud !== call.cloud) throw notFoundTenant(`tenant id '${call.params.tenantId}'`);
      return ok({ '@odata.context': `${call.graphBase}/$metadata#microsoft.graph.tenantInformation`, ...tenantInformation(other) });
    },
  },
  {
    method: 'GET',
    template: "/tenantRelationships/findTenantInformationByDomainName(domainName='{domainName}')",
    permissions: PERMISSIONS.tenantInformation,
    handler: (call) => {
      requireGlobal(call, 'findTenantInformationByDomainName');
      const domain = call.params.domainName.toLowerCase();
      const other = call.engine.tenantList().find((tenant) => tenant.cloud === call.cloud && tenant.domains.some((d) => d.toLowerCase() === domain));
      if (!other) throw notFoundTenant(`domain '${call.params.domainName}'`);
      return ok({ '@odata.context': `${call.graphBase}/$metadata#microsoft.graph.tenantInformation`, ...tenantInformation(other) });
    },
  },
];
