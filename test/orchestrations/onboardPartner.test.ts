// The initiator's orchestrator (A) on its own, one test per branch: the durable context is the
// boundary — a stand-in (test/support/orchestrationContext.ts) records the activity calls, timers and
// waits, the test answers them and says when the partner's events arrive.
import { onboardPartner } from '../../orchestrations/onboardPartner';
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
} from '../../orchestrations/names';
import { ENSURE_SUBSCRIPTIONS_ACTIVITY } from '../../orchestrations/reconcile/names';
import { errorRecord } from '../../orchestrations/activities/outcome';
import type { ConfigureTenantInput } from '../../orchestrations/activities/configureTenant';
import type { VerifyTenantOutcome } from '../../orchestrations/activities/verifyTenant';
import { ORCHESTRATION_START, callsOf, exhausted, only, runOrchestration, stampedAt } from '../support/orchestrationContext';
import {
  APPLIED,
  CONFIRMED,
  HANDSHAKE_ANSWERS,
  INVITATION_EXPIRES,
  PARTNER_READY,
  PARTNER_READY_TIMEOUT_SECONDS,
  PARTNER_URL,
  TEAMS_DEADLINE_SECONDS,
  TEAMS_RECHECK_SECONDS,
  handshakeInput,
  SECOND_HALF_ACTIVITIES,
  SECOND_HALF_STEPS,
  runHandshake,
  statusesSet,
  stepNames,
  type HandshakeRunOptions,
} from '../support/handshakeOrchestration';

const run = (options: HandshakeRunOptions = {}) => runHandshake(onboardPartner, options);
const at = (ms: number) => new Date(ORCHESTRATION_START.getTime() + ms);

/** The steps up to the invitation going out, the same in every branch that gets that far. */
const INVITED = ['configuring-local', 'entra-configured', 'partner-key-authenticated', 'awaiting-partner', 'invitation-delivered'];
const SECOND_HALF = SECOND_HALF_STEPS;

const teamsFails = {
  [CONFIGURE_TENANT_ACTIVITY]: (input: ConfigureTenantInput) =>
    input.step === 'teams'
      ? { ok: false, error: errorRecord('tenant.permission-denied', 'The app lacks the Teams Administrator role.') }
      : { ok: true, applied: APPLIED[input.step], manual: [], warnings: [] },
};

describe('onboardPartner', () => {
  it('happy path: configures Entra, invites, the partner confirms, Teams, verify, ready both ways, Active', () => {
    const flow = run();
    expect(flow.activities).toEqual([
      RECORD_STEP_ACTIVITY,
      CONFIGURE_TENANT_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      FETCH_PARTNER_KEY_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      PREPARE_MESSAGE_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      SEND_MESSAGE_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      `race:${PARTNER_ANSWER_EVENT}`,
      RECORD_STEP_ACTIVITY,
      ...SECOND_HALF_ACTIVITIES,
    ]);
    expect(stepNames(flow)).toEqual([...INVITED, 'partner-confirmed', ...SECOND_HALF, 'partner-ready', 'active']);
    expect(statusesSet(flow)).toEqual(['ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active']);
    expect(callsOf(flow.calls, CONFIGURE_TENANT_ACTIVITY).map((call) => call.input.step)).toEqual(['entra', 'teams']);
    expect(callsOf(flow.calls, PREPARE_MESSAGE_ACTIVITY).map((call) => call.input.type)).toEqual(['invitation', 'ready']);
    expect(callsOf(flow.calls, SEND_MESSAGE_ACTIVITY).map((call) => call.input)).toEqual([
      { partnershipId: 'p-1', type: 'invitation' },
      { partnershipId: 'p-1', type: 'ready' },
    ]);
    // The partner's answer is raced against the invitation's lifetime, its ready against the timeout; both timers are cancelled.
    const races = only(flow.calls, 'race');
    expect(races.map(({ event, winner, deadline, timer }) => ({ event, winner, deadline, cancelled: timer.cancelled }))).toEqual([
      { event: PARTNER_ANSWER_EVENT, winner: 'event', deadline: INVITATION_EXPIRES, cancelled: true },
      { event: PARTNER_READY_EVENT, winner: 'event', deadline: at(CONFIRMED.afterMs! + PARTNER_READY_TIMEOUT_SECONDS * 1000), cancelled: true },
    ]);
    expect(flow.steps.find((recorded) => recorded.step === 'awaiting-partner')).toMatchObject({
      message: `Invitation signed; waiting for the partner's approval until ${INVITATION_EXPIRES.toISOString()}.`,
      data: { jti: 'jti-invitation', expiresAt: INVITATION_EXPIRES.toISOString() },
    });
    expect(flow.steps.find((recorded) => recorded.step === 'invitation-delivered')?.message).toBe(`Invitation delivered to ${PARTNER_URL} (HTTP 202).`);
    expect(flow.steps.at(-1)).toMatchObject({ step: 'active', status: 'Active', at: stampedAt(at(CONFIRMED.afterMs! + PARTNER_READY.afterMs!)) });
    expect(flow.statuses.at(-1)).toEqual({ partnershipId: 'p-1', status: 'Active', step: 'active', message: 'The partnership is active on both sides.' });
    expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Active' });
  });

  it('Entra configuration fails: the error is recorded, what was added is undone, Failed, nothing is sent', () => {
    const error = errorRecord('tenant.permission-denied', 'The app lacks Policy.ReadWrite.CrossTenantAccess.');
    const flow = run({ answers: { [CONFIGURE_TENANT_ACTIVITY]: () => ({ ok: false, error }) } });
    expect(flow.activities).toEqual([
      RECORD_STEP_ACTIVITY,
      CONFIGURE_TENANT_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      UNDO_PARTNERSHIP_CHANGES_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      RECORD_STEP_ACTIVITY,
    ]);
    expect(stepNames(flow)).toEqual(['configuring-local', 'failed-error', 'failed-compensated', 'failed']);
    expect(flow.steps[1]).toMatchObject({ type: 'error', lastError: error, message: `Configuring the Entra side failed: ${error.message}` });
    expect(flow.steps[2]).toMatchObject({ type: 'compensated', message: 'Undid what this partnership had added to the tenant (3 change(s)).' });
    expect(flow.steps[3]).toMatchObject({ status: 'Failed', message: 'Configuring the Entra side failed. What this partnership had added was removed.' });
    expect(callsOf(flow.calls, UNDO_PARTNERSHIP_CHANGES_ACTIVITY)[0]!.input).toEqual({ partnershipId: 'p-1', step: 'undo', at: stampedAt(ORCHESTRATION_START) });
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'tenant.permission-denied' });
  });

  it('Entra configuration whose retries run out fails the same way, as an internal error', () => {
    const flow = run({ answers: { [CONFIGURE_TENANT_ACTIVITY]: exhausted(CONFIGURE_TENANT_ACTIVITY, 'storage down') } });
    expect(flow.steps[1]!.lastError).toMatchObject({ code: 'internal', message: expect.stringContaining('storage down') });
    expect(flow.activities).toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'internal' });
  });

  it('the partner refuses the invitation: Failed with its answer, undone, no wait for an answer', () => {
    const flow = run({
      answers: { [SEND_MESSAGE_ACTIVITY]: () => ({ delivered: false, status: 409, problem: { code: 'handshake.wrong-state', detail: 'Already paired.' } }) },
    });
    expect(stepNames(flow)).toEqual([...INVITED.slice(0, 4), 'failed-error', 'failed-compensated', 'failed']);
    expect(flow.steps.at(-3)).toMatchObject({
      lastError: { code: 'handshake.partner-refused', details: { partnerStatus: 409 } },
      message: 'The partner refused the invitation: The partner deployment refused the invitation (409 handshake.wrong-state): Already paired.',
    });
    expect(flow.activities).toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(only(flow.calls, 'race')).toEqual([]);
    expect(flow.steps.at(-1)).toMatchObject({ status: 'Failed' });
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'handshake.partner-refused' });
  });

  it('the partner is unreachable: a warning pointing to out-of-band delivery, and it still waits for the answer', () => {
    const flow = run({
      answers: {
        [SEND_MESSAGE_ACTIVITY]: (input: { type: string }) => {
          if (input.type === 'invitation') throw exhausted(SEND_MESSAGE_ACTIVITY, 'ECONNREFUSED');
          return { delivered: true, status: 202, answer: {} };
        },
      },
    });
    const warning = flow.steps.find((recorded) => recorded.step === 'invitation-undelivered')!;
    expect(warning.type).toBe('warning');
    expect(warning.message).toBe(
      `The partner deployment could not be reached (Activity function 'sendMessage' failed: ECONNREFUSED); deliver the invitation out of band ` +
        `(GET /api/partnerships/p-1/invitation). Still waiting until ${INVITATION_EXPIRES.toISOString()}.`,
    );
    expect(stepNames(flow).slice(0, 6)).toEqual([...INVITED.slice(0, 4), 'invitation-undelivered', 'partner-confirmed']);
    expect(only(flow.calls, 'race')[0]).toMatchObject({ event: PARTNER_ANSWER_EVENT, winner: 'event', deadline: INVITATION_EXPIRES });
    expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Active' });
  });

  it('the invitation expires: the timer wins at its expiry, what was added is undone, Expired', () => {
    const flow = run({ events: {} });
    const races = only(flow.calls, 'race');
    expect(races).toHaveLength(1);
    expect(races[0]).toMatchObject({ event: PARTNER_ANSWER_EVENT, winner: 'timer', deadline: INVITATION_EXPIRES });
    expect(races[0]!.timer.cancelled).toBe(false);
    expect(stepNames(flow)).toEqual([...INVITED, 'invitation-expired', 'compensated', 'expired']);
    expect(flow.steps.at(-3)).toMatchObject({ type: 'invitation.expired', at: stampedAt(INVITATION_EXPIRES) });
    expect(flow.activities.slice(-4)).toEqual([RECORD_STEP_ACTIVITY, UNDO_PARTNERSHIP_CHANGES_ACTIVITY, RECORD_STEP_ACTIVITY, RECORD_STEP_ACTIVITY]);
    // The undo is stamped when it runs (after the expiry it answers).
    expect(callsOf(flow.calls, UNDO_PARTNERSHIP_CHANGES_ACTIVITY)[0]!.input.at).toEqual(stampedAt(INVITATION_EXPIRES));
    expect(flow.steps.at(-1)).toMatchObject({ status: 'Expired', message: 'The invitation expired; what this partnership had added was removed.' });
    expect(statusesSet(flow)).toEqual(['ConfiguringLocal', 'AwaitingPartner', 'Expired']);
    expect(flow.endedAt).toEqual(INVITATION_EXPIRES);
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Expired', reason: 'invitation expired' });
  });

  it('an answer arriving at the expiry itself loses to the timer', () => {
    const late = { data: CONFIRMED.data, afterMs: INVITATION_EXPIRES.getTime() - ORCHESTRATION_START.getTime() };
    const flow = run({ events: { [PARTNER_ANSWER_EVENT]: late } });
    expect(flow.output.status).toBe('Expired');
  });

  it('the partner rejects: its reason recorded, what was added is undone, Rejected', () => {
    const flow = run({ events: { [PARTNER_ANSWER_EVENT]: { data: { type: 'rejection', jti: 'jti-rejection', reason: 'Not our project' }, afterMs: 5_000 } } });
    expect(stepNames(flow)).toEqual([...INVITED, 'partner-rejected', 'compensated', 'rejected']);
    expect(flow.steps.at(-3)).toMatchObject({ type: 'message.received', message: 'The partner rejected the invitation: Not our project.' });
    expect(only(flow.calls, 'race')[0]!.timer.cancelled).toBe(true);
    expect(flow.activities).toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.activities).not.toContain(CHECK_PARTNER_DOMAINS_ACTIVITY);
    expect(flow.steps.at(-1)).toMatchObject({ status: 'Rejected', at: stampedAt(at(5_000)) });
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Rejected', reason: 'Not our project' });
  });

  it('a failure after the partner confirmed: Failed with the error, nothing undone behind the partner', () => {
    const flow = run({ answers: teamsFails });
    expect(stepNames(flow)).toEqual([...INVITED, 'partner-confirmed', 'configuring-teams', 'partner-domains', 'failed-error', 'failed']);
    expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.steps.at(-2)).toMatchObject({ lastError: { code: 'tenant.permission-denied' } });
    expect(flow.steps.at(-1)).toMatchObject({
      status: 'Failed',
      message: 'Configuring Teams and guests failed. The changes made so far stay in place (the partner relies on them); see the steps and the last error.',
    });
    expect(callsOf(flow.calls, PREPARE_MESSAGE_ACTIVITY).map((call) => call.input.type)).toEqual(['invitation']);
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'tenant.permission-denied' });
  });

  it('the partner never reports ready: the timeout fails the partnership, nothing undone, no subscriptions', () => {
    const flow = run({ events: { [PARTNER_ANSWER_EVENT]: CONFIRMED } });
    const readyRace = only(flow.calls, 'race')[1]!;
    const deadline = at(CONFIRMED.afterMs! + PARTNER_READY_TIMEOUT_SECONDS * 1000);
    expect(readyRace).toMatchObject({ event: PARTNER_READY_EVENT, winner: 'timer', deadline });
    expect(stepNames(flow)).toEqual([...INVITED, 'partner-confirmed', ...SECOND_HALF, 'failed-error', 'failed']);
    expect(flow.steps.at(-2)).toMatchObject({
      lastError: { code: 'handshake.partner-timeout' },
      message: `Waiting for the partner failed: The partner did not report ready within ${PARTNER_READY_TIMEOUT_SECONDS} s.`,
    });
    expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.activities).not.toContain(ENSURE_SUBSCRIPTIONS_ACTIVITY);
    expect(flow.steps.at(-1)).toMatchObject({ status: 'Failed', at: stampedAt(deadline) });
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'handshake.partner-timeout' });
  });

  it('the ready message is refused: Failed, nothing undone, no wait for the partner', () => {
    const flow = run({
      answers: {
        [SEND_MESSAGE_ACTIVITY]: (input: { type: string }) =>
          input.type === 'ready' ? { delivered: false, status: 409, problem: { code: 'handshake.wrong-state' } } : { delivered: true, status: 202, answer: {} },
      },
    });
    expect(stepNames(flow).slice(-2)).toEqual(['failed-error', 'failed']);
    expect(flow.steps.at(-2)!.message).toMatch(/^Telling the partner this side is ready failed: /);
    expect(only(flow.calls, 'race')).toHaveLength(1);
    expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.output.status).toBe('Failed');
  });

  it('the partner key: published keys or a fetch that failed are recorded, and the handshake goes on', () => {
    const published = run({ answers: { [FETCH_PARTNER_KEY_ACTIVITY]: () => ({ ok: true, url: 'https://partner.example/jwks', published: ['a', 'b'] }) } });
    expect(published.steps[2]).toMatchObject({ step: 'partner-key-published', type: 'partner-key.published', data: { thumbprints: ['a', 'b'] } });
    expect(published.output.status).toBe('Active');
    const failed = run({ answers: { [FETCH_PARTNER_KEY_ACTIVITY]: exhausted(FETCH_PARTNER_KEY_ACTIVITY, 'timeout') } });
    expect(failed.steps[2]).toMatchObject({ step: 'partner-key-unverified', type: 'warning' });
    expect(failed.steps[2]!.message).toContain('POST /api/partnerships/p-1/partner-key');
    expect(failed.output.status).toBe('Active');
  });

  it('a sync source also configures cross-tenant synchronisation after Teams', () => {
    const flow = run({ input: handshakeInput({ syncSource: true }) });
    expect(callsOf(flow.calls, CONFIGURE_TENANT_ACTIVITY).map((call) => call.input.step)).toEqual(['entra', 'teams', 'sync']);
    expect(stepNames(flow)).toEqual(expect.arrayContaining(['configuring-sync', 'sync-configured']));
    expect(stepNames(flow).indexOf('sync-configured')).toBeLessThan(stepNames(flow).indexOf('verifying'));
    expect(flow.output.status).toBe('Active');
  });

  describe('manual Teams mode', () => {
    const awaiting: VerifyTenantOutcome = {
      ok: true,
      inSync: false,
      remaining: ['Allow federation with woodgrove.cn'],
      awaitingAdministrator: true,
      script: 'Set-CsTenantFederationConfiguration -AllowedDomainsAsAList @{Add="woodgrove.cn"}',
    };
    const inSync: VerifyTenantOutcome = { ok: true, inSync: true, remaining: [], awaitingAdministrator: false };

    it('shows the script, reads the tenant back on a durable timer until the administrator applied it, then Active', () => {
      const flow = run({ answers: { [VERIFY_TENANT_ACTIVITY]: (_input, call) => (call < 3 ? awaiting : inSync) } });
      const confirmedAt = CONFIRMED.afterMs!;
      const deadline = at(confirmedAt + TEAMS_DEADLINE_SECONDS * 1000);
      expect(flow.steps.find((recorded) => recorded.step === 'awaiting-administrator')).toMatchObject({
        type: 'awaiting-administrator',
        data: { script: awaiting.script, remaining: awaiting.remaining, deadline: deadline.toISOString() },
      });
      expect(only(flow.calls, 'timer').map((timer) => timer.fireAt)).toEqual([
        at(confirmedAt + TEAMS_RECHECK_SECONDS * 1000),
        at(confirmedAt + 2 * TEAMS_RECHECK_SECONDS * 1000),
      ]);
      expect(stepNames(flow)).toEqual([
        ...INVITED,
        'partner-confirmed',
        'configuring-teams',
        'partner-domains',
        'teams-configured',
        'verifying',
        'awaiting-administrator',
        'administrator-applied',
        'verified',
        'ready-sent',
        'partner-ready',
        'active',
      ]);
      expect(callsOf(flow.calls, VERIFY_TENANT_ACTIVITY)).toHaveLength(3);
      expect(flow.output.status).toBe('Active');
    });

    it('stops at its deadline (the last timer at the deadline itself) and fails with the script, nothing undone', () => {
      const flow = run({ answers: { [VERIFY_TENANT_ACTIVITY]: () => awaiting } });
      const confirmedAt = CONFIRMED.afterMs!;
      // Every recheck interval, the last one cut to the deadline (900 s = 3 × 300 s here).
      expect(only(flow.calls, 'timer').map((timer) => timer.fireAt)).toEqual([1, 2, 3].map((n) => at(confirmedAt + n * TEAMS_RECHECK_SECONDS * 1000)));
      expect(callsOf(flow.calls, VERIFY_TENANT_ACTIVITY)).toHaveLength(4);
      expect(flow.steps.at(-2)).toMatchObject({ lastError: { code: 'teams.manual-action-required', details: { script: awaiting.script } } });
      expect(flow.steps.at(-2)!.message).toContain(awaiting.script);
      expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
      expect(flow.activities).not.toContain(`race:${PARTNER_READY_EVENT}`);
      expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'teams.manual-action-required' });
    });

    it('a deadline that is not a multiple of the interval: the last timer fires at the deadline', () => {
      const input = handshakeInput();
      input.settings.teamsManual = { recheckIntervalSeconds: 400, deadlineSeconds: 900 };
      const flow = run({ input, answers: { [VERIFY_TENANT_ACTIVITY]: () => awaiting } });
      const confirmedAt = CONFIRMED.afterMs!;
      expect(only(flow.calls, 'timer').map((timer) => timer.fireAt)).toEqual([at(confirmedAt + 400_000), at(confirmedAt + 800_000), at(confirmedAt + 900_000)]);
      expect(flow.output.status).toBe('Failed');
    });
  });

  it('refuses an input it cannot run with, or whose partnership is not its instance, with a sentence', () => {
    const runAs = (instanceId: string, input: unknown) => () => runOrchestration(onboardPartner, { input, instanceId, answers: HANDSHAKE_ANSWERS });
    expect(runAs('p-1', { partnershipId: 'p-1' })).toThrow(/A handshake orchestration needs \{ partnershipId, settings \}/);
    expect(runAs('p-2', handshakeInput())).toThrow(/with partnershipId equal to its instance id \(p-2\)/);
  });
});
