// Exit codes of the `handshake` CLI: stable, scripts test them.
import { ApiClientError, ApiProblemError, WaitTimeoutError } from '../client';

export const EXIT = {
  ok: 0,
  /** Anything else: unreachable deployment, refused key, server error, onboarding ended Rejected/Expired/Failed. */
  other: 1,
  /** Bad input: CLI usage, an invalid request (400/413), an unknown partnership (404), a wrong pairing code. */
  badInput: 2,
  /** Refused by the capability rules (422). */
  refused: 3,
  /** `--wait` ran out of `--timeout`. */
  timedOut: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in how the CLI was called; the message names the flag or argument. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Field-level problems of a request built from flags/file, when that is what was wrong. */
    readonly issues: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Problem codes that mean "what you typed is wrong" although the status is not 400. */
const BAD_INPUT_CODES = new Set(['handshake.bad-pairing-code', 'partnership.not-found', 'request.too-large']);

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.badInput;
  if (error instanceof WaitTimeoutError) return EXIT.timedOut;
  if (error instanceof ApiProblemError) {
    if (error.status === 422) return EXIT.refused;
    if (error.status === 400 || error.status === 413 || BAD_INPUT_CODES.has(error.code)) return EXIT.badInput;
    return EXIT.other;
  }
  if (error instanceof ApiClientError && error.code === 'client.bad-options') return EXIT.badInput;
  return EXIT.other;
}
