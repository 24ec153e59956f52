// What a Graph resource module sees and returns.
import type { SimCloud } from '../clouds';
import type { Engine } from '../engine';
import type { PermissionSet } from '../permissions';
import type { Directory, TenantState } from '../state';

/** Who is calling: an app with a token, or the control API acting "as an admin in the portal". */
export type Caller =
  | {
      kind: 'app';
      clientId: string;
      displayName: string;
      servicePrincipalId: string;
      roles: string[];
      wids: string[];
    }
  | { kind: 'admin'; clientId: 'admin-portal'; displayName: string; servicePrincipalId: string; roles: string[]; wids: string[] };

export interface GraphCall {
  engine: Engine;
  tenant: TenantState;
  directory: Directory;
  /** Cloud of the Graph host that was called (always the tenant's cloud once authenticated). */
  cloud: SimCloud;
  caller: Caller;
  method: string;
  /** Path below /v1.0, as sent (decoded). */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: unknown;
  /** `{simUrl}/{graphHost}/v1.0` for @odata.nextLink and @odata.context. */
  graphBase: string;
  requestId: string;
}

export interface GraphReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type GraphHandler = (call: GraphCall) => GraphReply | Promise<GraphReply>;

export interface GraphRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path template exactly as in the OpenAPI subset (e.g. `/users/{user-id}`). */
  template: string;
  /** Application permissions that allow the call (any one); a function for per-call rules. */
  permissions: PermissionSet | ((call: GraphCall) => PermissionSet);
  handler: GraphHandler;
  /**
   * Where the operation is described: by default the same template and method. `bodyFrom` names
   * a documented operation whose request schema applies (for documented methods the subset lacks).
   */
  bodyFrom?: { template: string; method: string };
  /** Operation name for counters when the operation is not in the OpenAPI subset. */
  operationId?: string;
  /** Navigation properties the handler expands on `$expand` (any other is refused with 400). */
  expand?: readonly string[];
}

export const ok = (body: unknown, headers?: Record<string, string>): GraphReply => ({ status: 200, body, headers });
export const created = (body: unknown, headers?: Record<string, string>): GraphReply => ({ status: 201, body, headers });
export const noContent = (headers?: Record<string, string>): GraphReply => ({ status: 204, headers });
