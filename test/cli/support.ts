// Runs the CLI in process with captured output (the same runCli the bin runs).
import { runCli, type CliIo } from '../../shared/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON document of --json. */
  json<T = Record<string, unknown>>(): T;
}

export async function cli(argv: string[], io: Partial<CliIo> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: {},
    pollIntervalMs: 100,
    ...io,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return {
    code,
    stdout,
    stderr,
    json<T>(): T {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`stdout is not one JSON document:\n${stdout}\nstderr:\n${stderr}`);
      }
    },
  };
}

/** A fetch that records calls and fails the test if anything is sent. */
export function refusingFetch(): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const impl = (async (input: string | URL | Request) => {
    calls.push(String(input instanceof Request ? input.url : input));
    throw new Error('nothing should have been sent');
  }) as unknown as typeof fetch & { calls: string[] };
  impl.calls = calls;
  return impl;
}
