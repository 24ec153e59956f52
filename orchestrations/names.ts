// Names shared by the handshake orchestrations, their activities, the triggers that start them and
// the tests: function names, external events, and the settings an orchestration is started with.
import type { AppConfig } from '../shared/config';
import { PLAN_AREAS, type PlanArea } from '../shared/plan';

export const ONBOARD_PARTNER_ORCHESTRATION = 'onboardPartner';
export const ACCEPT_INVITATION_ORCHESTRATION = 'acceptInvitation';
export const REJECT_INVITATION_ORCHESTRATION = 'rejectInvitation';

export const RECORD_STEP_ACTIVITY = 'recordStep';
export const CONFIGURE_TENANT_ACTIVITY = 'configureTenant';
export const VERIFY_TENANT_ACTIVITY = 'verifyTenant';
export const UNDO_PARTNERSHIP_CHANGES_ACTIVITY = 'undoPartnershipChanges';
export const PREPARE_MESSAGE_ACTIVITY = 'prepareMessage';
export const SEND_MESSAGE_ACTIVITY = 'sendMessage';

/** Raised by the partner webhook when the invitation is answered (confirmation or rejection). */
export const PARTNER_ANSWER_EVENT = 'PartnerAnswer';
/** Raised by the partner webhook when the partner reports its side configured and verified. */
export const PARTNER_READY_EVENT = 'PartnerReady';

/** Entra first (before the partner answers), the rest once the partner's domains are known. */
export const ENTRA_AREAS: readonly PlanArea[] = ['cloudEndpoints', 'partner', 'identitySync'];
export const ALL_AREAS: readonly PlanArea[] = PLAN_AREAS;

export interface PartnerAnswerEvent {
  type: 'confirmation' | 'rejection';
  jti: string;
  reason?: string;
}

export interface PartnerReadyEvent {
  jti: string;
}

/** Timeouts and retry policies an orchestration runs with: captured when it starts, so replays agree. */
export interface OrchestrationSettings {
  messageDelivery: AppConfig['messageDelivery'];
  activityRetry: AppConfig['activityRetry'];
  partnerReadyTimeoutSeconds: number;
}

export interface HandshakeOrchestrationInput {
  partnershipId: string;
  settings: OrchestrationSettings;
}

export function orchestrationSettings(config: AppConfig): OrchestrationSettings {
  return { messageDelivery: config.messageDelivery, activityRetry: config.activityRetry, partnerReadyTimeoutSeconds: config.partnerReadyTimeoutSeconds };
}
