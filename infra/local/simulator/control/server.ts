// The control API under /_sim/ — for tests and the demo, never for the product:
//   GET    /_sim/world                           the world as loaded (SimWorldView)
//   GET    /_sim/tenants/{id}/state              a tenant's whole state
//   POST   /_sim/tenants/{id}/admin              {service?: graph|teams, method, path, body?}: a change
//                                                "as an admin in the portal" (fires notifications)
//   GET    /_sim/faults, PATCH /_sim/faults      fault settings (latency, 503/504 rate, throttling)
//   POST   /_sim/faults/scripted                 one scripted fault (next N matching requests fail)
//   GET    /_sim/counters?tenantId&clientId&operation, DELETE /_sim/counters
//   GET    /_sim/requests?tenantId&clientId&since, DELETE /_sim/requests   the request log
//   POST   /_sim/tokens                          {tenantId, clientId, audience?: graph|teams, lifetimeSeconds?}
//   POST   /_sim/subscriptions/{id}/lifecycle    {event: reauthorizationRequired|subscriptionRemoved|missed}
//   GET    /_sim/notifications[?payload=false]   delivery log (validation, change and lifecycle POSTs)
//   GET    /_sim/violations                      responses that broke the OpenAPI description
//   POST   /_sim/reset                           back to the world as loaded
import { z } from 'zod';
import { CLOUD_TABLE, TEAMS_RESOURCE } from '../clouds';
import type { Engine } from '../engine';
import { faultSettingsSchema, ScriptedFaultInput } from '../faults';
import { GraphService, withStandardHeaders } from '../graph/pipeline';
import type { Caller } from '../graph/types';
import type { HttpReply } from '../http';
import type { NotificationHub } from '../notifications';
import { GLOBAL_ADMINISTRATOR_ROLE, KNOWN_APPLICATION_PERMISSIONS } from '../permissions';
import { grantedDirectoryRoles, grantedGraphPermissions } from '../resources/firstParty';
import { partnerWarnings, policySize } from '../resources/policyRules';
import { servicePrincipalIdFor, TenantState } from '../state';
import { handleAuthenticated } from '../teams/admin';
import { worldView } from '../world';
import { randomUUID } from 'node:crypto';

export const ADMIN_CALLER: Caller = {
  kind: 'admin',
  clientId: 'admin-portal',
  displayName: 'Admin portal',
  servicePrincipalId: '00000000-0000-0000-0000-000000000000',
  roles: [...KNOWN_APPLICATION_PERMISSIONS],
  wids: [GLOBAL_ADMINISTRATOR_ROLE],
};

const adminRequestSchema = z
  .object({
    service: z.enum(['graph', 'teams']).default('graph'),
    method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
    /** Graph: below /v1.0 (`/users/...`, a leading `/v1.0` is accepted); Teams: `/Skype.Policy/...`. */
    path: z.string().startsWith('/'),
    body: z.unknown().optional(),
  })
  .strict();

const tokenRequestSchema = z
  .object({
    tenantId: z.string(),
    clientId: z.string(),
    audience: z.enum(['graph', 'teams']).default('graph'),
    lifetimeSeconds: z.number().int().optional(),
  })
  .strict();

const lifecycleSchema = z.object({ event: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']) }).strict();

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ControlApi {
  constructor(
    private readonly engine: Engine,
    private readonly graph: GraphService,
    private readonly notifications: NotificationHub,
  ) {}

  async handle(method: string, path: string, query: URLSearchParams, rawBody: string): Promise<HttpReply> {
    try {
      return await this.route(method, path.replace(/\/+$/, ''), query, rawBody);
    } catch (error) {
      const status = error instanceof ControlError ? error.status : 500;
      return { status, body: { error: { code: status === 500 ? 'control.failed' : 'control.badRequest', message: (error as Error).message } } };
    }
  }

  private async route(method: string, path: string, query: URLSearchParams, rawBody: string): Promise<HttpReply> {
    const { engine } = this;
    const body = (): unknown => {
      if (!rawBody.trim()) return {};
      try {
        return JSON.parse(rawBody);
      } catch {
        throw new ControlError(400, 'The body must be JSON.');
      }
    };
    const parse = <T>(schema: z.ZodType<T>, value: unknown): T => {
      const result = schema.safeParse(value);
      if (!result.success) {
        throw new ControlError(400, result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; '));
      }
      return result.data;
    };
    let match: RegExpExecArray | null;

    if (method === 'GET' && path === '/world') return { status: 200, body: worldView(engine.world, engine.url) };
    if ((match = /^\/tenants\/([^/]+)\/state$/.exec(path)) && method === 'GET') return { status: 200, body: this.dump(this.tenant(match[1])) };
    if ((match = /^\/tenants\/([^/]+)\/admin$/.exec(path)) && method === 'POST') {
      return this.admin(this.tenant(match[1]), parse(adminRequestSchema, body()));
    }
    if (path === '/faults' && method === 'GET') return { status: 200, body: engine.faults.settings };
    if (path === '/faults' && (method === 'PATCH' || method === 'PUT')) {
      const patch = parse(faultSettingsSchema.partial(), body());
      return { status: 200, body: engine.faults.update(patch) };
    }
    if (path === '/faults/scripted' && method === 'POST') {
      try {
        engine.faults.addScripted(body() as ScriptedFaultInput);
      } catch (error) {
        throw new ControlError(400, (error as Error).message);
      }
      return { status: 200, body: engine.faults.settings };
    }
    if (path === '/counters' && method === 'GET') {
      return {
        status: 200,
        body: engine.counters.list({
          tenantId: query.get('tenantId') ?? undefined,
          clientId: query.get('clientId') ?? undefined,
          operation: query.get('operation') ?? undefined,
        }),
      };
    }
    if (path === '/counters' && method === 'DELETE') {
      engine.counters.reset();
      return { status: 204 };
    }
    if (path === '/requests' && method === 'GET') {
      const since = query.get('since');
      if (since !== null && !/^\d+$/.test(since)) throw new ControlError(400, 'since must be a request sequence number.');
      return {
        status: 200,
        body: engine.requests.list({ tenantId: query.get('tenantId') ?? undefined, clientId: query.get('clientId') ?? undefined, since: since === null ? undefined : Number(since) }),
      };
    }
    if (path === '/requests' && method === 'DELETE') {
      engine.requests.clear();
      return { status: 204 };
    }
    if (path === '/tokens' && method === 'POST') return { status: 200, body: await this.mintToken(parse(tokenRequestSchema, body())) };
    if ((match = /^\/subscriptions\/([^/]+)\/lifecycle$/.exec(path)) && method === 'POST') {
      const { event } = parse(lifecycleSchema, body());
      const sent = await this.notifications.triggerLifecycle(match[1], event);
      if (!sent) throw new ControlError(404, `No subscription ${match[1]}.`);
      return { status: 200, body: sent };
    }
    if (path === '/notifications' && method === 'GET') {
      // `?payload=false`: the log without the bodies sent (a long burst's log is large).
      const records = this.notifications.deliveries();
      return { status: 200, body: query.get('payload') === 'false' ? records.map(({ payload: _payload, ...rest }) => rest) : records };
    }
    if (path === '/notifications' && method === 'DELETE') {
      this.notifications.clearLog();
      return { status: 204 };
    }
    if (path === '/violations' && method === 'GET') return { status: 200, body: engine.violations };
    if (path === '/reset' && method === 'POST') {
      engine.reset();
      this.notifications.reset();
      return { status: 204 };
    }
    throw new ControlError(404, `No control endpoint ${method} /_sim${path}.`);
  }

  private tenant(id: string): TenantState {
    const tenant = this.engine.tenant(decodeURIComponent(id));
    if (!tenant) throw new ControlError(404, `No tenant ${id} in this world.`);
    return tenant;
  }

  private async admin(tenant: TenantState, request: z.output<typeof adminRequestSchema>): Promise<HttpReply> {
    const rawBody = request.body === undefined ? '' : JSON.stringify(request.body);
    let reply: HttpReply;
    if (request.service === 'teams') {
      try {
        reply = await handleAuthenticated(this.engine, tenant, ADMIN_CALLER, request.method, request.path, rawBody);
      } catch (error) {
        const status = (error as { status?: number }).status ?? 500;
        reply = { status, body: { error: { code: (error as { code?: string }).code ?? 'error', message: (error as Error).message } } };
      }
    } else {
      const url = new URL(request.path.replace(/^\/v1\.0(?=\/)/i, ''), 'https://admin.invalid');
      const requestId = randomUUID();
      reply = withStandardHeaders(
        await this.graph.execute({
          tenant,
          caller: ADMIN_CALLER,
          cloud: tenant.cloud,
          method: request.method,
          path: decodeURIComponent(url.pathname),
          query: url.searchParams,
          headers: {},
          body: rawBody,
          bodyIsText: true,
          requestId,
        }),
        requestId,
        undefined,
      );
    }
    return { status: 200, body: { status: reply.status, headers: reply.headers ?? {}, body: reply.body ?? null } };
  }

  private async mintToken(request: z.output<typeof tokenRequestSchema>): Promise<{ accessToken: string; expiresIn: number }> {
    const tenant = this.tenant(request.tenantId);
    const app = this.engine.app(request.clientId);
    if (!app || app.tenantId.toLowerCase() !== tenant.id.toLowerCase()) throw new ControlError(404, `No app ${request.clientId} in tenant ${tenant.id}.`);
    const cloud = CLOUD_TABLE[tenant.cloud];
    const servicePrincipalId = servicePrincipalIdFor(tenant.id, app.clientId);
    return this.engine.tokens.issue({
      tenantId: tenant.id,
      cloud: tenant.cloud,
      issuerBase: `${this.engine.url}/${cloud.loginHost}`,
      clientId: app.clientId,
      appDisplayName: app.displayName,
      servicePrincipalId,
      audience: request.audience === 'teams' ? TEAMS_RESOURCE : cloud.graphResource,
      roles: request.audience === 'teams' ? [] : grantedGraphPermissions(tenant, this.engine.world, servicePrincipalId),
      wids: grantedDirectoryRoles(tenant, this.engine.world, servicePrincipalId),
      lifetimeSeconds: request.lifetimeSeconds,
    });
  }

  private dump(tenant: TenantState): unknown {
    const { engine } = this;
    return {
      tenant: { id: tenant.id, cloud: tenant.cloud, displayName: tenant.displayName, domains: tenant.domains },
      policy: {
        ...tenant.policy,
        sizeBytes: policySize(tenant),
        sizeLimitBytes: engine.options.policySizeLimitBytes,
      },
      default: tenant.defaultConfig,
      partners: Object.values(tenant.partners).map((partner) => ({
        ...partner,
        identitySynchronization: tenant.identitySync[String(partner.tenantId)] ?? null,
        m365Capabilities: Object.values(tenant.m365Capabilities?.[String(partner.tenantId)] ?? {}),
        warnings: partnerWarnings(engine, tenant, partner),
      })),
      users: Object.values(tenant.users),
      groups: Object.values(tenant.groups).map((group) => ({
        ...group,
        members: [...(tenant.members[group.id] ?? [])],
        ...(tenant.teamOwners?.[group.id] ? { owners: [...tenant.teamOwners[group.id]] } : {}),
      })),
      organization: tenant.organization,
      applications: Object.values(tenant.applications),
      servicePrincipals: Object.values(tenant.servicePrincipals).map((sp) => ({
        ...sp,
        synchronization: {
          jobs: Object.values(tenant.syncJobs[sp.id] ?? {}),
          secrets: (tenant.syncSecrets[sp.id] ?? []).map((secret) => ({ key: secret.key, value: secret.key === 'SecretToken' ? '***' : secret.value })),
        },
        appRoleAssignedTo: tenant.appRoleAssignments?.[sp.id] ?? [],
      })),
      subscriptions: Object.values(tenant.subscriptions),
      teams: tenant.teams,
      meetingPolicies: Object.values(tenant.meetingPolicies ?? {}),
      invitationMessages: tenant.invitationMessages ?? [],
      multiTenantOrganization: tenant.multiTenantOrganization,
      directoryRoleAssignments: tenant.directoryRoleAssignments ?? [],
    };
  }
}
