// What the handshake orchestrators' unit tests share: an input, activities that all succeed, and a
// partner that answers at once (each test changes only what its branch needs).
import type { OrchestrationHandler } from 'durable-functions';
import type { ConfigureTenantOutcome, ConfigureTenantInput } from '../../orchestrations/activities/configureTenant';
import type { CheckPartnerDomainsResult } from '../../orchestrations/activities/checkPartnerDomains';
import type { FetchPartnerKeyOutcome } from '../../orchestrations/activities/fetchPartnerKey';
import type { PreparedMessage, PrepareMessageInput } from '../../orchestrations/activities/prepareMessage';
import type { RecordStepInput } from '../../orchestrations/activities/recordStep';
import type { SendMessageResult } from '../../orchestrations/activities/sendMessage';
import type { UndoPartnershipChangesOutcome } from '../../orchestrations/activities/undoPartnershipChanges';
import type { VerifyTenantOutcome } from '../../orchestrations/activities/verifyTenant';
import {
  CHECK_PARTNER_DOMAINS_ACTIVITY,
  CONFIGURE_TENANT_ACTIVITY,
  FETCH_PARTNER_KEY_ACTIVITY,
  PARTNER_ANSWER_EVENT,
  PARTNER_READY_EVENT,
  PREPARE_MESSAGE_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  SEND_MESSAGE_ACTIVITY,
  UNDO_PARTNERSHIP_CHANGES_ACTIVITY,
  VERIFY_TENANT_ACTIVITY,
  type HandshakeOrchestrationInput,
  type PartnerAnswerEvent,
  type PartnerReadyEvent,
} from '../../orchestrations/names';
import { ENSURE_SUBSCRIPTIONS_ACTIVITY } from '../../orchestrations/reconcile/names';
import { ORCHESTRATION_START, runOrchestration, type Answers, type ArrivingEvent, type OrchestrationRun } from './orchestrationContext';

export const PARTNERSHIP_ID = 'p-1';
export const PARTNER_URL = 'https://partner.example/api/handshake/messages';
/** The invitation's expiry as signed: a week after the orchestration starts. */
export const INVITATION_EXPIRES = new Date(ORCHESTRATION_START.getTime() + 7 * 24 * 3600 * 1000);
export const PARTNER_READY_TIMEOUT_SECONDS = 3600;
export const TEAMS_RECHECK_SECONDS = 300;
export const TEAMS_DEADLINE_SECONDS = 900;

export function handshakeInput(overrides: Partial<HandshakeOrchestrationInput> = {}): HandshakeOrchestrationInput {
  return {
    partnershipId: PARTNERSHIP_ID,
    settings: {
      messageDelivery: { maxAttempts: 3, firstRetryIntervalMs: 100, maxRetryIntervalMs: 1000, backoffCoefficient: 2, requestTimeoutMs: 1000 },
      activityRetry: { maxAttempts: 3, firstRetryIntervalMs: 100, backoffCoefficient: 2 },
      partnerReadyTimeoutSeconds: PARTNER_READY_TIMEOUT_SECONDS,
      teamsManual: { recheckIntervalSeconds: TEAMS_RECHECK_SECONDS, deadlineSeconds: TEAMS_DEADLINE_SECONDS },
    },
    ...overrides,
  };
}

/** What each area writes when it succeeds (the operation ids a configureTenant answers with). */
export const APPLIED: Record<string, string[]> = {
  entra: ['cloudEndpoints.update', 'partner.create:partner-tenant', 'identitySync.create:partner-tenant'],
  teams: ['teams.federation.update', 'guest.invite:li.wei@woodgrove.cn'],
  sync: ['syncSource.configuration.create'],
};

export const HANDSHAKE_ANSWERS: Answers = {
  [RECORD_STEP_ACTIVITY]: (input: RecordStepInput) => ({ status: input.status ?? 'ConfiguringLocal' }),
  [CONFIGURE_TENANT_ACTIVITY]: (input: ConfigureTenantInput): ConfigureTenantOutcome => ({ ok: true, applied: APPLIED[input.step] ?? [], manual: [], warnings: [] }),
  [FETCH_PARTNER_KEY_ACTIVITY]: (): FetchPartnerKeyOutcome => ({ ok: true, url: 'https://partner.example/.well-known/jwks.json', pinned: 'thumb-1', published: ['thumb-1'] }),
  [PREPARE_MESSAGE_ACTIVITY]: (input: PrepareMessageInput): PreparedMessage => ({ jti: `jti-${input.type}`, exp: INVITATION_EXPIRES.getTime() / 1000, url: PARTNER_URL }),
  [SEND_MESSAGE_ACTIVITY]: (): SendMessageResult => ({ delivered: true, status: 202, answer: {} }),
  [CHECK_PARTNER_DOMAINS_ACTIVITY]: (): CheckPartnerDomainsResult => ({
    lookedUp: true,
    verified: ['woodgrove.cn'],
    unverified: [],
    domains: [{ domain: 'woodgrove.cn', status: 'verified', declared: true }],
  }),
  [VERIFY_TENANT_ACTIVITY]: (): VerifyTenantOutcome => ({ ok: true, inSync: true, remaining: [], awaitingAdministrator: false }),
  [UNDO_PARTNERSHIP_CHANGES_ACTIVITY]: (): UndoPartnershipChangesOutcome => ({ ok: true, removed: APPLIED.entra, handedOver: 0, warnings: [] }),
  [ENSURE_SUBSCRIPTIONS_ACTIVITY]: () => ({ created: ['sub-1'] }),
};

/** The steps both sides record from Teams to sending `ready` (configureTeamsVerifyAndActivate), when all goes well. */
export const SECOND_HALF_STEPS = ['configuring-teams', 'partner-domains', 'teams-configured', 'verifying', 'verified', 'ready-sent'];

/** The calls of that second half on to Active, when all goes well. */
export const SECOND_HALF_ACTIVITIES = [
  RECORD_STEP_ACTIVITY,
  CHECK_PARTNER_DOMAINS_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  CONFIGURE_TENANT_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  VERIFY_TENANT_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  PREPARE_MESSAGE_ACTIVITY,
  SEND_MESSAGE_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  `race:${PARTNER_READY_EVENT}`,
  RECORD_STEP_ACTIVITY,
  ENSURE_SUBSCRIPTIONS_ACTIVITY,
  RECORD_STEP_ACTIVITY,
];

/** The partner confirms a minute after the invitation went out. */
export const CONFIRMED: ArrivingEvent = { data: { type: 'confirmation', jti: 'jti-confirmation' } satisfies PartnerAnswerEvent, afterMs: 60_000 };
/** The partner reports ready ten minutes after this side did. */
export const PARTNER_READY: ArrivingEvent = { data: { jti: 'jti-ready' } satisfies PartnerReadyEvent, afterMs: 600_000 };

export interface HandshakeRunOptions {
  input?: HandshakeOrchestrationInput;
  answers?: Answers;
  /** Replaces the default events (the partner confirms and reports ready); an absent event never arrives. */
  events?: Record<string, ArrivingEvent | ArrivingEvent[]>;
}

/** Runs a handshake orchestrator with the defaults, changed by what the test says. */
export function runHandshake(orchestrator: OrchestrationHandler, options: HandshakeRunOptions = {}): OrchestrationRun {
  const input = options.input ?? handshakeInput();
  return runOrchestration(orchestrator, {
    input,
    instanceId: input.partnershipId,
    answers: { ...HANDSHAKE_ANSWERS, ...options.answers },
    events: options.events ?? { [PARTNER_ANSWER_EVENT]: CONFIRMED, [PARTNER_READY_EVENT]: PARTNER_READY },
  });
}

/** The step names recorded, in order. */
export function stepNames(run: OrchestrationRun): string[] {
  return run.steps.map((recorded) => recorded.step);
}

/** The partnership statuses the steps set, in order. */
export function statusesSet(run: OrchestrationRun): string[] {
  return run.steps.flatMap((recorded) => (recorded.status ? [recorded.status] : []));
}
