// History events as DurableTask.Core defines them (numeric EventType, PascalCase fields): the
// shape durable-functions replays, and the shape kept in storage.

export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
}

/** DurableTask.Core's OrchestrationStatus (numeric in ExecutionCompleted events). */
export enum OrchestrationStatus {
  Running = 0,
  Completed = 1,
  ContinuedAsNew = 2,
  Failed = 3,
  Canceled = 4,
  Terminated = 5,
  Pending = 6,
  Suspended = 7,
}

export type RuntimeStatus = keyof typeof OrchestrationStatus;
export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];
export const RUNTIME_STATUSES = Object.keys(OrchestrationStatus).filter((k) => Number.isNaN(Number(k))) as RuntimeStatus[];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Version?: string;
  Input?: string | null;
  Result?: string | null;
  Reason?: string;
  Details?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  OrchestrationStatus?: OrchestrationStatus;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: {
    Name: string;
    TaskScheduleId: number;
    OrchestrationInstance: { InstanceId: string; ExecutionId: string };
  } | null;
  FailureDetails?: unknown;
}

const NO_ID = -1;

function base(type: EventType, at: Date, eventId = NO_ID): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at.toISOString() };
}

export const events = {
  executionStarted(at: Date, args: {
    name: string;
    input: string | null;
    instanceId: string;
    executionId: string;
    parent?: { name: string; instanceId: string; executionId: string; taskScheduledId: number };
  }): HistoryEvent {
    return {
      ...base(EventType.ExecutionStarted, at),
      Name: args.name,
      Version: '',
      Input: args.input,
      OrchestrationInstance: { InstanceId: args.instanceId, ExecutionId: args.executionId },
      ParentInstance: args.parent
        ? {
            Name: args.parent.name,
            TaskScheduleId: args.parent.taskScheduledId,
            OrchestrationInstance: { InstanceId: args.parent.instanceId, ExecutionId: args.parent.executionId },
          }
        : null,
    };
  },
  executionCompleted(at: Date, status: OrchestrationStatus, result: string | null, failureDetails?: unknown): HistoryEvent {
    const event: HistoryEvent = { ...base(EventType.ExecutionCompleted, at), OrchestrationStatus: status, Result: result };
    if (failureDetails !== undefined) event.FailureDetails = failureDetails;
    return event;
  },
  executionTerminated(at: Date, reason: string | null): HistoryEvent {
    return { ...base(EventType.ExecutionTerminated, at), Input: reason };
  },
  continueAsNew(at: Date, input: string | null): HistoryEvent {
    return { ...base(EventType.ContinueAsNew, at), OrchestrationStatus: OrchestrationStatus.ContinuedAsNew, Result: input };
  },
  orchestratorStarted(at: Date): HistoryEvent {
    return base(EventType.OrchestratorStarted, at);
  },
  orchestratorCompleted(at: Date): HistoryEvent {
    return base(EventType.OrchestratorCompleted, at);
  },
  taskScheduled(at: Date, id: number, name: string, input: string | null): HistoryEvent {
    return { ...base(EventType.TaskScheduled, at, id), Name: name, Version: '', Input: input };
  },
  taskCompleted(at: Date, taskScheduledId: number, result: string): HistoryEvent {
    return { ...base(EventType.TaskCompleted, at), TaskScheduledId: taskScheduledId, Result: result };
  },
  taskFailed(at: Date, taskScheduledId: number, reason: string, details: string): HistoryEvent {
    return { ...base(EventType.TaskFailed, at), TaskScheduledId: taskScheduledId, Reason: reason, Details: details };
  },
  subOrchestrationCreated(at: Date, id: number, name: string, instanceId: string, input: string | null): HistoryEvent {
    return { ...base(EventType.SubOrchestrationInstanceCreated, at, id), Name: name, Version: '', InstanceId: instanceId, Input: input };
  },
  subOrchestrationCompleted(at: Date, taskScheduledId: number, result: string): HistoryEvent {
    return { ...base(EventType.SubOrchestrationInstanceCompleted, at), TaskScheduledId: taskScheduledId, Result: result };
  },
  subOrchestrationFailed(at: Date, taskScheduledId: number, reason: string, details: string): HistoryEvent {
    return { ...base(EventType.SubOrchestrationInstanceFailed, at), TaskScheduledId: taskScheduledId, Reason: reason, Details: details };
  },
  timerCreated(at: Date, id: number, fireAt: string): HistoryEvent {
    return { ...base(EventType.TimerCreated, at, id), FireAt: fireAt };
  },
  timerFired(at: Date, timerId: number, fireAt: string): HistoryEvent {
    return { ...base(EventType.TimerFired, at), TimerId: timerId, FireAt: fireAt };
  },
  eventRaised(at: Date, name: string, input: string | null): HistoryEvent {
    return { ...base(EventType.EventRaised, at), Name: name, Input: input };
  },
  executionSuspended(at: Date, reason: string | null): HistoryEvent {
    return { ...base(EventType.ExecutionSuspended, at), Reason: reason ?? undefined };
  },
  executionResumed(at: Date, reason: string | null): HistoryEvent {
    return { ...base(EventType.ExecutionResumed, at), Reason: reason ?? undefined };
  },
};

/** Events that complete something an orchestration waits for (the ones replay consumes). */
export function isCompletionEvent(event: HistoryEvent): boolean {
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
    case EventType.TimerFired:
    case EventType.EventRaised:
      return true;
    default:
      return false;
  }
}

/** The id a completion event answers (TaskScheduledId or TimerId). */
export function completedId(event: HistoryEvent): number | undefined {
  if (event.EventType === EventType.TimerFired) return event.TimerId;
  return event.TaskScheduledId;
}

/** The shape the status API shows with showHistory=true (as DurableClient.GetStatusAsync builds it). */
export function toStatusHistory(history: HistoryEvent[], options: { showHistoryOutput: boolean; showInput: boolean }): Record<string, unknown>[] {
  const scheduled = new Map<string, { index: number; name?: string; timestamp: string; input?: string | null }>();
  const removed = new Set<number>();
  const items: Record<string, unknown>[] = history.map((event) => ({ ...event }));
  const parse = (text: unknown): unknown => {
    if (typeof text !== 'string') return text ?? null;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  items.forEach((item, index) => {
    const type = item.EventType as EventType;
    item.EventType = EventType[type];
    switch (type) {
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(`${type}_${String(item.EventId)}`, { index, name: item.Name as string, timestamp: item.Timestamp as string, input: item.Input as string | null });
        delete item.Version;
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const scheduledType = type === EventType.TaskCompleted || type === EventType.TaskFailed ? EventType.TaskScheduled : EventType.SubOrchestrationInstanceCreated;
        const source = scheduled.get(`${scheduledType}_${String(item.TaskScheduledId)}`);
        if (source) {
          item.ScheduledTime = source.timestamp;
          item.FunctionName = source.name;
          if (options.showInput) item.Input = source.input;
          removed.add(source.index);
        }
        delete item.TaskScheduledId;
        const isOutput = type === EventType.TaskCompleted || type === EventType.SubOrchestrationInstanceCompleted;
        if (isOutput) {
          if (options.showHistoryOutput) item.Result = parse(item.Result);
          else delete item.Result;
        }
        break;
      }
      case EventType.ExecutionStarted:
        item.FunctionName = item.Name;
        delete item.Name;
        delete item.OrchestrationInstance;
        delete item.ParentInstance;
        delete item.Version;
        break;
      case EventType.ExecutionCompleted:
      case EventType.ContinueAsNew:
        item.OrchestrationStatus = OrchestrationStatus[item.OrchestrationStatus as OrchestrationStatus];
        if (options.showHistoryOutput) item.Result = parse(item.Result);
        else delete item.Result;
        break;
      case EventType.TimerFired:
        delete item.TimerId;
        break;
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        removed.add(index);
        break;
      default:
        break;
    }
    if (!options.showInput) delete item.Input;
    delete item.EventId;
    delete item.IsPlayed;
  });
  return items.filter((_item, index) => !removed.has(index));
}
