// The login hosts: OpenID configuration, signing keys and the v2.0 token endpoint (client
// credentials with a client secret or a certificate assertion), per cloud. Errors are Entra's
// `{error, error_description: "AADSTS...", error_codes, ...}`.
import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { CLOUD_TABLE, SimCloud, TEAMS_RESOURCE } from '../clouds';
import type { Engine } from '../engine';
import type { HttpReply } from '../http';
import { grantedDirectoryRoles, grantedGraphPermissions } from '../resources/firstParty';
import { redeemInvitation } from '../resources/invitations';
import { handleAuthorize, redeemAuthorizationCode } from './signIn';
import { servicePrincipalIdFor, TenantState } from '../state';

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function oauthError(status: number, error: string, code: number, description: string): HttpReply {
  const traceId = randomUUID();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${traceId} Timestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: traceId,
      correlation_id: traceId,
    },
  };
}

function findTenant(engine: Engine, clouds: SimCloud[], idOrDomain: string): TenantState | undefined {
  const key = idOrDomain.toLowerCase();
  return engine
    .tenantList()
    .find((tenant) => clouds.includes(tenant.cloud) && (tenant.id.toLowerCase() === key || tenant.domains.some((domain) => domain.toLowerCase() === key)));
}

export async function handleLogin(
  engine: Engine,
  host: string,
  clouds: SimCloud[],
  method: string,
  path: string,
  form: URLSearchParams,
  query: URLSearchParams = new URLSearchParams(),
): Promise<HttpReply> {
  const segments = path.split('/').filter(Boolean);
  const [tenantSegment, ...rest] = segments;
  if (method === 'GET' && tenantSegment === 'redeem' && rest.length === 0) {
    // The invitation redeem link (inviteRedeemUrl): the guest accepts.
    return redeemInvitation(engine, query.get('tenant'), query.get('user'))
      ? { status: 200, body: 'Invitation redeemed.' }
      : oauthError(404, 'invalid_request', 90002, 'No such pending invitation.');
  }
  const route = rest.join('/');
  const base = `${engine.url}/${host}`;
  if (!tenantSegment) return oauthError(404, 'invalid_request', 90002, 'The request path has no tenant.');
  const tenant = findTenant(engine, clouds, tenantSegment);

  if (method === 'GET' && route === 'v2.0/.well-known/openid-configuration') {
    if (!tenant) return oauthError(400, 'invalid_tenant', 90002, `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    const tenantBase = `${base}/${tenant.id}`;
    return {
      status: 200,
      body: {
        token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${tenantBase}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${tenantBase}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'at_hash', 'c_hash'],
        kerberos_endpoint: `${tenantBase}/kerberos`,
        tenant_region_scope: tenant.cloud === 'China' ? 'AS' : tenant.cloud === 'Global' ? 'NA' : 'USG',
        cloud_instance_name: host.replace(/^login\./, ''),
        cloud_graph_host_name: CLOUD_TABLE[tenant.cloud].graphHost,
        msgraph_host: CLOUD_TABLE[tenant.cloud].graphHost,
        rbac_url: 'https://pas.windows.net',
      },
    };
  }
  if (method === 'GET' && route === 'discovery/v2.0/keys') {
    return { status: 200, body: engine.tokens.jwks() };
  }
  if ((method === 'GET' || method === 'POST') && route === 'oauth2/v2.0/authorize') {
    if (!tenant) return oauthError(400, 'invalid_tenant', 90002, `Tenant '${tenantSegment}' not found.`);
    return handleAuthorize(engine, tenant, method, query, form, oauthError);
  }
  if (method === 'POST' && route === 'oauth2/v2.0/token') {
    if (!tenant) return oauthError(400, 'invalid_request', 90002, `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    return issueToken(engine, host, tenant, form);
  }
  return oauthError(404, 'invalid_request', 900561, `The endpoint ${method} ${path} does not exist on this authority.`);
}

async function issueToken(engine: Engine, host: string, tenant: TenantState, form: URLSearchParams): Promise<HttpReply> {
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') return redeemAuthorizationCode(engine, host, tenant, form, oauthError);
  if (grantType !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType ?? ''}'. Only client_credentials is simulated.`);
  }
  const clientId = form.get('client_id') ?? '';
  const app = engine.app(clientId);
  if (!app || app.tenantId.toLowerCase() !== tenant.id.toLowerCase()) {
    return oauthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'.`);
  }
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (secret !== app.clientSecret) {
      return oauthError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
  } else if (assertion !== null) {
    const problem = await checkAssertion(app.clientId, app.certificates, assertion, form.get('client_assertion_type'));
    if (problem) return oauthError(401, 'invalid_client', 700027, problem);
  } else {
    return oauthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  const scope = (form.get('scope') ?? '').trim();
  const scopes = scope.split(/\s+/).filter(Boolean);
  const resourceScope = scopes.find((entry) => entry.endsWith('/.default'));
  if (!resourceScope || scopes.some((entry) => entry !== resourceScope && !['openid', 'profile', 'offline_access'].includes(entry))) {
    return oauthError(400, 'invalid_scope', 1002012, `The provided value for scope '${scope}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  const resource = resourceScope.slice(0, -'/.default'.length).replace(/\/+$/, '');
  const cloud = CLOUD_TABLE[tenant.cloud];
  let audience: string;
  if (resource.toLowerCase() === cloud.graphResource || resource === '00000003-0000-0000-c000-000000000000') {
    audience = cloud.graphResource;
  } else if (resource.toLowerCase() === TEAMS_RESOURCE || resource.toLowerCase() === `api://${TEAMS_RESOURCE}`) {
    audience = TEAMS_RESOURCE;
  } else {
    return oauthError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant or cloud.`);
  }
  const servicePrincipalId = servicePrincipalIdFor(tenant.id, app.clientId);
  // What the app holds now: its app role assignments on Graph and its directory roles.
  const roles = audience === TEAMS_RESOURCE ? [] : grantedGraphPermissions(tenant, engine.world, servicePrincipalId);
  const { accessToken, expiresIn } = await engine.tokens.issue({
    tenantId: tenant.id,
    cloud: tenant.cloud,
    issuerBase: `${engine.url}/${host}`,
    clientId: app.clientId,
    appDisplayName: app.displayName,
    servicePrincipalId,
    audience,
    roles,
    wids: grantedDirectoryRoles(tenant, engine.world, servicePrincipalId),
    lifetimeSeconds: engine.options.tokenLifetimeSeconds,
  });
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: accessToken },
  };
}

async function checkAssertion(
  clientId: string,
  certificates: string[],
  assertion: string,
  assertionType: string | null,
): Promise<string | undefined> {
  if (assertionType !== CLIENT_ASSERTION_TYPE) return `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}.`;
  if (certificates.length === 0) return `The application '${clientId}' has no certificate credential.`;
  let algorithm: string;
  try {
    algorithm = decodeProtectedHeader(assertion).alg ?? 'RS256';
    const payload = decodeJwt(assertion);
    if (payload.iss !== clientId || payload.sub !== clientId) return 'The client assertion must have iss and sub equal to the client id.';
  } catch {
    return 'The client assertion is not a valid JWT.';
  }
  for (const pem of certificates) {
    try {
      const key = await importX509(pem, algorithm);
      await jwtVerify(assertion, key, { clockTolerance: 300 });
      return undefined;
    } catch {
      // try the next certificate
    }
  }
  return 'Client assertion contains an invalid signature or is expired.';
}
