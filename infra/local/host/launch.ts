// Starts a host in a child process (`node dist/infra/local/host/cli.js`) and resolves once
// `GET /admin/host/status` says Running. Used by the demo and by integration tests; several hosts
// can run side by side (each on its own free port, with its own settings).
import { fork } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { ensureTrustFile } from '../tls';
import { KEY_SETTINGS, generateKey } from './settings';

export interface LaunchHostOptions {
  appDir: string;
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /** Extra environment (over this process's); an undefined value removes a variable. */
  env?: Record<string, string | undefined>;
  /** Sets AzureWebJobsStorage (else the app's local.settings.json decides; unset → embedded Azurite). */
  storageConnectionString?: string;
  /** Sets the durable task hub (AzureFunctionsJobHost__extensions__durableTask__hubName). */
  taskHub?: string;
  masterKey?: string;
  functionKey?: string;
  systemKey?: string;
  /**
   * Pass only the keys given here: the host takes the others from its storage account, or
   * generates and keeps them there (as Azure does); the handle's keys are read from what it prints.
   */
  keysFromHost?: boolean;
  /** Data folder for the embedded Azurite (so a restarted host finds its state). */
  azuriteLocation?: string;
  /** Echo the host's output to stderr, each line prefixed (default: only when HOST_LOGS is set). */
  logPrefix?: string;
  echo?: boolean;
  /** Also append the host's output to this file. */
  logFile?: string;
  readyTimeoutMs?: number;
  /**
   * Serve HTTPS (`--https`): certificate from the local stack's CA. The child gets
   * NODE_EXTRA_CA_CERTS naming that CA (bundled with any CA already named), so the app's own
   * durable client and its calls to other https hosts of the stack trust it.
   */
  https?: boolean;
}

export interface RunningHost {
  baseUrl: string;
  port: number;
  pid: number;
  masterKey: string;
  functionKey: string;
  systemKey: string;
  /** Everything the host printed so far (stdout and stderr, interleaved). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (waiting for it if needed). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Graceful stop (SIGTERM; SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Immediate kill (default SIGKILL), as a crash. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export class HostLaunchError extends Error {
  override readonly name = 'HostLaunchError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(message);
  }
}

const READY_LINE = /Host started: listening on (https?:\/\/\S+)/;

/** Path of the compiled host CLI (this file may run from dist/ or, under jest, from the sources). */
export function hostCliPath(): string {
  const beside = join(__dirname, 'cli.js');
  if (existsSync(beside)) return beside;
  const compiled = resolve(__dirname, '../../../dist/infra/local/host/cli.js');
  if (existsSync(compiled)) return compiled;
  throw new Error(`The host is not built (${compiled} is missing): run \`npm run build\` first`);
}

export async function launchHost(options: LaunchHostOptions): Promise<RunningHost> {
  let masterKey = options.masterKey ?? generateKey();
  let functionKey = options.functionKey ?? generateKey();
  let systemKey = options.systemKey ?? generateKey();
  const env: NodeJS.ProcessEnv = { ...process.env };
  // This process's own host name must not leak into the child (it sets its own).
  delete env.WEBSITE_HOSTNAME;
  const fromHost = (given: string | undefined): boolean => options.keysFromHost === true && given === undefined;
  for (const [setting, key, given] of [
    [KEY_SETTINGS.master, masterKey, options.masterKey],
    [KEY_SETTINGS.functionDefault, functionKey, options.functionKey],
    [KEY_SETTINGS.durableSystem, systemKey, options.systemKey],
  ] as const) {
    if (fromHost(given)) delete env[setting];
    else env[setting] = key;
  }
  if (options.storageConnectionString) env.AzureWebJobsStorage = options.storageConnectionString;
  if (options.taskHub) env.AzureFunctionsJobHost__extensions__durableTask__hubName = options.taskHub;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const args = ['--app', resolve(options.appDir), '--port', String(options.port ?? 0)];
  if (options.azuriteLocation) args.push('--azurite-location', options.azuriteLocation);
  let caFile: string | undefined;
  if (options.https) {
    args.push('--https');
    const trust = await ensureTrustFile({ existing: env.NODE_EXTRA_CA_CERTS });
    env.NODE_EXTRA_CA_CERTS = trust.file;
    caFile = trust.ca.caFile;
  }

  // The host itself moves into the app folder; start it where we are (the folder may not exist).
  const child = fork(hostCliPath(), args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  let logFile = options.logFile;
  const listeners = new Set<() => void>();
  const echo = options.echo ?? (options.logPrefix !== undefined || !!process.env.HOST_LOGS);
  const prefix = options.logPrefix ?? `[host ${child.pid}]`;
  let partial = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    output += text;
    if (logFile) {
      try {
        appendFileSync(logFile, text);
      } catch {
        logFile = undefined; // the folder went away (a caller cleaning up): keep the output in memory only
      }
    }
    if (echo) {
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stderr.write(`${prefix} ${line}\n`);
    }
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => {
      for (const listener of [...listeners]) listener();
      resolveExit({ code, signal });
    });
    child.once('error', (error) => {
      spawnError = error;
      output += `error: could not start the host process: ${error.message}\n`;
      for (const listener of [...listeners]) listener();
      resolveExit({ code: null, signal: null });
    });
  });

  const waitForOutput = (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> =>
    new Promise((resolveMatch, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(output);
        if (match) {
          cleanup();
          resolveMatch(match);
          return true;
        }
        if (child.exitCode !== null || child.signalCode !== null || spawnError) {
          cleanup();
          reject(new HostLaunchError(`The host exited (code ${child.exitCode}, signal ${child.signalCode}) before printing ${pattern}`, child.exitCode, output));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new HostLaunchError(`Timed out after ${timeoutMs} ms waiting for ${pattern} in the host output`, child.exitCode, output));
      }, timeoutMs);
      const listener = (): void => void check();
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
      check();
    });

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const ready = await waitForOutput(READY_LINE, options.readyTimeoutMs ?? 60_000);
    const baseUrl = ready[1];
    if (options.keysFromHost) {
      const shown = (setting: string): string => {
        const match = new RegExp(`^\\s+${setting}=(\\S+)$`, 'm').exec(output);
        if (!match) throw new HostLaunchError(`The host did not print ${setting}`, child.exitCode, output);
        return match[1];
      };
      if (fromHost(options.masterKey)) masterKey = shown(KEY_SETTINGS.master);
      if (fromHost(options.functionKey)) functionKey = shown(KEY_SETTINGS.functionDefault);
      if (fromHost(options.systemKey)) systemKey = shown(KEY_SETTINGS.durableSystem);
    }
    await confirmRunning(baseUrl, masterKey, caFile);
    return {
      baseUrl,
      port: Number(new URL(baseUrl).port),
      pid: child.pid!,
      masterKey,
      functionKey,
      systemKey,
      output: () => output,
      waitForOutput,
      exited,
      stop,
      kill,
    };
  } catch (error) {
    await kill();
    if (error instanceof HostLaunchError) {
      const firstError = /^error: (.*)$/m.exec(error.output)?.[1];
      throw new HostLaunchError(firstError ? `The host failed to start: ${firstError}` : error.message, child.exitCode, error.output);
    }
    throw error;
  }
}

async function confirmRunning(baseUrl: string, masterKey: string, caFile: string | undefined): Promise<void> {
  const url = `${baseUrl}/admin/host/status`;
  const headers = { 'x-functions-key': masterKey };
  // Over https the CA is given explicitly: the launching process may not trust it (NODE_EXTRA_CA_CERTS).
  const text = caFile ? await httpsGet(url, headers, readFileSync(caFile, 'utf8')) : await (await fetch(url, { headers })).text();
  const status = JSON.parse(text) as { state?: string };
  if (status.state !== 'Running') throw new Error(`The host at ${baseUrl} reports state ${status.state}`);
}

function httpsGet(url: string, headers: Record<string, string>, ca: string): Promise<string> {
  return new Promise((resolveText, reject) => {
    const req = httpsRequest(url, { headers, ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolveText(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

