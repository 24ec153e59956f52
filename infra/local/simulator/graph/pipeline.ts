// One Graph request, as Graph processes it: token → route → throttling and faults → request
// validation (OpenAPI) → permission → the resource → response validation (OpenAPI) → counters.
import { randomUUID } from 'node:crypto';
import { authenticate } from '../auth/access';
import type { SimCloud } from '../clouds';
import { CLOUD_TABLE } from '../clouds';
import type { Engine } from '../engine';
import { GraphError, graphErrorBody } from '../errors';
import type { HttpReply } from '../http';
import { isGranted } from '../permissions';
import type { TenantState } from '../state';
import { parseList } from '../odata';
import type { SpecOperation } from '../openapi';
import type { GraphRouter } from './router';
import type { Caller, GraphCall, GraphReply, GraphRoute } from './types';

export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export interface OperationRequest {
  tenant: TenantState;
  caller: Caller;
  cloud: SimCloud;
  method: string;
  /** Path below /v1.0. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** Raw JSON text, or an already parsed body ($batch items). */
  body: string | unknown;
  bodyIsText: boolean;
  requestId: string;
}

export type OperationExecutor = (request: OperationRequest) => Promise<HttpReply>;

export class GraphService {
  constructor(
    private readonly engine: Engine,
    private readonly router: GraphRouter,
    private readonly batch: (engine: Engine, request: OperationRequest, execute: OperationExecutor) => Promise<HttpReply>,
  ) {}

  /** An HTTP request to `{simUrl}/{graphHost}{pathAfterHost}`. */
  async handle(hostClouds: SimCloud | readonly SimCloud[], method: string, pathAfterHost: string, query: URLSearchParams, headers: Record<string, string | undefined>, rawBody: string): Promise<HttpReply> {
    const requestId = randomUUID();
    const clientRequestId = headers['client-request-id'];
    let reply: HttpReply;
    try {
      const match = /^\/(v1\.0|beta)(\/.*)?$/i.exec(pathAfterHost);
      if (!match) throw new GraphError(400, 'BadRequest', `Invalid version: the path must start with /v1.0 (got '${pathAfterHost}').`);
      if (match[1].toLowerCase() !== 'v1.0') throw new GraphError(400, 'BadRequest', 'Only the v1.0 endpoint is simulated.');
      const path = match[2] ?? '/';
      const { tenant, caller } = await authenticate(this.engine, headers.authorization, 'graph', hostClouds);
      const request: OperationRequest = { tenant, caller, cloud: tenant.cloud, method, path, query, headers, body: rawBody, bodyIsText: true, requestId };
      reply = /^\/\$batch\/?$/i.test(path) ? await this.batch(this.engine, request, (item) => this.execute(item)) : await this.execute(request);
    } catch (error) {
      reply = errorReply(error, requestId, clientRequestId, this.engine);
    }
    return withStandardHeaders(reply, requestId, clientRequestId);
  }

  /** Runs one operation for an authenticated caller (also used for $batch items and the control API). */
  async execute(request: OperationRequest): Promise<HttpReply> {
    const { engine } = this;
    const clientRequestId = request.headers['client-request-id'];
    let operationId = `${request.method} ${request.path}`;
    let reply: HttpReply;
    try {
      const { route, params } = this.router.match(request.method, request.path);
      const spec = engine.spec.operation(route.template, route.method);
      operationId = route.operationId ?? spec?.operationId ?? `${route.method} ${route.template}`;
      try {
        if (request.caller.kind === 'app') {
          const fault = engine.faults.decide({
            service: 'graph',
            tenantId: request.tenant.id,
            clientId: request.caller.clientId,
            operation: operationId,
            method: request.method,
            path: request.path,
          });
          if (fault) {
            throw new GraphError(fault.status, fault.code, fault.message, fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {});
          }
        }
        const body = parseBody(request);
        if (spec) {
          engine.spec.validateQuery(spec, request.query);
          checkProjection(engine, spec, route, request.query);
          const bodySpec = route.bodyFrom ? engine.spec.operation(route.bodyFrom.template, route.bodyFrom.method) : undefined;
          engine.spec.validateRequestBody(spec, body, bodySpec);
        } else if (route.bodyFrom) {
          const bodySpec = engine.spec.operation(route.bodyFrom.template, route.bodyFrom.method);
          if (bodySpec) engine.spec.validateRequestBody(bodySpec, body);
        }
        const call: GraphCall = {
          engine,
          tenant: request.tenant,
          directory: engine.directory(request.tenant),
          cloud: request.cloud,
          caller: request.caller,
          method: request.method,
          path: request.path,
          params,
          query: request.query,
          headers: request.headers,
          body,
          graphBase: `${engine.url}/${CLOUD_TABLE[request.cloud].graphHost}/v1.0`,
          requestId: request.requestId,
        };
        const required = typeof route.permissions === 'function' ? route.permissions(call) : route.permissions;
        if (!isGranted(request.caller.roles, required)) {
          throw new GraphError(
            403,
            'Authorization_RequestDenied',
            `Insufficient privileges to complete the operation. (${operationId} needs one of the application permissions: ${required.join(', ')})`,
          );
        }
        const result: GraphReply = await route.handler(call);
        // Every documented property, null or default where the world has no value (see openapi.ts).
        const complete = spec ? engine.spec.completeResponse(spec, result.status, result.body, parseList(request.query.get('$select'))) : result.body;
        reply = { status: result.status, body: complete, headers: { ...(result.headers ?? {}) } };
        if (request.method !== 'GET' && result.status < 300) engine.markDirty();
        if (request.caller.kind === 'app') {
          // Done, but the answer may be held or lost (a write that landed although the caller never heard).
          const after = await engine.faults.afterHandling({ service: 'graph', tenantId: request.tenant.id, clientId: request.caller.clientId, operation: operationId, method: request.method, path: request.path });
          if (after) throw new GraphError(after.status, after.code, after.message, after.retryAfterSeconds !== undefined ? { 'Retry-After': String(after.retryAfterSeconds) } : {});
        }
      } catch (error) {
        reply = errorReply(error, request.requestId, clientRequestId, engine);
      }
      if (spec) {
        const problems = engine.spec.validateResponse(spec, reply.status, reply.body);
        if (problems.length > 0) {
          engine.recordViolation({ at: new Date().toISOString(), operation: operationId, status: reply.status, problems });
          if (engine.options.strict) {
            reply = {
              status: 500,
              body: graphErrorBody('SimulatorResponseInvalid', `The simulator's response to ${operationId} (${reply.status}) does not match the OpenAPI description: ${problems.join('; ')}`, request.requestId, clientRequestId),
            };
          }
        }
      }
    } catch (error) {
      reply = errorReply(error, request.requestId, clientRequestId, engine);
    }
    engine.counters.record(request.tenant.id, request.caller.clientId, operationId, reply.status);
    engine.requests.record({ service: 'graph', tenantId: request.tenant.id, clientId: request.caller.clientId, operation: operationId, method: request.method, path: request.path, status: reply.status });
    return reply;
  }
}

/**
 * `$select` and `$expand` name properties of the resource the operation returns: an unknown name
 * is a 400 as in Graph; a navigation property the simulator does not expand is refused too
 * (an answer without it would look like Graph's but not be).
 */
function checkProjection(engine: Engine, spec: SpecOperation, route: GraphRoute, query: URLSearchParams): void {
  const select = parseList(query.get('$select'));
  const expand = parseList(query.get('$expand'))?.map((clause) => clause.replace(/\(.*\)$/s, '').trim());
  if (!select && !expand) return;
  const entity = engine.spec.responseEntity(spec, 200);
  if (!entity) return;
  const known = [...engine.spec.properties(entity.typeName)];
  const unknown = (name: string): boolean => !known.some((property) => property.toLowerCase() === name.toLowerCase());
  for (const name of select ?? []) {
    if (unknown(name)) throw new GraphError(400, 'BadRequest', `Could not find a property named '${name}' on type '${entity.typeName}'.`);
  }
  for (const name of expand ?? []) {
    if (name === '*' || unknown(name)) throw new GraphError(400, 'BadRequest', `Could not find a navigation property named '${name}' on type '${entity.typeName}'.`);
    if (!(route.expand ?? []).some((allowed) => allowed.toLowerCase() === name.toLowerCase())) {
      throw new GraphError(400, 'Request_UnsupportedQuery', `Expanding '${name}' on ${spec.method} ${spec.path} is not supported by the simulator.`);
    }
  }
}

function parseBody(request: OperationRequest): unknown {
  if (!request.bodyIsText) return request.body ?? undefined;
  const text = String(request.body ?? '');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GraphError(400, 'BadRequest', `Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. (${(error as Error).message})`);
  }
}

export function errorReply(error: unknown, requestId: string, clientRequestId: string | undefined, engine: Engine): HttpReply {
  if (error instanceof GraphError) {
    return { status: error.status, headers: { ...error.headers }, body: graphErrorBody(error.code, error.message, requestId, clientRequestId) };
  }
  engine.options.log(`[simulator] internal error: ${(error as Error)?.stack ?? String(error)}`);
  return { status: 500, body: graphErrorBody('generalException', `Simulator internal error: ${(error as Error)?.message ?? String(error)}`, requestId, clientRequestId) };
}

export function withStandardHeaders(reply: HttpReply, requestId: string, clientRequestId: string | undefined): HttpReply {
  const headers: Record<string, string> = {
    'request-id': requestId,
    'client-request-id': clientRequestId ?? requestId,
    'x-ms-ags-diagnostic': JSON.stringify({ ServerInfo: { DataCenter: 'Simulator', Slice: 'E', Ring: '1', ScaleUnit: '000', RoleInstance: 'SIM' } }),
    'Cache-Control': 'no-cache',
    ...(reply.headers ?? {}),
  };
  if (reply.body !== undefined && typeof reply.body !== 'string') headers['Content-Type'] ??= GRAPH_JSON;
  return { ...reply, headers };
}
