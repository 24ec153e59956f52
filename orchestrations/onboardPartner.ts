// The initiator's side of the handshake (design §4, A): configure the own Entra side, invite the
// partner, wait for its answer against the invitation's lifetime, then Teams and guests, verify,
// exchange `ready`, Active. Before the partner has confirmed, a rejection, an expiry or a failure
// undoes what this partnership added; after it, a failure stops in Failed with the partial work
// listed and nothing undone behind the partner's back.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { errorRecord } from './activities/outcome';
import {
  ALL_AREAS,
  ENTRA_AREAS,
  ONBOARD_PARTNER_ORCHESTRATION,
  PARTNER_ANSWER_EVENT,
  PARTNER_READY_EVENT,
  type PartnerAnswerEvent,
  type PartnerReadyEvent,
} from './names';
import { HandshakeWorkflow, refusalError, type HandshakeOutcome } from './workflow';

const onboardPartner: OrchestrationHandler = function* (context: OrchestrationContext): Generator<any, HandshakeOutcome, any> {
  const flow = HandshakeWorkflow.start(context);

  // 1. The own Entra side: cloud endpoint, partner entry, B2B inbound/outbound (identity sync target).
  yield* flow.step('configuring-local', 'Configuring the Entra side: Microsoft cloud settings, partner organization, B2B collaboration.', {
    status: 'ConfiguringLocal',
  });
  flow.undoLocalChangesOnFailure();
  const entra = yield* flow.configure('entra', ENTRA_AREAS);
  if (!entra.ok) return yield* flow.fail('failed', 'Configuring the Entra side failed', entra.error);
  yield* flow.step('entra-configured', `Entra side configured (${entra.applied.length} change(s) written).`, { data: { applied: entra.applied } });

  // 2. The invitation: signed once, delivered with retries, also available for out-of-band delivery.
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

  // 3. The partner's answer, raced against the invitation's lifetime.
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

  // 4. Teams (federation with the partner's verified domains, meetings, guest access) and guests.
  yield* flow.step('configuring-teams', 'Configuring Teams and inviting guests.', { status: 'ConfiguringTeams' });
  const teams = yield* flow.configure('teams', ALL_AREAS);
  if (!teams.ok) return yield* flow.fail('failed', 'Configuring Teams and guests failed', teams.error);
  yield* flow.step('teams-configured', `Teams and guests configured (${teams.applied.length} change(s) written).`, { data: { applied: teams.applied } });

  // 5. Verify by reading back, then tell the partner and wait for its own `ready`.
  yield* flow.step('verifying', 'Reading the configuration back.', { status: 'Verifying' });
  const verification = yield* flow.verify();
  if (!verification.ok) return yield* flow.fail('failed', 'Verification failed', verification.error);
  if (!verification.inSync) {
    return yield* flow.fail(
      'failed',
      'Verification failed',
      errorRecord('tenant.not-in-sync', `The tenant still differs after configuration: ${verification.remaining.join('; ')}`, {
        remaining: verification.remaining,
        awaitingAdministrator: verification.awaitingAdministrator,
      }),
    );
  }
  yield* flow.step('verified', 'Configuration read back: everything is in place.');
  yield* flow.prepare('ready');
  const ready = yield* flow.deliver('ready');
  if (!ready.delivered) return yield* flow.fail('failed', 'Telling the partner this side is ready failed', refusalError('ready message', ready));
  yield* flow.step('ready-sent', 'Told the partner this side is configured and verified.', { type: 'message.sent' });

  const partnerReady = yield* flow.waitFor<PartnerReadyEvent>(PARTNER_READY_EVENT, new Date(flow.now.getTime() + flow.input.settings.partnerReadyTimeoutSeconds * 1000));
  if (partnerReady.timedOut) {
    return yield* flow.fail(
      'failed',
      'Waiting for the partner failed',
      errorRecord('handshake.partner-timeout', `The partner did not report ready within ${flow.input.settings.partnerReadyTimeoutSeconds} s.`),
    );
  }
  yield* flow.step('partner-ready', 'The partner reported its side configured and verified.', { type: 'message.received' });
  return yield* flow.finish('active', 'Active', 'The partnership is active on both sides.');
};

df.app.orchestration(ONBOARD_PARTNER_ORCHESTRATION, onboardPartner);
