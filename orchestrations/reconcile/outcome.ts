// What a reconcile run answers across the activity boundary, and how the orchestrations call it.
// A refusal by a tenant or a rule is a value (`ok: false` with the domain error), not text in an
// exception: the orchestration branches on it and hands it on to whoever waits for the run (the
// admin's "reconcile now"). A transient one (throttling, an outage, storage) is tried again on a
// durable timer, as the retry policy says; anything unexpected thrown by the activity is retried
// by the durable retry policy and then reported as an internal error.
import type { OrchestrationContext, Task } from 'durable-functions';
import { isDomainError, type PartialFailureDetails, type SerializedDomainError } from '../../shared';
import { internalError, isTransient } from '../activities/outcome';
import { retryOptions, type ActivityRetryPolicy } from './inputs';
import { RECONCILE_TENANT_ACTIVITY } from './names';
import type { ReconcileRunInput, ReconcileRunResult } from './run';

export interface ReconcileTenantInput extends ReconcileRunInput {
  claim?: { scope: string; run: number };
}

/** What the reconcileTenant activity answers. */
export type ReconcileTenantOutcome =
  | { ok: true; result: ReconcileRunResult }
  | {
      ok: false;
      error: SerializedDomainError;
      /** Worth another attempt later (throttling, an outage, storage). */
      retryable: boolean;
      /** The run as far as it went (a partial failure records what was applied). */
      result?: ReconcileRunResult;
    };

/** What a reconcilePartnership instance ends with (its output). */
export type ReconcilePartnershipOutput = ({ ok: true; pass: number } & ReconcileRunResult) | { ok: false; pass: number; error: SerializedDomainError; result?: ReconcileRunResult };

/** The activity's answer for a run that ended (`result`) or a domain error that stopped it. */
export function tenantOutcomeOf(run: { result: ReconcileRunResult } | { error: unknown }): ReconcileTenantOutcome {
  if ('result' in run) {
    const failure = run.result.error;
    if (!failure) return { ok: true, result: run.result };
    // A partial failure is worth retrying when the write that failed is (the run records what was applied first).
    const cause = (failure.details as Partial<PartialFailureDetails> | undefined)?.error;
    return { ok: false, error: failure, retryable: isTransient(cause ?? failure), result: run.result };
  }
  if (isDomainError(run.error)) return { ok: false, error: run.error.toJSON(), retryable: isTransient(run.error) };
  throw run.error;
}

/** Calls the reconcileTenant activity; a retryable refusal is tried again after the policy's interval. */
export function* reconcileWithRetry(context: OrchestrationContext, retry: ActivityRetryPolicy, input: ReconcileTenantInput): Generator<Task, ReconcileTenantOutcome, ReconcileTenantOutcome> {
  const options = retryOptions(retry);
  for (let attempt = 1; ; attempt += 1) {
    let outcome: ReconcileTenantOutcome;
    try {
      outcome = yield context.df.callActivityWithRetry(RECONCILE_TENANT_ACTIVITY, options, input);
    } catch (error) {
      // Thrown by the activity on every attempt (not a domain refusal): nothing typed to hand on.
      return { ok: false, error: internalError(`The reconcile run failed: ${error instanceof Error ? error.message : String(error)}`), retryable: false };
    }
    if (outcome.ok || !outcome.retryable || attempt >= retry.maxAttempts) return outcome;
    const waitMs = retry.firstRetryIntervalMs * retry.backoffCoefficient ** (attempt - 1);
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + waitMs));
  }
}
