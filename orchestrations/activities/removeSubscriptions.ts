// removeSubscriptions: the Graph change-notification subscriptions of a partnership being
// offboarded — deleted when no other partnership needs them, kept (without it) otherwise.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { handshakeDeployment } from '../deployment';
import { REMOVE_SUBSCRIPTIONS_ACTIVITY } from '../names';
import { releaseSubscriptions, type SubscriptionRelease } from '../../shared/reconcile/subscriptions';

export interface RemoveSubscriptionsInput {
  partnershipId: string;
}

export async function removeSubscriptions(input: RemoveSubscriptionsInput): Promise<SubscriptionRelease> {
  const deployment = handshakeDeployment();
  return releaseSubscriptions(input.partnershipId, { graph: deployment.adapters().graph, subscriptions: deployment.repositories.subscriptions });
}

const handler: ActivityHandler = (input: unknown) => removeSubscriptions(input as RemoveSubscriptionsInput);
df.app.activity(REMOVE_SUBSCRIPTIONS_ACTIVITY, { handler });
