// The host's fault switch: `LOCAL_HOST_CRASH_AT=<activity>:<before|after>[:<n>]` kills the host
// process (SIGKILL, as a crash would) right before the n-th invocation (default the first) of that
// activity function starts, or right after it returned — before its result reaches the
// orchestration, so the restarted host runs it again. The switch fires once: it is marked as used
// in the host's storage (table LocalHostFaults, partition = host id) before the kill, so a host
// restarted with the same settings on the same storage runs on.
import { createTableClient, type StorageMetrics } from './storage/tables';
import type { AppFunction } from './app/loader';
import type { Invoker } from './app/invoker';
import { HostError, describeError } from './errors';
import type { Logger } from './logger';

export const CRASH_SETTING = 'LOCAL_HOST_CRASH_AT';
export const CRASH_MARKS_TABLE = 'LocalHostFaults';

export interface CrashPoint {
  activity: string;
  phase: 'before' | 'after';
  /** 1 = the first invocation of the activity in this process. */
  occurrence: number;
}

const SPEC = /^([A-Za-z_][A-Za-z0-9_-]*):(before|after)(?::([1-9][0-9]{0,5}))?$/;

/** `configureTenant:after:2` → the point; anything else is a HostError naming the setting. */
export function parseCrashPoint(text: string): CrashPoint {
  const match = SPEC.exec(text.trim());
  if (!match) {
    throw new HostError(
      'settings.invalid',
      `${CRASH_SETTING} must be <activity>:<before|after>[:<n>], e.g. configureTenant:after or sendMessage:before:2 (got "${text}")`,
    );
  }
  return { activity: match[1], phase: match[2] as CrashPoint['phase'], occurrence: match[3] ? Number(match[3]) : 1 };
}

export interface CrashSwitchOptions {
  env: Record<string, string | undefined>;
  functions: readonly AppFunction[];
  /** The host's storage (where the switch is marked as used). */
  connectionString: string | undefined;
  hostId: string;
  logger: Logger;
  metrics: StorageMetrics;
  /** How the process dies (tests of the switch itself may pass another). */
  kill?: () => void;
}

/**
 * Arms the switch when the setting is present and not used yet on this storage: wraps
 * `invoker.invoke` so the named activity's invocation kills the process at the named point.
 * Returns the armed point (undefined when the setting is absent or already used).
 */
export async function installCrashSwitch(invoker: Invoker, options: CrashSwitchOptions): Promise<CrashPoint | undefined> {
  const text = options.env[CRASH_SETTING];
  if (text === undefined || text.trim() === '') return undefined;
  const point = parseCrashPoint(text);
  const fn = options.functions.find((candidate) => candidate.kind === 'activity' && candidate.name.toLowerCase() === point.activity.toLowerCase());
  if (!fn) {
    const known = options.functions.filter((candidate) => candidate.kind === 'activity').map((candidate) => candidate.name);
    throw new HostError('settings.invalid', `${CRASH_SETTING} names activity "${point.activity}", which the app does not have (activities: ${known.join(', ') || 'none'})`);
  }
  if (!options.connectionString) throw new HostError('settings.invalid', `${CRASH_SETTING} needs durable storage (AzureWebJobsStorage)`);
  const marks = createTableClient(CRASH_MARKS_TABLE, { connectionString: options.connectionString, metrics: options.metrics });
  const partitionKey = options.hostId;
  const rowKey = `${point.activity.toLowerCase()}-${point.phase}-${point.occurrence}`;
  try {
    await marks.createTable();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 409) throw new HostError('storage.unreachable', `Cannot create table ${CRASH_MARKS_TABLE}: ${describeError(error)}`, { cause: error });
  }
  try {
    await marks.getEntity(partitionKey, rowKey);
    options.logger.info(`${CRASH_SETTING}=${text.trim()} was used by an earlier run of this host: not armed`);
    return undefined;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw new HostError('storage.unreachable', `Cannot read table ${CRASH_MARKS_TABLE}: ${describeError(error)}`, { cause: error });
  }

  const kill = options.kill ?? (() => process.kill(process.pid, 'SIGKILL'));
  let seen = 0;
  let fired = false;
  const crash = async (): Promise<void> => {
    fired = true;
    await marks.upsertEntity({ partitionKey, rowKey, usedAt: new Date().toISOString(), setting: text.trim() }, 'Replace');
    options.logger.always(`${CRASH_SETTING}: killing the host ${point.phase} invocation ${point.occurrence} of activity ${fn.name}`);
    kill();
    // The process is gone; should `kill` return (a test's stand-in), nothing more of this invocation runs.
    await new Promise<never>(() => undefined);
  };
  const invoke = invoker.invoke.bind(invoker);
  invoker.invoke = async (target, request) => {
    if (fired || target !== fn) return invoke(target, request);
    seen += 1;
    if (seen !== point.occurrence) return invoke(target, request);
    if (point.phase === 'before') await crash();
    const outcome = await invoke(target, request);
    await crash();
    return outcome;
  };
  options.logger.info(`${CRASH_SETTING}=${text.trim()}: the host will be killed ${point.phase} invocation ${point.occurrence} of activity ${fn.name}`);
  return point;
}
