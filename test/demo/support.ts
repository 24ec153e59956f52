// Runs `npm start`'s program (dist/infra/local/demo/main.js) as a child process, as a user would,
// and finds every process it started (to prove they are all gone when it ends).
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '../..');
export const DEMO_MAIN = join(PROJECT_ROOT, 'dist/infra/local/demo/main.js');

export interface DemoProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** Ends any demo a failed test left running (its stack's processes die with it). */
export function killLeftoverDemos(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function startDemo(args: string[], options: { detached?: boolean } = {}): DemoProcess {
  // Without NODE_EXTRA_CA_CERTS, as `npm start` runs it: the demo must trust the local CA itself.
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.HOST_LOGS;
  // detached: its own process group, so a test can signal the whole group as a terminal's Ctrl-C does.
  const child = fork(DEMO_MAIN, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env, detached: options.detached ?? false });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const waiters: Array<() => void> = [];
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
    waiters.forEach((check) => check());
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No ${pattern} in the demo's output within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        const check = (): void => {
          const match = pattern.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        };
        waiters.push(check);
        void exited.then(() => {
          check();
          clearTimeout(timer);
          if (!pattern.exec(output)) reject(new Error(`The demo exited without printing ${pattern}:\n${output}`));
        });
        check();
      });
    },
  };
}

/** Every live process below `pid` (children, their children, ...), from /proc. */
export function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses; split after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; it is gone for our purposes.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
