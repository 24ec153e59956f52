// /policies/crossTenantAccessPolicy and its default configuration.
import { CLOUD_ENDPOINT_VALUES, CLOUD_TABLE, environmentOf, mayCollaborate, SIM_CLOUDS } from '../clouds';
import { badRequest } from '../errors';
import { GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { parseList, project } from '../odata';
import { PERMISSIONS } from '../permissions';
import { JsonObject, SYSTEM_DEFAULT_CONFIGURATION } from '../state';
import { ACCESS_SETTINGS, checkAccessSetting, withinSizeLimit } from './policyRules';

const POLICY = '/policies/crossTenantAccessPolicy';
const DEFAULT = '/policies/crossTenantAccessPolicy/default';

function policyBody(call: GraphCall): JsonObject {
  const { policy } = call.tenant;
  const body = {
    displayName: policy.displayName,
    description: policy.description,
    allowedCloudEndpoints: [...policy.allowedCloudEndpoints],
  };
  return { '@odata.context': `${call.graphBase}/$metadata#policies/crossTenantAccessPolicy/$entity`, ...project(body, parseList(call.query.get('$select'))) };
}

function patchPolicy(call: GraphCall) {
  const body = call.body as JsonObject;
  for (const key of Object.keys(body)) {
    if (!['allowedCloudEndpoints', 'displayName', 'description'].includes(key) && !key.startsWith('@odata.')) {
      throw badRequest(`Property '${key}' of the cross-tenant access policy cannot be updated here.`);
    }
  }
  const own = CLOUD_TABLE[call.tenant.cloud];
  let endpoints: string[] | undefined;
  if (body.allowedCloudEndpoints !== undefined) {
    endpoints = [];
    for (const value of body.allowedCloudEndpoints as string[]) {
      if (!(CLOUD_ENDPOINT_VALUES as readonly string[]).includes(value)) {
        throw badRequest(`Invalid value '${value}' in allowedCloudEndpoints: expected one of ${CLOUD_ENDPOINT_VALUES.join(', ')}.`);
      }
      const cloud = SIM_CLOUDS.find((candidate) => CLOUD_TABLE[candidate].cloudEndpoint === value)!;
      if (environmentOf(cloud) === own.environment) {
        throw badRequest(`allowedCloudEndpoints cannot contain '${value}': it is this tenant's own cloud.`);
      }
      if (!mayCollaborate(call.tenant.cloud, cloud)) {
        throw badRequest(`allowedCloudEndpoints cannot contain '${value}': a ${own.environment} tenant cannot collaborate with the ${environmentOf(cloud)} cloud.`);
      }
      if (!endpoints.includes(value)) endpoints.push(value);
    }
  }
  withinSizeLimit(call.engine, call.tenant, () => {
    const policy = { ...call.tenant.policy };
    // PATCH replaces the whole array (read, merge, write is the caller's job).
    if (endpoints) policy.allowedCloudEndpoints = endpoints;
    if (body.displayName !== undefined) policy.displayName = String(body.displayName);
    if (body.description !== undefined) policy.description = body.description === null ? null : String(body.description);
    call.tenant.policy = policy;
  }, {});
  return noContent();
}

function defaultBody(call: GraphCall): JsonObject {
  return {
    '@odata.context': `${call.graphBase}/$metadata#policies/crossTenantAccessPolicy/default/$entity`,
    ...project(structuredClone(call.tenant.defaultConfig), parseList(call.query.get('$select'))),
  };
}

const DEFAULT_WRITABLE = [
  ...ACCESS_SETTINGS,
  'inboundTrust',
  'automaticUserConsentSettings',
  'invitationRedemptionIdentityProviderConfiguration',
  'appServiceConnectInbound',
  'm365CollaborationInbound',
  'm365CollaborationOutbound',
];

function patchDefault(call: GraphCall) {
  const body = call.body as JsonObject;
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@odata.')) continue;
    if (!DEFAULT_WRITABLE.includes(key)) throw badRequest(`Property '${key}' of the default configuration cannot be updated.`);
    if ((ACCESS_SETTINGS as readonly string[]).includes(key)) checkAccessSetting(key, value);
    if (value === null) throw badRequest(`Property '${key}' of the default configuration cannot be null.`);
  }
  withinSizeLimit(call.engine, call.tenant, () => {
    const config = { ...call.tenant.defaultConfig };
    // Each top-level setting given replaces the stored one.
    for (const [key, value] of Object.entries(body)) if (!key.startsWith('@odata.')) config[key] = structuredClone(value);
    config.isServiceDefault = false;
    call.tenant.defaultConfig = config;
  }, {});
  return noContent();
}

export const policyRoutes: GraphRoute[] = [
  { method: 'GET', template: POLICY, permissions: PERMISSIONS.policyRead, handler: (call) => ok(policyBody(call)) },
  { method: 'PATCH', template: POLICY, permissions: PERMISSIONS.policyWrite, handler: patchPolicy },
  {
    method: 'DELETE',
    template: POLICY,
    permissions: PERMISSIONS.policyWrite,
    handler: () => {
      throw badRequest('The cross-tenant access policy cannot be deleted; remove partners or reset the default configuration instead.');
    },
  },
  { method: 'GET', template: DEFAULT, permissions: PERMISSIONS.policyRead, handler: (call) => ok(defaultBody(call)) },
  { method: 'PATCH', template: DEFAULT, permissions: PERMISSIONS.policyWrite, handler: patchDefault },
  {
    method: 'DELETE',
    template: DEFAULT,
    permissions: PERMISSIONS.policyWrite,
    handler: () => {
      throw badRequest('The default configuration cannot be deleted; use resetToSystemDefault.');
    },
  },
  {
    method: 'POST',
    template: `${DEFAULT}/resetToSystemDefault`,
    permissions: PERMISSIONS.policyWrite,
    handler: (call) => {
      call.tenant.defaultConfig = structuredClone(SYSTEM_DEFAULT_CONFIGURATION) as JsonObject;
      return noContent();
    },
  },
];
