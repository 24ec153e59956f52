// What an activity answers when a domain rule or a tenant refuses: a value the orchestrator can
// branch on (`{ ok: false, error }`), not an exception. Transient failures are thrown instead, so
// the durable retry policy tries again; anything unexpected is thrown as it is.
import { DomainError, isDomainError, type ErrorCode, type SerializedDomainError } from '../../shared/errors';

export type Outcome<T extends object> = ({ ok: true } & T) | { ok: false; error: SerializedDomainError };

/** Failures worth retrying later: storage, throttling that outlasted the adapter's own retries, outages. */
export const TRANSIENT_ERROR_CODES: readonly ErrorCode[] = ['storage.unavailable', 'tenant.unavailable', 'tenant.throttled', 'partnership.conflict'];

export function isTransient(error: SerializedDomainError | DomainError): boolean {
  return TRANSIENT_ERROR_CODES.includes(error.code);
}

export async function outcomeOf<T extends object>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    if (isDomainError(error) && !isTransient(error)) return { ok: false, error: error.toJSON() };
    throw error;
  }
}

/** A serialized error built in an orchestrator (which must not throw to say why it stopped). */
export function errorRecord(code: ErrorCode, message: string, details: Record<string, unknown> = {}): SerializedDomainError {
  return new DomainError(code, message, { details }).toJSON();
}

/** A failure that is not a DomainError (e.g. an activity's retries exhausted). */
export function internalError(message: string, details: Record<string, unknown> = {}): SerializedDomainError {
  return errorRecord('internal', message, details);
}
