// The responder's side (design §4, B), started when its admin approves the invitation with the
// pairing code (or a pre-trust rule does): configure the own Entra side from the mirrored request,
// confirm to the initiator (with this tenant's domains), then Teams and guests, verify, exchange
// `ready`, Active. Until the confirmation is delivered a failure undoes the local changes.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { errorRecord } from './activities/outcome';
import { ACCEPT_INVITATION_ORCHESTRATION, ALL_AREAS, ENTRA_AREAS, PARTNER_READY_EVENT, type PartnerReadyEvent } from './names';
import { HandshakeWorkflow, refusalError, type HandshakeOutcome } from './workflow';

const acceptInvitation: OrchestrationHandler = function* (context: OrchestrationContext): Generator<any, HandshakeOutcome, any> {
  const flow = HandshakeWorkflow.start(context);

  yield* flow.step('configuring-local', 'Invitation approved; configuring the Entra side: Microsoft cloud settings, partner organization, B2B collaboration.', {
    status: 'ConfiguringLocal',
  });
  flow.undoLocalChangesOnFailure();
  const entra = yield* flow.configure('entra', ENTRA_AREAS);
  if (!entra.ok) return yield* flow.fail('failed', 'Configuring the Entra side failed', entra.error);
  yield* flow.step('entra-configured', `Entra side configured (${entra.applied.length} change(s) written).`, { data: { applied: entra.applied } });

  const confirmation = yield* flow.prepare('confirmation');
  const delivery = yield* flow.deliver('confirmation');
  if (!delivery.delivered) return yield* flow.fail('failed', 'Confirming to the initiator failed', refusalError('confirmation', delivery));
  yield* flow.step('confirmation-delivered', `Confirmation delivered to ${confirmation.url} (HTTP ${delivery.status}).`, { type: 'message.sent' });
  // The initiator now configures its side on the strength of our confirmation.
  flow.compensations.clear();

  yield* flow.step('configuring-teams', 'Configuring Teams and inviting guests.', { status: 'ConfiguringTeams' });
  const teams = yield* flow.configure('teams', ALL_AREAS);
  if (!teams.ok) return yield* flow.fail('failed', 'Configuring Teams and guests failed', teams.error);
  yield* flow.step('teams-configured', `Teams and guests configured (${teams.applied.length} change(s) written).`, { data: { applied: teams.applied } });

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
  if (!ready.delivered) return yield* flow.fail('failed', 'Telling the initiator this side is ready failed', refusalError('ready message', ready));
  yield* flow.step('ready-sent', 'Told the initiator this side is configured and verified.', { type: 'message.sent' });

  const partnerReady = yield* flow.waitFor<PartnerReadyEvent>(PARTNER_READY_EVENT, new Date(flow.now.getTime() + flow.input.settings.partnerReadyTimeoutSeconds * 1000));
  if (partnerReady.timedOut) {
    return yield* flow.fail(
      'failed',
      'Waiting for the initiator failed',
      errorRecord('handshake.partner-timeout', `The initiator did not report ready within ${flow.input.settings.partnerReadyTimeoutSeconds} s.`),
    );
  }
  yield* flow.step('partner-ready', 'The initiator reported its side configured and verified.', { type: 'message.received' });
  return yield* flow.finish('active', 'Active', 'The partnership is active on both sides.');
};

df.app.orchestration(ACCEPT_INVITATION_ORCHESTRATION, acceptInvitation);
