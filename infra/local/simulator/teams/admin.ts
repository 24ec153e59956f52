// The Teams admin configuration API (shared/teams/configurations.ts):
//   GET|PUT {teamsAdminBaseUrl}/Skype.Policy/configurations/{Type}/configuration/Global
// App-only token for the Teams admin resource whose `wids` hold Teams Administrator (or Global
// Administrator). A PUT replaces the whole object and answers 200 with what is stored.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TEAMS_CONFIGURATION_TYPES, TeamsConfigurations, TeamsConfigurationType } from '../../../../shared/teams/configurations';
import { authenticate } from '../auth/access';
import { environmentOf, isCrossEnvironment, SimCloud } from '../clouds';
import type { Engine } from '../engine';
import { badRequest, GraphError, graphErrorBody } from '../errors';
import type { Caller } from '../graph/types';
import type { HttpReply } from '../http';
import { GLOBAL_ADMINISTRATOR_ROLE, TEAMS_ADMINISTRATOR_ROLE } from '../permissions';
import { checkCloudReachable, isGuid, withinSizeLimit } from '../resources/policyRules';
import { checkRouting, DISCOVERY_PATH, discoveryAnswer } from './discovery';
import { emptyPartner, TenantState } from '../state';

const domain = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a domain name');
const identity = z.literal('Global');

const schemas: { [K in TeamsConfigurationType]: z.ZodType<TeamsConfigurations[K]> } = {
  TenantFederationSettings: z
    .object({
      Identity: identity,
      AllowFederatedUsers: z.boolean(),
      AllowedDomains: z.array(domain),
      BlockedDomains: z.array(domain),
      AllowTeamsConsumer: z.boolean(),
    })
    .strict(),
  TeamsClientConfiguration: z.object({ Identity: identity, AllowGuestUser: z.boolean() }).strict(),
  TeamsMeetingPolicy: z
    .object({
      Identity: z.string().regex(/^(Global|Tag:.+)$/, 'must be Global or Tag:<policy name>'),
      AllowAnonymousUsersToJoinMeeting: z.boolean(),
      AutoAdmittedUsers: z.enum(['EveryoneInCompany', 'EveryoneInSameAndFederatedCompany', 'OrganizerOnly', 'Everyone']),
    })
    .strict(),
  TeamsMeetingConfiguration: z.object({ Identity: identity, DisableAnonymousJoin: z.boolean() }).strict(),
  TeamsAcsFederationConfiguration: z
    .object({ Identity: identity, EnableAcsUsers: z.boolean(), AllowedAcsResources: z.array(z.guid()) })
    .strict(),
  TeamsUpgradeConfiguration: z.object({ Identity: identity, Mode: z.enum(['TeamsOnly', 'Islands', 'SfBWithTeamsCollab', 'SfBOnly']) }).strict(),
  TeamsCrossCloudMeetingConfiguration: z
    .object({
      Identity: identity,
      Partners: z.array(z.object({ TenantId: z.guid(), InboundMeetingsAllowed: z.boolean(), OutboundMeetingsAllowed: z.boolean() }).strict()),
    })
    .strict(),
};

const PATH = /^\/Skype\.Policy\/configurations\/([^/]+)\/configuration\/([^/]+)\/?$/i;

export async function handleTeams(
  engine: Engine,
  hostClouds: SimCloud | readonly SimCloud[],
  method: string,
  path: string,
  headers: Record<string, string | undefined>,
  rawBody: string,
  /** The cloud's base host, or the regional host discovery names (teams/discovery.ts). */
  host: 'base' | 'regional' = 'base',
): Promise<HttpReply> {
  const requestId = randomUUID();
  const clientRequestId = headers['client-request-id'];
  let reply: HttpReply;
  let tenantId = '';
  let clientId = 'anonymous';
  let operation = `teams.${method} ${path}`;
  try {
    const { tenant, caller } = await authenticate(engine, headers.authorization, 'teams', hostClouds);
    tenantId = tenant.id;
    clientId = caller.clientId;
    if (path.replace(/\/+$/, '').toLowerCase() === DISCOVERY_PATH && host === 'base') {
      operation = 'teams.ServiceDiscovery';
      if (method !== 'GET') throw new GraphError(405, 'MethodNotAllowed', `${method} is not supported on ${path}; use GET.`);
      reply = { status: 200, body: discoveryAnswer(tenant) };
    } else {
      if (host === 'base' && engine.options.teamsDiscoveryRequired) {
        throw new GraphError(404, 'NotFound', `No Teams admin resource at ${path} on this host: use the ConfigApiEndpoint answered by /Teams.Tenant/serviceDiscovery.`);
      }
      const type = host === 'regional' ? configurationTypeOf(path) : undefined;
      if (type) checkRouting(tenant, type, headers);
      reply = await handleAuthenticated(engine, tenant, caller, method, path, rawBody, (name) => (operation = name));
    }
  } catch (error) {
    reply = teamsError(error, requestId, clientRequestId, engine);
  }
  if (tenantId) engine.counters.record(tenantId, clientId, operation, reply.status);
  if (tenantId) engine.requests.record({ service: 'teams', tenantId, clientId, operation, method, path, status: reply.status });
  return { ...reply, headers: { 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId, ...(reply.headers ?? {}) } };
}

function configurationTypeOf(path: string): TeamsConfigurationType | undefined {
  const match = PATH.exec(path);
  return match ? TEAMS_CONFIGURATION_TYPES.find((candidate) => candidate.toLowerCase() === match[1].toLowerCase()) : undefined;
}

/** Also used by the control API ("as an admin in the Teams admin center"). */
export async function handleAuthenticated(
  engine: Engine,
  tenant: TenantState,
  caller: Caller,
  method: string,
  path: string,
  rawBody: string,
  nameOperation: (name: string) => void = () => undefined,
): Promise<HttpReply> {
  const match = PATH.exec(path);
  if (!match) throw new GraphError(404, 'NotFound', `No Teams admin resource at ${path}.`);
  const type = TEAMS_CONFIGURATION_TYPES.find((candidate) => candidate.toLowerCase() === match[1].toLowerCase());
  if (!type) throw new GraphError(404, 'NotFound', `Unknown configuration type '${match[1]}'. Known: ${TEAMS_CONFIGURATION_TYPES.join(', ')}.`);
  const instance = decodeURIComponent(match[2]);
  // Meeting policies have named instances (Tag:<Name>) besides Global; the other types only Global.
  if (instance !== 'Global' && !(type === 'TeamsMeetingPolicy' && instance.startsWith('Tag:'))) {
    throw new GraphError(404, 'NotFound', `Only the Global instance of ${type} exists (got '${match[2]}').`);
  }
  const operation = `teams.${method === 'PUT' ? 'Put' : 'Get'}${type}`;
  nameOperation(operation);
  if (method !== 'GET' && method !== 'PUT') throw new GraphError(405, 'MethodNotAllowed', `${method} is not supported on ${type}; use GET or PUT.`);
  if (!caller.wids.includes(TEAMS_ADMINISTRATOR_ROLE) && !caller.wids.includes(GLOBAL_ADMINISTRATOR_ROLE)) {
    throw new GraphError(403, 'Forbidden', `The caller does not have the Teams Administrator role in tenant ${tenant.id} (token wids).`);
  }
  if (caller.kind === 'app') {
    const fault = engine.faults.decide({ service: 'teams', tenantId: tenant.id, clientId: caller.clientId, operation, method, path });
    if (fault) throw new GraphError(fault.status, fault.code, fault.message, fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {});
  }
  if (instance !== 'Global') return namedMeetingPolicy(engine, tenant, caller, method, instance, rawBody);
  if (method === 'GET') return { status: 200, body: structuredClone(tenant.teams[type]) };

  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw badRequest(`The body of PUT ${type} must be the whole configuration object as JSON.`, 'BadRequest');
  }
  const parsed = schemas[type].safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
    throw badRequest(`Invalid ${type}: ${field}: ${issue.message}.`, 'BadRequest');
  }
  applyRules(engine, tenant, type, parsed.data as TeamsConfigurations[typeof type]);
  engine.markDirty();
  if (caller.kind === 'app') {
    const after = await engine.faults.afterHandling({ service: 'teams', tenantId: tenant.id, clientId: caller.clientId, operation, method, path });
    if (after) throw new GraphError(after.status, after.code, after.message, after.retryAfterSeconds !== undefined ? { 'Retry-After': String(after.retryAfterSeconds) } : {});
  }
  return { status: 200, body: structuredClone(tenant.teams[type]) };
}

/** A meeting policy other than Global: read, or replaced as a whole (created only by an admin: New-CsTeamsMeetingPolicy). */
function namedMeetingPolicy(engine: Engine, tenant: TenantState, caller: Caller, method: string, identity: string, rawBody: string): HttpReply {
  const policies = (tenant.meetingPolicies ??= {});
  const key = Object.keys(policies).find((name) => name.toLowerCase() === identity.toLowerCase());
  if (method === 'GET') {
    if (!key) throw new GraphError(404, 'NotFound', `No meeting policy ${identity} in tenant ${tenant.id}.`);
    return { status: 200, body: structuredClone(policies[key]) };
  }
  if (!key && caller.kind !== 'admin') {
    throw new GraphError(404, 'NotFound', `No meeting policy ${identity} in tenant ${tenant.id}; create it first (New-CsTeamsMeetingPolicy).`);
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw badRequest(`The body of PUT TeamsMeetingPolicy must be the whole policy as JSON.`, 'BadRequest');
  }
  const parsed = schemas.TeamsMeetingPolicy.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`Invalid TeamsMeetingPolicy: ${issue.path.join('.') || '(body)'}: ${issue.message}.`, 'BadRequest');
  }
  if (parsed.data.Identity.toLowerCase() !== identity.toLowerCase()) throw badRequest(`Invalid TeamsMeetingPolicy: Identity must be ${identity}.`, 'BadRequest');
  policies[key ?? identity] = structuredClone(parsed.data);
  engine.markDirty();
  return { status: 200, body: structuredClone(policies[key ?? identity]) };
}

function applyRules<K extends TeamsConfigurationType>(engine: Engine, tenant: TenantState, type: K, value: TeamsConfigurations[K]): void {
  const teams = tenant.teams as unknown as Record<string, unknown>;
  if (type === 'TenantFederationSettings') {
    const settings = value as TeamsConfigurations['TenantFederationSettings'];
    const blocked = new Set(settings.BlockedDomains.map((d) => d.toLowerCase()));
    const both = settings.AllowedDomains.find((d) => blocked.has(d.toLowerCase()));
    if (both) throw badRequest(`Invalid TenantFederationSettings: ${both} is both allowed and blocked.`, 'BadRequest');
  }
  if (type === 'TeamsAcsFederationConfiguration') {
    const settings = value as TeamsConfigurations['TeamsAcsFederationConfiguration'];
    if (settings.EnableAcsUsers && (environmentOf(tenant.cloud) === 'USGov' || tenant.cloud === 'GCC')) {
      throw badRequest('Invalid TeamsAcsFederationConfiguration: Azure Communication Services interoperability is not available for GCC, GCC High and DoD tenants.', 'BadRequest');
    }
  }
  if (type === 'TeamsCrossCloudMeetingConfiguration') {
    const settings = value as TeamsConfigurations['TeamsCrossCloudMeetingConfiguration'];
    const seen = new Set<string>();
    const additions: string[] = [];
    for (const partner of settings.Partners) {
      const id = partner.TenantId.toLowerCase();
      if (seen.has(id)) throw badRequest(`Invalid TeamsCrossCloudMeetingConfiguration: tenant ${partner.TenantId} is listed twice.`, 'BadRequest');
      seen.add(id);
      if (!isGuid(id) || id === tenant.id.toLowerCase()) throw badRequest(`Invalid TeamsCrossCloudMeetingConfiguration: ${partner.TenantId} is not a partner tenant.`, 'BadRequest');
      const other = engine.tenant(id);
      if (!other) throw badRequest(`Invalid TeamsCrossCloudMeetingConfiguration: tenant ${partner.TenantId} was not found in any cloud.`, 'BadRequest');
      if (!isCrossEnvironment(tenant.cloud, other.cloud)) {
        throw badRequest(`Invalid TeamsCrossCloudMeetingConfiguration: tenant ${partner.TenantId} is in the same Microsoft 365 environment (${other.cloud}); cross-cloud meetings are for organizations in other Microsoft 365 environments.`, 'BadRequest');
      }
      checkCloudReachable(tenant, other.cloud, partner.TenantId);
      if (!tenant.partners[id]) additions.push(id);
    }
    // Each connection is the tenant's Entra partner entry: adding one creates the partner with defaults.
    withinSizeLimit(
      engine,
      tenant,
      () => {
        for (const id of additions) tenant.partners[id] = emptyPartner(id);
      },
      { partners: additions },
    );
    teams[type] = structuredClone(value);
    return;
  }
  teams[type] = structuredClone(value);
}

function teamsError(error: unknown, requestId: string, clientRequestId: string | undefined, engine: Engine): HttpReply {
  if (error instanceof GraphError) {
    return { status: error.status, headers: error.headers, body: graphErrorBody(error.code, error.message, requestId, clientRequestId) };
  }
  engine.options.log(`[simulator] Teams admin internal error: ${(error as Error)?.stack ?? String(error)}`);
  return { status: 500, body: graphErrorBody('InternalServerError', (error as Error)?.message ?? String(error), requestId, clientRequestId) };
}
