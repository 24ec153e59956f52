// Inputs of the reconcile orchestrations, checked at the top of each orchestrator (a bad one
// fails the instance at once with a sentence), and the durable retry policy they carry (the
// starter reads it from the app settings, so the orchestrator itself reads no configuration).
import * as df from 'durable-functions';
import { z } from 'zod';
import { DEFAULTS, parseOrThrow, type AppConfig } from '../../shared';
import { RECONCILE_MODES, RECONCILE_TRIGGERS } from './names';

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(100),
  firstRetryIntervalMs: z.number().int().min(1),
  backoffCoefficient: z.number().min(1).max(10),
});
export type ActivityRetryPolicy = z.infer<typeof retrySchema>;

export const DEFAULT_ACTIVITY_RETRY: ActivityRetryPolicy = {
  maxAttempts: DEFAULTS.activityMaxAttempts,
  firstRetryIntervalMs: DEFAULTS.activityFirstRetryIntervalMs,
  backoffCoefficient: DEFAULTS.activityBackoffCoefficient,
};

const partnershipId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { error: 'must be a partnership id' });

export const reconcileDeploymentInputSchema = z.strictObject({
  mode: z.enum(RECONCILE_MODES),
  trigger: z.enum(RECONCILE_TRIGGERS),
  retry: retrySchema.default(DEFAULT_ACTIVITY_RETRY),
});
export type ReconcileDeploymentInput = z.input<typeof reconcileDeploymentInputSchema>;

export const reconcilePartnershipInputSchema = z.strictObject({
  /** The partnership to reconcile; absent: every Active partnership (a notification several of them share). */
  partnershipId: partnershipId.optional(),
  mode: z.enum(RECONCILE_MODES),
  trigger: z.enum(RECONCILE_TRIGGERS),
  /** Admin runs: who asked (the Events actor of what the run records). */
  requestedBy: z.string().min(1).max(300).optional(),
  /** Wait this long first: the changes of a burst land before the tenant is read. */
  debounceMs: z.number().int().min(0).max(600_000).default(0),
  /** The claim run this instance serves (notification-driven runs; see claims.ts). */
  claimRun: z.number().int().min(1).optional(),
  /** Reads of this workflow so far + 1 (a change during a read makes it read again). */
  pass: z.number().int().min(1).default(1),
  retry: retrySchema.default(DEFAULT_ACTIVITY_RETRY),
});
export type ReconcilePartnershipInput = z.input<typeof reconcilePartnershipInputSchema>;

export const subscriptionMonitorInputSchema = z.strictObject({
  retry: retrySchema.default(DEFAULT_ACTIVITY_RETRY),
});
export type SubscriptionMonitorInput = z.input<typeof subscriptionMonitorInputSchema>;

export const subscriptionLifecycleInputSchema = z.strictObject({
  subscriptionId: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, { error: 'must be a subscription id' }),
  event: z.enum(['reauthorizationRequired', 'subscriptionRemoved']),
  retry: retrySchema.default(DEFAULT_ACTIVITY_RETRY),
});
export type SubscriptionLifecycleInput = z.input<typeof subscriptionLifecycleInputSchema>;

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  return parseOrThrow(schema, input, what);
}

export function activityRetryOf(config: Pick<AppConfig, 'activityRetry'>): ActivityRetryPolicy {
  return { ...config.activityRetry };
}

export function retryOptions(policy: ActivityRetryPolicy): df.RetryOptions {
  const options = new df.RetryOptions(policy.firstRetryIntervalMs, policy.maxAttempts);
  options.backoffCoefficient = policy.backoffCoefficient;
  return options;
}
