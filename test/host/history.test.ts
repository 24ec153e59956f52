import { HistoryEvent, OrchestrationStatus, events, toStatusHistory } from '../../infra/local/host/durable/history';

const at = (s: number): Date => new Date(Date.UTC(2024, 0, 1, 0, 0, s));

describe('status history (showHistory)', () => {
  const history: HistoryEvent[] = [
    events.orchestratorStarted(at(0)),
    events.executionStarted(at(0), { name: 'orch', input: '{"a":1}', instanceId: 'i', executionId: 'e' }),
    events.taskScheduled(at(0), 0, 'act', '"x"'),
    events.orchestratorCompleted(at(0)),
    events.orchestratorStarted(at(1)),
    events.taskCompleted(at(1), 0, '{"r":2}'),
    events.timerCreated(at(1), 1, at(5).toISOString()),
    events.orchestratorCompleted(at(1)),
    events.orchestratorStarted(at(5)),
    events.timerFired(at(5), 1, at(5).toISOString()),
    events.executionCompleted(at(5), OrchestrationStatus.Completed, '"done"'),
    events.orchestratorCompleted(at(5)),
  ];

  it('is shaped like the extension shows it: names, merged schedule data, no replay markers', () => {
    expect(toStatusHistory(history, { showHistoryOutput: true, showInput: true })).toEqual([
      { EventType: 'ExecutionStarted', Timestamp: at(0).toISOString(), Input: '{"a":1}', FunctionName: 'orch' },
      { EventType: 'TaskCompleted', Timestamp: at(1).toISOString(), Result: { r: 2 }, ScheduledTime: at(0).toISOString(), FunctionName: 'act', Input: '"x"' },
      { EventType: 'TimerCreated', Timestamp: at(1).toISOString(), FireAt: at(5).toISOString() },
      { EventType: 'TimerFired', Timestamp: at(5).toISOString(), FireAt: at(5).toISOString() },
      { EventType: 'ExecutionCompleted', Timestamp: at(5).toISOString(), OrchestrationStatus: 'Completed', Result: 'done' },
    ]);
  });

  it('leaves out outputs and inputs unless asked', () => {
    const items = toStatusHistory(history, { showHistoryOutput: false, showInput: false });
    expect(items.some((i) => 'Result' in i || 'Input' in i)).toBe(false);
    expect(items.map((i) => i.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'TimerCreated', 'TimerFired', 'ExecutionCompleted']);
  });
});
