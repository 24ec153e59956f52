// The offboarding orchestrator on its own, every branch: the durable context is the boundary here —
// a stand-in (test/support/orchestrationContext.ts) records the activity calls and timers, the test
// answers them, time moves only with the timers (as replay would see it).
import { offboardPartner } from '../../orchestrations/offboardPartner';
import {
  CANCEL_ONBOARDING_ACTIVITY,
  FIND_TENANT_WRITERS_ACTIVITY,
  PREPARE_MESSAGE_ACTIVITY,
  RECORD_STEP_ACTIVITY,
  REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY,
  REMOVE_SUBSCRIPTIONS_ACTIVITY,
  SEND_MESSAGE_ACTIVITY,
  type OffboardOrchestrationInput,
} from '../../orchestrations/names';
import type { RecordStepInput } from '../../orchestrations/activities/recordStep';
import { ORCHESTRATION_START, runOrchestration, type ActivityCall, type Answers, type TimerCall } from '../support/orchestrationContext';

const START = ORCHESTRATION_START;

function input(overrides: Partial<OffboardOrchestrationInput> = {}): OffboardOrchestrationInput {
  return {
    partnershipId: 'p-1',
    settings: {
      messageDelivery: { maxAttempts: 3, firstRetryIntervalMs: 100, maxRetryIntervalMs: 1000, backoffCoefficient: 2, requestTimeoutMs: 1000 },
      activityRetry: { maxAttempts: 3, firstRetryIntervalMs: 100, backoffCoefficient: 2 },
      partnerReadyTimeoutSeconds: 60,
    },
    attempt: 1,
    actor: 'admin:function-key',
    reason: 'The project ended.',
    deleteGuests: false,
    partnerMessage: 'offboard',
    writers: { leaseSeconds: 60, pollIntervalMs: 2_000 },
    ...overrides,
  };
}

const DEFAULT_ANSWERS: Answers = {
  [RECORD_STEP_ACTIVITY]: () => ({ status: 'Offboarding' }),
  [CANCEL_ONBOARDING_ACTIVITY]: () => ({ cancelled: null }),
  [FIND_TENANT_WRITERS_ACTIVITY]: () => ({ writers: [] }),
  [REMOVE_SUBSCRIPTIONS_ACTIVITY]: () => ({ removed: ['s1'], kept: [] }),
  [PREPARE_MESSAGE_ACTIVITY]: () => ({ jti: 'j', exp: Date.parse('2026-12-31T10:00:00Z') / 1000, url: 'https://partner.example/api/handshake/messages' }),
  [SEND_MESSAGE_ACTIVITY]: () => ({ delivered: true, status: 202, answer: {} }),
  [REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY]: () => ({
    ok: true,
    removed: ['partner.delete:t', 'cloudEndpoints.update'],
    handedOver: 0,
    warnings: ['guests stay'],
    kept: [{ item: { kind: 'guest', upn: 'li.wei@woodgrove.cn' }, description: 'guest li.wei@woodgrove.cn', why: 'invited guests are kept' }],
  }),
};

/** Runs the orchestrator as the durable runtime would, answering every call (the defaults unless the test says otherwise). */
function run(orchestrationInput: unknown, answers: Answers = {}) {
  return runOrchestration(offboardPartner, { input: orchestrationInput, instanceId: 'p-1-offboard-1', answers: { ...DEFAULT_ANSWERS, ...answers } });
}

describe('offboardPartner', () => {
  it('stops reconciliation, removes subscriptions, tells the partner, then removes the configuration and ends Removed', () => {
    const { activities, steps, output } = run(input());
    expect(activities).toEqual([
      RECORD_STEP_ACTIVITY,
      CANCEL_ONBOARDING_ACTIVITY,
      FIND_TENANT_WRITERS_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      REMOVE_SUBSCRIPTIONS_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      PREPARE_MESSAGE_ACTIVITY,
      SEND_MESSAGE_ACTIVITY,
      RECORD_STEP_ACTIVITY,
      REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY,
      RECORD_STEP_ACTIVITY,
    ]);
    // Every step is recorded as the offboarding's (only it may move a partnership being removed).
    expect(steps.every((recorded) => recorded.workflow === 'offboarding')).toBe(true);
    expect(steps[0]).toMatchObject({ step: 'offboarding', status: 'Offboarding', message: 'Offboarding the partnership (asked by admin:function-key: The project ended.).' });
    expect(steps.at(-1)).toMatchObject({
      step: 'offboard-removed',
      status: 'Removed',
      lastError: null,
      message: 'Removed what this partnership had added (2 change(s)); kept: guest li.wei@woodgrove.cn (invited guests are kept).',
      data: { partnerNotified: true, kept: [expect.objectContaining({ description: 'guest li.wei@woodgrove.cn' })] },
    });
    expect(output).toEqual({ partnershipId: 'p-1', status: 'Removed' });
  });

  it('passes who asked and the guest choice to the removal, and signs the offboard message', () => {
    const { calls } = run(input({ deleteGuests: true, actor: 'partner:7e8be59e-c071-47fb-ab9c-d694c21edb87', partnerMessage: 'offboard' }));
    const removal = calls.find((call): call is ActivityCall => call.kind === 'activity' && call.name === REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY)!;
    expect(removal.input).toEqual({
      partnershipId: 'p-1',
      step: 'offboard-1-remove',
      at: expect.stringMatching(/^2026-12-01T10:00:00\.\d{3}Z$/),
      actor: 'partner:7e8be59e-c071-47fb-ab9c-d694c21edb87',
      deleteGuests: true,
    });
    const prepared = calls.find((call): call is ActivityCall => call.kind === 'activity' && call.name === PREPARE_MESSAGE_ACTIVITY)!;
    expect(prepared.input).toMatchObject({ partnershipId: 'p-1', type: 'offboard' });
  });

  it('stamps each record strictly later than the one before, even while the orchestration time stands still (the steps list in order)', () => {
    // The stand-in's clock moves only with timers: every episode here starts in the same millisecond.
    const { calls } = run(input(), {
      [REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY]: () => ({ ok: false, error: { code: 'tenant.bad-request', message: 'Refused.' } }),
    });
    const stamps = calls.flatMap((call) => (call.kind === 'activity' && typeof call.input?.at === 'string' ? [call.input.at as string] : []));
    expect(stamps.length).toBeGreaterThanOrEqual(5);
    expect(stamps.every((at, index) => index === 0 || at > stamps[index - 1])).toBe(true);
    expect(stamps[0]).toBe(START.toISOString());
    // The error step sorts before the final one (Events rows sort by time, then id).
    const steps = calls.flatMap((call) => (call.kind === 'activity' && call.name === RECORD_STEP_ACTIVITY ? [call.input as RecordStepInput] : []));
    expect(steps.slice(-2).map((step) => step.step)).toEqual(['offboard-failed-error', 'offboard-failed']);
    expect(steps.at(-2)!.at < steps.at(-1)!.at).toBe(true);
  });

  it('waits (durable timers) for the tenant writers that were in flight, only those, then goes on', () => {
    const { activities, calls, steps } = run(input(), {
      [FIND_TENANT_WRITERS_ACTIVITY]: (_input, call) =>
        call === 1
          ? { writers: [{ writerId: 'reconcile:run-7', expiresAt: '2026-12-01T10:10:00Z' }] }
          : call === 2
            ? { writers: [{ writerId: 'reconcile:run-7', expiresAt: '2026-12-01T10:10:00Z' }] }
            : { writers: [] },
    });
    expect(activities.slice(2, 8)).toEqual([FIND_TENANT_WRITERS_ACTIVITY, 'timer', FIND_TENANT_WRITERS_ACTIVITY, 'timer', FIND_TENANT_WRITERS_ACTIVITY, RECORD_STEP_ACTIVITY]);
    const looks = calls.filter((call): call is ActivityCall => call.kind === 'activity' && call.name === FIND_TENANT_WRITERS_ACTIVITY);
    expect(looks.map((look) => look.input)).toEqual([
      { partnershipId: 'p-1' },
      { partnershipId: 'p-1', only: ['reconcile:run-7'] },
      { partnershipId: 'p-1', only: ['reconcile:run-7'] },
    ]);
    const timers = calls.filter((call): call is TimerCall => call.kind === 'timer').map((timer) => timer.fireAt.toISOString());
    expect(timers).toEqual(['2026-12-01T10:00:02.000Z', '2026-12-01T10:00:04.000Z']);
    expect(steps.find((recorded) => recorded.step === 'offboard-reconciliation-stopped')?.message).toBe(
      'Reconciliation stopped for this partnership, after 1 write(s) in flight finished: reconcile:run-7.',
    );
    // The removal comes only after the writers are gone.
    expect(activities.indexOf(REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY)).toBeGreaterThan(activities.lastIndexOf(FIND_TENANT_WRITERS_ACTIVITY));
  });

  it('stops waiting for a writer that never leaves once its lease has passed', () => {
    const { calls, output } = run(input({ writers: { leaseSeconds: 5, pollIntervalMs: 2_000 } }), {
      [FIND_TENANT_WRITERS_ACTIVITY]: () => ({ writers: [{ writerId: 'configure:p-1:teams', expiresAt: '2026-12-01T10:00:05Z' }] }),
    });
    const timers = calls.filter((call): call is TimerCall => call.kind === 'timer').map((timer) => timer.fireAt.toISOString());
    expect(timers).toEqual(['2026-12-01T10:00:02.000Z', '2026-12-01T10:00:04.000Z', '2026-12-01T10:00:05.000Z']);
    expect(output.status).toBe('Removed');
  });

  it('records the onboarding it cancelled', () => {
    const { steps } = run(input(), { [CANCEL_ONBOARDING_ACTIVITY]: () => ({ cancelled: 'onboardPartner' }) });
    expect(steps.map((recorded) => recorded.step)).toContain('offboard-onboarding-cancelled');
    expect(steps.find((recorded) => recorded.step === 'offboard-onboarding-cancelled')?.message).toMatch(/^The onboardPartner workflow still running was stopped/);
  });

  it('partner unreachable: a warning "partner not notified" naming the out-of-band message, and this side is still Removed', () => {
    const { steps, output, activities } = run(input(), {
      [SEND_MESSAGE_ACTIVITY]: () => {
        throw new Error("Activity function 'sendMessage' failed: The partner deployment did not answer the offboard: ECONNREFUSED.");
      },
    });
    const warning = steps.find((recorded) => recorded.step === 'offboard-partner-not-notified')!;
    expect(warning).toMatchObject({ type: 'warning', data: { error: expect.objectContaining({ code: 'handshake.partner-unreachable' }) } });
    expect(warning.message).toMatch(/^Partner not notified: The offboard message could not be delivered: .*ECONNREFUSED/);
    expect(warning.message).toContain('GET /api/partnerships/p-1/offboard-message for out-of-band delivery (valid until 2026-12-31T10:00:00.000Z)');
    expect(activities).toContain(REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY);
    expect(steps.at(-1)).toMatchObject({ status: 'Removed', data: { partnerNotified: false } });
    expect(steps.at(-1)!.message).toMatch(/The partner was not notified\.$/);
    expect(output).toEqual({ partnershipId: 'p-1', status: 'Removed', reason: 'partner not notified' });
  });

  it('partner refuses the message: the same warning with its answer, and this side is still Removed', () => {
    const { steps, output } = run(input(), {
      [SEND_MESSAGE_ACTIVITY]: () => ({ delivered: false, status: 401, problem: { code: 'handshake.unknown-key', detail: 'No key is pinned.' } }),
    });
    expect(steps.find((recorded) => recorded.step === 'offboard-partner-not-notified')?.message).toMatch(
      /^Partner not notified: The partner deployment refused the offboard message \(401 handshake\.unknown-key\): No key is pinned\./,
    );
    expect(output.status).toBe('Removed');
  });

  it('declines an invitation never approved with a rejection, and tells nobody when the partner never heard of it', () => {
    const rejection = run(input({ partnerMessage: 'rejection' }));
    const prepared = rejection.calls.find((call): call is ActivityCall => call.kind === 'activity' && call.name === PREPARE_MESSAGE_ACTIVITY)!;
    expect(prepared.input.type).toBe('rejection');
    const silent = run(input({ partnerMessage: 'none' }));
    expect(silent.activities).not.toContain(PREPARE_MESSAGE_ACTIVITY);
    expect(silent.activities).not.toContain(SEND_MESSAGE_ACTIVITY);
    expect(silent.steps.at(-1)).toMatchObject({ status: 'Removed', data: { partnerNotified: null } });
  });

  it('a subscription removal that keeps failing is a warning (the monitor cleans up), not a failure', () => {
    const { steps, output } = run(input(), {
      [REMOVE_SUBSCRIPTIONS_ACTIVITY]: () => {
        throw new Error("Activity function 'removeSubscriptions' failed: Graph unavailable");
      },
    });
    expect(steps.find((recorded) => recorded.step === 'offboard-subscriptions-left')).toMatchObject({ type: 'warning' });
    expect(output.status).toBe('Removed');
  });

  it('a removal the tenant refuses ends Failed with the reason and the partial work in the last error', () => {
    const error = {
      name: 'DomainError',
      code: 'apply.partial-failure',
      status: 502,
      message: '"Remove the guest" failed (tenant.permission-denied); 5 operation(s) were applied before it, 1 not applied.',
      details: { applied: [{ operationId: 'partner.delete:t' }], notApplied: ['guest.delete:li.wei@woodgrove.cn'] },
    };
    const { steps, output } = run(input(), { [REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY]: () => ({ ok: false, error }) });
    expect(steps.at(-2)).toMatchObject({ step: 'offboard-failed-error', type: 'error', lastError: error });
    expect(steps.at(-1)).toMatchObject({ step: 'offboard-failed', status: 'Failed' });
    expect(steps.some((recorded) => recorded.status === 'Removed')).toBe(false);
    expect(output).toEqual({ partnershipId: 'p-1', status: 'Failed', reason: 'apply.partial-failure' });
  });

  it('a removal whose retries ran out ends Failed too', () => {
    const { output, steps } = run(input(), {
      [REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY]: () => {
        throw new Error("Activity function 'removePartnershipConfiguration' failed: storage down");
      },
    });
    expect(steps.at(-2)?.lastError).toMatchObject({ code: 'internal', message: expect.stringContaining('storage down') });
    expect(output.status).toBe('Failed');
  });

  it('refuses an input it cannot run with, with a sentence', () => {
    expect(() => run({ partnershipId: 'p-1' })).toThrow(/An offboarding orchestration needs \{ partnershipId, settings, attempt, actor/);
    expect(() => run(input({ partnerMessage: 'carrier-pigeon' as never }))).toThrow(/An offboarding orchestration needs/);
  });
});
