// Names shared by the handshake orchestrations, their activities, the triggers that start them and
// the tests: function names, external events, and the settings an orchestration is started with.
import { environmentDefinition } from '../shared/clouds';
import type { AppConfig } from '../shared/config';
import type { PartnerMessage } from '../shared/offboarding';
import type { DesiredCollaboration } from '../shared/partnership';
import { PLAN_AREAS, syncDirections, type PlanArea } from '../shared/plan';

export const ONBOARD_PARTNER_ORCHESTRATION = 'onboardPartner';
export const ACCEPT_INVITATION_ORCHESTRATION = 'acceptInvitation';
export const REJECT_INVITATION_ORCHESTRATION = 'rejectInvitation';
export const OFFBOARD_PARTNER_ORCHESTRATION = 'offboardPartner';

export const RECORD_STEP_ACTIVITY = 'recordStep';
export const CONFIGURE_TENANT_ACTIVITY = 'configureTenant';
export const VERIFY_TENANT_ACTIVITY = 'verifyTenant';
export const UNDO_PARTNERSHIP_CHANGES_ACTIVITY = 'undoPartnershipChanges';
export const PREPARE_MESSAGE_ACTIVITY = 'prepareMessage';
export const SEND_MESSAGE_ACTIVITY = 'sendMessage';
export const CANCEL_ONBOARDING_ACTIVITY = 'cancelOnboarding';
export const FIND_TENANT_WRITERS_ACTIVITY = 'findTenantWriters';
export const REMOVE_SUBSCRIPTIONS_ACTIVITY = 'removeSubscriptions';
export const REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY = 'removePartnershipConfiguration';
export const FETCH_PARTNER_KEY_ACTIVITY = 'fetchPartnerKey';
export const CHECK_PARTNER_DOMAINS_ACTIVITY = 'checkPartnerDomains';

/** Raised by the partner webhook when the invitation is answered (confirmation or rejection). */
export const PARTNER_ANSWER_EVENT = 'PartnerAnswer';
/** Raised by the partner webhook when the partner reports its side configured and verified. */
export const PARTNER_READY_EVENT = 'PartnerReady';

/**
 * Entra first (before the partner answers), the rest once the partner's domains are known. The
 * Microsoft 365 capabilities live on the partner entry: they go with it (and are undone with it).
 */
export const ENTRA_AREAS: readonly PlanArea[] = ['cloudEndpoints', 'partner', 'identitySync', 'm365Capabilities'];
/** The second half: Teams and guests (Entra again: a retried step plans only what is missing). */
export const TEAMS_AREAS: readonly PlanArea[] = PLAN_AREAS.filter((area) => area !== 'syncSource');
/** The source side of cross-tenant sync: after the partner confirmed (it allows inbound sync first). */
export const SYNC_SOURCE_AREAS: readonly PlanArea[] = ['syncSource'];
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
  /** Manual Teams mode: re-verify interval and deadline (absent in inputs of older instances: the defaults apply). */
  teamsManual?: AppConfig['teamsManual'];
}

export interface HandshakeOrchestrationInput {
  partnershipId: string;
  settings: OrchestrationSettings;
  /** This tenant is a source of cross-tenant sync: the second half configures the sync job. */
  syncSource?: boolean;
}

/** What an offboarding workflow starts with (see docs/offboarding.md). */
export interface OffboardOrchestrationInput {
  partnershipId: string;
  settings: OrchestrationSettings;
  /** 1 for the first offboarding of the partnership; a failed one started again counts up. */
  attempt: number;
  /** Who asked (Events actor convention): `admin:<name>` or `partner:<tenantId>`. */
  actor: string;
  reason?: string;
  deleteGuests: boolean;
  /** What the partner is told: `offboard`, `rejection` (an invitation never approved), or nothing. */
  partnerMessage: PartnerMessage;
  /** Tenant writers in flight when offboarding began are waited for: at most their lease, looking every poll interval. */
  writers: { leaseSeconds: number; pollIntervalMs: number };
}

export function orchestrationSettings(config: AppConfig): OrchestrationSettings {
  return {
    messageDelivery: config.messageDelivery,
    activityRetry: config.activityRetry,
    partnerReadyTimeoutSeconds: config.partnerReadyTimeoutSeconds,
    teamsManual: config.teamsManual,
  };
}

/** True when the partnership makes this tenant a sync source the product configures (never in China). */
export function configuresSyncSource(desired: DesiredCollaboration, localCloud: AppConfig['cloud']): boolean {
  return syncDirections(desired).outbound && environmentDefinition(localCloud).crossTenantSyncApi;
}
