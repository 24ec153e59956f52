// Checks the bearer token of a Graph or Teams admin request: signature, lifetime, audience and
// cloud. Graph's answers: 401 InvalidAuthenticationToken with a WWW-Authenticate header.
import { CLOUD_TABLE, SimCloud, TEAMS_RESOURCE } from '../clouds';
import type { Engine } from '../engine';
import { GraphError } from '../errors';
import type { Caller } from '../graph/types';
import type { TenantState } from '../state';
import { AccessTokenClaims, TokenRejected } from './tokens';

/** Graph's own application id: v1 tokens for Graph may carry it as audience. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface Authenticated {
  claims: AccessTokenClaims;
  tenant: TenantState;
  caller: Caller;
}

function unauthorized(message: string, host: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': `Bearer realm="", authorization_uri="https://${host}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
  });
}

export function acceptedAudiences(service: 'graph' | 'teams', cloud: SimCloud): string[] {
  if (service === 'teams') return [TEAMS_RESOURCE, `api://${TEAMS_RESOURCE}`];
  const resource = CLOUD_TABLE[cloud].graphResource;
  return [resource, `${resource}/`, GRAPH_APP_ID];
}

export async function authenticate(
  engine: Engine,
  authorization: string | undefined,
  service: 'graph' | 'teams',
  hostClouds: SimCloud | readonly SimCloud[],
): Promise<Authenticated> {
  // A host may serve several environments (graph.microsoft.com: commercial and GCC tenants).
  const clouds: readonly SimCloud[] = typeof hostClouds === 'string' ? [hostClouds] : hostClouds;
  const hostCloud = clouds[0];
  const loginHost = CLOUD_TABLE[hostCloud].loginHost;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw unauthorized('Access token is empty.', loginHost);
  let claims: AccessTokenClaims;
  try {
    claims = await engine.tokens.verify(match[1]);
  } catch (error) {
    if (error instanceof TokenRejected) throw unauthorized(error.message, loginHost);
    throw error;
  }
  const tokenCloud = claims.cloud;
  if (!tokenCloud || !CLOUD_TABLE[tokenCloud]) throw unauthorized('Access token validation failure. Invalid issuer.', loginHost);
  const expectedIssuerPrefix = `${engine.url}/${CLOUD_TABLE[tokenCloud].loginHost}/`;
  if (typeof claims.iss !== 'string' || !claims.iss.startsWith(expectedIssuerPrefix)) {
    throw unauthorized('Access token validation failure. Invalid issuer.', loginHost);
  }
  if (!clouds.includes(tokenCloud)) {
    throw unauthorized(
      `Access token validation failure. The token was issued by the ${tokenCloud} cloud (${CLOUD_TABLE[tokenCloud].loginHost}) and is not valid in the ${hostCloud} cloud.`,
      loginHost,
    );
  }
  if (!acceptedAudiences(service, tokenCloud).includes(String(claims.aud))) {
    throw unauthorized('Access token validation failure. Invalid audience.', loginHost);
  }
  const tenant = engine.tenant(claims.tid);
  if (!tenant || tenant.cloud !== tokenCloud) {
    throw unauthorized(`Access token validation failure. Tenant '${claims.tid}' does not exist in the ${hostCloud} cloud.`, loginHost);
  }
  return {
    claims,
    tenant,
    caller: {
      kind: 'app',
      clientId: claims.appid,
      displayName: claims.app_displayname,
      servicePrincipalId: claims.oid,
      roles: Array.isArray(claims.roles) ? claims.roles : [],
      wids: Array.isArray(claims.wids) ? claims.wids : [],
    },
  };
}
