// Offboarding, on either side (see docs/offboarding.md): the partnership is already Offboarding
// (the entry point moved it, so no reconcile run or configure step starts for it any more).
//   1. cancel an onboarding still running (terminate it; the removal below is its compensation)
//   2. stop reconciliation: wait for the tenant writers that were in flight when offboarding began
//   3. remove its Graph subscriptions (those no other partnership needs)
//   4. tell the partner: sign the `offboard` message once, deliver it with retries — unreachable or
//      refused, this side goes on (warning "partner not notified"; the message stays available)
//   5. remove what this partnership added, in dependency order (what others need is handed over,
//      what an admin changed is left alone, guests kept unless asked)
//   6. Removed — or Failed with the reason and the partial work, when a removal was refused.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { CancelOnboardingResult } from './activities/cancelOnboarding';
import type { FindTenantWritersResult } from './activities/findTenantWriters';
import { internalError } from './activities/outcome';
import type { RemovePartnershipConfigurationOutcome } from './activities/removePartnershipConfiguration';
import {
  CANCEL_ONBOARDING_ACTIVITY,
  FIND_TENANT_WRITERS_ACTIVITY,
  OFFBOARD_PARTNER_ORCHESTRATION,
  REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY,
  REMOVE_SUBSCRIPTIONS_ACTIVITY,
  type OffboardOrchestrationInput,
} from './names';
import type { SubscriptionRelease } from '../shared/reconcile/subscriptions';
import { HandshakeWorkflow, messageOf, refusalError, type HandshakeOutcome } from './workflow';

type Yielded<T = unknown> = Generator<Task, T, any>;

/** Checks the input first: a bad one fails the instance at once, with a sentence. */
function offboardingInput(context: OrchestrationContext): OffboardOrchestrationInput {
  const input = context.df.getInput() as OffboardOrchestrationInput | undefined;
  if (
    !input ||
    typeof input.partnershipId !== 'string' ||
    !input.settings?.messageDelivery ||
    !Number.isInteger(input.attempt) ||
    typeof input.actor !== 'string' ||
    !input.writers ||
    !['offboard', 'rejection', 'none'].includes(input.partnerMessage)
  ) {
    throw new Error(`An offboarding orchestration needs { partnershipId, settings, attempt, actor, deleteGuests, partnerMessage, writers } (instance ${context.df.instanceId}).`);
  }
  return input;
}

export const offboardPartner: OrchestrationHandler = function* (context: OrchestrationContext): Generator<any, HandshakeOutcome, any> {
  const input = offboardingInput(context);
  const flow = new HandshakeWorkflow(context, { partnershipId: input.partnershipId, settings: input.settings }, 'offboarding');
  const asked = `asked by ${input.actor}${input.reason ? `: ${input.reason}` : ''}`;
  yield* flow.step('offboarding', `Offboarding the partnership (${asked}).`, {
    status: 'Offboarding',
    data: { actor: input.actor, ...(input.reason ? { reason: input.reason } : {}), deleteGuests: input.deleteGuests, attempt: input.attempt },
  });

  // 1. An onboarding still under way stops here.
  const cancelled: CancelOnboardingResult = yield context.df.callActivityWithRetry(CANCEL_ONBOARDING_ACTIVITY, flow.activityRetry, {
    partnershipId: input.partnershipId,
    reason: `Offboarded (${asked}).`,
  });
  if (cancelled.cancelled) {
    yield* flow.step('offboard-onboarding-cancelled', `The ${cancelled.cancelled} workflow still running was stopped; what it configured is removed below.`);
  }

  // 2. No repair may re-add what is being removed.
  const waited = yield* waitForTenantWriters(flow, input);
  yield* flow.step(
    'offboard-reconciliation-stopped',
    waited.length === 0
      ? 'Reconciliation stopped for this partnership (no run was writing to the tenant for it).'
      : `Reconciliation stopped for this partnership, after ${waited.length} write(s) in flight finished: ${waited.join(', ')}.`,
  );

  // 3. Change notifications.
  try {
    const subscriptions: SubscriptionRelease = yield context.df.callActivityWithRetry(REMOVE_SUBSCRIPTIONS_ACTIVITY, flow.activityRetry, {
      partnershipId: input.partnershipId,
    });
    if (subscriptions.removed.length + subscriptions.kept.length > 0) {
      yield* flow.step(
        'offboard-subscriptions-removed',
        `Change-notification subscriptions: ${subscriptions.removed.length} removed, ${subscriptions.kept.length} kept for other partnerships.`,
        { data: { ...subscriptions } },
      );
    }
  } catch (error) {
    yield* flow.step('offboard-subscriptions-left', `The change-notification subscriptions were not removed (the subscription monitor removes them on its next run): ${messageOf(error)}`, {
      type: 'warning',
    });
  }

  // 4. The partner.
  const partnerNotified = input.partnerMessage === 'none' ? null : yield* notifyPartner(flow, input.partnerMessage);

  // 5. The removal.
  let removal: RemovePartnershipConfigurationOutcome;
  try {
    removal = yield context.df.callActivityWithRetry(REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY, flow.activityRetry, {
      partnershipId: input.partnershipId,
      step: `offboard-${input.attempt}-remove`,
      at: flow.stamp(),
      actor: input.actor,
      deleteGuests: input.deleteGuests,
    });
  } catch (error) {
    removal = { ok: false, error: internalError(`Removing the configuration kept failing: ${messageOf(error)}`) };
  }
  if (!removal.ok) {
    yield* flow.step('offboard-failed-error', `Removing this partnership's configuration failed: ${removal.error.message}`, { type: 'error', lastError: removal.error });
    yield* flow.step('offboard-failed', 'Offboarding stopped; what was removed so far is in the steps, the rest is listed in the last error. Offboard again to finish.', {
      status: 'Failed',
    });
    return { partnershipId: input.partnershipId, status: 'Failed', reason: removal.error.code };
  }
  const kept = removal.kept.map(({ description, why }) => `${description} (${why})`);
  yield* flow.step(
    'offboard-removed',
    `Removed what this partnership had added (${removal.removed.length} change(s))` +
      (kept.length > 0 ? `; kept: ${kept.join('; ')}.` : '.') +
      (partnerNotified === false ? ' The partner was not notified.' : ''),
    { status: 'Removed', lastError: null, data: { removed: removal.removed, kept: removal.kept, warnings: removal.warnings, partnerNotified } },
  );
  return { partnershipId: input.partnershipId, status: 'Removed', ...(partnerNotified === false ? { reason: 'partner not notified' } : {}) };
};

/**
 * Waits (durable timers) until the tenant writers registered for this partnership when it left the
 * statuses they serve are gone — or their lease ran out (a writer that crashed). Writers that
 * register later skip the partnership. Returns the ids of those waited for.
 */
function* waitForTenantWriters(flow: HandshakeWorkflow, input: OffboardOrchestrationInput): Yielded<string[]> {
  const { context } = flow;
  const found: FindTenantWritersResult = yield context.df.callActivityWithRetry(FIND_TENANT_WRITERS_ACTIVITY, flow.activityRetry, {
    partnershipId: input.partnershipId,
  });
  const waitedFor = found.writers.map((writer) => writer.writerId);
  let remaining = found.writers;
  const deadline = flow.now.getTime() + input.writers.leaseSeconds * 1000;
  while (remaining.length > 0 && flow.now.getTime() < deadline) {
    yield context.df.createTimer(new Date(Math.min(flow.now.getTime() + input.writers.pollIntervalMs, deadline)));
    const again: FindTenantWritersResult = yield context.df.callActivityWithRetry(FIND_TENANT_WRITERS_ACTIVITY, flow.activityRetry, {
      partnershipId: input.partnershipId,
      only: remaining.map((writer) => writer.writerId),
    });
    remaining = again.writers;
  }
  return waitedFor;
}

/** Signs the message once, delivers it with the delivery retry policy; true when the partner took it. */
function* notifyPartner(flow: HandshakeWorkflow, type: 'offboard' | 'rejection'): Yielded<boolean> {
  const what = type === 'offboard' ? 'offboard message' : 'rejection (the invitation was never approved)';
  const prepared = yield* flow.prepare(type);
  const delivery = yield* flow.deliver(type);
  if (delivery.delivered) {
    yield* flow.step('offboard-partner-notified', `Told the partner: ${what} delivered to ${prepared.url} (HTTP ${delivery.status}).`, { type: 'message.sent' });
    return true;
  }
  const error = refusalError(what, delivery);
  const outOfBand = type === 'offboard' ? ` The signed message is at GET /api/partnerships/${flow.partnershipId}/offboard-message for out-of-band delivery (valid until ${new Date(prepared.exp * 1000).toISOString()}).` : '';
  yield* flow.step('offboard-partner-not-notified', `Partner not notified: ${error.message}${outOfBand} This side's configuration is removed anyway.`, {
    type: 'warning',
    data: { error },
  });
  return false;
}

df.app.orchestration(OFFBOARD_PARTNER_ORCHESTRATION, offboardPartner);
