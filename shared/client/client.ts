// A small typed client of one deployment's HTTP API. It sends the function key in the
// `x-functions-key` header (never in a URL, never in an error message) and turns every error
// answer into an ApiProblemError.
import type { PartnershipStatus } from '../partnership';
import { ApiClientError, ApiProblemError, WaitTimeoutError } from './errors';
import type {
  CreatedPartnership,
  JsonWebKeySet,
  OffboardingAccepted,
  OffboardingOptions,
  PartnershipAction,
  PartnershipDetails,
  PartnershipDomains,
  PartnershipKeyTrust,
  PartnershipPlan,
  PartnershipRequestBody,
  PartnershipSummary,
  ProblemDocument,
} from './types';

export interface HandshakeClientOptions {
  /** The deployment's base URL, e.g. `https://contoso-handshake.azurewebsites.net` (a trailing `/api` is accepted). */
  baseUrl: string;
  /** Function (or master) key of the deployment, for the admin routes. */
  functionKey?: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
}

/** Statuses after which an onboarding makes no further progress by itself. */
export const SETTLED_STATUSES: readonly PartnershipStatus[] = ['Active', 'Rejected', 'Expired', 'Failed', 'RolledBack', 'Removed'];

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_WAIT_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 500;

export interface WaitOptions {
  /** Stop when this says so (default: the status is one of SETTLED_STATUSES). */
  until?: (partnership: PartnershipDetails) => boolean;
  timeoutMs?: number;
  intervalMs?: number;
  /** Called with every state read whose status, step count or drift differs from the previous one. */
  onChange?: (partnership: PartnershipDetails, previous: PartnershipDetails | undefined) => void;
  signal?: AbortSignal;
}

export class HandshakeClient {
  readonly baseUrl: string;
  private readonly functionKey: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly requestTimeoutMs: number;

  constructor(options: HandshakeClientOptions) {
    if (!options || typeof options.baseUrl !== 'string' || !/^https?:\/\//i.test(options.baseUrl)) {
      throw new ApiClientError('client.bad-options', 'baseUrl must be an http(s) URL of a deployment, e.g. https://contoso-handshake.example.com');
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/api$/i, '');
    this.functionKey = options.functionKey;
    this.fetchImpl = options.fetch ?? fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Asks for a partnership: 202 with the pairing code to read to the partner's admin. */
  createPartnership(request: PartnershipRequestBody): Promise<CreatedPartnership> {
    return this.json('POST', '/api/partnerships', request);
  }

  /** Every partnership, page after page. */
  async listPartnerships(): Promise<PartnershipSummary[]> {
    const all: PartnershipSummary[] = [];
    let token: string | undefined;
    do {
      const path = token ? `/api/partnerships?continuationToken=${encodeURIComponent(token)}` : '/api/partnerships';
      const page = await this.json<{ partnerships: PartnershipSummary[]; continuationToken?: string }>('GET', path);
      if (!page || !Array.isArray(page.partnerships)) throw new ApiClientError('client.bad-response', 'GET /api/partnerships did not answer { partnerships: [...] }');
      all.push(...page.partnerships);
      token = page.continuationToken;
    } while (token);
    return all;
  }

  getPartnership(id: string): Promise<PartnershipDetails> {
    return this.json('GET', `/api/partnerships/${encodeURIComponent(id)}`);
  }

  /** What would be written to this tenant now (dry run: nothing is written). */
  getPlan(id: string): Promise<PartnershipPlan> {
    return this.json('GET', `/api/partnerships/${encodeURIComponent(id)}/plan`);
  }

  /** The signed invitation (compact JWS) for out-of-band delivery. */
  async getInvitation(id: string): Promise<string> {
    const response = await this.send('GET', `/api/partnerships/${encodeURIComponent(id)}/invitation`, undefined, 'application/jose');
    return (await response.text()).trim();
  }

  /** Responder side: approves an invitation with the pairing code the initiator's admin read out. */
  approve(id: string, pairingCode: string): Promise<PartnershipAction> {
    return this.json('POST', `/api/partnerships/${encodeURIComponent(id)}/approve`, { pairingCode });
  }

  /**
   * Initiator side: pins the partner's key thumbprint read back from the partner's admin (when this
   * deployment could not fetch the partner's key from its URL, or to double-check it).
   */
  trustPartnerKey(id: string, thumbprint: string): Promise<{ id: string; keys: PartnershipKeyTrust }> {
    return this.json('POST', `/api/partnerships/${encodeURIComponent(id)}/partner-key`, { thumbprint });
  }

  /** Accepts partner domains Graph cannot verify (across clouds): only verified domains are written. */
  acceptPartnerDomains(id: string, domains: string[]): Promise<{ id: string } & PartnershipDomains> {
    return this.json('POST', `/api/partnerships/${encodeURIComponent(id)}/partner-domains`, { accept: domains });
  }

  reject(id: string, reason: string): Promise<PartnershipAction> {
    return this.json('POST', `/api/partnerships/${encodeURIComponent(id)}/reject`, { reason });
  }

  /**
   * Ends the partnership on both sides (offboarding): 202 while it runs, the current status when it
   * had ended already. Guests are kept unless `deleteGuests` (the deployment needs User.ReadWrite.All).
   */
  offboard(id: string, options: OffboardingOptions = {}): Promise<OffboardingAccepted> {
    return this.json('DELETE', `/api/partnerships/${encodeURIComponent(id)}`, options);
  }

  /** The signed `offboard` message (compact JWS), for out-of-band delivery to a partner that was unreachable. */
  async getOffboardMessage(id: string): Promise<string> {
    const response = await this.send('GET', `/api/partnerships/${encodeURIComponent(id)}/offboard-message`, undefined, 'application/jose');
    return (await response.text()).trim();
  }

  /** The deployment's public signing keys (anonymous route). */
  jwks(): Promise<JsonWebKeySet> {
    return this.json('GET', '/api/handshake/jwks');
  }

  /**
   * Polls a partnership until `until` holds (default: a settled status), reporting changes.
   * A deployment that is briefly unreachable or unavailable is polled again until the deadline.
   */
  async waitForPartnership(id: string, options: WaitOptions = {}): Promise<PartnershipDetails> {
    const until = options.until ?? ((partnership: PartnershipDetails) => SETTLED_STATUSES.includes(partnership.status));
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const deadline = Date.now() + timeoutMs;
    let last: PartnershipDetails | undefined;
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        const current = await this.getPartnership(id);
        if (!last || changed(last, current)) options.onChange?.(current, last);
        last = current;
        if (until(current)) return current;
      } catch (error) {
        if (!isTransient(error)) throw error;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new WaitTimeoutError(
          `Partnership ${id} did not get there within ${formatDuration(timeoutMs)}` + (last ? ` (last status: ${last.status})` : ''),
          last,
        );
      }
      await delay(Math.min(intervalMs, left), options.signal);
    }
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body, 'application/json');
    const text = await response.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiClientError('client.bad-response', `${method} ${path} → ${response.status} answered something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  private async send(method: string, path: string, body: unknown, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept: `${accept}, application/problem+json` };
    if (this.functionKey) headers['x-functions-key'] = this.functionKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const label = `${method} ${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      throw new ApiClientError('client.unreachable', `${label}: cannot reach ${this.baseUrl} (${describeFetchError(error)})`, { cause: error });
    }
    if (response.ok) return response;
    throw new ApiProblemError(response.status, await readProblem(response), label);
  }
}

async function readProblem(response: Response): Promise<ProblemDocument> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as ProblemDocument;
  } catch {
    // not JSON: keep the status
  }
  return { status: response.status, title: response.statusText || `HTTP ${response.status}`, ...(text ? { detail: text.slice(0, 500) } : {}) };
}

function changed(previous: PartnershipDetails, current: PartnershipDetails): boolean {
  return (
    previous.status !== current.status ||
    (previous.steps?.length ?? 0) !== (current.steps?.length ?? 0) ||
    previous.driftStatus !== current.driftStatus ||
    JSON.stringify(previous.lastError ?? null) !== JSON.stringify(current.lastError ?? null)
  );
}

/** Worth polling again: no answer, or a deployment that is (re)starting. */
function isTransient(error: unknown): boolean {
  if (error instanceof ApiClientError) return error.code === 'client.unreachable';
  return error instanceof ApiProblemError && (error.status === 502 || error.status === 503 || error.status === 504);
}

function describeFetchError(error: unknown): string {
  // Duck-typed: fetch's errors may come from another realm (e.g. under jest).
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (!failure || typeof failure !== 'object') return String(error);
  if (failure.name === 'TimeoutError') return 'no answer in time';
  return failure.cause?.code ?? failure.cause?.message ?? failure.message ?? String(error);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6_000) / 10} min`;
}
