// POST /api/graph/lifecycle (anonymous: Graph calls it) — lifecycle notifications of the
// deployment's subscriptions, checked like change notifications (validation handshake,
// clientState in constant time, forged ones without effect; see graphWebhook.ts):
// - reauthorizationRequired → reauthorize (workflow subscriptionLifecycle)
// - subscriptionRemoved     → create it again (same workflow)
// - missed                  → reconcile the partnerships that subscription serves
import * as df from 'durable-functions';
import {
  activityRetryOf,
  LIFECYCLE_ROUTE,
  lifecycleInstance,
  requestReconcile,
  SUBSCRIPTION_LIFECYCLE_ORCHESTRATION,
  type SubscriptionLifecycleInput,
} from '../orchestrations/reconcile';
import { startInstance } from '../orchestrations/instances';
import { graphWebhook } from './graphWebhook';

graphWebhook('graphLifecycle', LIFECYCLE_ROUTE, async ({ deployment, accepted, refused }, context) => {
  const client = df.getClient(context);
  const handled: Record<string, unknown>[] = [];
  for (const { notification, source } of accepted) {
    const event = notification.lifecycleEvent;
    const subscriptionId = source.subscriptionId;
    if (event === 'reauthorizationRequired' || event === 'subscriptionRemoved') {
      const input: SubscriptionLifecycleInput = { subscriptionId, event, retry: activityRetryOf(deployment.config) };
      const workflow = await startInstance(client, SUBSCRIPTION_LIFECYCLE_ORCHESTRATION, lifecycleInstance(subscriptionId, event), input, { unless: 'running' });
      handled.push({ event, subscriptionId, workflow });
    } else if (event === 'missed') {
      const outcome = await requestReconcile(client, deployment, source.partnershipIds, 'missed');
      handled.push({ event, subscriptionId, scope: outcome.scope, outcome: outcome.outcome });
    } else {
      handled.push({ event: event ?? null, subscriptionId, ignored: 'not a lifecycle event this product handles' });
    }
  }
  context.log(JSON.stringify({ event: 'lifecycle.accepted', refused, handled }));
});
