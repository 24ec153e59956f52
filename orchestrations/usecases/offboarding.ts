// Ending a partnership (see docs/offboarding.md), the entry points: an admin's
// `DELETE /api/partnerships/{id}` and the partner's verified `offboard` message (inbox.ts) both come
// here. The partnership moves to Offboarding at once (ETag-guarded: of two requests, one moves it),
// which stops every reconcile run and configure step from touching it; then the durable
// `offboardPartner` workflow does the rest. Asking again while it runs, or after it ended, answers
// the current status and starts nothing (but makes sure the workflow runs: a crash between the
// status change and the start is repaired by the next request).
import { FUNCTION_KEY_ACTOR } from '../../shared/console/principal';
import { DomainError } from '../../shared/errors';
import { createCredential, grantedApplicationPermissions } from '../../shared/graph';
import {
  assertCanDeleteGuests,
  canOffboard,
  offboardingInstanceId,
  offboardingSettled,
  parseOffboardingRequest,
  partnerMessageFor,
  type OffboardingRecord,
  type OffboardingRequest,
} from '../../shared/offboarding';
import type { PartnershipStatus } from '../../shared/partnership';
import type { PartnershipRecord } from '../../shared/tables';
import type { OffboardingAccepted } from '../../shared/client';
import { OFFBOARD_PARTNER_ORCHESTRATION, orchestrationSettings, type OffboardOrchestrationInput } from '../names';
import { baseUrl, type EntryPointContext } from './partnerships';
import { handshakeData, withHandshakeData } from '../records';

export type { OffboardingAccepted } from '../../shared/client';

export { FUNCTION_KEY_ACTOR };

/** What starts an offboarding: the admin's request, or the partner's message. */
export interface OffboardingStart extends OffboardingRequest {
  actor: string;
  /** False when the partner asked (it knows already). */
  notifyPartner: boolean;
}

/**
 * DELETE /api/partnerships/{id}: validate the options (body or query), refuse guest deletion the
 * deployment's identity may not do — all before anything changes — then offboard.
 * `started` is false when the partnership was already offboarding or ended (answered as it is).
 */
export async function offboardPartnership(
  id: string,
  request: { body?: unknown; query?: Record<string, string | undefined> },
  context: EntryPointContext,
): Promise<OffboardingAccepted & { started: boolean }> {
  const options = parseOffboardingRequest(request.body, request.query);
  const record = await context.deployment.repositories.partnerships.require(id);
  if (options.deleteGuests && !offboardingSettled(record.status)) {
    const { config } = context.deployment;
    assertCanDeleteGuests(await grantedApplicationPermissions(createCredential(config.credential, config.tenantId, config.endpoints), config.endpoints.graphScope));
  }
  return startOffboarding(record, { ...options, actor: context.actor ?? FUNCTION_KEY_ACTOR, notifyPartner: true }, context);
}

/** Moves the partnership to Offboarding (once) and makes sure its offboarding workflow runs. */
export async function startOffboarding(
  record: PartnershipRecord,
  start: OffboardingStart,
  context: EntryPointContext,
): Promise<OffboardingAccepted & { started: boolean }> {
  const { partnerships, events } = context.deployment.repositories;
  const answer = (current: PartnershipRecord, started: boolean): OffboardingAccepted & { started: boolean } => ({
    id: current.id,
    status: current.status,
    statusUrl: `${baseUrl(context)}/api/partnerships/${current.id}`,
    started,
  });
  if (offboardingSettled(record.status)) {
    if (record.status === 'Offboarding') await startWorkflow(record, context);
    return answer(record, false);
  }
  if (!canOffboard(record.status)) {
    throw new DomainError('partnership.illegal-transition', `Partnership ${record.id} is ${record.status} and cannot be offboarded.`, {
      details: { id: record.id, status: record.status },
    });
  }

  const requestedAt = new Date().toISOString();
  const moved: { from?: PartnershipStatus } = {};
  const stored = await partnerships.update(record.id, (current) => {
    // Someone else moved it meanwhile: answer what it is now.
    if (offboardingSettled(current.status)) return undefined;
    const data = handshakeData(current);
    moved.from = current.status;
    const attempt = (data.offboarding?.attempt ?? 0) + 1;
    const offboarding: OffboardingRecord = {
      attempt,
      requestedAt,
      actor: start.actor,
      ...(start.reason ? { reason: start.reason } : {}),
      deleteGuests: start.deleteGuests,
      previousStatus: current.status,
      // A failed offboarding started again tells the partner what the first attempt chose.
      partnerMessage: start.notifyPartner ? (data.offboarding?.partnerMessage ?? partnerMessageFor(current.role, current.status, Boolean(data.outbox?.invitation))) : 'none',
      instanceId: offboardingInstanceId(current.id, attempt),
    };
    return { status: 'Offboarding', driftStatus: null, data: withHandshakeData(current, { offboarding }) };
  });
  if (moved.from === undefined || stored.status !== 'Offboarding') {
    if (stored.status === 'Offboarding') await startWorkflow(stored, context);
    return answer(stored, false);
  }
  const offboarding = handshakeData(stored).offboarding!;
  await events.append({
    partnershipId: stored.id,
    id: `${stored.id}:offboarding-requested:${offboarding.attempt}`,
    at: requestedAt,
    type: 'offboarding.requested',
    actor: start.actor,
    message:
      `Offboarding asked by ${start.actor}${start.reason ? `: ${start.reason}` : ''}` +
      (start.deleteGuests ? ' (the invited guests are deleted too).' : ' (the invited guests are kept).'),
    before: { status: moved.from },
    after: { status: 'Offboarding' },
    data: { ...(start.reason ? { reason: start.reason } : {}), deleteGuests: start.deleteGuests, partnerMessage: offboarding.partnerMessage },
  });
  await startWorkflow(stored, context);
  return answer(stored, true);
}

/** GET /api/partnerships/{id}/offboard-message: the signed `offboard` message, for out-of-band delivery. */
export async function getOffboardMessage(id: string, context: EntryPointContext): Promise<string> {
  const record = await context.deployment.repositories.partnerships.require(id);
  const message = handshakeData(record).outbox?.offboard;
  if (!message) {
    throw new DomainError(
      'handshake.wrong-state',
      record.status === 'Offboarding'
        ? `The offboard message of partnership ${id} is not signed yet; try again shortly.`
        : `Partnership ${id} has no offboard message of this side (status ${record.status}): it was not offboarded here, or the partner asked for it.`,
      { details: { partnershipId: id, state: record.status } },
    );
  }
  return message.jws;
}

async function startWorkflow(record: PartnershipRecord, context: EntryPointContext): Promise<void> {
  const offboarding = handshakeData(record).offboarding;
  if (!offboarding) throw new DomainError('internal', `Partnership ${record.id} is Offboarding without an offboarding record.`);
  const { config } = context.deployment;
  const input: OffboardOrchestrationInput = {
    partnershipId: record.id,
    settings: orchestrationSettings(config),
    attempt: offboarding.attempt,
    actor: offboarding.actor,
    ...(offboarding.reason ? { reason: offboarding.reason } : {}),
    deleteGuests: offboarding.deleteGuests,
    partnerMessage: offboarding.partnerMessage,
    writers: { leaseSeconds: config.tenantWriterLeaseSeconds, pollIntervalMs: config.offboardWriterPollIntervalMs },
  };
  await context.durable.startOnce(OFFBOARD_PARTNER_ORCHESTRATION, offboarding.instanceId, input);
}
