import { events } from '../../infra/local/host/durable/history';
import { completedWork, scheduledWork, workOf } from '../../infra/local/host/durable/workKeys';

const at = new Date(Date.UTC(2024, 0, 1));

describe('work keys (what an orchestration scheduled, and what completed it)', () => {
  it('names activities and sub-orchestrations as tasks and timers as timers, by the scheduling event id', () => {
    expect(scheduledWork(events.taskScheduled(at, 3, 'act', null))).toEqual({ kind: 'task', eventId: 3 });
    expect(scheduledWork(events.subOrchestrationCreated(at, 4, 'child', 'child-id', null))).toEqual({ kind: 'task', eventId: 4 });
    expect(scheduledWork(events.timerCreated(at, 5, at.toISOString()))).toEqual({ kind: 'timer', eventId: 5 });
    expect(scheduledWork(events.eventRaised(at, 'e', null))).toBeUndefined();
  });

  it('pairs each result with the work it answers, whatever the result', () => {
    expect(completedWork(events.taskCompleted(at, 3, '1'))).toEqual({ kind: 'task', eventId: 3 });
    expect(completedWork(events.taskFailed(at, 3, 'no', '{}'))).toEqual({ kind: 'task', eventId: 3 });
    expect(completedWork(events.subOrchestrationCompleted(at, 4, '1'))).toEqual({ kind: 'task', eventId: 4 });
    expect(completedWork(events.subOrchestrationFailed(at, 4, 'no', '{}'))).toEqual({ kind: 'task', eventId: 4 });
    expect(completedWork(events.timerFired(at, 5, at.toISOString()))).toEqual({ kind: 'timer', eventId: 5 });
    expect(completedWork(events.taskScheduled(at, 3, 'act', null))).toBeUndefined();
  });

  it('keeps a task and a timer with the same event id apart', () => {
    const { scheduled, completed } = workOf([events.taskScheduled(at, 1, 'act', null), events.timerCreated(at, 2, at.toISOString()), events.timerFired(at, 2, at.toISOString())]);
    expect(scheduled.has({ kind: 'task', eventId: 1 })).toBe(true);
    expect(scheduled.has({ kind: 'timer', eventId: 1 })).toBe(false);
    expect(completed.has({ kind: 'timer', eventId: 2 })).toBe(true);
    expect(completed.has({ kind: 'task', eventId: 2 })).toBe(false);
    expect(completed.has({ kind: 'task', eventId: 1 })).toBe(false);
  });
});
