// The building blocks both sides of the handshake are made of, each one activity (or a durable
// timer/event) wrapped so the orchestrators read like the docs/handshake.md sequence: record a step, configure
// the tenant, verify, prepare and deliver a message, wait for the partner, fail, compensate.
// Deterministic: time and waiting come only from context.df.
import * as df from 'durable-functions';
import type { OrchestrationContext, RetryOptions, Task, TimerTask } from 'durable-functions';
import type { SerializedDomainError } from '../shared/errors';
import type { PartnershipStatus } from '../shared/partnership';
import type { PlanArea } from '../shared/plan';
import type { ConfigureTenantOutcome } from './activities/configureTenant';
import { errorRecord, internalError } from './activities/outcome';
import type { PreparedMessage } from './activities/prepareMessage';
import type { CheckPartnerDomainsResult } from './activities/checkPartnerDomains';
import type { FetchPartnerKeyOutcome } from './activities/fetchPartnerKey';
import type { RecordStepInput } from './activities/recordStep';
import type { SendMessageResult } from './activities/sendMessage';
import type { VerifyTenantOutcome } from './activities/verifyTenant';
import {
  CHECK_PARTNER_DOMAINS_ACTIVITY,
  CONFIGURE_TENANT_ACTIVITY,
  FETCH_PARTNER_KEY_ACTIVITY,
  PARTNER_READY_EVENT,
  type PartnerReadyEvent,
  PREPARE_MESSAGE_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  SEND_MESSAGE_ACTIVITY,
  SYNC_SOURCE_AREAS,
  TEAMS_AREAS,
  UNDO_PARTNERSHIP_CHANGES_ACTIVITY,
  VERIFY_TENANT_ACTIVITY,
  type HandshakeOrchestrationInput,
} from './names';
import type { OutgoingMessageType } from './records';
import { Compensations, type CompensationResult } from './saga';
import { ENSURE_SUBSCRIPTIONS_ACTIVITY } from './reconcile/names';
import { DEFAULTS, parseDuration } from '../shared/config';
import { sanitizePartnerText } from '../shared/outbound';

/** Manual Teams mode when the orchestration input predates the settings (instances started before them). */
const DEFAULT_TEAMS_MANUAL = {
  recheckIntervalSeconds: parseDuration(DEFAULTS.teamsManualRecheckInterval)!,
  deadlineSeconds: parseDuration(DEFAULTS.teamsManualDeadline)!,
};

/** What an orchestration shows through its customStatus (and the status API through the Events table). */
export interface HandshakeCustomStatus {
  partnershipId: string;
  status: PartnershipStatus | undefined;
  step: string;
  message: string;
}

/** How a handshake orchestration ends (its output). */
export interface HandshakeOutcome {
  partnershipId: string;
  status: PartnershipStatus;
  reason?: string;
}

export type DeliveryOutcome = SendMessageResult | { delivered: false; exhausted: true; error: string };

type Yielded = Generator<Task, any, any>;

export class HandshakeWorkflow {
  readonly compensations = new Compensations();
  private status: PartnershipStatus | undefined;

  constructor(
    readonly context: OrchestrationContext,
    readonly input: HandshakeOrchestrationInput,
    /** The offboarding workflow records its steps as such (only it moves a partnership being removed). */
    readonly recordAs?: RecordStepInput['workflow'],
  ) {}

  /** Validates the orchestration input (a bad one fails the orchestration at once, with a sentence). */
  static start(context: OrchestrationContext): HandshakeWorkflow {
    const input = context.df.getInput() as HandshakeOrchestrationInput | undefined;
    if (!input || typeof input.partnershipId !== 'string' || input.partnershipId !== context.df.instanceId || !input.settings?.messageDelivery) {
      throw new Error(
        `A handshake orchestration needs { partnershipId, settings } with partnershipId equal to its instance id (${context.df.instanceId}).`,
      );
    }
    return new HandshakeWorkflow(context, input);
  }

  get partnershipId(): string {
    return this.input.partnershipId;
  }

  /** The orchestration's time (replay-safe). */
  get now(): Date {
    return this.context.df.currentUtcDateTime;
  }

  private lastStamp = 0;

  /**
   * The time a record of this workflow carries (a step, the rows of an activity): the
   * orchestration's time, but strictly later than the stamp before. Events rows sort by time, so two
   * records of one replay episode — or of two episodes that started in the same millisecond — still
   * list in the order they happened. Replay-safe: recomputed the same way on every replay.
   */
  stamp(): string {
    this.lastStamp = Math.max(this.now.getTime(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  /** Retry of tenant reads/writes and storage: a few attempts (the adapters retry 429/503 inside). */
  get activityRetry(): RetryOptions {
    const policy = this.input.settings.activityRetry;
    const retry = new df.RetryOptions(policy.firstRetryIntervalMs, policy.maxAttempts);
    retry.backoffCoefficient = policy.backoffCoefficient;
    return retry;
  }

  /** Retry of message delivery: many attempts with capped backoff (a partner may be down for a while). */
  get deliveryRetry(): RetryOptions {
    const policy = this.input.settings.messageDelivery;
    const retry = new df.RetryOptions(policy.firstRetryIntervalMs, policy.maxAttempts);
    retry.backoffCoefficient = policy.backoffCoefficient;
    retry.maxRetryIntervalInMilliseconds = policy.maxRetryIntervalMs;
    return retry;
  }

  /** One step: customStatus, the partnership's status (when it changes) and an Events row. */
  *step(step: string, message: string, options: Pick<RecordStepInput, 'status' | 'type' | 'lastError' | 'data'> = {}): Yielded {
    if (options.status) this.status = options.status;
    const customStatus: HandshakeCustomStatus = { partnershipId: this.partnershipId, status: this.status, step, message };
    this.context.df.setCustomStatus(customStatus);
    const input: RecordStepInput = {
      partnershipId: this.partnershipId,
      step,
      at: this.stamp(),
      message,
      ...options,
      ...(this.recordAs ? { workflow: this.recordAs } : {}),
    };
    yield this.context.df.callActivityWithRetry(RECORD_STEP_ACTIVITY, this.activityRetry, input);
  }

  /** Read, plan and apply the given areas of the own tenant. Never throws: a failure is an outcome. */
  *configure(step: string, areas: readonly PlanArea[]): Generator<Task, ConfigureTenantOutcome, any> {
    try {
      return yield this.context.df.callActivityWithRetry(CONFIGURE_TENANT_ACTIVITY, this.activityRetry, {
        partnershipId: this.partnershipId,
        areas,
        step,
        at: this.stamp(),
      });
    } catch (error) {
      return { ok: false, error: internalError(`Configuring the tenant (${areas.join(', ')}) kept failing: ${messageOf(error)}`) };
    }
  }

  *verify(): Generator<Task, VerifyTenantOutcome, any> {
    try {
      return yield this.context.df.callActivityWithRetry(VERIFY_TENANT_ACTIVITY, this.activityRetry, {
        partnershipId: this.partnershipId,
        at: this.stamp(),
      });
    } catch (error) {
      return { ok: false, error: internalError(`Reading the tenant back kept failing: ${messageOf(error)}`) };
    }
  }

  /** Sign the message once (kept with the partnership); later calls return the same one. */
  *prepare(type: OutgoingMessageType): Generator<Task, PreparedMessage, any> {
    return yield this.context.df.callActivityWithRetry(PREPARE_MESSAGE_ACTIVITY, this.activityRetry, {
      partnershipId: this.partnershipId,
      type,
      at: this.stamp(),
    });
  }

  /**
   * Initiator, before the invitation goes out: fetch the partner's key from the URL the admin typed
   * and pin it. Never fails the handshake: without it the partner's key is authenticated by the key
   * proof in its confirmation, or by a thumbprint the admin pins (the out-of-band path).
   */
  *authenticatePartnerKey(): Yielded {
    let outcome: FetchPartnerKeyOutcome;
    try {
      outcome = yield this.context.df.callActivityWithRetry(FETCH_PARTNER_KEY_ACTIVITY, this.activityRetry, {
        partnershipId: this.partnershipId,
        at: this.stamp(),
      });
    } catch (error) {
      outcome = { ok: false, url: 'the partner deployment', reason: sanitizePartnerText(messageOf(error)) };
    }
    if (outcome.ok && outcome.pinned) {
      yield* this.step('partner-key-authenticated', `Partner key ${outcome.pinned} fetched from ${outcome.url} (the URL the administrator gave) and pinned: the partner's answers are accepted under this key only.`, {
        type: 'partner-key.pinned',
        data: { thumbprint: outcome.pinned, source: 'jwks', url: outcome.url },
      });
    } else if (outcome.ok) {
      yield* this.step('partner-key-published', `${outcome.url} publishes ${outcome.published.length} keys: the partner's answer must be signed with one of them.`, {
        type: 'partner-key.published',
        data: { thumbprints: outcome.published, url: outcome.url },
      });
    } else {
      yield* this.step(
        'partner-key-unverified',
        `The partner's key could not be fetched (${outcome.reason}). Its confirmation is accepted only with a key proof made with the pairing code, ` +
          `or under a thumbprint the administrator pins (POST /api/partnerships/${this.partnershipId}/partner-key) after reading it back from the partner's administrator.`,
        { type: 'warning' },
      );
    }
  }

  /** Which of the partner's declared domains are verified (only those are used). Never throws. */
  *checkPartnerDomains(): Yielded {
    let result: CheckPartnerDomainsResult;
    try {
      result = yield this.context.df.callActivityWithRetry(CHECK_PARTNER_DOMAINS_ACTIVITY, this.activityRetry, {
        partnershipId: this.partnershipId,
        at: this.stamp(),
      });
    } catch (error) {
      yield* this.step('partner-domains', `The partner's domains could not be looked up (${messageOf(error)}); only the domains an administrator accepted are used.`, {
        type: 'warning',
      });
      return;
    }
    const used = result.verified.length > 0 ? `used: ${result.verified.join(', ')}` : 'none is used';
    if (result.unverified.length === 0) {
      yield* this.step('partner-domains', `Partner domains checked (${used}).`, { data: { domains: result.domains } });
      return;
    }
    const how = result.lookedUp ? 'they do not resolve to the partner tenant in Graph' : 'Graph cannot check a domain in this pair of clouds';
    yield* this.step(
      'partner-domains',
      `Partner domains checked (${used}). Not verified, so not written: ${result.unverified.join(', ')} (${how}); ` +
        `an administrator can accept them (POST /api/partnerships/${this.partnershipId}/partner-domains).`,
      { type: 'warning', data: { domains: result.domains } },
    );
  }

  /** Deliver a prepared message with the delivery retry policy. Never throws. */
  *deliver(type: OutgoingMessageType): Generator<Task, DeliveryOutcome, any> {
    try {
      return yield this.context.df.callActivityWithRetry(SEND_MESSAGE_ACTIVITY, this.deliveryRetry, { partnershipId: this.partnershipId, type });
    } catch (error) {
      return { delivered: false, exhausted: true, error: messageOf(error) };
    }
  }

  /** The partner's event, or `timedOut` at the deadline (the timer is cancelled when the event wins). */
  *waitFor<T>(eventName: string, deadline: Date): Generator<Task, { timedOut: false; event: T } | { timedOut: true }, any> {
    const event = this.context.df.waitForExternalEvent(eventName);
    const timer: TimerTask = this.context.df.createTimer(deadline);
    const winner = yield this.context.df.Task.any([event, timer]);
    if (winner === timer) return { timedOut: true };
    timer.cancel();
    return { timedOut: false, event: event.result as T };
  }

  /** Register the undo of the local configuration (before it starts: a partial change is undone too). */
  undoLocalChangesOnFailure(): void {
    this.compensations.add({
      name: 'undo what this partnership added to the tenant',
      activity: UNDO_PARTNERSHIP_CHANGES_ACTIVITY,
      // Stamped when it runs: its Events rows sort after the failure they answer.
      input: () => ({ partnershipId: this.partnershipId, step: 'undo', at: this.stamp() }),
    });
  }

  /**
   * Reconciliation (docs/reconciliation.md): the Graph change-notification subscriptions of the partnership
   * becoming Active. Never fails the partnership: a failure is recorded and the subscription monitor
   * (orchestrations/reconcile) creates them on its next sync.
   */
  *ensureSubscriptions(): Yielded {
    try {
      yield this.context.df.callActivityWithRetry(ENSURE_SUBSCRIPTIONS_ACTIVITY, this.activityRetry, { partnershipId: this.partnershipId });
    } catch (error) {
      yield* this.step('subscriptions', `Change notifications are not set up yet (the subscription monitor tries again): ${messageOf(error)}`, { type: 'warning' });
    }
  }

  /** Run the pending compensations and record what they did. */
  *compensate(step: string): Generator<Task, CompensationResult[], any> {
    if (this.compensations.size === 0) return [];
    const results: CompensationResult[] = yield* this.compensations.run(this.context, this.activityRetry);
    const failed = results.filter((result) => !result.ok);
    const removed = results.flatMap((result) => ((result.output as { removed?: string[] } | undefined)?.removed ?? []));
    const message =
      failed.length === 0
        ? `Undid what this partnership had added to the tenant (${removed.length} change(s)).`
        : `Undoing what this partnership added did not finish: ${failed.map((result) => `${result.name}: ${result.error}`).join('; ')}.`;
    yield* this.step(step, message, { type: failed.length === 0 ? 'compensated' : 'compensation-failed', data: { results } });
    return results;
  }

  /**
   * The second half both sides share once the partner has confirmed: Teams (federation with the
   * partner's verified domains, meetings, guest access) and guests, the source side of
   * cross-tenant sync when this tenant is one, verify by reading back (in manual Teams mode: wait
   * for the administrator's script), tell the partner `ready`, wait for its own `ready`, Active.
   * `partner` names the other side in steps.
   */
  *configureTeamsVerifyAndActivate(partner: 'partner' | 'initiator'): Generator<Task, HandshakeOutcome, any> {
    yield* this.step('configuring-teams', 'Configuring Teams and inviting guests.', { status: 'ConfiguringTeams' });
    // Federation uses the partner's domains: only the verified ones.
    yield* this.checkPartnerDomains();
    const teams = yield* this.configure('teams', TEAMS_AREAS);
    if (!teams.ok) return yield* this.fail('failed', 'Configuring Teams and guests failed', teams.error);
    const waiting = teams.manual.length > 0 ? `; ${teams.manual.length} Teams change(s) wait for an administrator` : '';
    yield* this.step('teams-configured', `Teams and guests configured (${teams.applied.length} change(s) written${waiting}).`, {
      data: { applied: teams.applied, ...(teams.manual.length > 0 ? { manual: teams.manual } : {}) },
    });

    if (this.input.syncSource) {
      // The partner has confirmed, so it allows inbound sync: Entra now validates the credentials.
      yield* this.step('configuring-sync', 'Configuring cross-tenant synchronisation (this tenant is the source): configuration, job, credentials, scope, start.');
      const sync = yield* this.configure('sync', SYNC_SOURCE_AREAS);
      if (!sync.ok) return yield* this.fail('failed', 'Configuring cross-tenant synchronisation failed', sync.error);
      yield* this.step('sync-configured', `Cross-tenant synchronisation configured and started (${sync.applied.length} change(s) written).`, {
        data: { applied: sync.applied, ...(sync.warnings.length > 0 ? { warnings: sync.warnings } : {}) },
      });
    }

    yield* this.step('verifying', 'Reading the configuration back.', { status: 'Verifying' });
    let verification = yield* this.verify();
    if (!verification.ok) return yield* this.fail('failed', 'Verification failed', verification.error);
    if (!verification.inSync && verification.awaitingAdministrator) {
      verification = yield* this.awaitAdministrator(verification);
      if (!verification.ok) return yield* this.fail('failed', 'Verification failed', verification.error);
    }
    if (!verification.inSync) {
      if (verification.awaitingAdministrator) {
        const { deadlineSeconds } = this.teamsManual;
        return yield* this.fail(
          'failed',
          'Waiting for a Teams administrator failed',
          errorRecord(
            'teams.manual-action-required',
            `The Teams settings were not applied within ${deadlineSeconds} s. Run this script as a Teams administrator, then request the partnership again:\n${verification.script ?? ''}`,
            { script: verification.script, remaining: verification.remaining },
          ),
        );
      }
      return yield* this.fail(
        'failed',
        'Verification failed',
        errorRecord('tenant.not-in-sync', `The tenant still differs after configuration: ${verification.remaining.join('; ')}`, {
          remaining: verification.remaining,
          awaitingAdministrator: verification.awaitingAdministrator,
        }),
      );
    }
    yield* this.step('verified', 'Configuration read back: everything is in place.');
    yield* this.prepare('ready');
    const ready = yield* this.deliver('ready');
    if (!ready.delivered) return yield* this.fail('failed', `Telling the ${partner} this side is ready failed`, refusalError('ready message', ready));
    yield* this.step('ready-sent', `Told the ${partner} this side is configured and verified.`, { type: 'message.sent' });

    const timeoutSeconds = this.input.settings.partnerReadyTimeoutSeconds;
    const partnerReady = yield* this.waitFor<PartnerReadyEvent>(PARTNER_READY_EVENT, new Date(this.now.getTime() + timeoutSeconds * 1000));
    if (partnerReady.timedOut) {
      return yield* this.fail(
        'failed',
        `Waiting for the ${partner} failed`,
        errorRecord('handshake.partner-timeout', `The ${partner} did not report ready within ${timeoutSeconds} s.`),
      );
    }
    yield* this.step('partner-ready', `The ${partner} reported its side configured and verified.`, { type: 'message.received' });
    return yield* this.finish('active', 'Active', 'The partnership is active on both sides.');
  }

  get teamsManual(): { recheckIntervalSeconds: number; deadlineSeconds: number } {
    return this.input.settings.teamsManual ?? DEFAULT_TEAMS_MANUAL;
  }

  /**
   * Manual Teams mode: show the administrator the script (a step carrying it), then read the tenant
   * back on a durable timer every TEAMS_MANUAL_RECHECK_INTERVAL until the settings are in place or
   * TEAMS_MANUAL_DEADLINE has passed. Returns the last verification.
   */
  *awaitAdministrator(first: Extract<VerifyTenantOutcome, { ok: true }>): Generator<Task, VerifyTenantOutcome, any> {
    const { recheckIntervalSeconds, deadlineSeconds } = this.teamsManual;
    const deadline = new Date(this.now.getTime() + deadlineSeconds * 1000);
    yield* this.step(
      'awaiting-administrator',
      `Teams is in manual mode: a Teams administrator must run the script in this step's data (MicrosoftTeams PowerShell). ` +
        `Checking every ${recheckIntervalSeconds} s until ${deadline.toISOString()}. Still missing: ${first.remaining.join('; ')}`,
      { type: 'awaiting-administrator', data: { script: first.script, remaining: first.remaining, deadline: deadline.toISOString() } },
    );
    let verification: VerifyTenantOutcome = first;
    while (verification.ok && !verification.inSync && verification.awaitingAdministrator && this.now < deadline) {
      const next = Math.min(this.now.getTime() + recheckIntervalSeconds * 1000, deadline.getTime());
      yield this.context.df.createTimer(new Date(next));
      verification = yield* this.verify();
    }
    if (verification.ok && verification.inSync) {
      yield* this.step('administrator-applied', 'The Teams settings of the script are in place.');
    }
    return verification;
  }

  /**
   * End in Failed: record the error (with the partial work it lists), run the compensations that
   * are still registered, then settle in Failed — so a caller seeing Failed sees the end of it.
   */
  *fail(step: string, message: string, error: SerializedDomainError): Generator<Task, HandshakeOutcome, any> {
    yield* this.step(`${step}-error`, `${message}: ${error.message}`, { type: 'error', lastError: error });
    const compensated = yield* this.compensate(`${step}-compensated`);
    const outcome =
      compensated.length === 0
        ? ' The changes made so far stay in place (the partner relies on them); see the steps and the last error.'
        : compensated.every((result) => result.ok)
          ? ' What this partnership had added was removed.'
          : ' Removing what this partnership had added did not finish; see the steps.';
    yield* this.step(step, `${message}.${outcome}`, { status: 'Failed' });
    return { partnershipId: this.partnershipId, status: 'Failed', reason: error.code };
  }

  /** End in a final status (Rejected, Expired, Active...). */
  *finish(step: string, status: PartnershipStatus, message: string, reason?: string): Generator<Task, HandshakeOutcome, any> {
    // Subscriptions first, so the partnership is watched from the moment it shows Active.
    if (status === 'Active') yield* this.ensureSubscriptions();
    yield* this.step(step, message, { status });
    return { partnershipId: this.partnershipId, status, ...(reason ? { reason } : {}) };
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A refusal answer of the partner as an error to record. */
export function refusalError(what: string, delivery: Extract<DeliveryOutcome, { delivered: false }>): SerializedDomainError {
  if ('exhausted' in delivery) return errorRecord('handshake.partner-unreachable', `The ${what} could not be delivered: ${delivery.error}`);
  // Status 0: this side did not send it, or did not read the answer (a redirect, an oversized answer).
  if (delivery.status === 0) return errorRecord('handshake.partner-refused', delivery.problem.detail ?? `The ${what} was not delivered.`, { partnerStatus: 0 });
  return errorRecord(
    'handshake.partner-refused',
    `The partner deployment refused the ${what} (${delivery.status}${delivery.problem.code ? ` ${delivery.problem.code}` : ''})${delivery.problem.detail ? `: ${delivery.problem.detail.replace(/\.$/, '')}` : ''}.`,
    { partnerStatus: delivery.status, partnerProblem: delivery.problem },
  );
}
