// How callers (the HTTP and timer triggers, and activities that start workflows) find, start
// and wait for orchestration instances. One way for everyone, with typed answers:
// - `readInstance`: the instance's status, or undefined when there is none. The durable client
//   reports an unknown instance only as an error message, so the status is read from the
//   management API (statusQueryGetUri) and judged by its HTTP status: 200/202 = found, 404 = none.
// - `startInstance`: starts unless the instance exists (`unless: 'exists'`, idempotent starts of
//   a workflow) or unless it runs (`unless: 'running'`, singletons that may start again once
//   finished). `startNew` with the id of a running instance is refused by the local host (409) and
//   by Durable Functions 2.x+ (`overridableExistingInstanceStates` = NonRunningStates), while older
//   settings (AnyState) would replace it; so the status is read first, and a refused start is
//   followed by a second read rather than by trusting the error's shape.
// - `waitForInstance`: the final status once the instance has finished, or undefined when it is
//   still running at the deadline; reads back off from 50 ms to 1 s.
import type { DurableClient } from 'durable-functions';

export type InstanceRuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended' | 'Canceled';

/** What the management API says of an instance (the fields callers read). */
export interface InstanceStatus<Output = unknown> {
  instanceId: string;
  name: string;
  runtimeStatus: InstanceRuntimeStatus;
  output: Output;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export type InstanceClient = Pick<DurableClient, 'startNew' | 'createHttpManagementPayload'>;

const RUNNING: ReadonlySet<InstanceRuntimeStatus> = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);
const FIRST_WAIT_INTERVAL_MS = 50;
const MAX_WAIT_INTERVAL_MS = 1_000;

export function isRunning(status: InstanceStatus | undefined): boolean {
  return status !== undefined && RUNNING.has(status.runtimeStatus);
}

export function isFinished(status: InstanceStatus | undefined): status is InstanceStatus {
  return status !== undefined && !RUNNING.has(status.runtimeStatus);
}

/** The instance's status, or undefined when the task hub has no such instance. */
export async function readInstance<Output = unknown>(client: InstanceClient, instanceId: string): Promise<InstanceStatus<Output> | undefined> {
  const url = new URL(client.createHttpManagementPayload(instanceId).statusQueryGetUri);
  url.searchParams.set('showInput', 'false');
  const response = await fetch(url);
  switch (response.status) {
    case 200:
    case 202:
      return (await response.json()) as InstanceStatus<Output>;
    case 404:
      await response.arrayBuffer();
      return undefined;
    default:
      throw new Error(`Reading the status of orchestration instance ${instanceId} failed: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  }
}

export type StartOutcome = 'started' | 'already-running' | 'already-exists';

/**
 * Starts `orchestration` as `instanceId` unless the instance exists (`unless: 'exists'`) or runs
 * (`unless: 'running'`; a finished one is started again). Never replaces a running instance.
 */
export function startInstance(client: InstanceClient, orchestration: string, instanceId: string, input: unknown, options: { unless: 'running' }): Promise<'started' | 'already-running'>;
export function startInstance(client: InstanceClient, orchestration: string, instanceId: string, input: unknown, options: { unless: 'exists' }): Promise<StartOutcome>;
export async function startInstance(
  client: InstanceClient,
  orchestration: string,
  instanceId: string,
  input: unknown,
  options: { unless: 'exists' | 'running' },
): Promise<StartOutcome> {
  const blocking = (status: InstanceStatus | undefined): StartOutcome | undefined => {
    if (isRunning(status)) return 'already-running';
    if (status !== undefined && options.unless === 'exists') return 'already-exists';
    return undefined;
  };
  const before = blocking(await readInstance(client, instanceId));
  if (before) return before;
  try {
    await client.startNew(orchestration, { instanceId, input });
    return 'started';
  } catch (error) {
    // Someone started it between the read and the start.
    const after = blocking(await readInstance(client, instanceId));
    if (after) return after;
    throw error;
  }
}

/** The final status once the instance has finished; undefined when it still runs after `timeoutMs` (or does not exist). */
export async function waitForInstance<Output = unknown>(client: InstanceClient, instanceId: string, timeoutMs: number): Promise<InstanceStatus<Output> | undefined> {
  const deadline = Date.now() + timeoutMs;
  let interval = FIRST_WAIT_INTERVAL_MS;
  for (;;) {
    const status = await readInstance<Output>(client, instanceId);
    if (isFinished(status)) return status;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
    interval = Math.min(interval * 2, MAX_WAIT_INTERVAL_MS);
  }
}
