// POST /api/graph/notifications (anonymous: Graph calls it) — Graph change notifications.
// - `?validationToken=…` (subscription creation): 200 text/plain echoing the token.
// - notifications: each clientState is checked in constant time against the hash stored with its
//   subscription; a forged or unknown one has no effect (all refused → 403). The accepted ones
//   are deduplicated and collapsed: a burst for one partnership starts ONE reconcile of it (a
//   burst touching several, ONE run of all of them; see orchestrations/reconcile/claims.ts), and
//   the answer (202) goes out at once — the work happens in the orchestration.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { authenticNotificationSource, currentDeployment, NOTIFICATIONS_ROUTE, requestReconcile, type ReconcileDeployment } from '../orchestrations/reconcile';
import { DomainError, parseOrThrow, type SubscriptionRecord } from '../shared';
import { readTextBody, withProblemDetails } from './http';

/** Graph batches notifications; a body beyond this is not one of Graph's. */
export const MAX_NOTIFICATION_BODY_BYTES = 1_000_000;
/** Notification ids remembered per process (Graph redelivers what it thinks was not received). */
const SEEN_CAPACITY = 10_000;

/** The part of a change or lifecycle notification the product reads (Graph may add fields). */
export const notificationBatchSchema = z.object({
  value: z
    .array(
      z.looseObject({
        subscriptionId: z.string().min(1).max(200),
        clientState: z.string().max(1_000).nullish(),
        id: z.string().max(200).optional(),
        changeType: z.string().max(100).optional(),
        resource: z.string().max(2_000).optional(),
        lifecycleEvent: z.string().max(100).optional(),
      }),
    )
    .min(1)
    .max(1_000),
});
export type NotificationBatch = z.infer<typeof notificationBatchSchema>;
export type ReceivedNotification = NotificationBatch['value'][number];

/** Recently handled notification ids (insertion-ordered set used as a small LRU). */
const seen = new Set<string>();
function remember(id: string): void {
  seen.add(id);
  if (seen.size > SEEN_CAPACITY) seen.delete(seen.values().next().value as string);
}

/** The validation handshake, or undefined when the request carries no token. */
export function validationAnswer(request: HttpRequest): HttpResponseInit | undefined {
  const token = request.query.get('validationToken');
  if (token === null) return undefined;
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: token };
}

/** Reads and checks the body; a body too large (413) or not a notification batch (400) is a problem. */
export async function readNotificationBatch(request: HttpRequest): Promise<NotificationBatch> {
  const text = await readTextBody(request, MAX_NOTIFICATION_BODY_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DomainError('request.invalid', 'The request is not valid: (body): must be a JSON notification collection { "value": [...] }.', {
      details: { issues: [{ field: '(body)', message: 'must be JSON' }] },
    });
  }
  return parseOrThrow(notificationBatchSchema, json, 'notification collection');
}

/** Each notification paired with its subscription when its clientState is genuine (lookups shared within a batch). */
export async function authenticate(
  deployment: Pick<ReconcileDeployment, 'repositories'>,
  notifications: readonly ReceivedNotification[],
): Promise<{ notification: ReceivedNotification; source: SubscriptionRecord | undefined }[]> {
  const lookups = new Map<string, Promise<SubscriptionRecord | undefined>>();
  return Promise.all(
    notifications.map(async (notification) => {
      const key = `${notification.subscriptionId}\n${notification.clientState ?? ''}`;
      let lookup = lookups.get(key);
      if (!lookup) {
        lookup = authenticNotificationSource(deployment.repositories.subscriptions, notification.subscriptionId, notification.clientState);
        lookups.set(key, lookup);
      }
      return { notification, source: await lookup };
    }),
  );
}

export function refusedAll(count: number): DomainError {
  return new DomainError(
    'notification.rejected',
    `None of the ${count} notification(s) came from a subscription of this deployment (unknown subscription or wrong clientState); nothing was done.`,
    { details: { refused: count } },
  );
}

async function receiveNotifications(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const validation = validationAnswer(request);
  if (validation) return validation;
  const batch = await readNotificationBatch(request);
  const deployment = currentDeployment();
  const checked = await authenticate(deployment, batch.value);
  const accepted = checked.filter((entry) => entry.source !== undefined);
  const refused = checked.length - accepted.length;
  if (accepted.length === 0) throw refusedAll(refused);
  const fresh = accepted.filter((entry) => !entry.notification.id || !seen.has(entry.notification.id));
  const partnershipIds = [...new Set(fresh.flatMap((entry) => entry.source!.partnershipIds))];
  const outcome = partnershipIds.length > 0 ? await requestReconcile(df.getClient(context), deployment, partnershipIds, 'notification') : undefined;
  for (const entry of fresh) if (entry.notification.id) remember(entry.notification.id);
  context.log(
    JSON.stringify({
      event: 'notifications.accepted',
      accepted: accepted.length,
      duplicates: accepted.length - fresh.length,
      refused,
      partnerships: partnershipIds.length,
      ...(outcome ? { scope: outcome.scope, outcome: outcome.outcome, instanceId: outcome.instanceId } : {}),
    }),
  );
  return { status: 202 };
}

app.http('graphNotifications', {
  route: NOTIFICATIONS_ROUTE,
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: withProblemDetails(receiveNotifications),
});
