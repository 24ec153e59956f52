// Orchestration: the timer's run over the whole deployment (design §6) — one read of the tenant,
// every Active partnership diffed in memory, drift reported or repaired. Started under the
// singleton id RECONCILE_DEPLOYMENT_INSTANCE, so two runs never overlap.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ReconcileTenantInput } from './activities/reconcileTenant';
import { parseInput, reconcileDeploymentInputSchema, retryOptions } from './inputs';
import { RECONCILE_DEPLOYMENT_ORCHESTRATION, RECONCILE_TENANT_ACTIVITY } from './names';
import type { ReconcileRunResult } from './run';

const reconcileDeployment: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = parseInput(reconcileDeploymentInputSchema, context.df.getInput(), 'reconcileDeployment input');
  const at = context.df.currentUtcDateTime.toISOString();
  const runId = `${context.df.instanceId}.${Date.parse(at)}`;
  context.df.setCustomStatus({ step: 'reconciling', runId, mode: input.mode, trigger: input.trigger });
  const activityInput: ReconcileTenantInput = { runId, at, mode: input.mode, trigger: input.trigger };
  const result: ReconcileRunResult = yield context.df.callActivityWithRetry(RECONCILE_TENANT_ACTIVITY, retryOptions(input.retry), activityInput);
  context.df.setCustomStatus({ step: 'done', runId, mode: input.mode, trigger: input.trigger, examined: result.examined, drifted: result.drifted.length, applied: result.applied });
  return result;
};

df.app.orchestration(RECONCILE_DEPLOYMENT_ORCHESTRATION, reconcileDeployment);
