// Requests this deployment makes to a partner deployment (its JWKS, its message endpoint). The
// URL may come from a partner's message, so every request is held to the same rules: HTTPS only
// (plain http only to a loopback address, and only when a development setting allows it), no
// credentials in the URL, redirects never followed, a deadline, and an answer read up to a size
// limit. What a partner answered is kept only as short, sanitised text. See docs/security.md.

/** How outbound requests are held in. */
export interface OutboundPolicy {
  /** Allow `http://` to localhost / 127.0.0.0/8 / [::1] (the local stack without TLS). Never in production. */
  allowHttpLoopback: boolean;
  /** Deadline of one request (connect, send, read the answer). */
  timeoutMs: number;
  /** Largest answer read; a longer one is refused. */
  maxResponseBytes: number;
}

export type OutboundFailure =
  /** The URL itself is refused (scheme, credentials, not a URL). */
  | 'url-refused'
  /** The partner answered with a redirect (3xx), which is not followed. */
  | 'redirect-refused'
  /** The answer is larger than the limit. */
  | 'too-large'
  /** No (complete) answer before the deadline. */
  | 'timeout'
  /** No connection, TLS failure, reset. */
  | 'network';

/** A request that did not produce an answer this deployment will read. */
export class OutboundRequestError extends Error {
  override readonly name = 'OutboundRequestError';

  constructor(
    readonly failure: OutboundFailure,
    message: string,
  ) {
    super(message);
  }

  /** Worth trying again later (the partner may be down or slow); the others will not change. */
  get transient(): boolean {
    return this.failure === 'timeout' || this.failure === 'network';
  }
}

export interface OutboundResponse {
  status: number;
  contentType: string;
  /** The answer's text (at most `maxResponseBytes`, decoded as UTF-8). */
  text: string;
}

export interface OutboundRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The URL, if the policy lets a request go there; throws `url-refused` otherwise. */
export function checkOutboundUrl(text: string, policy: Pick<OutboundPolicy, 'allowHttpLoopback'>): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutboundRequestError('url-refused', 'the address is not a URL');
  }
  if (url.username || url.password) throw new OutboundRequestError('url-refused', 'the address carries credentials');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) {
    if (policy.allowHttpLoopback) return url;
    throw new OutboundRequestError('url-refused', 'plain http is allowed only to a loopback address in development (OUTBOUND_ALLOW_HTTP_LOOPBACK)');
  }
  throw new OutboundRequestError('url-refused', `only https addresses are called (got ${url.protocol.replace(/:$/, '')})`);
}

/**
 * One request under the policy. Resolves with any HTTP answer but a redirect (the caller decides
 * what a 4xx or 5xx means); throws OutboundRequestError when there is no answer to read.
 */
export async function outboundRequest(target: string, request: OutboundRequest, policy: OutboundPolicy): Promise<OutboundResponse> {
  const url = checkOutboundUrl(target, policy);
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal });
  } catch (error) {
    throw fetchFailure(error);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    throw new OutboundRequestError('redirect-refused', `answered with a redirect (HTTP ${response.status}), which is not followed`);
  }
  const text = await readBounded(response, policy.maxResponseBytes);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new OutboundRequestError('too-large', `answered with ${declared} bytes; at most ${limit} are read`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw new OutboundRequestError('too-large', `answered with more than ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof OutboundRequestError) throw error;
    throw fetchFailure(error);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function fetchFailure(error: unknown): OutboundRequestError {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (failure?.name === 'TimeoutError' || failure?.name === 'AbortError') return new OutboundRequestError('timeout', 'no answer in time');
  const reason = failure?.cause?.code ?? failure?.cause?.message ?? failure?.message ?? 'no connection';
  return new OutboundRequestError('network', sanitizePartnerText(reason, 120));
}

/** Longest partner text kept (in a last error or a step): enough for a sentence. */
export const PARTNER_TEXT_MAX_CHARS = 200;

/**
 * Text a partner sent, made safe to keep and show: control and format characters removed (no
 * terminal escapes, no bidi tricks), whitespace collapsed, cut to `maxChars`.
 */
export function sanitizePartnerText(text: unknown, maxChars: number = PARTNER_TEXT_MAX_CHARS): string {
  if (typeof text !== 'string') return '';
  const cleaned = text
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > maxChars ? `${cleaned.slice(0, maxChars - 1)}…` : cleaned;
}
