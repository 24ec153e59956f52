// Orchestration: one lifecycle notification of one subscription — `reauthorizationRequired` →
// reauthorize (or recreate when Graph no longer has it), `subscriptionRemoved` → recreate.
// (`missed` needs no workflow of its own: the trigger asks for a reconcile of the partnerships.)
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { parseInput, retryOptions, subscriptionLifecycleInputSchema } from './inputs';
import { REAUTHORIZE_SUBSCRIPTION_ACTIVITY, RECREATE_SUBSCRIPTION_ACTIVITY, SUBSCRIPTION_LIFECYCLE_ORCHESTRATION } from './names';

const subscriptionLifecycle: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = parseInput(subscriptionLifecycleInputSchema, context.df.getInput(), 'subscriptionLifecycle input');
  const activity = input.event === 'reauthorizationRequired' ? REAUTHORIZE_SUBSCRIPTION_ACTIVITY : RECREATE_SUBSCRIPTION_ACTIVITY;
  context.df.setCustomStatus({ step: input.event, subscriptionId: input.subscriptionId });
  const result: unknown = yield context.df.callActivityWithRetry(activity, retryOptions(input.retry), { subscriptionId: input.subscriptionId });
  return result;
};

df.app.orchestration(SUBSCRIPTION_LIFECYCLE_ORCHESTRATION, subscriptionLifecycle);
