// Orchestration: reconcile ONE partnership — after a burst of change notifications (claim-guarded,
// see claims.ts), a `missed` lifecycle notification, or an admin's "reconcile now" — or, without
// a partnershipId, every Active partnership (a notification of a subscription several share).
//   debounce → read + diff (+ apply in enforce mode) → release the claim → ReconcilePartnershipOutput
// (a refusal is an `ok: false` output carrying the domain error, see outcome.ts)
// When a change arrived while the run was reading, the claim is kept and the same workflow reads
// again (continue-as-new), so no change is lost and a burst still costs one run.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { ALL_PARTNERSHIPS, type ClaimReleaseOutcome } from '../../shared/tables/reconcileClaims';
import { parseInput, reconcilePartnershipInputSchema, retryOptions } from './inputs';
import { RECONCILE_PARTNERSHIP_ORCHESTRATION, RELEASE_RECONCILE_CLAIM_ACTIVITY } from './names';
import { reconcileWithRetry, type ReconcilePartnershipOutput, type ReconcileTenantInput, type ReconcileTenantOutcome } from './outcome';

const reconcilePartnership: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = parseInput(reconcilePartnershipInputSchema, context.df.getInput(), 'reconcilePartnership input');
  const retry = retryOptions(input.retry);
  const scope = input.partnershipId ?? ALL_PARTNERSHIPS;
  const status = { scope, mode: input.mode, trigger: input.trigger, pass: input.pass };

  if (input.debounceMs > 0) {
    context.df.setCustomStatus({ step: 'collecting changes', ...status });
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + input.debounceMs));
  }
  const at = context.df.currentUtcDateTime.toISOString();
  const runId = `${context.df.instanceId}.${Date.parse(at)}`;
  context.df.setCustomStatus({ step: 'reconciling', runId, ...status });
  const activityInput: ReconcileTenantInput = {
    runId,
    at,
    mode: input.mode,
    trigger: input.trigger,
    ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    ...(input.partnershipId ? { partnershipIds: [input.partnershipId] } : {}),
    ...(input.claimRun !== undefined ? { claim: { scope, run: input.claimRun } } : {}),
  };
  const outcome: ReconcileTenantOutcome = yield* reconcileWithRetry(context, input.retry, activityInput);
  if (input.claimRun !== undefined) {
    const released: ClaimReleaseOutcome = yield context.df.callActivityWithRetry(RELEASE_RECONCILE_CLAIM_ACTIVITY, retry, { scope, run: input.claimRun });
    if (released === 'again') {
      context.df.setCustomStatus({ step: 'reading again', runId, ...status });
      context.df.continueAsNew({ ...input, trigger: 'notification', pass: input.pass + 1 });
      return undefined;
    }
  }
  if (!outcome.ok) {
    context.df.setCustomStatus({ step: 'failed', runId, ...status, error: outcome.error.code });
    const failed: ReconcilePartnershipOutput = { ok: false, pass: input.pass, error: outcome.error, ...(outcome.result ? { result: outcome.result } : {}) };
    return failed;
  }
  context.df.setCustomStatus({ step: 'done', runId, ...status, drifted: outcome.result.drifted.length, applied: outcome.result.applied });
  const done: ReconcilePartnershipOutput = { ok: true, ...outcome.result, pass: input.pass };
  return done;
};

df.app.orchestration(RECONCILE_PARTNERSHIP_ORCHESTRATION, reconcilePartnership);
