// Activities answering Graph's lifecycle notifications: reauthorize a subscription (or create it
// again when Graph no longer has it), recreate a removed one.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { isDomainError } from '../../../shared';
import { currentDeployment } from '../deployment';
import { REAUTHORIZE_SUBSCRIPTION_ACTIVITY, RECREATE_SUBSCRIPTION_ACTIVITY } from '../names';
import { assertPublicBaseUrl, reauthorizeSubscription as reauthorize, recreateSubscription as recreate } from '../../../shared/reconcile/subscriptions';

function options() {
  const deployment = currentDeployment();
  const { config } = deployment;
  return {
    graph: deployment.adapters().graph,
    subscriptions: deployment.repositories.subscriptions,
    publicBaseUrl: assertPublicBaseUrl(config.publicBaseUrl),
    lifetimeMinutes: config.subscriptionLifetimeMinutes,
    renewBeforeMinutes: config.subscriptionRenewBeforeMinutes,
    now: new Date(),
  };
}

export const recreateSubscription: ActivityHandler = async (input: { subscriptionId: string }) => recreate(input.subscriptionId, options());

export const reauthorizeSubscription: ActivityHandler = async (input: { subscriptionId: string }) => {
  const current = options();
  try {
    return { outcome: await reauthorize(input.subscriptionId, current) };
  } catch (error) {
    if (isDomainError(error, 'tenant.object-missing')) return recreate(input.subscriptionId, current);
    throw error;
  }
};

df.app.activity(REAUTHORIZE_SUBSCRIPTION_ACTIVITY, { handler: reauthorizeSubscription });
df.app.activity(RECREATE_SUBSCRIPTION_ACTIVITY, { handler: recreateSubscription });
