// The Teams admin configuration REST API (what the MicrosoftTeams PowerShell module and the
// Teams admin center call): GET/PUT {teamsAdminBaseUrl}/Skype.Policy/configurations/{Type}/configuration/Global
// with an app-only token for the Teams admin resource. A PUT replaces the whole object, so every
// write reads, merges the update, and writes back only when something changed. With discovery on,
// the configuration endpoint and routing headers come from the base host's discovery answer
// (discovery.ts), learned once per adapter.
import type { TokenCredential } from '@azure/core-auth';
import type { CloudEndpoints } from '../clouds';
import { DEFAULT_RETRY_POLICY, DEFAULTS, type RetryPolicy } from '../config';
import { DomainError, isDomainError } from '../errors';
import { RequestCounter } from '../graph/counter';
import { graphError, toDomainError } from '../graph/errors';
import { isTransientStatus, parseRetryAfter, retryDelayMs, sleep } from '../graph/retry';
import type { TeamsAdapter, TeamsApplyOutcome, TeamsVerification } from './adapter';
import { applyTeamsUpdate, isTeamsUpdateSatisfied, type TeamsUpdate } from './changes';
import { teamsConfigurationPath, type TeamsConfigurations, type TeamsConfigurationType, type TeamsMeetingPolicy } from './configurations';
import { routeFromDiscovery, routeHeaders, TEAMS_DISCOVERY_PATH, type TeamsRoute } from './discovery';

export interface TeamsRestAdapterOptions {
  credential: TokenCredential;
  endpoints: Pick<CloudEndpoints, 'teamsAdminBaseUrl' | 'teamsScope'>;
  retry?: RetryPolicy;
  requestTimeoutMs?: number;
  counter?: RequestCounter;
  /** Ask the base host where the tenant's configuration API is (default off). */
  discovery?: boolean;
  /** The simulator's base URL (CLOUD_HOST_BASE_URL): a discovered host is served below it. */
  hostBaseUrl?: string;
}

export class TeamsRestAdapter implements TeamsAdapter {
  readonly mode = 'rest' as const;
  readonly counter: RequestCounter;
  private readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private route: Promise<TeamsRoute> | undefined;

  constructor(private readonly options: TeamsRestAdapterOptions) {
    this.baseUrl = options.endpoints.teamsAdminBaseUrl.replace(/\/+$/, '');
    this.counter = options.counter ?? new RequestCounter();
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULTS.graphRequestTimeoutMs;
  }

  async read(types: readonly TeamsConfigurationType[]): Promise<Partial<TeamsConfigurations>> {
    const entries = await Promise.all(types.map(async (type) => [type, await this.get(type)] as const));
    return Object.fromEntries(entries) as Partial<TeamsConfigurations>;
  }

  async readMeetingPolicies(identities: readonly string[]): Promise<Record<string, TeamsMeetingPolicy | null>> {
    const entries = await Promise.all(
      identities.map(async (identity) => {
        try {
          return [identity, (await this.send('GET', 'TeamsMeetingPolicy', undefined, identity)) as TeamsMeetingPolicy] as const;
        } catch (error) {
          if (isDomainError(error, 'tenant.object-missing')) return [identity, null] as const;
          throw error;
        }
      }),
    );
    return Object.fromEntries(entries);
  }

  async apply(update: TeamsUpdate): Promise<TeamsApplyOutcome> {
    const type = update.configurationType;
    const before = (await this.send('GET', type, undefined, update.identity)) as TeamsConfigurations[typeof type];
    const after = applyTeamsUpdate(before as never, update);
    if (isTeamsUpdateSatisfied(before, update)) return { status: 'applied', changed: false, before, after: before };
    await this.send('PUT', type, after, update.identity);
    return { status: 'applied', changed: true, before, after };
  }

  async verify(update: TeamsUpdate): Promise<TeamsVerification> {
    const current = (await this.send('GET', update.configurationType, undefined, update.identity)) as TeamsConfigurations[TeamsConfigurationType];
    return isTeamsUpdateSatisfied(current, update) ? 'satisfied' : 'not-satisfied';
  }

  /** Base URL the configuration calls go to (after discovery, when on). */
  async configurationBaseUrl(): Promise<string> {
    return (await this.resolveRoute()).baseUrl;
  }

  private resolveRoute(): Promise<TeamsRoute> {
    const fallback: TeamsRoute = { baseUrl: this.baseUrl, discovered: false };
    if (!this.options.discovery) return Promise.resolve(fallback);
    this.route ??= this.discover().then(
      (route) => route ?? fallback,
      (error: unknown) => {
        // Not remembered: a later call asks again (a throttled or unreachable discovery is not an answer).
        this.route = undefined;
        throw error;
      },
    );
    return this.route;
  }

  /** The discovery answer as a route; undefined when the base host offers none (then the base host serves). */
  private async discover(): Promise<TeamsRoute | undefined> {
    const hostUrl = (host: string): string =>
      this.options.hostBaseUrl ? `${this.options.hostBaseUrl.replace(/\/+$/, '')}/${host}` : `https://${host}`;
    const answer = await this.call('GET', `${this.baseUrl}${TEAMS_DISCOVERY_PATH}`, 'Teams GET /Teams.Tenant/serviceDiscovery', 'GET /Teams.Tenant/serviceDiscovery', {}, undefined, [404]);
    return answer === NOT_OFFERED ? undefined : routeFromDiscovery(answer, this.baseUrl, hostUrl);
  }

  private async get<T extends TeamsConfigurationType>(type: T): Promise<TeamsConfigurations[T]> {
    return (await this.send('GET', type)) as TeamsConfigurations[T];
  }

  private async send(method: 'GET' | 'PUT', type: TeamsConfigurationType, body?: unknown, identity?: string): Promise<unknown> {
    const path = teamsConfigurationPath(type, identity);
    const route = await this.resolveRoute();
    return this.call(method, `${route.baseUrl}${path}`, `Teams ${method} ${path}`, `${method} ${path}`, routeHeaders(route, type), body);
  }

  /** One request with the retry policy; `absent` statuses answer NOT_OFFERED instead of failing. */
  private async call(method: 'GET' | 'PUT', url: string, operation: string, counterName: string, headers: Record<string, string>, body?: unknown, absent: number[] = []): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      let response: Response | undefined;
      try {
        const token = await this.options.credential.getToken(this.options.endpoints.teamsScope);
        if (!token) throw new DomainError('tenant.authentication-failed', `${operation}: no token for the Teams admin API.`);
        this.counter.add(counterName);
        response = await fetch(url, {
          method,
          headers: {
            Authorization: `Bearer ${token.token}`,
            Accept: 'application/json',
            ...headers,
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const mapped = toDomainError(error, operation);
        if (mapped.code !== 'tenant.unavailable' || attempt >= this.retry.maxRetries) throw mapped;
        await sleep(retryDelayMs(attempt + 1, this.retry) ?? 0);
        continue;
      }
      if (absent.includes(response.status)) {
        await response.body?.cancel().catch(() => undefined);
        return NOT_OFFERED;
      }
      if (response.ok) {
        const text = await response.text();
        return text ? JSON.parse(text) : undefined;
      }
      if (isTransientStatus(response.status) && attempt < this.retry.maxRetries) {
        const delay = retryDelayMs(attempt + 1, this.retry, parseRetryAfter(response.headers.get('Retry-After')));
        if (delay !== undefined) {
          await response.body?.cancel().catch(() => undefined);
          await sleep(delay);
          continue;
        }
      }
      const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw graphError({ status: response.status, code: payload.error?.code, message: payload.error?.message }, operation);
    }
  }
}

/** A discovery the base host does not offer (404). */
const NOT_OFFERED = Symbol('not offered');
