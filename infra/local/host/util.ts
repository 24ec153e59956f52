// Small concurrency helpers used by the host.

/** Limits how many tasks run at once; waiters are served in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }

  get pending(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.active;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** setTimeout that also works beyond the 24.8-day limit of Node timers. */
export function setLongTimeout(callback: () => void, ms: number): { clear(): void } {
  const MAX = 2_147_483_000;
  let handle: NodeJS.Timeout;
  const due = Date.now() + ms;
  const arm = (): void => {
    const remaining = due - Date.now();
    if (remaining > MAX) handle = setTimeout(arm, MAX);
    else handle = setTimeout(callback, Math.max(0, remaining));
  };
  arm();
  return { clear: () => clearTimeout(handle) };
}
