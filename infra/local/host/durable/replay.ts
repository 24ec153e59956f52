// Turns an orchestrator's returned actions into the new work to schedule, the way the Durable
// extension does with out-of-proc schema V3: it replays the actions in order against the history,
// giving every activity, timer and sub-orchestration the next sequence number, and (like
// durable-functions' own executor) moves to the next action only once the current one is done.
// Retried calls take further numbers as their failures and retry timers show up in the history,
// so the numbers match those durable-functions expects in TaskScheduledId/TimerId.
import { EventType, HistoryEvent, completedId, events } from './history';

export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  ScheduledSignalEntity = 10,
  WhenAny = 11,
  WhenAll = 12,
  LockEntities = 13,
  ReleaseEntities = 14,
}

/** An action as it arrives in the orchestrator's JSON result. */
export interface OrchestratorAction {
  actionType: ActionType;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  retryOptions?: RetryOptions;
  compoundActions?: OrchestratorAction[];
}

export interface RetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface EpisodePlan {
  /** New TaskScheduled / TimerCreated / SubOrchestrationInstanceCreated events, in id order. */
  scheduled: HistoryEvent[];
  /** Timer ids the orchestrator cancelled (their pending timers need not fire). */
  canceledTimerIds: number[];
  continueAsNew?: { input: string | null };
  /** Set when an action this host does not implement was requested. */
  unsupported?: string;
  /** Set when the actions no longer match the history (a non-deterministic orchestrator). */
  nonDeterminism?: string;
  /** EventRaised events no wait consumed (carried over by continue-as-new). */
  unconsumedEvents: HistoryEvent[];
}

type Kind = 'activity' | 'timer' | 'subOrchestration';

interface NodeBase {
  parent?: CompoundNode;
  done: boolean;
  failed: boolean;
}
interface TaskNode extends NodeBase {
  type: 'task';
  kind: Kind;
  action: OrchestratorAction;
}
interface EventNode extends NodeBase {
  type: 'event';
  name: string;
}
interface RetryNode extends NodeBase {
  type: 'retry';
  kind: 'activity' | 'subOrchestration';
  action: OrchestratorAction;
  attempt: number;
  waitingOnTimer: boolean;
}
interface CompoundNode extends NodeBase {
  type: 'all' | 'any';
  children: AnyNode[];
  doneChildren: number;
}
type AnyNode = TaskNode | EventNode | RetryNode | CompoundNode;

type Owner = { node: TaskNode } | { node: RetryNode; role: 'attempt' | 'timer' };

const UNSUPPORTED: Partial<Record<ActionType, string>> = {
  [ActionType.CallEntity]: 'durable entities (callEntity)',
  [ActionType.SignalEntity]: 'durable entities (signalEntity)',
  [ActionType.ScheduledSignalEntity]: 'durable entities (signalEntity)',
  [ActionType.LockEntities]: 'durable entities (lock)',
  [ActionType.ReleaseEntities]: 'durable entities (lock)',
  [ActionType.CallHttp]: 'durable HTTP calls (callHttp)',
};

/** JSON text of an activity or continue-as-new input (durable-functions pre-serializes strings). */
export function preSerializedInput(input: unknown): string | null {
  if (input === undefined || input === null) return input === null ? 'null' : null;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/** JSON text of a sub-orchestration input (passed as a value). */
export function valueInput(input: unknown): string | null {
  return input === undefined ? null : JSON.stringify(input);
}

export function retryDelayMs(options: RetryOptions, failedAttempts: number): number {
  const coefficient = options.backoffCoefficient && options.backoffCoefficient > 0 ? options.backoffCoefficient : 1;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttempts - 1);
  const max = options.maxRetryIntervalInMilliseconds;
  return max && max > 0 ? Math.min(delay, max) : delay;
}

export function defaultSubOrchestrationId(parentInstanceId: string, taskId: number): string {
  return `${parentInstanceId}:${taskId.toString().padStart(4, '0')}`;
}

export function planEpisode(args: {
  instanceId: string;
  history: HistoryEvent[];
  actions: OrchestratorAction[];
  now: Date;
}): EpisodePlan {
  return new Planner(args.instanceId, args.history, args.now).run(args.actions);
}

class Planner {
  private nextId = 0;
  private readonly owners = new Map<number, Owner>();
  private readonly deferred = new Map<number, HistoryEvent[]>();
  private readonly waiting = new Map<string, EventNode[]>();
  private readonly buffered = new Map<string, HistoryEvent[]>();
  private readonly scheduledInHistory = new Map<number, HistoryEvent>();
  private readonly plan: EpisodePlan = { scheduled: [], canceledTimerIds: [], unconsumedEvents: [] };
  private topLevel: AnyNode[] = [];
  private cursor = 0;
  private actions: OrchestratorAction[] = [];

  constructor(
    private readonly instanceId: string,
    private readonly history: HistoryEvent[],
    private readonly now: Date,
  ) {
    for (const event of history) {
      if (
        event.EventType === EventType.TaskScheduled ||
        event.EventType === EventType.TimerCreated ||
        event.EventType === EventType.SubOrchestrationInstanceCreated
      ) {
        this.scheduledInHistory.set(event.EventId, event);
      }
    }
  }

  run(actions: OrchestratorAction[]): EpisodePlan {
    this.actions = actions;
    this.advance();
    for (const event of this.history) {
      if (event.EventType === EventType.EventRaised) this.deliverEvent(event);
      else {
        const id = completedId(event);
        if (id === undefined) continue;
        if (
          event.EventType === EventType.TaskCompleted ||
          event.EventType === EventType.TaskFailed ||
          event.EventType === EventType.SubOrchestrationInstanceCompleted ||
          event.EventType === EventType.SubOrchestrationInstanceFailed ||
          event.EventType === EventType.TimerFired
        ) {
          this.deliverCompletion(id, event);
        }
      }
      this.advance();
    }
    // Actions durable-functions emitted after one this replay still sees as running: schedule
    // them anyway, in order (the library only emits what it has already yielded).
    while (this.cursor < this.actions.length) this.invokeNext();
    for (const list of this.buffered.values()) this.plan.unconsumedEvents.push(...list);
    this.plan.scheduled.sort((a, b) => a.EventId - b.EventId);
    return this.plan;
  }

  private advance(): void {
    while (this.cursor < this.actions.length) {
      const current = this.topLevel[this.cursor - 1];
      if (current && !current.done) return;
      this.invokeNext();
    }
  }

  private invokeNext(): void {
    const action = this.actions[this.cursor++];
    const node = this.build(action);
    if (node) {
      this.topLevel[this.cursor - 1] = node;
      this.invoke(node);
    } else {
      // Fire-and-forget actions (continue-as-new) never block what follows.
      this.topLevel[this.cursor - 1] = { type: 'event', name: '', done: true, failed: false };
    }
  }

  private build(action: OrchestratorAction): AnyNode | undefined {
    const type = Number(action.actionType) as ActionType;
    const unsupported = UNSUPPORTED[type];
    if (unsupported) {
      this.plan.unsupported ??= unsupported;
      return undefined;
    }
    switch (type) {
      case ActionType.CallActivity:
        return { type: 'task', kind: 'activity', action, done: false, failed: false };
      case ActionType.CallSubOrchestrator:
        return { type: 'task', kind: 'subOrchestration', action, done: false, failed: false };
      case ActionType.CreateTimer:
        return { type: 'task', kind: 'timer', action, done: false, failed: false };
      case ActionType.CallActivityWithRetry:
        return { type: 'retry', kind: 'activity', action, attempt: 1, waitingOnTimer: false, done: false, failed: false };
      case ActionType.CallSubOrchestratorWithRetry:
        return { type: 'retry', kind: 'subOrchestration', action, attempt: 1, waitingOnTimer: false, done: false, failed: false };
      case ActionType.WaitForExternalEvent:
        return { type: 'event', name: action.externalEventName ?? '', done: false, failed: false };
      case ActionType.ContinueAsNew:
        this.plan.continueAsNew = { input: preSerializedInput(action.input) };
        return undefined;
      case ActionType.WhenAll:
      case ActionType.WhenAny: {
        const compound: CompoundNode = {
          type: type === ActionType.WhenAll ? 'all' : 'any',
          children: [],
          doneChildren: 0,
          done: false,
          failed: false,
        };
        for (const child of action.compoundActions ?? []) {
          const node = this.build(child);
          if (node) {
            node.parent = compound;
            compound.children.push(node);
          }
        }
        return compound;
      }
      default:
        this.plan.unsupported ??= `action type ${String(action.actionType)}`;
        return undefined;
    }
  }

  /** Gives sequence numbers to a node's tasks, depth first, as the library tracks them. */
  private invoke(node: AnyNode): void {
    switch (node.type) {
      case 'task': {
        const id = this.nextId++;
        this.owners.set(id, { node });
        if (node.kind === 'timer' && node.action.isCanceled) this.plan.canceledTimerIds.push(id);
        const alreadyScheduled = this.checkScheduled(id, node.kind, node.action);
        if (!alreadyScheduled && !(node.kind === 'timer' && node.action.isCanceled)) this.schedule(id, node.kind, node.action);
        if (node.kind === 'timer' && node.action.isCanceled) this.complete(node, false);
        this.applyDeferred(id);
        break;
      }
      case 'retry':
        this.startAttempt(node);
        break;
      case 'event': {
        const buffered = this.buffered.get(node.name);
        if (buffered && buffered.length > 0) {
          buffered.shift();
          if (buffered.length === 0) this.buffered.delete(node.name);
          this.complete(node, false);
        } else {
          const list = this.waiting.get(node.name) ?? [];
          list.push(node);
          this.waiting.set(node.name, list);
        }
        break;
      }
      case 'all':
      case 'any':
        for (const child of node.children) this.invoke(child);
        if (node.children.length === 0) this.complete(node, false);
        break;
    }
  }

  private startAttempt(node: RetryNode): void {
    const id = this.nextId++;
    this.owners.set(id, { node, role: 'attempt' });
    if (!this.checkScheduled(id, node.kind, node.action)) this.schedule(id, node.kind, node.action);
    this.applyDeferred(id);
  }

  private startRetryTimer(node: RetryNode): void {
    const id = this.nextId++;
    this.owners.set(id, { node, role: 'timer' });
    node.waitingOnTimer = true;
    if (!this.checkScheduled(id, 'timer', node.action)) {
      const fireAt = new Date(this.now.getTime() + retryDelayMs(node.action.retryOptions!, node.attempt - 1));
      this.plan.scheduled.push(events.timerCreated(this.now, id, fireAt.toISOString()));
    }
    this.applyDeferred(id);
  }

  private checkScheduled(id: number, kind: Kind, action: OrchestratorAction): boolean {
    const existing = this.scheduledInHistory.get(id);
    if (!existing) return false;
    const expected =
      kind === 'activity' ? EventType.TaskScheduled : kind === 'timer' ? EventType.TimerCreated : EventType.SubOrchestrationInstanceCreated;
    const nameMismatch = kind !== 'timer' && existing.Name !== action.functionName;
    if (existing.EventType !== expected || nameMismatch) {
      this.plan.nonDeterminism ??=
        `Non-Deterministic workflow detected: the history schedules ${EventType[existing.EventType]}${existing.Name ? ` "${existing.Name}"` : ''} ` +
        `with id ${id}, but the orchestrator now asks for ${kind}${action.functionName ? ` "${action.functionName}"` : ''}`;
    }
    return true;
  }

  private schedule(id: number, kind: Kind, action: OrchestratorAction): void {
    const name = action.functionName ?? '';
    if (kind === 'activity') {
      this.plan.scheduled.push(events.taskScheduled(this.now, id, name, preSerializedInput(action.input)));
    } else if (kind === 'subOrchestration') {
      const childId = action.instanceId || defaultSubOrchestrationId(this.instanceId, id);
      this.plan.scheduled.push(events.subOrchestrationCreated(this.now, id, name, childId, valueInput(action.input)));
    } else {
      this.plan.scheduled.push(events.timerCreated(this.now, id, new Date(action.fireAt ?? this.now).toISOString()));
    }
  }

  private applyDeferred(id: number): void {
    const pending = this.deferred.get(id);
    if (!pending) return;
    this.deferred.delete(id);
    for (const event of pending) this.deliverCompletion(id, event);
  }

  private deliverCompletion(id: number, event: HistoryEvent): void {
    const owner = this.owners.get(id);
    if (!owner) {
      const list = this.deferred.get(id) ?? [];
      list.push(event);
      this.deferred.set(id, list);
      return;
    }
    this.owners.delete(id);
    const failed = event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed;
    const node = owner.node;
    if (node.type === 'task') {
      this.complete(node, failed);
      return;
    }
    // Retry: a failed attempt waits on a timer; after the timer, try again or give up.
    if ('role' in owner && owner.role === 'timer') {
      node.waitingOnTimer = false;
      if (node.attempt > node.action.retryOptions!.maxNumberOfAttempts) this.complete(node, true);
      else this.startAttempt(node);
    } else if (!failed) {
      this.complete(node, false);
    } else {
      node.attempt++;
      this.startRetryTimer(node);
    }
  }

  private deliverEvent(event: HistoryEvent): void {
    const name = event.Name ?? '';
    const list = this.waiting.get(name);
    if (list && list.length > 0) {
      // durable-functions resolves the most recent waiter first.
      const node = list.pop()!;
      if (list.length === 0) this.waiting.delete(name);
      this.complete(node, false);
      return;
    }
    const buffered = this.buffered.get(name) ?? [];
    buffered.push(event);
    this.buffered.set(name, buffered);
  }

  private complete(node: AnyNode, failed: boolean): void {
    if (node.done) return;
    node.done = true;
    node.failed = failed;
    const parent = node.parent;
    if (!parent || parent.done) return;
    parent.doneChildren++;
    if (parent.type === 'any') this.complete(parent, false);
    else if (failed) this.complete(parent, true);
    else if (parent.doneChildren === parent.children.length) this.complete(parent, false);
  }
}
