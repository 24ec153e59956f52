// Converts between Node's HTTP objects and the worker protocol's RpcHttpData.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from '../app/coreApi';

/** Azure Functions' default request size limit. */
export const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

export function readBody(request: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new RequestTooLargeError(`request body exceeds ${limit} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Request headers as one value per name (repeated headers joined as Node joins them). */
export function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function toRpcHttpRequest(args: {
  request: IncomingMessage;
  url: URL;
  body: Buffer;
  params: Record<string, string>;
}): RpcHttpData {
  const query: Record<string, string> = {};
  for (const key of new Set(args.url.searchParams.keys())) query[key] = args.url.searchParams.getAll(key).join(',');
  const method = (args.request.method ?? 'GET').toUpperCase();
  const http: RpcHttpData = {
    method,
    url: args.url.href,
    headers: flatHeaders(args.request),
    query,
    params: args.params,
    identities: [],
  };
  if (method !== 'GET' && method !== 'HEAD' && args.body.length > 0) http.body = { bytes: args.body };
  return http;
}

/** Trigger metadata the host sends with an HTTP invocation (the library reads the RpcHttpData). */
export function httpTriggerMetadata(http: RpcHttpData): Record<string, RpcTypedData> {
  const metadata: Record<string, RpcTypedData> = {
    Query: { json: JSON.stringify(http.query ?? {}) },
    Headers: { json: JSON.stringify(http.headers ?? {}) },
  };
  for (const [name, value] of Object.entries(http.params ?? {})) metadata[name] = { string: value };
  return metadata;
}

export function writeRpcHttpResponse(response: ServerResponse, http: RpcHttpData | null | undefined, method: string): void {
  if (!http) {
    response.writeHead(204).end();
    return;
  }
  const status = Number(http.statusCode ?? 200) || 200;
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    try {
      response.setHeader(name, value);
    } catch {
      // An invalid header from user code is dropped rather than failing the response.
    }
  }
  const cookies = (http.cookies ?? []).map(formatCookie).filter((c): c is string => c !== undefined);
  if (cookies.length > 0) {
    const existing = response.getHeader('set-cookie');
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    response.setHeader('set-cookie', [...list, ...cookies]);
  }
  const body = bodyBytes(http.body);
  const noBody = method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
  if (!noBody && !response.hasHeader('content-type') && body.length > 0) {
    response.setHeader('content-type', 'text/plain; charset=utf-8');
  }
  if (!noBody) response.setHeader('content-length', body.length);
  response.writeHead(status);
  response.end(noBody ? undefined : body);
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (body.stream) return Buffer.from(body.stream);
  if (typeof body.string === 'string') return Buffer.from(body.string);
  if (typeof body.json === 'string') return Buffer.from(body.json);
  if (typeof body.int === 'number') return Buffer.from(String(body.int));
  if (typeof body.double === 'number') return Buffer.from(String(body.double));
  return Buffer.alloc(0);
}

export function formatCookie(cookie: RpcHttpCookie): string | undefined {
  if (!cookie.name) return undefined;
  const parts = [`${cookie.name}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (seconds !== undefined && seconds !== null) parts.push(`Expires=${new Date(Number(seconds) * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined && cookie.maxAge?.value !== null) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  switch (cookie.sameSite) {
    case 'lax':
      parts.push('SameSite=Lax');
      break;
    case 'strict':
      parts.push('SameSite=Strict');
      break;
    case 'explicitNone':
      parts.push('SameSite=None');
      break;
    default:
      break;
  }
  return parts.join('; ');
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
