// Progress lines of the demo, stamped with the time since it started: `[+  3.4s] message`.

export interface ProgressLog {
  /** Milliseconds since the demo started. */
  elapsedMs(): number;
  line(message: string): void;
  /** Text printed as is (tables, the before/after view). */
  block(text: string): void;
}

export function createProgressLog(write: (text: string) => void, now: () => number = Date.now): ProgressLog {
  const start = now();
  return {
    elapsedMs: () => now() - start,
    line(message) {
      const seconds = ((now() - start) / 1000).toFixed(1).padStart(5);
      write(`[+${seconds}s] ${message}\n`);
    },
    block(text) {
      write(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
}
