// Retry policy shared by the Graph middleware, Graph $batch items and the Teams admin client:
// 429 honours Retry-After; 503/504 and network errors back off exponentially with jitter.
import type { RetryPolicy } from '../config';

export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status);
}

/** Retry-After (seconds or an HTTP date) in milliseconds, if present and valid. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retry number `attempt` (1-based), or undefined when the server asks for
 * longer than the policy accepts (then the caller fails with "throttled" rather than hang).
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs > policy.maxRetryAfterMs ? undefined : retryAfterMs;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter in the upper half: spreads competing clients without collapsing to zero.
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
