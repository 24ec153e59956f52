// Orchestration: reconcile ONE partnership — after a burst of change notifications (claim-guarded,
// see claims.ts), a `missed` lifecycle notification, or an admin's "reconcile now" — or, without
// a partnershipId, every Active partnership (a notification of a subscription several share).
//   debounce → read + diff (+ apply in enforce mode) → release the claim
// When a change arrived while the run was reading, the claim is kept and the same workflow reads
// again (continue-as-new), so no change is lost and a burst still costs one run.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ReconcileTenantInput } from './activities/reconcileTenant';
import { ALL_PARTNERSHIPS, type ClaimReleaseOutcome } from './claims';
import { parseInput, reconcilePartnershipInputSchema, retryOptions } from './inputs';
import { RECONCILE_PARTNERSHIP_ORCHESTRATION, RECONCILE_TENANT_ACTIVITY, RELEASE_RECONCILE_CLAIM_ACTIVITY } from './names';
import type { ReconcileRunResult } from './run';

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
  let result: ReconcileRunResult | undefined;
  let failure: unknown;
  try {
    result = yield context.df.callActivityWithRetry(RECONCILE_TENANT_ACTIVITY, retry, activityInput);
  } catch (error) {
    failure = error;
  }
  if (input.claimRun !== undefined) {
    const released: ClaimReleaseOutcome = yield context.df.callActivityWithRetry(RELEASE_RECONCILE_CLAIM_ACTIVITY, retry, { scope, run: input.claimRun });
    if (released === 'again') {
      context.df.setCustomStatus({ step: 'reading again', runId, ...status });
      context.df.continueAsNew({ ...input, trigger: 'notification', pass: input.pass + 1 });
      return undefined;
    }
  }
  if (failure !== undefined) throw failure;
  context.df.setCustomStatus({ step: 'done', runId, ...status, drifted: result!.drifted.length, applied: result!.applied });
  return { ...result!, pass: input.pass };
};

df.app.orchestration(RECONCILE_PARTNERSHIP_ORCHESTRATION, reconcilePartnership);
