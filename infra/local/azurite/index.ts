import { ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const STARTUP_TIMEOUT_MS = 30_000;

export interface AzuriteOptions {
  /** Folder for Azurite's data; a fresh temporary folder (removed on stop) when absent. */
  location?: string;
  /** Keep everything in memory (nothing survives a restart). */
  inMemory?: boolean;
  /** Print Azurite's own output (request log is always off). */
  verbose?: boolean;
}

export interface RunningAzurite {
  connectionString: string;
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  location: string;
  /** Process id of the Azurite child. */
  pid: number;
  stop(): Promise<void>;
}

/** Connection string for the development account at the given endpoints. */
export function devConnectionString(endpoints: { blob: string; queue: string; table: string }): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT_NAME}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoints.blob}/${DEV_ACCOUNT_NAME}`,
    `QueueEndpoint=${endpoints.queue}/${DEV_ACCOUNT_NAME}`,
    `TableEndpoint=${endpoints.table}/${DEV_ACCOUNT_NAME}`,
  ].join(';') + ';';
}

/**
 * Starts Azurite (the project's own npm dependency) on free ports and resolves once all three
 * services listen. The process dies with the caller, even when the caller is killed.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const ownsLocation = !options.location;
  const location = options.location ?? mkdtempSync(join(tmpdir(), 'azurite-'));
  mkdirSync(location, { recursive: true });

  const args = [
    '--blobPort', '0', '--queuePort', '0', '--tablePort', '0',
    '--silent', '--skipApiVersionCheck', '--disableTelemetry', '--loose',
  ];
  // Azurite refuses --location together with --inMemoryPersistence.
  if (options.inMemory) args.push('--inMemoryPersistence');
  else args.push('--location', location);

  const child = fork(childModulePath(), args, {
    cwd: location,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });

  const endpoints = await waitForEndpoints(child, options.verbose ?? false);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (ownsLocation) rmSync(location, { recursive: true, force: true });
  };
  return {
    connectionString: devConnectionString(endpoints),
    blobEndpoint: `${endpoints.blob}/${DEV_ACCOUNT_NAME}`,
    queueEndpoint: `${endpoints.queue}/${DEV_ACCOUNT_NAME}`,
    tableEndpoint: `${endpoints.table}/${DEV_ACCOUNT_NAME}`,
    location,
    pid: child.pid!,
    stop,
  };
}

/**
 * The compiled child beside this file; when this file runs from TypeScript source (jest), the
 * compiled copy under dist/ (a process can only fork JavaScript).
 */
function childModulePath(): string {
  const beside = join(__dirname, 'child.js');
  if (existsSync(beside)) return beside;
  const compiled = join(__dirname, '..', '..', '..', 'dist', 'infra', 'local', 'azurite', 'child.js');
  if (existsSync(compiled)) return compiled;
  throw new Error(`Azurite launcher child not found at ${beside} or ${compiled}: run \`npm run build\` first.`);
}

function waitForEndpoints(
  child: ChildProcess,
  verbose: boolean,
): Promise<{ blob: string; queue: string; table: string }> {
  return new Promise((resolve, reject) => {
    const found: Record<string, string> = {};
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      if (verbose) process.stderr.write(`[azurite] ${text}`);
      for (const match of text.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at (\S+)/g)) {
        found[match[1].toLowerCase()] = match[2];
      }
      if (found.blob && found.queue && found.table) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining so a full pipe never blocks Azurite.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ blob: found.blob, queue: found.queue, table: found.table });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (verbose) process.stderr.write(`[azurite] ${chunk.toString()}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited before it was ready (code ${code}, signal ${signal}):\n${output}`));
    });
  });
}
