// POST /$batch — JSON batching: at most 20 requests, each authorised, throttled, validated and
// answered on its own; `dependsOn` orders them and a request whose dependency failed gets 424.
// Requests run one after another (dependencies first, otherwise in the order given).
import { GraphError, graphErrorBody } from '../errors';
import { errorReply, GRAPH_JSON, OperationExecutor, OperationRequest } from '../graph/pipeline';
import type { Engine } from '../engine';
import type { HttpReply } from '../http';

export const MAX_BATCH_REQUESTS = 20;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

interface BatchItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export async function batchHandler(engine: Engine, request: OperationRequest, execute: OperationExecutor): Promise<HttpReply> {
  const operationId = 'batch';
  let reply: HttpReply;
  try {
    if (request.method !== 'POST') throw new GraphError(405, 'Request_BadRequest', 'Only POST is allowed on /$batch.');
    let body: unknown;
    try {
      body = JSON.parse(String(request.body ?? ''));
    } catch {
      throw new GraphError(400, 'BadRequest', 'Invalid batch payload format: the body must be JSON with a "requests" array.');
    }
    const requests = (body as { requests?: unknown })?.requests;
    if (Array.isArray(requests) && requests.length > MAX_BATCH_REQUESTS) {
      throw new GraphError(400, 'BadRequest', `Number of batch request steps exceeds the maximum of ${MAX_BATCH_REQUESTS}.`);
    }
    const spec = engine.spec.operation('/$batch', 'POST');
    if (spec) engine.spec.validateRequestBody(spec, body);
    const items = (body as { requests: BatchItem[] }).requests;
    const order = executionOrder(items);
    const results = new Map<string, BatchItemResponse>();
    for (const item of order) {
      const failed = (item.dependsOn ?? []).find((dependency) => {
        const status = results.get(dependency)?.status ?? 0;
        return status < 200 || status >= 300;
      });
      if (failed !== undefined) {
        results.set(item.id, {
          id: item.id,
          status: 424,
          headers: { 'Content-Type': 'application/json' },
          body: graphErrorBody('BadRequest', `Failed dependency: request '${failed}' did not succeed.`, request.requestId),
        });
        continue;
      }
      results.set(item.id, await runItem(request, item, execute));
    }
    reply = { status: 200, body: { responses: items.map((item) => results.get(item.id)!) } };
  } catch (error) {
    reply = errorReply(error, request.requestId, request.headers['client-request-id'], engine);
  }
  const spec = engine.spec.operation('/$batch', 'POST');
  if (spec) {
    const problems = engine.spec.validateResponse(spec, reply.status, reply.body);
    if (problems.length > 0) engine.recordViolation({ at: new Date().toISOString(), operation: operationId, status: reply.status, problems });
  }
  engine.counters.record(request.tenant.id, request.caller.clientId, operationId, reply.status);
  engine.requests.record({ service: 'graph', tenantId: request.tenant.id, clientId: request.caller.clientId, operation: operationId, method: request.method, path: request.path, status: reply.status });
  return reply;
}

async function runItem(batch: OperationRequest, item: BatchItem, execute: OperationExecutor): Promise<BatchItemResponse> {
  const itemError = (status: number, message: string): BatchItemResponse => ({
    id: item.id,
    status,
    headers: { 'Content-Type': 'application/json' },
    body: graphErrorBody('BadRequest', message, batch.requestId),
  });
  let relative = item.url.trim();
  const absolute = /^https?:\/\/[^/]+\/(?:[^/]+\/)?v1\.0(\/.*)$/i.exec(relative);
  if (absolute) relative = absolute[1];
  else if (/^https?:/i.test(relative)) return itemError(400, `Invalid request URL '${item.url}': batch request URLs are relative to the /v1.0 endpoint.`);
  // `/v1.0/users` and, as BatchRequestContent builds it from a simulator URL, `/graph.microsoft.com/v1.0/users`.
  relative = relative.replace(/^\/?(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+\/)?v1\.0(?=\/)/i, '');
  if (!relative.startsWith('/')) relative = `/${relative}`;
  const url = new URL(relative, 'https://batch.invalid');
  const path = decodeURIComponent(url.pathname);
  if (/^\/\$batch\/?$/i.test(path)) return itemError(400, 'A batch request cannot contain another $batch request.');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(item.headers ?? {})) headers[name.toLowerCase()] = value;
  if (item.body !== undefined && !headers['content-type']) {
    return itemError(400, `Request '${item.id}' has a body but no Content-Type header.`);
  }
  const reply = await execute({
    ...batch,
    method: item.method.toUpperCase(),
    path,
    query: url.searchParams,
    headers: { authorization: batch.headers.authorization, 'client-request-id': batch.headers['client-request-id'], ...headers },
    body: item.body,
    bodyIsText: false,
  });
  const responseHeaders: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.body !== undefined) responseHeaders['Content-Type'] = GRAPH_JSON;
  return { id: item.id, status: reply.status, headers: responseHeaders, ...(reply.body !== undefined ? { body: reply.body } : {}) };
}

/** Dependencies first; a duplicate id, an unknown dependency or a cycle is a 400. */
function executionOrder(items: BatchItem[]): BatchItem[] {
  const byId = new Map<string, BatchItem>();
  for (const item of items) {
    if (byId.has(item.id)) throw new GraphError(400, 'BadRequest', `Batch request ids must be unique: '${item.id}' is used twice.`);
    byId.set(item.id, item);
  }
  for (const item of items) {
    for (const dependency of item.dependsOn ?? []) {
      if (!byId.has(dependency)) throw new GraphError(400, 'BadRequest', `Request '${item.id}' depends on '${dependency}', which is not in the batch.`);
    }
  }
  const ordered: BatchItem[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (item: BatchItem): void => {
    const mark = state.get(item.id);
    if (mark === 'done') return;
    if (mark === 'visiting') throw new GraphError(400, 'BadRequest', `The dependsOn chain of request '${item.id}' is circular.`);
    state.set(item.id, 'visiting');
    for (const dependency of item.dependsOn ?? []) visit(byId.get(dependency)!);
    state.set(item.id, 'done');
    ordered.push(item);
  };
  items.forEach(visit);
  return ordered;
}
