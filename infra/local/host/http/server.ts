// The host's HTTP front door: /admin/* (master key), the durable webhooks (system key), and the
// app's HTTP triggers under /{routePrefix}/{route}. A handler that throws answers 500; nothing a
// request does can take the host down.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppFunction } from '../app/loader';
import { Invoker, formatError } from '../app/invoker';
import { DurableEngine } from '../durable/engine';
import { WEBHOOK_PATH, handleDurableRequest } from '../durable/httpApi';
import { Logger } from '../logger';
import { HostKeys } from '../settings';
import { StorageMetrics } from '../storage/tables';
import { TimerScheduler } from '../timers/scheduler';
import type { AppServiceAuthentication } from './appServiceAuth';
import { isAuthorized, parseAuthLevel, presentedKey } from './auth';
import { RouteTable } from './routes';
import { MAX_REQUEST_BYTES, RequestTooLargeError, httpTriggerMetadata, readBody, sendJson, sendText, toRpcHttpRequest, writeRpcHttpResponse } from './rpcHttp';
import { HOST_VERSION, RpcParameterBinding } from '../app/coreApi';

export type HostState = 'Starting' | 'Running' | 'Stopping' | 'Error';

export interface HostContext {
  state: HostState;
  hostId: string;
  keys: HostKeys;
  routePrefix: string;
  routes: RouteTable<AppFunction>;
  functions: AppFunction[];
  invoker?: Invoker;
  engine?: DurableEngine;
  timers?: TimerScheduler;
  logger: Logger;
  metrics: StorageMetrics;
  cors?: { origins: string[] | '*'; credentials: boolean };
  startedAt: number;
  /** Public origin of this host (WEBSITE_HOSTNAME), e.g. http://127.0.0.1:7071 (https with --https). */
  origin: string;
  /** The App Service Authentication emulation, when the app settings enable it. */
  appServiceAuth?: AppServiceAuthentication;
}

export function createRequestHandler(ctx: HostContext): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    handle(ctx, request, response).catch((error: unknown) => {
      ctx.logger.error(`Request ${request.method} ${ctx.logger.mask(request.url ?? '')} failed: ${formatError(error)}`);
      if (!response.headersSent) sendText(response, 500, '');
      else response.destroy();
    });
  };
}

async function handle(ctx: HostContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // A TLS socket (the host started with --https) makes every URL it hands out https.
  const scheme = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const url = new URL(request.url ?? '/', `${scheme}://${request.headers.host ?? '127.0.0.1'}`);
  const path = url.pathname;
  const lowerPath = path.toLowerCase();
  const method = (request.method ?? 'GET').toUpperCase();

  if (applyCors(ctx, request, response, method)) return;

  if (lowerPath === '/admin/host/ping') return sendText(response, 200, '');
  if (lowerPath === '/admin/host/status') {
    if (!isAuthorized('admin', presentedKey(request, url), ctx.keys)) return sendText(response, 401, '');
    return sendJson(response, 200, {
      id: ctx.hostId,
      state: ctx.state,
      version: HOST_VERSION,
      versionDetails: `${HOST_VERSION} (cross-cloud-handshake local host)`,
      platformVersion: '',
      instanceId: String(process.pid),
      computerName: 'localhost',
      processUptime: Date.now() - ctx.startedAt,
      functionAppContentEditingState: 'NotAllowed',
    });
  }
  if (ctx.state !== 'Running') {
    return sendJson(response, 503, { message: `The host is ${ctx.state}` }, { 'retry-after': '1' });
  }
  if (ctx.appServiceAuth && (await ctx.appServiceAuth.handle(request, response, url))) return;
  if (lowerPath.startsWith('/admin/')) return handleAdmin(ctx, request, response, url, method);
  if (lowerPath === WEBHOOK_PATH || lowerPath.startsWith(`${WEBHOOK_PATH}/`)) {
    if (!isAuthorized('system', presentedKey(request, url), ctx.keys)) return sendText(response, 401, '');
    if (!ctx.engine) return sendJson(response, 404, { message: 'This app has no durable functions' });
    const body = await readRequestBody(request, response);
    if (!body) return;
    return handleDurableRequest({ engine: ctx.engine, request, response, url, body, systemKey: ctx.keys.durableSystem }, path.slice(WEBHOOK_PATH.length + 1));
  }
  return handleFunction(ctx, request, response, url, method);
}

async function readRequestBody(request: IncomingMessage, response: ServerResponse): Promise<Buffer | undefined> {
  try {
    return await readBody(request, MAX_REQUEST_BYTES);
  } catch (error) {
    if (error instanceof RequestTooLargeError) sendText(response, 413, error.message);
    else throw error;
    return undefined;
  }
}

async function handleFunction(ctx: HostContext, request: IncomingMessage, response: ServerResponse, url: URL, method: string): Promise<void> {
  let routePath = url.pathname;
  if (ctx.routePrefix !== '') {
    const prefix = `/${ctx.routePrefix}`.toLowerCase();
    const lower = routePath.toLowerCase();
    if (lower !== prefix && !lower.startsWith(`${prefix}/`)) return sendText(response, 404, '');
    routePath = routePath.slice(prefix.length);
  }
  const matches = ctx.routes.matchAll(routePath);
  const match = matches.find((m) => allowsMethod(m.value, method));
  if (!match) return sendText(response, 404, '');
  const fn = match.value;
  const level = parseAuthLevel(fn.trigger.authLevel);
  if (!isAuthorized(level, presentedKey(request, url), ctx.keys)) return sendText(response, 401, '');
  const body = await readRequestBody(request, response);
  if (!body) return;
  const http = toRpcHttpRequest({ request, url, body, params: match.params });
  const inputData: RpcParameterBinding[] = [{ name: fn.triggerName, data: { http } }];
  const outcome = await ctx.invoker!.invoke(fn, { inputData, triggerMetadata: httpTriggerMetadata(http), reason: `This function was programmatically called via the host APIs.` });
  if (!outcome.ok) return sendText(response, 500, '');
  const output =
    fn.httpOutputName === '$return' || fn.httpOutputName === undefined
      ? outcome.response.returnValue
      : outcome.response.outputData?.find((o) => o.name === fn.httpOutputName)?.data;
  writeRpcHttpResponse(response, output?.http ?? undefined, method);
}

function allowsMethod(fn: AppFunction, method: string): boolean {
  const methods = fn.trigger.methods;
  if (!Array.isArray(methods) || methods.length === 0) return true;
  return methods.some((m) => String(m).toUpperCase() === method);
}

async function handleAdmin(ctx: HostContext, request: IncomingMessage, response: ServerResponse, url: URL, method: string): Promise<void> {
  if (!isAuthorized('admin', presentedKey(request, url), ctx.keys)) return sendText(response, 401, '');
  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    return sendText(response, 400, 'The URL is not valid');
  }
  // /admin/host/metrics: figures for benchmarks and diagnostics (not an Azure endpoint).
  if (segments[1] === 'host' && segments[2] === 'metrics' && method === 'GET') {
    return sendJson(response, 200, {
      ...ctx.metrics.snapshot(),
      invocations: ctx.invoker?.counts ?? {},
      durable: ctx.engine?.metrics ?? null,
    });
  }
  if (segments[1] === 'functions' && segments.length === 2 && method === 'GET') {
    return sendJson(response, 200, ctx.functions.map((fn) => functionInfo(ctx, fn)));
  }
  if (segments[1] === 'functions' && segments.length === 3) {
    const fn = ctx.functions.find((f) => f.name.toLowerCase() === segments[2].toLowerCase());
    if (!fn) return sendJson(response, 404, { message: `No function named '${segments[2]}'` });
    if (method === 'GET') return sendJson(response, 200, functionInfo(ctx, fn));
    if (method === 'POST') {
      const body = await readRequestBody(request, response);
      if (!body) return;
      return invokeByAdmin(ctx, response, fn, body);
    }
  }
  return sendText(response, 404, '');
}

async function invokeByAdmin(ctx: HostContext, response: ServerResponse, fn: AppFunction, body: Buffer): Promise<void> {
  let input: unknown;
  const text = body.toString('utf8').trim();
  if (text !== '') {
    try {
      input = (JSON.parse(text) as { input?: unknown }).input;
    } catch {
      return sendJson(response, 400, { message: 'The body must be JSON: {"input": …}' });
    }
  }
  switch (fn.kind) {
    case 'timer':
      ctx.timers!.invokeNow(fn.name);
      return sendText(response, 202, '');
    case 'activity': {
      const data = input === undefined ? null : { string: typeof input === 'string' ? input : JSON.stringify(input) };
      void ctx.invoker!.invoke(fn, { inputData: [{ name: fn.triggerName, data }], reason: 'Manual' });
      return sendText(response, 202, '');
    }
    case 'http':
      return sendJson(response, 400, { message: `'${fn.name}' is an HTTP function; call its URL instead` });
    case 'orchestration':
      return sendJson(response, 400, { message: `'${fn.name}' is an orchestrator; start it through a durable client or ${WEBHOOK_PATH}/orchestrators/${fn.name}` });
  }
}

function functionInfo(ctx: HostContext, fn: AppFunction): Record<string, unknown> {
  const bindings = Object.entries(fn.registration.metadata.bindings).map(([name, binding]) => ({ ...binding, name }));
  return {
    name: fn.name,
    kind: fn.kind,
    invoke_url_template: fn.kind === 'http' ? functionUrl(ctx, fn) : null,
    language: 'node',
    isDisabled: false,
    config: { bindings },
  };
}

export function functionUrl(ctx: { origin: string; routePrefix: string }, fn: AppFunction): string {
  const route = String(fn.trigger.route ?? fn.name).replace(/^\/+/, '');
  return `${ctx.origin}/${ctx.routePrefix === '' ? '' : `${ctx.routePrefix}/`}${route}`;
}

/** Applies Host.CORS from local.settings.json; answers preflight requests. Returns true when done. */
function applyCors(ctx: HostContext, request: IncomingMessage, response: ServerResponse, method: string): boolean {
  const origin = request.headers.origin;
  if (!ctx.cors || typeof origin !== 'string') return false;
  const allowed = ctx.cors.origins === '*' || ctx.cors.origins.some((o) => o.toLowerCase() === origin.toLowerCase());
  if (!allowed) return false;
  response.setHeader('access-control-allow-origin', ctx.cors.origins === '*' && !ctx.cors.credentials ? '*' : origin);
  response.setHeader('vary', 'Origin');
  if (ctx.cors.credentials) response.setHeader('access-control-allow-credentials', 'true');
  if (method === 'OPTIONS' && request.headers['access-control-request-method']) {
    response.setHeader('access-control-allow-methods', String(request.headers['access-control-request-method']));
    const headers = request.headers['access-control-request-headers'];
    if (headers) response.setHeader('access-control-allow-headers', String(headers));
    response.writeHead(204).end();
    return true;
  }
  return false;
}
