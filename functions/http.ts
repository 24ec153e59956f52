// HTTP plumbing shared by every trigger: the ONE place errors become RFC 9457 problem+json
// (through the domain's toProblemDetails), bounded body reading (64 KB → 413), and JSON answers.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { DEFAULTS } from '../shared/config';
import { DomainError, reviveDomainError, toProblemDetails } from '../shared/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const JSON_CONTENT_TYPE = 'application/json';
/** Largest request body any route accepts (handshake messages and partnership requests alike). */
export const MAX_BODY_BYTES = DEFAULTS.maxMessageBytes;

/** A JSON answer. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers } };
}

/**
 * Any thrown value → problem+json. Domain errors keep their status, stable `type` and details;
 * anything else is a 500 that says nothing about its cause (logged here, without request data).
 */
export function problemResponse(error: unknown, context: InvocationContext, request?: HttpRequest): HttpResponseInit {
  const problem = toProblemDetails(error, request ? new URL(request.url).pathname : undefined);
  if (problem.status >= 500) {
    const domain = error instanceof DomainError ? error : reviveDomainError(error);
    context.error(
      domain
        ? `${request?.method ?? ''} ${problem.instance ?? ''} failed: ${domain.code}: ${domain.message}`
        : `${request?.method ?? ''} ${problem.instance ?? ''} failed: ${describe(error)}`,
    );
  } else {
    context.log(`${request?.method ?? ''} ${problem.instance ?? ''} refused: ${problem.code} (${problem.status})`);
  }
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  const retryAfter = (problem as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  return { status: problem.status, headers, body: JSON.stringify(problem) };
}

/** Wraps a handler so that every error it throws is answered as problem+json. */
export function withProblemDetails(
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
  options: { anonymous?: boolean } = {},
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      const response = problemResponse(error, context, request);
      return options.anonymous ? withoutServerDetails(response) : response;
    }
  };
}

/**
 * For a route anyone may call: a server-side failure (5xx) says only that it failed — its detail
 * may name settings, their values or storage errors, which are this deployment's business (it is
 * logged in full by problemResponse).
 */
function withoutServerDetails(response: HttpResponseInit): HttpResponseInit {
  if ((response.status ?? 500) < 500) return response;
  const problem = JSON.parse(String(response.body)) as { type: string; title: string; status: number; code: string; instance?: string };
  const { type, title, status, code, instance } = problem;
  const body = { type, title, status, code, detail: 'The deployment could not process the request; try again later.', ...(instance ? { instance } : {}) };
  return { ...response, body: JSON.stringify(body) };
}

/** The body as text, refused with `request.too-large` (413) beyond `maxBytes`. */
export async function readTextBody(request: HttpRequest, maxBytes: number = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes);
  return bytes.toString('utf8');
}

/** The body parsed as JSON (`request.invalid` 400 when it is not JSON; 413 beyond `maxBytes`). */
export async function readJsonBody(request: HttpRequest, maxBytes: number = MAX_BODY_BYTES): Promise<unknown> {
  const body = await readOptionalJsonBody(request, maxBytes);
  if (body === undefined) {
    throw new DomainError('request.invalid', 'The request has no body; a JSON object is expected.', {
      details: { issues: [{ field: '(body)', message: 'is required' }] },
    });
  }
  return body;
}

/** The body parsed as JSON when there is one (undefined for an empty body); the same refusals as readJsonBody. */
export async function readOptionalJsonBody(request: HttpRequest, maxBytes: number = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readTextBody(request, maxBytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DomainError('request.invalid', `The request body is not JSON (${(error as Error).message}).`, {
      details: { issues: [{ field: '(body)', message: 'must be a JSON object' }] },
    });
  }
}

function tooLarge(size: number, limit: number): DomainError {
  return new DomainError('request.too-large', `The request body is ${size} bytes; the limit is ${limit}.`, { details: { size, limit } });
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return String(error);
}
