// The responder's admin declined an invitation (the partnership is already Rejected, nothing was
// configured): tell the initiator, with retries, so it can undo its side at once instead of
// waiting for the invitation to expire.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { REJECT_INVITATION_ORCHESTRATION } from './names';
import { HandshakeWorkflow, refusalError, type HandshakeOutcome } from './workflow';

const rejectInvitation: OrchestrationHandler = function* (context: OrchestrationContext): Generator<any, HandshakeOutcome, any> {
  const flow = HandshakeWorkflow.start(context);
  const rejection = yield* flow.prepare('rejection');
  const delivery = yield* flow.deliver('rejection');
  if (delivery.delivered) {
    yield* flow.step('rejection-delivered', `Rejection delivered to ${rejection.url} (HTTP ${delivery.status}).`, { type: 'message.sent' });
  } else {
    const error = refusalError('rejection', delivery);
    yield* flow.step('rejection-undelivered', `${error.message} The initiator's invitation will expire on its own.`, { type: 'warning' });
  }
  return { partnershipId: flow.partnershipId, status: 'Rejected' };
};

df.app.orchestration(REJECT_INVITATION_ORCHESTRATION, rejectInvitation);
