// The subscriptions a Graph notification body names, looked up with bounded work: each distinct
// subscription id once (however many notifications repeat it), at most `lookupConcurrency` reads at a
// time, and beyond `pointReadLimit` distinct ids one listing of the deployment's own subscriptions
// instead of a read per id — a body cannot cost more reads than the deployment has subscriptions.
// Each notification's clientState is then checked in constant time against its subscription's hash.
import { clientStateMatches, type SubscriptionRecord, type SubscriptionRepository } from '../tables';
import { mapWithConcurrency } from '../graph/client';

const SUBSCRIPTION_ID = /^[A-Za-z0-9_-]{1,200}$/;

export interface NotificationSourceOptions {
  lookupConcurrency: number;
  pointReadLimit: number;
}

/** For each notification, in order: its subscription when the clientState is genuine, else undefined. */
export async function authenticNotificationSources(
  subscriptions: Pick<SubscriptionRepository, 'get' | 'list'>,
  notifications: readonly { subscriptionId: unknown; clientState?: unknown }[],
  options: NotificationSourceOptions,
): Promise<(SubscriptionRecord | undefined)[]> {
  const ids = [...new Set(notifications.map((notification) => notification.subscriptionId).filter((id): id is string => typeof id === 'string' && SUBSCRIPTION_ID.test(id)))];
  const found = new Map<string, SubscriptionRecord>();
  if (ids.length > options.pointReadLimit) {
    const wanted = new Set(ids);
    for (const record of await subscriptions.list()) if (wanted.has(record.subscriptionId)) found.set(record.subscriptionId, record);
  } else {
    const records = await mapWithConcurrency(ids, options.lookupConcurrency, (id) => subscriptions.get(id));
    records.forEach((record) => record && found.set(record.subscriptionId, record));
  }
  return notifications.map((notification) => {
    const record = typeof notification.subscriptionId === 'string' ? found.get(notification.subscriptionId) : undefined;
    return record && clientStateMatches(notification.clientState, record.clientStateHash) ? record : undefined;
  });
}
