// Middleware of the Graph client chain: Authentication → Retry → Counting → HTTP.
// The library's own RetryHandler works in whole seconds with up to a second of random jitter and
// at most 10 retries; ours takes the product's RetryPolicy (milliseconds, named, configurable),
// also retries network errors, and puts a timeout on every attempt.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { RetryPolicy } from '../config';
import { requestKey, type RequestCounter } from './counter';
import { isTransientStatus, parseRetryAfter, retryDelayMs, sleep } from './retry';

function methodOf(context: Context): string {
  const request = context.request;
  return (typeof request === 'string' ? context.options?.method : (request as Request).method) ?? 'GET';
}

function urlOf(context: Context): string {
  const request = context.request;
  return typeof request === 'string' ? request : (request as Request).url;
}

export class RetryMiddleware implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly timeoutMs: number,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      context.options = { ...context.options, signal: AbortSignal.timeout(this.timeoutMs) };
      let failure: unknown;
      try {
        await this.next!.execute(context);
      } catch (error) {
        failure = error;
      }
      const response = context.response;
      const transient = failure !== undefined || (response !== undefined && isTransientStatus(response.status));
      if (!transient || attempt >= this.policy.maxRetries) {
        if (failure !== undefined) throw failure;
        return;
      }
      const retryAfter = failure === undefined ? parseRetryAfter(response?.headers.get('Retry-After')) : undefined;
      const delay = retryDelayMs(attempt + 1, this.policy, retryAfter);
      if (delay === undefined) return; // the caller sees the 429 and reports "throttled"
      // Free the socket of the failed attempt before waiting.
      await response?.body?.cancel().catch(() => undefined);
      await sleep(delay);
    }
  }
}

export class CountingMiddleware implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly counter: RequestCounter,
    private readonly baseUrl: string,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    this.counter.add(requestKey(methodOf(context), urlOf(context), this.baseUrl));
    await this.next!.execute(context);
  }
}
