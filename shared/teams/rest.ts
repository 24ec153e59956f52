// The Teams admin configuration REST API (what the MicrosoftTeams PowerShell module and the
// Teams admin center call): GET/PUT {teamsAdminBaseUrl}/Skype.Policy/configurations/{Type}/configuration/Global
// with an app-only token for the Teams admin resource. A PUT replaces the whole object, so every
// write reads, merges the update, and writes back only when something changed.
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

export interface TeamsRestAdapterOptions {
  credential: TokenCredential;
  endpoints: Pick<CloudEndpoints, 'teamsAdminBaseUrl' | 'teamsScope'>;
  retry?: RetryPolicy;
  requestTimeoutMs?: number;
  counter?: RequestCounter;
}

export class TeamsRestAdapter implements TeamsAdapter {
  readonly mode = 'rest' as const;
  readonly counter: RequestCounter;
  private readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

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

  private async get<T extends TeamsConfigurationType>(type: T): Promise<TeamsConfigurations[T]> {
    return (await this.send('GET', type)) as TeamsConfigurations[T];
  }

  private async send(method: 'GET' | 'PUT', type: TeamsConfigurationType, body?: unknown, identity?: string): Promise<unknown> {
    const path = teamsConfigurationPath(type, identity);
    const operation = `Teams ${method} ${path}`;
    const url = `${this.baseUrl}${path}`;
    for (let attempt = 0; ; attempt += 1) {
      let response: Response | undefined;
      try {
        const token = await this.options.credential.getToken(this.options.endpoints.teamsScope);
        if (!token) throw new DomainError('tenant.authentication-failed', `${operation}: no token for the Teams admin API.`);
        this.counter.add(`${method} ${path}`);
        response = await fetch(url, {
          method,
          headers: {
            Authorization: `Bearer ${token.token}`,
            Accept: 'application/json',
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
