// What the two Graph webhooks (change and lifecycle notifications) share: anonymous POST routes
// Graph calls, the validation handshake, the body checks, and each clientState checked in constant
// time against the hash stored with its subscription — a forged or unknown one has no effect, and
// when all of a batch are refused the answer is 403 with nothing done.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { authenticNotificationSource, currentDeployment, type ReconcileDeployment } from '../orchestrations/reconcile';
import { DomainError, parseOrThrow, type SubscriptionRecord } from '../shared';
import { readTextBody, withProblemDetails } from './http';

/** Graph batches notifications; a body beyond this is not one of Graph's. */
export const MAX_NOTIFICATION_BODY_BYTES = 1_000_000;

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

/** A notification whose clientState is genuine, with the subscription it came through. */
export interface GenuineNotification {
  notification: ReceivedNotification;
  source: SubscriptionRecord;
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

export interface GenuineBatch {
  deployment: ReconcileDeployment;
  accepted: GenuineNotification[];
  /** How many of the batch were refused (unknown subscription or wrong clientState). */
  refused: number;
  /** When the request reached the handler (ms since the epoch): Graph wants an answer within 3 s. */
  receivedAt: number;
}

/**
 * Registers a Graph webhook: `handle` gets the genuine notifications of a batch (at least one)
 * and the answer is 202 once it returns; the answer to a validation request, a bad body or a
 * batch with none genuine never reaches it.
 */
export function graphWebhook(name: string, route: string, handle: (batch: GenuineBatch, context: InvocationContext) => Promise<void>): void {
  app.http(name, {
    route,
    methods: ['POST'],
    authLevel: 'anonymous',
    extraInputs: [df.input.durableClient()],
    handler: withProblemDetails(async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const receivedAt = Date.now();
      const validation = validationAnswer(request);
      if (validation) return validation;
      const batch = await readNotificationBatch(request);
      const deployment = currentDeployment();
      const checked = await authenticate(deployment, batch.value);
      const accepted = checked.filter((entry): entry is GenuineNotification => entry.source !== undefined);
      const refused = checked.length - accepted.length;
      if (accepted.length === 0) throw refusedAll(refused);
      await handle({ deployment, accepted, refused, receivedAt }, context);
      return { status: 202 };
    }),
  });
}
