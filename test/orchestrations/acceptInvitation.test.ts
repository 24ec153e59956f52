// The responder's orchestrator (B) on its own, one test per branch: the durable context is the
// boundary — a stand-in (test/support/orchestrationContext.ts) records the activity calls, timers and
// waits, the test answers them and says when the initiator's `ready` arrives.
import { acceptInvitation } from '../../orchestrations/acceptInvitation';
import {
  CONFIGURE_TENANT_ACTIVITY,
  FETCH_PARTNER_KEY_ACTIVITY,
  PARTNER_READY_EVENT,
  PREPARE_MESSAGE_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  SEND_MESSAGE_ACTIVITY,
  UNDO_PARTNERSHIP_CHANGES_ACTIVITY,
  VERIFY_TENANT_ACTIVITY,
} from '../../orchestrations/names';
import { ENSURE_SUBSCRIPTIONS_ACTIVITY } from '../../orchestrations/reconcile/names';
import { errorRecord } from '../../orchestrations/activities/outcome';
import { ORCHESTRATION_START, callsOf, exhausted, only, stampedAt } from '../support/orchestrationContext';
import {
  PARTNER_READY,
  PARTNER_READY_TIMEOUT_SECONDS,
  PARTNER_URL,
  SECOND_HALF_ACTIVITIES,
  SECOND_HALF_STEPS,
  runHandshake,
  statusesSet,
  stepNames,
  type HandshakeRunOptions,
} from '../support/handshakeOrchestration';

const run = (options: HandshakeRunOptions = {}) => runHandshake(acceptInvitation, options);
const at = (ms: number) => new Date(ORCHESTRATION_START.getTime() + ms);

const CONFIRMED = ['configuring-local', 'entra-configured', 'confirmation-delivered'];
const SECOND_HALF = SECOND_HALF_STEPS;

describe('acceptInvitation', () => {
  it('happy path: configures Entra, confirms to the initiator, Teams, verify, ready both ways, Active', () => {
    const flow = run();
    expect(flow.activities).toEqual([
      RECORD_STEP_ACTIVITY,
      CONFIGURE_TENANT_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      PREPARE_MESSAGE_ACTIVITY,
      SEND_MESSAGE_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      ...SECOND_HALF_ACTIVITIES,
    ]);
    expect(stepNames(flow)).toEqual([...CONFIRMED, ...SECOND_HALF, 'partner-ready', 'active']);
    expect(statusesSet(flow)).toEqual(['ConfiguringLocal', 'ConfiguringTeams', 'Verifying', 'Active']);
    // The responder neither fetches the initiator's key nor waits for an answer to an invitation.
    expect(flow.activities).not.toContain(FETCH_PARTNER_KEY_ACTIVITY);
    expect(only(flow.calls, 'race').map((race) => race.event)).toEqual([PARTNER_READY_EVENT]);
    expect(callsOf(flow.calls, PREPARE_MESSAGE_ACTIVITY).map((call) => call.input.type)).toEqual(['confirmation', 'ready']);
    expect(callsOf(flow.calls, SEND_MESSAGE_ACTIVITY).map((call) => call.input.type)).toEqual(['confirmation', 'ready']);
    expect(flow.steps[2]).toMatchObject({ type: 'message.sent', message: `Confirmation delivered to ${PARTNER_URL} (HTTP 202).` });
    expect(flow.steps.find((recorded) => recorded.step === 'ready-sent')?.message).toBe('Told the initiator this side is configured and verified.');
    const readyRace = only(flow.calls, 'race')[0]!;
    expect(readyRace).toMatchObject({ winner: 'event', deadline: at(PARTNER_READY_TIMEOUT_SECONDS * 1000) });
    expect(readyRace.timer.cancelled).toBe(true);
    expect(flow.steps.at(-1)).toMatchObject({ step: 'active', status: 'Active', at: stampedAt(at(PARTNER_READY.afterMs!)) });
    expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Active' });
  });

  it('Entra configuration fails: what was added is undone, Failed, nothing is sent to the initiator', () => {
    const error = errorRecord('tenant.policy-too-large', 'The cross-tenant access policy would exceed its size limit.');
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
    expect(flow.steps[1]).toMatchObject({ type: 'error', lastError: error });
    expect(flow.steps.at(-1)).toMatchObject({ status: 'Failed', message: 'Configuring the Entra side failed. What this partnership had added was removed.' });
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'tenant.policy-too-large' });
  });

  it('the initiator refuses the confirmation: what was added is undone, Failed with its answer', () => {
    const flow = run({
      answers: { [SEND_MESSAGE_ACTIVITY]: () => ({ delivered: false, status: 409, problem: { code: 'handshake.no-outstanding-invitation', detail: 'The invitation was withdrawn.' } }) },
    });
    expect(stepNames(flow)).toEqual(['configuring-local', 'entra-configured', 'failed-error', 'failed-compensated', 'failed']);
    expect(flow.activities.slice(3)).toEqual([
      PREPARE_MESSAGE_ACTIVITY,
      SEND_MESSAGE_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      UNDO_PARTNERSHIP_CHANGES_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      RECORD_STEP_ACTIVITY,
    ]);
    expect(flow.steps.at(-3)).toMatchObject({
      lastError: { code: 'handshake.partner-refused', details: { partnerStatus: 409 } },
      message:
        'Confirming to the initiator failed: The partner deployment refused the confirmation (409 handshake.no-outstanding-invitation): The invitation was withdrawn.',
    });
    expect(flow.steps.at(-1)).toMatchObject({ status: 'Failed', message: 'Confirming to the initiator failed. What this partnership had added was removed.' });
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'handshake.partner-refused' });
  });

  it('the initiator cannot be reached (retries exhausted): undone too, Failed as unreachable', () => {
    const flow = run({ answers: { [SEND_MESSAGE_ACTIVITY]: exhausted(SEND_MESSAGE_ACTIVITY, 'ECONNREFUSED') } });
    expect(stepNames(flow)).toEqual(['configuring-local', 'entra-configured', 'failed-error', 'failed-compensated', 'failed']);
    expect(flow.steps.at(-3)!.lastError).toMatchObject({ code: 'handshake.partner-unreachable', message: expect.stringContaining('ECONNREFUSED') });
    expect(flow.activities).toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'handshake.partner-unreachable' });
  });

  it('an undo that does not finish is recorded as such, and still ends Failed', () => {
    const flow = run({
      answers: {
        [CONFIGURE_TENANT_ACTIVITY]: () => ({ ok: false, error: errorRecord('tenant.bad-request', 'Refused.') }),
        [UNDO_PARTNERSHIP_CHANGES_ACTIVITY]: () => ({ ok: false, error: errorRecord('tenant.permission-denied', 'Cannot delete the partner entry.') }),
      },
    });
    expect(flow.steps.at(-2)).toMatchObject({ step: 'failed-compensated', type: 'compensation-failed' });
    expect(flow.steps.at(-2)!.message).toContain('Cannot delete the partner entry.');
    expect(flow.steps.at(-1)).toMatchObject({ status: 'Failed', message: 'Configuring the Entra side failed. Removing what this partnership had added did not finish; see the steps.' });
  });

  it('a failure after the confirmation was delivered: Failed with the error, nothing undone behind the initiator', () => {
    const error = errorRecord('tenant.upstream-error', 'Graph answered 500.');
    const flow = run({ answers: { [VERIFY_TENANT_ACTIVITY]: () => ({ ok: false, error }) } });
    expect(stepNames(flow)).toEqual([...CONFIRMED, 'configuring-teams', 'partner-domains', 'teams-configured', 'verifying', 'failed-error', 'failed']);
    expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.steps.at(-2)).toMatchObject({ lastError: error, message: `Verification failed: ${error.message}` });
    expect(flow.steps.at(-1)).toMatchObject({
      status: 'Failed',
      message: 'Verification failed. The changes made so far stay in place (the partner relies on them); see the steps and the last error.',
    });
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'tenant.upstream-error' });
  });

  it('the initiator never reports ready: the timeout fails the partnership, nothing undone', () => {
    const flow = run({ events: {} });
    const deadline = at(PARTNER_READY_TIMEOUT_SECONDS * 1000);
    expect(only(flow.calls, 'race')).toEqual([expect.objectContaining({ event: PARTNER_READY_EVENT, winner: 'timer', deadline })]);
    expect(stepNames(flow)).toEqual([...CONFIRMED, ...SECOND_HALF, 'failed-error', 'failed']);
    expect(flow.steps.at(-2)).toMatchObject({ lastError: { code: 'handshake.partner-timeout' }, message: `Waiting for the initiator failed: The initiator did not report ready within ${PARTNER_READY_TIMEOUT_SECONDS} s.` });
    expect(flow.activities).not.toContain(UNDO_PARTNERSHIP_CHANGES_ACTIVITY);
    expect(flow.activities).not.toContain(ENSURE_SUBSCRIPTIONS_ACTIVITY);
    expect(flow.output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'handshake.partner-timeout' });
  });
});
