// Refusals of the trust layer, in the product's one error vocabulary (shared/errors.ts). Each
// helper names the check that failed; `details` carries only public, JSON-safe facts.
import { DomainError, type ErrorCode } from '../errors';

/** Codes the trust layer throws (a subset of ErrorCode). */
export type HandshakeErrorCode = Extract<ErrorCode, `handshake.${string}`>;

export function handshakeError(
  code: HandshakeErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): DomainError {
  return new DomainError(code, message, { details, cause });
}

/** True for a DomainError thrown by the trust layer (any `handshake.*` code). */
export function isHandshakeError(error: unknown): error is DomainError & { code: HandshakeErrorCode } {
  return error instanceof DomainError && error.code.startsWith('handshake.');
}
