// Graph change-notification subscriptions of the deployment (see docs/reconciliation.md): which ones the
// Active partnerships need, and one idempotent sync that creates, shares, renews, recreates and
// removes them. The policy itself cannot be subscribed to (the timer covers it); what can change
// under a partnership is its scoping groups' membership and the guests it invited, or any user
// where its scoping is "all".
import { randomBytes } from 'node:crypto';
import {
  DomainError,
  hashClientState,
  isDomainError,
  type GraphAdapter,
  type GraphSubscription,
  type PartnershipRecord,
  type SubscriptionRecord,
  type SubscriptionRepository,
} from '..';

/** Per-user subscriptions for a partnership's guests up to this many; beyond, one subscription on `users`. */
export const MAX_GUEST_SUBSCRIPTIONS = 20;
export const NOTIFICATIONS_ROUTE = 'graph/notifications';
export const LIFECYCLE_ROUTE = 'graph/lifecycle';
const CHANGE_TYPES = { members: 'updated', users: 'updated,deleted' } as const;
const CLIENT_STATE_BYTES = 32;
/** A subscription unknown to the table is an orphan only once it is older than this. */
const ORPHAN_GRACE_MINUTES = 2;

export interface SubscriptionNeed {
  /** e.g. "groups/{id}/members", "users/{id}", "users". */
  resource: string;
  changeType: string;
  partnershipIds: string[];
}

/** Groups of this tenant whose members may cross to the partner (outbound scoping). */
function localScopingGroups(record: PartnershipRecord): string[] {
  const desired = record.desired;
  const ids = new Set<string>();
  const collect = (users: 'all' | { groupIds?: string[] } | undefined): void => {
    if (users && users !== 'all') (users.groupIds ?? []).forEach((id) => ids.add(id.toLowerCase()));
  };
  collect(desired.b2bCollaboration.outbound?.users);
  collect(desired.b2bDirectConnect?.outbound?.users);
  const sync = desired.crossTenantSync;
  if (sync && (sync.direction === 'outbound' || sync.direction === 'both')) sync.scopingGroupIds.forEach((id) => ids.add(id.toLowerCase()));
  return [...ids];
}

/** Object ids of the guests the partnership invited (known once the invitation was applied). */
function invitedGuestIds(record: PartnershipRecord): string[] {
  return record.ownership.flatMap((item) => (item.kind === 'guest' && item.userId ? [item.userId.toLowerCase()] : []));
}

/** The subscriptions a set of partnerships needs, each shared by every partnership that needs it. Pure. */
export function subscriptionsNeeded(partnerships: readonly PartnershipRecord[]): SubscriptionNeed[] {
  const needs = new Map<string, SubscriptionNeed>();
  const add = (resource: string, changeType: string, partnershipId: string): void => {
    const need = needs.get(resource) ?? { resource, changeType, partnershipIds: [] };
    if (!need.partnershipIds.includes(partnershipId)) need.partnershipIds.push(partnershipId);
    needs.set(resource, need);
  };
  const perUser: { partnershipId: string; userId: string }[] = [];
  for (const record of partnerships) {
    for (const groupId of localScopingGroups(record)) add(`groups/${groupId}/members`, CHANGE_TYPES.members, record.id);
    const guests = invitedGuestIds(record);
    if (record.desired.b2bCollaboration.outbound?.users === 'all' || guests.length > MAX_GUEST_SUBSCRIPTIONS) {
      add('users', CHANGE_TYPES.users, record.id);
    } else {
      guests.forEach((userId) => perUser.push({ partnershipId: record.id, userId }));
    }
  }
  // A tenant-wide users subscription already sees every guest: fold per-user needs into it.
  const allUsers = needs.get('users');
  for (const { partnershipId, userId } of perUser) {
    if (allUsers) add('users', CHANGE_TYPES.users, partnershipId);
    else add(`users/${userId}`, CHANGE_TYPES.users, partnershipId);
  }
  return [...needs.values()].sort((a, b) => a.resource.localeCompare(b.resource));
}

export interface SubscriptionSyncOptions {
  graph: GraphAdapter;
  subscriptions: SubscriptionRepository;
  /** The deployment's public base URL (PUBLIC_BASE_URL): Graph posts to `${base}/api/graph/...`. */
  publicBaseUrl: string;
  lifetimeMinutes: number;
  renewBeforeMinutes: number;
  now: Date;
}

export interface SubscriptionSyncResult {
  created: string[];
  renewed: string[];
  /** Stored subscriptions Graph no longer had (removed or expired), created again. */
  recreated: string[];
  removed: string[];
  /** Subscriptions of this deployment in Graph that the table does not know (a retried create). */
  orphansDeleted: string[];
  /** Stored subscriptions whose partnership list changed. */
  updated: string[];
  /** Earliest time a subscription is due for renewal (ISO), or null when there are none. */
  nextDueAt: string | null;
  /** Needs that could not be met this time (the next sync tries again). */
  failures: { resource: string; code: string; message: string }[];
}

export function notificationUrls(publicBaseUrl: string): { notificationUrl: string; lifecycleNotificationUrl: string } {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return { notificationUrl: `${base}/api/${NOTIFICATIONS_ROUTE}`, lifecycleNotificationUrl: `${base}/api/${LIFECYCLE_ROUTE}` };
}

/**
 * Brings Graph and the Subscriptions table in line with `needs`: one subscription per resource,
 * shared by the partnerships that need it; renewed when due (expiry − renewBefore); created again
 * when Graph lost it; deleted when nobody needs it. Idempotent: run it again after any failure.
 */
export async function syncSubscriptions(needs: readonly SubscriptionNeed[], options: SubscriptionSyncOptions): Promise<SubscriptionSyncResult> {
  const { graph, subscriptions, now } = options;
  const urls = notificationUrls(options.publicBaseUrl);
  const result: SubscriptionSyncResult = { created: [], renewed: [], recreated: [], removed: [], orphansDeleted: [], updated: [], nextDueAt: null, failures: [] };
  const expiry = (): string => new Date(now.getTime() + options.lifetimeMinutes * 60_000).toISOString();
  const dueAt = (record: Pick<SubscriptionRecord, 'expirationDateTime'>): number => Date.parse(record.expirationDateTime) - options.renewBeforeMinutes * 60_000;

  const stored = await subscriptions.list();
  // Nothing needed and nothing held: nothing to ask Graph either.
  if (needs.length === 0 && stored.length === 0) return result;
  const inGraph = new Map((await graph.listAll<GraphSubscription>('/subscriptions')).map((subscription) => [subscription.id.toLowerCase(), subscription] as const));

  // One stored subscription per resource (a retried sync may have stored two): keep the one that lives longest.
  const byResource = new Map<string, SubscriptionRecord>();
  const surplus: SubscriptionRecord[] = [];
  for (const record of [...stored].sort((a, b) => Date.parse(b.expirationDateTime) - Date.parse(a.expirationDateTime))) {
    if (byResource.has(record.resource)) surplus.push(record);
    else byResource.set(record.resource, record);
  }

  const create = async (need: SubscriptionNeed): Promise<SubscriptionRecord> => {
    const clientState = randomBytes(CLIENT_STATE_BYTES).toString('base64url');
    const created = await graph.createSubscription({ resource: need.resource, changeType: need.changeType, ...urls, expirationDateTime: expiry(), clientState });
    return subscriptions.save({
      subscriptionId: created.id,
      resource: need.resource,
      changeType: need.changeType,
      expirationDateTime: created.expirationDateTime,
      clientStateHash: hashClientState(clientState),
      ...urls,
      partnershipIds: [...need.partnershipIds],
    });
  };

  const kept = new Set<string>();
  for (const need of needs) {
    const current = byResource.get(need.resource);
    try {
      let record: SubscriptionRecord;
      if (!current) {
        record = await create(need);
        result.created.push(record.subscriptionId);
      } else if (!inGraph.has(current.subscriptionId.toLowerCase()) || Date.parse(current.expirationDateTime) <= now.getTime()) {
        record = await create(need);
        await subscriptions.delete(current.subscriptionId);
        result.recreated.push(record.subscriptionId);
      } else {
        record = current;
        if (dueAt(current) <= now.getTime()) {
          record = await renew(options, current, expiry());
          result.renewed.push(record.subscriptionId);
        }
        if (!sameIds(record.partnershipIds, need.partnershipIds)) {
          const { createdAt: _c, updatedAt: _u, etag: _e, ...rest } = record;
          record = await subscriptions.save({ ...rest, partnershipIds: [...need.partnershipIds] });
          result.updated.push(record.subscriptionId);
        }
      }
      kept.add(record.subscriptionId.toLowerCase());
    } catch (error) {
      // A resource that vanished (a deleted group) or a refused create must not stop the others.
      if (current) kept.add(current.subscriptionId.toLowerCase());
      result.failures.push({
        resource: need.resource,
        code: isDomainError(error) ? error.code : 'internal',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const needed = new Set(needs.map((need) => need.resource));
  for (const record of [...stored]) {
    if (kept.has(record.subscriptionId.toLowerCase())) continue;
    if (needed.has(record.resource) && !surplus.includes(record)) continue;
    await graph.deleteSubscription(record.subscriptionId);
    await subscriptions.delete(record.subscriptionId);
    result.removed.push(record.subscriptionId);
  }
  // Ours in Graph (same notification URL) but unknown to the table: a create whose row was never
  // written. One created in the last minutes may belong to a sync running right now: left for later.
  const known = new Set((await subscriptions.list()).map((record) => record.subscriptionId.toLowerCase()));
  const recentExpiry = now.getTime() + (options.lifetimeMinutes - ORPHAN_GRACE_MINUTES) * 60_000;
  for (const [id, subscription] of inGraph) {
    if (subscription.notificationUrl === urls.notificationUrl && !known.has(id) && Date.parse(subscription.expirationDateTime) < recentExpiry) {
      await graph.deleteSubscription(subscription.id);
      result.orphansDeleted.push(subscription.id);
    }
  }

  const remaining = await subscriptions.list();
  const due = remaining.map(dueAt).filter((time) => Number.isFinite(time));
  result.nextDueAt = due.length > 0 ? new Date(Math.min(...due)).toISOString() : null;
  return result;
}

async function renew(options: SubscriptionSyncOptions, record: SubscriptionRecord, expirationDateTime: string): Promise<SubscriptionRecord> {
  const renewed = await options.graph.renewSubscription(record.subscriptionId, expirationDateTime);
  return options.subscriptions.renewed(record.subscriptionId, renewed.expirationDateTime ?? expirationDateTime);
}

/** Reauthorizes a subscription Graph asked about (lifecycle `reauthorizationRequired`). */
export async function reauthorizeSubscription(
  subscriptionId: string,
  options: Pick<SubscriptionSyncOptions, 'graph' | 'subscriptions'>,
): Promise<'reauthorized' | 'unknown'> {
  const record = await options.subscriptions.get(subscriptionId);
  if (!record) return 'unknown';
  await options.graph.reauthorizeSubscription(subscriptionId);
  return 'reauthorized';
}

/**
 * Creates a removed subscription again (lifecycle `subscriptionRemoved`): same resource, same
 * partnerships, a new clientState; the old row goes.
 */
export async function recreateSubscription(
  subscriptionId: string,
  options: SubscriptionSyncOptions,
): Promise<{ outcome: 'recreated'; subscriptionId: string } | { outcome: 'unknown' }> {
  const record = await options.subscriptions.get(subscriptionId);
  if (!record) return { outcome: 'unknown' };
  const urls = notificationUrls(options.publicBaseUrl);
  const clientState = randomBytes(CLIENT_STATE_BYTES).toString('base64url');
  const created = await options.graph.createSubscription({
    resource: record.resource,
    changeType: record.changeType,
    ...urls,
    expirationDateTime: new Date(options.now.getTime() + options.lifetimeMinutes * 60_000).toISOString(),
    clientState,
  });
  await options.subscriptions.save({
    subscriptionId: created.id,
    resource: record.resource,
    changeType: record.changeType,
    expirationDateTime: created.expirationDateTime,
    clientStateHash: hashClientState(clientState),
    ...urls,
    partnershipIds: record.partnershipIds,
  });
  // Graph removed the old one already; a DELETE that finds nothing is fine.
  await options.graph.deleteSubscription(subscriptionId);
  await options.subscriptions.delete(subscriptionId);
  return { outcome: 'recreated', subscriptionId: created.id };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('|') === [...b].sort().join('|');
}

export function assertPublicBaseUrl(publicBaseUrl: string | undefined): string {
  if (!publicBaseUrl) {
    throw new DomainError('config.invalid', 'PUBLIC_BASE_URL is required for change notifications (Graph posts them to the deployment).');
  }
  return publicBaseUrl;
}

export interface SubscriptionRelease {
  /** Subscriptions only this partnership needed: deleted in Graph and in the table. */
  removed: string[];
  /** Subscriptions other partnerships still need: kept, this partnership taken off their list. */
  kept: string[];
}

/**
 * A partnership that is being removed gives up its subscriptions: those only it needed are deleted
 * (in Graph, then in the table), the ones it shares stay for the others. Idempotent.
 */
export async function releaseSubscriptions(
  partnershipId: string,
  options: Pick<SubscriptionSyncOptions, 'graph' | 'subscriptions'>,
): Promise<SubscriptionRelease> {
  const result: SubscriptionRelease = { removed: [], kept: [] };
  for (const record of await options.subscriptions.list()) {
    if (!record.partnershipIds.includes(partnershipId)) continue;
    const others = record.partnershipIds.filter((id) => id !== partnershipId);
    if (others.length === 0) {
      await options.graph.deleteSubscription(record.subscriptionId);
      await options.subscriptions.delete(record.subscriptionId);
      result.removed.push(record.subscriptionId);
    } else {
      const { createdAt: _c, updatedAt: _u, etag: _e, ...rest } = record;
      await options.subscriptions.save({ ...rest, partnershipIds: others });
      result.kept.push(record.subscriptionId);
    }
  }
  return result;
}
