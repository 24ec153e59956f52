// A small typed client of the control API (/_sim/). It talks HTTPS with the simulator's CA given
// explicitly, so it also works in a process started without NODE_EXTRA_CA_CERTS.
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { CounterRow, FaultSettings, FaultSettingsInput, ScriptedFaultInput } from '../faults';
import type { DeliveryRecord, LifecycleEvent } from '../notifications';
import type { LoggedRequest, RequestLogFilter } from '../requestLog';
import type { Violation } from '../engine';
import { SimulatorError } from '../errors';
import type { SimWorldView } from '../world';

export interface AdminRequest {
  /** `graph` (default): a Graph path below /v1.0; `teams`: `/Skype.Policy/configurations/...`. */
  service?: 'graph' | 'teams';
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface AdminResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/** A tenant's whole state (GET /_sim/tenants/{id}/state). */
export interface TenantDump {
  tenant: { id: string; cloud: string; displayName: string; domains: string[] };
  policy: { displayName: string; description: string | null; allowedCloudEndpoints: string[]; sizeBytes: number; sizeLimitBytes: number };
  default: Record<string, unknown>;
  partners: Array<
    Record<string, unknown> & {
      tenantId: string;
      identitySynchronization: Record<string, unknown> | null;
      /** Microsoft 365 cross-tenant capabilities authorised for the partner. */
      m365Capabilities: Array<{ name: string; inboundAccess: Record<string, unknown> }>;
      warnings: string[];
    }
  >;
  users: Array<Record<string, unknown> & { id: string; userPrincipalName: string }>;
  groups: Array<Record<string, unknown> & { id: string; displayName: string; members: string[] }>;
  organization: Record<string, unknown>;
  applications: Array<Record<string, unknown>>;
  servicePrincipals: Array<
    Record<string, unknown> & {
      synchronization: { jobs: Array<Record<string, unknown>>; secrets: Array<{ key: string; value: string }> };
      appRoleAssignedTo: Array<{ id: string; appRoleId: string; principalId: string; principalType: string; resourceId: string }>;
    }
  >;
  subscriptions: Array<Record<string, unknown> & { id: string; resource: string }>;
  teams: Record<string, Record<string, unknown>>;
  /** Meeting policies other than Global. */
  meetingPolicies: Array<Record<string, unknown> & { Identity: string }>;
  /** Invitation e-mails sent to guests (redeem URL, custom message), oldest first. */
  invitationMessages: Array<{ to: string; from: string; invitedUserId: string; inviteRedeemUrl: string; inviteRedirectUrl: string; customizedMessageBody: string | null; messageLanguage: string | null; sentAt: string }>;
  multiTenantOrganization: Record<string, unknown> | null;
  /** Directory role assignments (unifiedRoleAssignment). */
  directoryRoleAssignments: Array<{ id: string; principalId: string; roleDefinitionId: string; directoryScopeId: string }>;
}

export interface MintTokenRequest {
  tenantId: string;
  clientId: string;
  audience?: 'graph' | 'teams';
  /** Negative to get an expired token. */
  lifetimeSeconds?: number;
}

export class SimulatorControl {
  private readonly ca: string | undefined;

  /** `url` is the simulator's base URL; `caFile` its CA (omit to rely on NODE_EXTRA_CA_CERTS). */
  constructor(
    readonly url: string,
    caFile?: string,
  ) {
    this.ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
  }

  world(): Promise<SimWorldView> {
    return this.call('GET', '/world');
  }

  state(tenantId: string): Promise<TenantDump> {
    return this.call('GET', `/tenants/${encodeURIComponent(tenantId)}/state`);
  }

  /** A change "as an admin in the portal": same rules as the API, fires notifications, no throttling. */
  admin<T = unknown>(tenantId: string, request: AdminRequest): Promise<AdminResponse<T>> {
    return this.call('POST', `/tenants/${encodeURIComponent(tenantId)}/admin`, request);
  }

  faults(): Promise<FaultSettings> {
    return this.call('GET', '/faults');
  }

  /** Top-level keys given replace the current ones (e.g. `{ throttle: { limit: 5 } }`, `{ latencyMs: 20 }`). */
  setFaults(patch: FaultSettingsInput): Promise<FaultSettings> {
    return this.call('PATCH', '/faults', patch);
  }

  addScriptedFault(fault: ScriptedFaultInput): Promise<FaultSettings> {
    return this.call('POST', '/faults/scripted', fault);
  }

  counters(filter: { tenantId?: string; clientId?: string; operation?: string } = {}): Promise<CounterRow[]> {
    const query = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== undefined) as Array<[string, string]>);
    return this.call('GET', `/counters${query.size > 0 ? `?${query}` : ''}`);
  }

  resetCounters(): Promise<void> {
    return this.call('DELETE', '/counters');
  }

  /** The request log (Graph and Teams requests in order, $batch items one by one). */
  requests(filter: RequestLogFilter = {}): Promise<LoggedRequest[]> {
    const query = new URLSearchParams(
      Object.entries(filter)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]): [string, string] => [key, String(value)]),
    );
    return this.call('GET', `/requests${query.size > 0 ? `?${query}` : ''}`);
  }

  clearRequests(): Promise<void> {
    return this.call('DELETE', '/requests');
  }

  mintToken(request: MintTokenRequest): Promise<{ accessToken: string; expiresIn: number }> {
    return this.call('POST', '/tokens', request);
  }

  triggerLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<DeliveryRecord> {
    return this.call('POST', `/subscriptions/${encodeURIComponent(subscriptionId)}/lifecycle`, { event });
  }

  /** The delivery log; `{ payload: false }` leaves out the bodies sent (`items` still counts them). */
  notifications(options: { payload?: boolean } = {}): Promise<DeliveryRecord[]> {
    return this.call('GET', options.payload === false ? '/notifications?payload=false' : '/notifications');
  }

  clearNotifications(): Promise<void> {
    return this.call('DELETE', '/notifications');
  }

  violations(): Promise<Violation[]> {
    return this.call('GET', '/violations');
  }

  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const target = new URL(`${this.url}/_sim${path}`);
    return new Promise<T>((resolve, reject) => {
      const req = httpsRequest(
        target,
        {
          method,
          ca: this.ca,
          headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            const parsed = text ? (JSON.parse(text) as unknown) : undefined;
            if (status >= 400) {
              const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? text;
              reject(new SimulatorError('control.failed', `${method} /_sim${path} → ${status}: ${message}`));
              return;
            }
            resolve(parsed as T);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
