// The responder's side (B; see docs/handshake.md), started when its admin approves the invitation with the
// pairing code (or a pre-trust rule does): configure the own Entra side from the mirrored request,
// confirm to the initiator (with this tenant's domains), then Teams and guests, verify, exchange
// `ready`, Active. Until the confirmation is delivered a failure undoes the local changes.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { ACCEPT_INVITATION_ORCHESTRATION, ENTRA_AREAS } from './names';
import { HandshakeWorkflow, refusalError, type HandshakeOutcome } from './workflow';

export const acceptInvitation: OrchestrationHandler = function* (context: OrchestrationContext): Generator<any, HandshakeOutcome, any> {
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

  return yield* flow.configureTeamsVerifyAndActivate('initiator');
};

df.app.orchestration(ACCEPT_INVITATION_ORCHESTRATION, acceptInvitation);
