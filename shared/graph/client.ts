// The Graph adapter: `@microsoft/microsoft-graph-client` with a token from an `@azure/identity`
// credential, per-cloud base URL (or the simulator's), our retry and counting middleware,
// paged lists, $batch with per-item retry, and Graph errors mapped to domain errors.
import { AuthenticationHandler, Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { TokenCredential } from '@azure/core-auth';
import type { CloudEndpoints } from '../clouds';
import { DEFAULT_RETRY_POLICY, DEFAULTS, type RetryPolicy } from '../config';
import { DomainError } from '../errors';
import type { GuestUser, PartnerConfiguration } from '../tenant';
import { RequestCounter } from './counter';
import { graphError, toDomainError } from './errors';
import { CountingMiddleware, RetryMiddleware } from './middleware';
import { isTransientStatus, parseRetryAfter, retryDelayMs, sleep } from './retry';

export interface GraphAdapterOptions {
  credential: TokenCredential;
  endpoints: Pick<CloudEndpoints, 'graphBaseUrl' | 'graphScope'>;
  retry?: RetryPolicy;
  /** $top of paged lists. */
  pageSize?: number;
  /** Requests per $batch (at most 20). */
  batchSize?: number;
  /** $batch requests in flight at once. */
  batchConcurrency?: number;
  requestTimeoutMs?: number;
  /** Shared counter (e.g. one per deployment for the benchmark). */
  counter?: RequestCounter;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One request of a $batch (url relative to the version root, e.g. "/policies/..."). */
export interface BatchRequest {
  id: string;
  method: HttpMethod;
  url: string;
  body?: unknown;
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string | null;
  expirationDateTime: string;
  clientState?: string | null;
}

const POLICY = '/policies/crossTenantAccessPolicy';
const PARTNERS = `${POLICY}/partners`;
const DEFAULT_BATCH_CONCURRENCY = 4;
const MAX_BATCH = 20;

export class GraphAdapter {
  readonly counter: RequestCounter;
  readonly baseUrl: string;
  private readonly client: Client;
  private readonly retry: RetryPolicy;
  private readonly pageSize: number;
  private readonly batchSize: number;
  private readonly batchConcurrency: number;

  constructor(options: GraphAdapterOptions) {
    this.counter = options.counter ?? new RequestCounter();
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.pageSize = options.pageSize ?? DEFAULTS.graphPageSize;
    this.batchSize = Math.min(MAX_BATCH, options.batchSize ?? DEFAULTS.graphBatchSize);
    this.batchConcurrency = options.batchConcurrency ?? DEFAULT_BATCH_CONCURRENCY;
    this.baseUrl = options.endpoints.graphBaseUrl.replace(/\/+$/, '');
    const { root, version } = splitVersion(this.baseUrl);
    const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [options.endpoints.graphScope] });
    this.client = Client.initWithMiddleware({
      baseUrl: root,
      defaultVersion: version,
      // The token goes only to these hosts; the simulator's host is not a Microsoft one.
      customHosts: new Set([new URL(this.baseUrl).hostname]),
      middleware: [
        new AuthenticationHandler(authProvider),
        new RetryMiddleware(this.retry, options.requestTimeoutMs ?? DEFAULTS.graphRequestTimeoutMs),
        new CountingMiddleware(this.counter, this.baseUrl),
        new HTTPMessageHandler(),
      ],
    });
  }

  /** One request; Graph errors become domain errors. `path` is relative to the version root or a full URL. */
  async request<T = unknown>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const operation = `${method} ${stripQuery(path)}`;
    try {
      const request = this.client.api(path);
      switch (method) {
        case 'GET':
          return (await request.get()) as T;
        case 'POST':
          return (await request.post(body ?? {})) as T;
        case 'PATCH':
          return (await request.patch(body ?? {})) as T;
        case 'PUT':
          return (await request.put(body ?? {})) as T;
        case 'DELETE':
          return (await request.delete()) as T;
      }
    } catch (error) {
      throw toDomainError(error, operation);
    }
  }

  /** Every item of a paged collection (follows @odata.nextLink). */
  async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: { value?: T[]; '@odata.nextLink'?: string } = await this.request('GET', next);
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'];
    }
    return items;
  }

  /**
   * Sends requests in $batch calls (batchSize per call, a few calls in flight). Items answered
   * 429/503/504 are sent again, honouring their Retry-After, until the retry policy runs out; the
   * last answer of every item is returned (item failures are the caller's to judge).
   */
  async batch(requests: readonly BatchRequest[]): Promise<BatchResponse[]> {
    const ids = new Set<string>();
    for (const request of requests) {
      if (ids.has(request.id)) throw new DomainError('internal', `Duplicate $batch request id ${request.id}.`);
      ids.add(request.id);
    }
    const answers = new Map<string, BatchResponse>();
    let pending = [...requests];
    for (let round = 0; pending.length > 0; round += 1) {
      const chunks: BatchRequest[][] = [];
      for (let start = 0; start < pending.length; start += this.batchSize) chunks.push(pending.slice(start, start + this.batchSize));
      const responses = (await mapWithConcurrency(chunks, this.batchConcurrency, (chunk) => this.sendBatch(chunk))).flat();
      for (const response of responses) answers.set(response.id, response);
      const transient = responses.filter((response) => isTransientStatus(response.status));
      if (transient.length === 0 || round >= this.retry.maxRetries) break;
      const retryAfter = Math.max(...transient.map((response) => parseRetryAfter(headerOf(response, 'retry-after')) ?? -1));
      const delay = retryDelayMs(round + 1, this.retry, retryAfter >= 0 ? retryAfter : undefined);
      if (delay === undefined) break;
      await sleep(delay);
      const retryIds = new Set(transient.map((response) => response.id));
      pending = pending.filter((request) => retryIds.has(request.id));
    }
    return requests.map((request) => answers.get(request.id)!);
  }

  private async sendBatch(chunk: BatchRequest[]): Promise<BatchResponse[]> {
    const body = {
      requests: chunk.map((request) => ({
        id: request.id,
        method: request.method,
        url: request.url,
        ...(request.body !== undefined ? { body: request.body, headers: { 'Content-Type': 'application/json' } } : {}),
      })),
    };
    const result = await this.request<{ responses?: BatchResponse[] }>('POST', '/$batch', body);
    this.counter.addBatch(chunk.length);
    const byId = new Map((result.responses ?? []).map((response) => [String(response.id), response] as const));
    return chunk.map((request) => {
      const response = byId.get(request.id);
      if (!response) {
        throw new DomainError('tenant.upstream-error', `$batch answered without request ${request.id}.`, { details: { requestId: request.id } });
      }
      return { id: request.id, status: Number(response.status), headers: lowerKeys(response.headers ?? {}), body: response.body ?? null };
    });
  }

  // --- Cross-tenant access policy -----------------------------------------------------------

  async getAllowedCloudEndpoints(): Promise<string[]> {
    const policy = await this.request<{ allowedCloudEndpoints?: string[] | null }>('GET', `${POLICY}?$select=allowedCloudEndpoints`);
    return policy.allowedCloudEndpoints ?? [];
  }

  /** Replaces the whole array (PATCH semantics): callers read, merge, then write. */
  async setAllowedCloudEndpoints(values: readonly string[]): Promise<void> {
    await this.request('PATCH', POLICY, { allowedCloudEndpoints: [...values] });
  }

  /** Every partner of the policy, paged. */
  async listPartners(): Promise<PartnerConfiguration[]> {
    const partners = await this.listAll<PartnerConfiguration>(`${PARTNERS}?$top=${this.pageSize}`);
    return partners.map((partner) => ({ ...partner, tenantId: partner.tenantId.toLowerCase() }));
  }

  // --- Users, invitations, tenant lookup --------------------------------------------------

  /** Every guest user, with the address each was invited as. */
  async listGuests(): Promise<GuestUser[]> {
    const users = await this.listAll<{ id: string; mail?: string | null; userPrincipalName?: string; otherMails?: string[]; externalUserState?: string | null }>(
      `/users?$filter=userType eq 'Guest'&$select=id,mail,userPrincipalName,otherMails,externalUserState&$top=${Math.min(this.pageSize, 999)}`,
    );
    return users.flatMap((user) => {
      const invitedAs = invitedAddress(user);
      return invitedAs ? [{ id: user.id, invitedAs, userPrincipalName: user.userPrincipalName, externalUserState: user.externalUserState ?? null }] : [];
    });
  }

  /** The tenant's verified domains (sent to a partner for its Teams federation allow-list). */
  async getVerifiedDomains(): Promise<string[]> {
    const organizations = await this.listAll<{ verifiedDomains?: { name: string }[] }>('/organization?$select=verifiedDomains');
    return [...new Set(organizations.flatMap((organization) => (organization.verifiedDomains ?? []).map((domain) => domain.name.toLowerCase())))];
  }

  /** Tenant id of a verified domain (same cloud only; Graph cannot look across clouds). */
  async findTenantIdByDomain(domain: string): Promise<string | undefined> {
    try {
      const info = await this.request<{ tenantId?: string }>('GET', `/tenantRelationships/findTenantInformationByDomainName(domainName='${encodeURIComponent(domain)}')`);
      return info.tenantId?.toLowerCase();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'tenant.object-missing') return undefined;
      throw error;
    }
  }

  // --- Change-notification subscriptions ---------------------------------------------------

  async createSubscription(subscription: Omit<GraphSubscription, 'id'> & { clientState: string }): Promise<GraphSubscription> {
    return this.request<GraphSubscription>('POST', '/subscriptions', subscription);
  }

  async renewSubscription(id: string, expirationDateTime: string): Promise<GraphSubscription> {
    return this.request<GraphSubscription>('PATCH', `/subscriptions/${encodeURIComponent(id)}`, { expirationDateTime });
  }

  async reauthorizeSubscription(id: string): Promise<void> {
    await this.request('POST', `/subscriptions/${encodeURIComponent(id)}/reauthorize`, {});
  }

  async deleteSubscription(id: string): Promise<void> {
    try {
      await this.request('DELETE', `/subscriptions/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'tenant.object-missing')) throw error;
    }
  }

  /** A domain error for a failed $batch item. */
  static batchItemError(response: BatchResponse, operation: string): DomainError {
    const error = (response.body as { error?: { code?: string; message?: string } } | null)?.error;
    return graphError({ status: response.status, code: error?.code, message: error?.message }, operation);
  }
}

/** The address a guest was invited with: its mail, else the part of its #EXT# UPN before the tenant. */
export function invitedAddress(user: { mail?: string | null; userPrincipalName?: string; otherMails?: string[] }): string | undefined {
  if (user.mail) return user.mail.toLowerCase();
  const upn = user.userPrincipalName ?? '';
  const marker = upn.toUpperCase().indexOf('#EXT#');
  if (marker > 0) {
    const local = upn.slice(0, marker);
    const at = local.lastIndexOf('_');
    if (at > 0) return `${local.slice(0, at)}@${local.slice(at + 1)}`.toLowerCase();
  }
  return user.otherMails?.[0]?.toLowerCase();
}

function splitVersion(baseUrl: string): { root: string; version: string } {
  const match = /^(.*)\/(v1\.0|beta)$/.exec(baseUrl);
  if (!match) throw new DomainError('config.invalid', `The Graph base URL ${baseUrl} must end with /v1.0 or /beta.`);
  return { root: match[1], version: match[2] };
}

function stripQuery(path: string): string {
  return path.split('?')[0];
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), String(value)]));
}

function headerOf(response: BatchResponse, name: string): string | undefined {
  return response.headers[name.toLowerCase()];
}

/** `map` over `items`, at most `limit` at a time; results in the order of `items`. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}
