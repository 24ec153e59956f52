// Orchestration: the timer's run over the whole deployment (design §6) — one read of the tenant,
// every Active partnership diffed in memory, drift reported or repaired. Started under the
// singleton id RECONCILE_DEPLOYMENT_INSTANCE, so two runs never overlap.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { parseInput, reconcileDeploymentInputSchema } from './inputs';
import { RECONCILE_DEPLOYMENT_ORCHESTRATION } from './names';
import { reconcileWithRetry, type ReconcileTenantInput, type ReconcileTenantOutcome } from './outcome';

const reconcileDeployment: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = parseInput(reconcileDeploymentInputSchema, context.df.getInput(), 'reconcileDeployment input');
  const at = context.df.currentUtcDateTime.toISOString();
  const runId = `${context.df.instanceId}.${Date.parse(at)}`;
  context.df.setCustomStatus({ step: 'reconciling', runId, mode: input.mode, trigger: input.trigger });
  const activityInput: ReconcileTenantInput = { runId, at, mode: input.mode, trigger: input.trigger };
  const outcome: ReconcileTenantOutcome = yield* reconcileWithRetry(context, input.retry, activityInput);
  // The timer's run has nobody waiting for it: a failure fails the instance, for monitoring to see.
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  const result = outcome.result;
  context.df.setCustomStatus({ step: 'done', runId, mode: input.mode, trigger: input.trigger, examined: result.examined, drifted: result.drifted.length, applied: result.applied });
  return result;
};

df.app.orchestration(RECONCILE_DEPLOYMENT_ORCHESTRATION, reconcileDeployment);
