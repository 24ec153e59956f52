// Typed errors of the local Functions host. The CLI prints `message` as one line and exits
// non-zero; `code` is stable so tests and callers can tell failures apart.

export type HostErrorCode =
  | 'app.missing'
  | 'app.package-json'
  | 'app.main'
  | 'app.load'
  | 'app.unsupported'
  | 'settings.invalid'
  | 'host-json.invalid'
  | 'timer.schedule'
  | 'port.in-use'
  | 'port.invalid'
  | 'storage.unreachable'
  | 'storage.invalid'
  | 'cli.usage'
  | 'durable.task-hub'
  | 'route.invalid';

export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly code: HostErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isHostError(error: unknown): error is HostError {
  return error instanceof HostError;
}

/** A short, single-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0];
  return String(error);
}
