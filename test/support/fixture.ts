// Something a describe block starts once for its tests and stops after them.

export interface FixtureOptions<T> {
  /** Names it in the error of an accessor called outside the tests, e.g. 'The host'. */
  what: string;
  /** The helper's name, for that error, e.g. 'useHost'. */
  helper: string;
  start: () => Promise<T>;
  stop: (started: T) => Promise<void>;
  startTimeoutMs: number;
  stopTimeoutMs?: number;
}

/**
 * Starts it in beforeAll and stops it in afterAll; call inside describe. The accessor returns what
 * was started, or throws when nothing is (called outside a test, or the start failed).
 */
export function useFixture<T>(options: FixtureOptions<T>): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await options.start();
  }, options.startTimeoutMs);
  afterAll(async () => {
    if (started !== undefined) await options.stop(started);
  }, options.stopTimeoutMs);
  return () => {
    if (started === undefined) throw new Error(`${options.what} is not running (${options.helper}() must be called inside describe)`);
    return started;
  };
}
