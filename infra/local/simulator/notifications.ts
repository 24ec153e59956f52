// Change-notification delivery, as Graph does it for directory resources:
// - creating a subscription POSTs `?validationToken=...` to the notification URL (and the
//   lifecycle URL) and needs 200 text/plain echoing the decoded token within the timeout;
// - a change to a watched user, group or membership is POSTed to the subscriber after
//   `notificationDelayMs` (changes within that delay are batched), retried with exponential
//   backoff while the receiver fails; when retries run out the notification is dropped and a
//   `missed` lifecycle notification is sent;
// - lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed) can be
//   triggered through the control API.
// Receivers must be HTTPS, except on localhost / 127.0.0.1 / ::1 where plain HTTP is allowed.
import { randomUUID } from 'node:crypto';
import type { Engine } from './engine';
import { badRequest } from './errors';
import type { DirectoryChange, SubscriptionRecord, TenantState } from './state';

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface DeliveryRecord {
  id: string;
  kind: 'validation' | 'change' | 'lifecycle';
  tenantId: string;
  subscriptionId?: string;
  url: string;
  attempt: number;
  /** HTTP status of the receiver's answer; absent when the request failed. */
  status?: number;
  /** How long the receiver took to answer (or to fail). */
  durationMs?: number;
  error?: string;
  delivered: boolean;
  at: string;
  /** The JSON body sent (change and lifecycle notifications). */
  payload?: unknown;
  /** Notifications in the body sent (change notifications). */
  items?: number;
}

interface PendingBatch {
  tenantId: string;
  subscriptionId: string;
  items: Record<string, unknown>[];
  timer?: NodeJS.Timeout;
}

const DELIVERY_TIMEOUT_MS = 5_000;
const MAX_LOG = 10_000;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Notification URLs must be HTTPS, except on the local machine. */
export function checkReceiverUrl(url: string, field: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest(`${field} '${url}' is not an absolute URL.`, 'ValidationError');
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && LOCAL_HOSTS.has(parsed.hostname)) return parsed;
  throw badRequest(`${field} must use HTTPS (plain HTTP is accepted only for localhost receivers in the simulator): '${url}'.`, 'ValidationError');
}

export class NotificationHub {
  private readonly log: DeliveryRecord[] = [];
  private readonly pending = new Map<string, PendingBatch>();
  private readonly inFlight = new Set<AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly engine: Engine) {
    engine.onDirectoryChange((change) => this.onChange(change));
  }

  deliveries(): DeliveryRecord[] {
    return this.log.map((record) => ({ ...record }));
  }

  clearLog(): void {
    this.log.length = 0;
  }

  /** Drops queued notifications (control reset). */
  reset(): void {
    for (const batch of this.pending.values()) if (batch.timer) clearTimeout(batch.timer);
    this.pending.clear();
    this.clearLog();
  }

  stop(): void {
    this.stopped = true;
    this.reset();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
  }

  /** The validation handshake; throws Graph's 400 when the receiver does not echo the token in time. */
  async validateEndpoint(tenantId: string, url: string, field: string): Promise<void> {
    checkReceiverUrl(url, field);
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    const record: DeliveryRecord = { id: randomUUID(), kind: 'validation', tenantId, url, attempt: 1, delivered: false, at: new Date().toISOString() };
    this.remember(record);
    const timeoutMs = this.engine.options.subscriptionValidationTimeoutMs;
    let failure: string | undefined;
    try {
      const response = await this.post(target, '', 'text/plain; charset=utf-8', timeoutMs);
      record.status = response.status;
      const text = await response.text();
      if (response.status !== 200) failure = `it answered ${response.status}`;
      else if (text !== token) failure = `the body was not the validation token (got ${JSON.stringify(text.slice(0, 80))})`;
    } catch (error) {
      record.error = describeFailure(error, timeoutMs);
      failure = record.error;
    }
    record.delivered = failure === undefined;
    if (failure) {
      throw badRequest(
        `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request within ${Math.round(timeoutMs / 1000)} seconds, echoing the token as text/plain: ${field} ${url}: ${failure}.`,
        'ValidationError',
      );
    }
  }

  /** Sends a lifecycle notification for a subscription (control API); undefined when there is none. */
  async triggerLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<DeliveryRecord | undefined> {
    const found = this.findSubscription(subscriptionId);
    if (!found) return undefined;
    const { tenant, subscription } = found;
    if (event === 'subscriptionRemoved') {
      delete tenant.subscriptions[subscription.id];
      this.engine.markDirty();
    }
    return this.sendLifecycle(tenant.id, subscription, event);
  }

  private async sendLifecycle(tenantId: string, subscription: SubscriptionRecord, event: LifecycleEvent): Promise<DeliveryRecord> {
    const url = subscription.lifecycleNotificationUrl ?? subscription.notificationUrl;
    const payload = {
      value: [
        {
          subscriptionId: subscription.id,
          subscriptionExpirationDateTime: subscription.expirationDateTime,
          tenantId,
          clientState: subscription.clientState,
          lifecycleEvent: event,
        },
      ],
    };
    return this.deliver({ kind: 'lifecycle', tenantId, subscriptionId: subscription.id, url, payload, retries: false });
  }

  private findSubscription(id: string): { tenant: TenantState; subscription: SubscriptionRecord } | undefined {
    for (const tenant of this.engine.tenantList()) {
      const subscription = tenant.subscriptions[id] ?? Object.values(tenant.subscriptions).find((s) => s.id.toLowerCase() === id.toLowerCase());
      if (subscription) return { tenant, subscription };
    }
    return undefined;
  }

  private onChange(change: DirectoryChange): void {
    if (this.stopped) return;
    const tenant = this.engine.tenant(change.tenantId);
    if (!tenant) return;
    const now = Date.now();
    for (const subscription of Object.values(tenant.subscriptions)) {
      if (Date.parse(subscription.expirationDateTime) <= now) {
        delete tenant.subscriptions[subscription.id];
        this.engine.markDirty();
        continue;
      }
      if (!matches(subscription, change)) continue;
      this.enqueue(tenant, subscription, notificationFor(tenant, subscription, change));
    }
  }

  private enqueue(tenant: TenantState, subscription: SubscriptionRecord, item: Record<string, unknown>): void {
    let batch = this.pending.get(subscription.id);
    if (!batch) {
      batch = { tenantId: tenant.id, subscriptionId: subscription.id, items: [] };
      this.pending.set(subscription.id, batch);
      const flushing = batch;
      batch.timer = setTimeout(() => {
        this.pending.delete(subscription.id);
        void this.flush(flushing);
      }, this.engine.options.notificationDelayMs);
    }
    batch.items.push(item);
    // A full batch goes out now; the next change starts another.
    if (batch.items.length >= this.engine.options.notificationBatchSize) {
      clearTimeout(batch.timer);
      this.pending.delete(subscription.id);
      void this.flush(batch);
    }
  }

  private async flush(batch: PendingBatch): Promise<void> {
    const tenant = this.engine.tenant(batch.tenantId);
    const subscription = tenant?.subscriptions[batch.subscriptionId];
    if (!tenant || !subscription) return;
    const record = await this.deliver({
      kind: 'change',
      tenantId: tenant.id,
      subscriptionId: subscription.id,
      url: subscription.notificationUrl,
      payload: { value: batch.items },
      retries: true,
    });
    if (!record.delivered && !this.stopped && subscription.lifecycleNotificationUrl && tenant.subscriptions[subscription.id]) {
      await this.sendLifecycle(tenant.id, subscription, 'missed');
    }
  }

  private async deliver(request: {
    kind: 'change' | 'lifecycle';
    tenantId: string;
    subscriptionId: string;
    url: string;
    payload: unknown;
    retries: boolean;
  }): Promise<DeliveryRecord> {
    const { maxAttempts, initialDelayMs, maxDelayMs } = this.engine.options.notificationRetry;
    const attempts = request.retries ? maxAttempts : 1;
    let record: DeliveryRecord | undefined;
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      record = {
        id: randomUUID(),
        kind: request.kind,
        tenantId: request.tenantId,
        subscriptionId: request.subscriptionId,
        url: request.url,
        attempt,
        delivered: false,
        at: new Date().toISOString(),
        payload: request.payload,
        ...(request.kind === 'change' ? { items: ((request.payload as { value?: unknown[] }).value ?? []).length } : {}),
      };
      this.remember(record);
      const sentAt = performance.now();
      try {
        const response = await this.post(request.url, JSON.stringify(request.payload), 'application/json', DELIVERY_TIMEOUT_MS);
        record.status = response.status;
        await response.arrayBuffer().catch(() => undefined);
        record.durationMs = Math.round(performance.now() - sentAt);
        if (response.status >= 200 && response.status < 300) {
          record.delivered = true;
          return record;
        }
      } catch (error) {
        record.error = describeFailure(error, DELIVERY_TIMEOUT_MS);
        record.durationMs = Math.round(performance.now() - sentAt);
      }
      if (attempt < attempts) await this.pause(Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1)));
    }
    return record!;
  }

  private async post(url: string, body: string, contentType: string, timeoutMs: number): Promise<Response> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    try {
      return await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body, signal: controller.signal, redirect: 'manual' });
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private remember(record: DeliveryRecord): void {
    this.log.push(record);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: Error & { code?: string } };
  if (err?.name === 'AbortError' || String(err?.message).includes('timeout') || String(err?.cause?.message).includes('timeout')) {
    return `no answer within ${timeoutMs} ms`;
  }
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}

/** Whether a change concerns what a subscription watches (and one of its change types). */
export function matches(subscription: SubscriptionRecord, change: DirectoryChange): boolean {
  const types = subscription.changeType.split(',').map((type) => type.trim());
  if (!types.includes(change.change)) return false;
  const resource = (subscription.watch ?? subscription.resource).replace(/^\/+/, '').toLowerCase();
  const id = change.id.toLowerCase();
  if (change.kind === 'user') return resource === 'users' || resource === `users/${id}`;
  if (resource === 'groups' || resource === `groups/${id}`) return true;
  return resource === `groups/${id}/members` && (change.memberAdded !== undefined || change.memberRemoved !== undefined);
}

function notificationFor(tenant: TenantState, subscription: SubscriptionRecord, change: DirectoryChange): Record<string, unknown> {
  const type = change.kind === 'user' ? 'User' : 'Group';
  const resource = `${type}s/${change.id}`;
  const resourceData: Record<string, unknown> = {
    '@odata.type': `#Microsoft.Graph.${type}`,
    '@odata.id': resource,
    id: change.id,
    organizationId: tenant.id,
  };
  if (change.memberAdded) resourceData['members@delta'] = [{ id: change.memberAdded }];
  if (change.memberRemoved) resourceData['members@delta'] = [{ id: change.memberRemoved, '@removed': 'deleted' }];
  return {
    id: randomUUID(),
    subscriptionId: subscription.id,
    subscriptionExpirationDateTime: subscription.expirationDateTime,
    clientState: subscription.clientState,
    changeType: change.change,
    resource,
    tenantId: tenant.id,
    resourceData,
  };
}
