// POST /api/graph/lifecycle (anonymous: Graph calls it) — lifecycle notifications of the
// deployment's subscriptions, checked like change notifications (validation handshake,
// clientState in constant time, forged ones without effect):
// - reauthorizationRequired → reauthorize (workflow subscriptionLifecycle)
// - subscriptionRemoved     → create it again (same workflow)
// - missed                  → reconcile the partnerships that subscription serves
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import {
  activityRetryOf,
  currentDeployment,
  LIFECYCLE_ROUTE,
  lifecycleInstance,
  requestReconcile,
  startSingleton,
  SUBSCRIPTION_LIFECYCLE_ORCHESTRATION,
  type SubscriptionLifecycleInput,
} from '../orchestrations/reconcile';
import { authenticate, readNotificationBatch, refusedAll, validationAnswer } from './graphNotifications';
import { withProblemDetails } from './http';

async function receiveLifecycle(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const validation = validationAnswer(request);
  if (validation) return validation;
  const batch = await readNotificationBatch(request);
  const deployment = currentDeployment();
  const checked = await authenticate(deployment, batch.value);
  const accepted = checked.filter((entry) => entry.source !== undefined);
  if (accepted.length === 0) throw refusedAll(checked.length);
  const client = df.getClient(context);
  const handled: Record<string, unknown>[] = [];
  for (const { notification, source } of accepted) {
    const event = notification.lifecycleEvent;
    const subscriptionId = source!.subscriptionId;
    if (event === 'reauthorizationRequired' || event === 'subscriptionRemoved') {
      const input: SubscriptionLifecycleInput = { subscriptionId, event, retry: activityRetryOf(deployment.config) };
      const workflow = await startSingleton(client, SUBSCRIPTION_LIFECYCLE_ORCHESTRATION, lifecycleInstance(subscriptionId, event), input);
      handled.push({ event, subscriptionId, workflow });
    } else if (event === 'missed') {
      const outcome = await requestReconcile(client, deployment, source!.partnershipIds, 'missed');
      handled.push({ event, subscriptionId, scope: outcome.scope, outcome: outcome.outcome });
    } else {
      handled.push({ event: event ?? null, subscriptionId, ignored: 'not a lifecycle event this product handles' });
    }
  }
  context.log(JSON.stringify({ event: 'lifecycle.accepted', refused: checked.length - accepted.length, handled }));
  return { status: 202 };
}

app.http('graphLifecycle', {
  route: LIFECYCLE_ROUTE,
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: withProblemDetails(receiveLifecycle),
});
