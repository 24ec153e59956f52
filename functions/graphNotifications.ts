// POST /api/graph/notifications (anonymous: Graph calls it) — Graph change notifications.
// - `?validationToken=…` (subscription creation): 200 text/plain echoing the token.
// - notifications: each clientState is checked in constant time against the hash stored with its
//   subscription; a forged or unknown one has no effect (all refused → 403). The accepted ones
//   are deduplicated and collapsed: a burst for one partnership starts ONE reconcile of it (a
//   burst touching several, ONE run of all of them; see orchestrations/reconcile/claims.ts), and
//   the answer (202) goes out at once — the work happens in the orchestration.
import * as df from 'durable-functions';
import { NOTIFICATIONS_ROUTE, requestReconcile } from '../orchestrations/reconcile';
import { graphWebhook } from './graphWebhook';

/** Notification ids remembered per process (Graph redelivers what it thinks was not received). */
const SEEN_CAPACITY = 10_000;

/** Recently handled notification ids (insertion-ordered set used as a small LRU). */
const seen = new Set<string>();
function remember(id: string): void {
  seen.add(id);
  if (seen.size > SEEN_CAPACITY) seen.delete(seen.values().next().value as string);
}

graphWebhook('graphNotifications', NOTIFICATIONS_ROUTE, async ({ deployment, accepted, refused, receivedAt }, context) => {
  const fresh = accepted.filter((entry) => !entry.notification.id || !seen.has(entry.notification.id));
  // A batch names few subscriptions, each shared by many partnerships (thousands, for a scoping group
  // they all use): take each subscription's partnerships once, not once per notification.
  const sources = new Set(fresh.map((entry) => entry.source));
  const partnershipIds = [...new Set([...sources].flatMap((source) => source.partnershipIds))];
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
      handledMs: Date.now() - receivedAt,
    }),
  );
});
