// What the two Graph webhooks (change and lifecycle notifications) share: anonymous POST routes
// Graph calls, the validation handshake, the body checks, and each clientState checked in constant
// time against the hash stored with its subscription — a forged or unknown one has no effect, and
// when all of a batch are refused the answer is 403 with nothing done. Bodies are capped
// (NOTIFICATION_MAX_BODY_BYTES) and their subscription lookups bounded (notificationSources.ts),
// so an anonymous body cannot make the answer miss Graph's 3 s; validation tokens are echoed only
// when short, as plain text that is never sniffed.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { currentDeployment, type ReconcileDeployment } from '../orchestrations/reconcile';
import { authenticNotificationSources } from '../orchestrations/reconcile/notificationSources';
import { DEFAULTS, DomainError, parseOrThrow, type SubscriptionRecord } from '../shared';
import { readTextBody, withProblemDetails } from './http';

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

/**
 * The validation handshake, or undefined when the request carries no token. The token is echoed as
 * plain text the browser must not sniff; one longer than Graph's is refused (400), not echoed.
 */
export function validationAnswer(request: HttpRequest): HttpResponseInit | undefined {
  const token = request.query.get('validationToken');
  if (token === null) return undefined;
  if (Buffer.byteLength(token, 'utf8') > DEFAULTS.validationTokenMaxBytes) {
    throw new DomainError('request.invalid', `The request is not valid: validationToken: must be at most ${DEFAULTS.validationTokenMaxBytes} bytes.`, {
      details: { issues: [{ field: 'validationToken', message: `must be at most ${DEFAULTS.validationTokenMaxBytes} bytes` }] },
    });
  }
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: token };
}

/** Reads and checks the body; a body too large (413) or not a notification batch (400) is a problem. */
export async function readNotificationBatch(request: HttpRequest, maxBytes: number): Promise<NotificationBatch> {
  const text = await readTextBody(request, maxBytes);
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

/** Each notification paired with its subscription when its clientState is genuine (bounded lookups). */
export async function authenticate(
  deployment: Pick<ReconcileDeployment, 'repositories' | 'config'>,
  notifications: readonly ReceivedNotification[],
): Promise<{ notification: ReceivedNotification; source: SubscriptionRecord | undefined }[]> {
  const sources = await authenticNotificationSources(deployment.repositories.subscriptions, notifications, deployment.config.notifications);
  return notifications.map((notification, index) => ({ notification, source: sources[index] }));
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
      const deployment = currentDeployment();
      const batch = await readNotificationBatch(request, deployment.config.notifications.maxBodyBytes);
      const checked = await authenticate(deployment, batch.value);
      const accepted = checked.filter((entry): entry is GenuineNotification => entry.source !== undefined);
      const refused = checked.length - accepted.length;
      if (accepted.length === 0) throw refusedAll(refused);
      await handle({ deployment, accepted, refused, receivedAt }, context);
      return { status: 202 };
    }),
  });
}
