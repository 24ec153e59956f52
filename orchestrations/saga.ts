// Compensations of a workflow (the saga pattern): push one right after the step it undoes has
// started to change things; on failure, run them newest first. A compensation that fails is
// recorded and the others still run — compensation never throws into the workflow.
import type { OrchestrationContext, RetryOptions, Task } from 'durable-functions';

export interface Compensation {
  /** For the audit trail, e.g. "undo the local Entra configuration". */
  name: string;
  activity: string;
  /** The activity's input, or a function giving it when the compensation runs (e.g. with the time then). */
  input: unknown;
}

export interface CompensationResult {
  name: string;
  ok: boolean;
  /** The activity's output, or the failure's message. */
  output?: unknown;
  error?: string;
}

export class Compensations {
  private readonly pending: Compensation[] = [];

  add(compensation: Compensation): void {
    this.pending.push(compensation);
  }

  /** Forget every compensation (the point where undoing would no longer be safe). */
  clear(): void {
    this.pending.length = 0;
  }

  get size(): number {
    return this.pending.length;
  }

  /** Runs and removes every pending compensation, newest first (deterministic: only context.df). */
  *run(context: OrchestrationContext, retry: RetryOptions): Generator<Task, CompensationResult[], unknown> {
    const results: CompensationResult[] = [];
    while (this.pending.length > 0) {
      const compensation = this.pending.pop()!;
      try {
        const input = typeof compensation.input === 'function' ? (compensation.input as () => unknown)() : compensation.input;
        const output = yield context.df.callActivityWithRetry(compensation.activity, retry, input);
        // Activities answer refusals as { ok: false, error } (see activities/outcome.ts).
        const refused = output && typeof output === 'object' && (output as { ok?: unknown }).ok === false;
        results.push(
          refused
            ? { name: compensation.name, ok: false, output, error: String((output as { error?: { message?: string } }).error?.message ?? 'refused') }
            : { name: compensation.name, ok: true, output },
        );
      } catch (error) {
        results.push({ name: compensation.name, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return results;
  }
}
