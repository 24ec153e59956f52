// The initiator's side of the handshake (A; see docs/handshake.md): configure the own Entra side, invite the
// partner, wait for its answer against the invitation's lifetime, then Teams and guests, verify,
// exchange `ready`, Active. Before the partner has confirmed, a rejection, an expiry or a failure
// undoes what this partnership added; after it, a failure stops in Failed with the partial work
// listed and nothing undone behind the partner's back.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import {
  ENTRA_AREAS,
  ONBOARD_PARTNER_ORCHESTRATION,
  PARTNER_ANSWER_EVENT,
  type PartnerAnswerEvent,
} from './names';
import { HandshakeWorkflow, refusalError, type HandshakeOutcome } from './workflow';

export const onboardPartner: OrchestrationHandler = function* (context: OrchestrationContext): Generator<any, HandshakeOutcome, any> {
  const flow = HandshakeWorkflow.start(context);

  // 1. The own Entra side: cloud endpoint, partner entry, B2B inbound/outbound (identity sync target).
  yield* flow.step('configuring-local', 'Configuring the Entra side: Microsoft cloud settings, partner organization, B2B collaboration.', {
    status: 'ConfiguringLocal',
  });
  flow.undoLocalChangesOnFailure();
  const entra = yield* flow.configure('entra', ENTRA_AREAS);
  if (!entra.ok) return yield* flow.fail('failed', 'Configuring the Entra side failed', entra.error);
  yield* flow.step('entra-configured', `Entra side configured (${entra.applied.length} change(s) written).`, { data: { applied: entra.applied } });

  // 2. The partner's key, from the URL the admin typed (TLS), before anything is sent to it.
  yield* flow.authenticatePartnerKey();

  // 3. The invitation: signed once (committing to the pairing code), delivered with retries, also
  //    available for out-of-band delivery.
  const invitation = yield* flow.prepare('invitation');
  const deadline = new Date(invitation.exp * 1000);
  yield* flow.step('awaiting-partner', `Invitation signed; waiting for the partner's approval until ${deadline.toISOString()}.`, {
    status: 'AwaitingPartner',
    data: { jti: invitation.jti, expiresAt: deadline.toISOString() },
  });
  const delivery = yield* flow.deliver('invitation');
  if (delivery.delivered) {
    yield* flow.step('invitation-delivered', `Invitation delivered to ${invitation.url} (HTTP ${delivery.status}).`, { type: 'message.sent' });
  } else if ('exhausted' in delivery) {
    yield* flow.step(
      'invitation-undelivered',
      `The partner deployment could not be reached (${delivery.error}); deliver the invitation out of band (GET /api/partnerships/${flow.partnershipId}/invitation). Still waiting until ${deadline.toISOString()}.`,
      { type: 'warning' },
    );
  } else {
    return yield* flow.fail('failed', 'The partner refused the invitation', refusalError('invitation', delivery));
  }

  // 4. The partner's answer (accepted only under an authenticated key), raced against the invitation's lifetime.
  const answer = yield* flow.waitFor<PartnerAnswerEvent>(PARTNER_ANSWER_EVENT, deadline);
  if (answer.timedOut) {
    yield* flow.step('invitation-expired', 'The partner did not answer before the invitation expired.', { type: 'invitation.expired' });
    yield* flow.compensate('compensated');
    return yield* flow.finish('expired', 'Expired', 'The invitation expired; what this partnership had added was removed.', 'invitation expired');
  }
  if (answer.event.type === 'rejection') {
    yield* flow.step('partner-rejected', `The partner rejected the invitation: ${answer.event.reason ?? 'no reason given'}.`, { type: 'message.received' });
    yield* flow.compensate('compensated');
    return yield* flow.finish('rejected', 'Rejected', 'The partner rejected the invitation; what this partnership had added was removed.', answer.event.reason);
  }
  yield* flow.step('partner-confirmed', 'The partner confirmed: its side of Entra is configured.', { type: 'message.received' });
  // From here the partner has configured its side: undoing ours on a failure would break it silently.
  flow.compensations.clear();

  // 5. Teams and guests (with the partner's verified domains), verify by reading back, exchange `ready`, Active.
  return yield* flow.configureTeamsVerifyAndActivate('partner');
};

df.app.orchestration(ONBOARD_PARTNER_ORCHESTRATION, onboardPartner);
