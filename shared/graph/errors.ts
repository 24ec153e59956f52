// Graph failures → the domain vocabulary. Graph's codes that matter to the product:
// 409 Request_MultipleObjectsWithSameKeyValue (exists), 404 Directory_ObjectNotFound (missing),
// 403 Authorization_RequestDenied (permission), 400 beyond the 25 KB policy limit (too large).
import { DomainError, isDomainError, type ErrorCode } from '../errors';

export interface GraphFailure {
  status: number;
  /** Graph's error code, e.g. "Directory_ObjectNotFound". */
  code?: string;
  message?: string;
}

const POLICY_TOO_LARGE = /(too large|size limit|limit of \d+ bytes|exceed)/i;

/** Domain code for a Graph status and error. */
export function domainCodeForGraph(failure: GraphFailure): ErrorCode {
  switch (failure.status) {
    case 400:
      return POLICY_TOO_LARGE.test(failure.message ?? '') ? 'tenant.policy-too-large' : 'tenant.bad-request';
    case 401:
      return 'tenant.authentication-failed';
    case 403:
      return 'tenant.permission-denied';
    case 404:
      return 'tenant.object-missing';
    case 409:
      return 'tenant.object-exists';
    case 413:
      return 'tenant.policy-too-large';
    case 429:
      return 'tenant.throttled';
    case 500:
    case 502:
    case 503:
    case 504:
      return 'tenant.unavailable';
    default:
      return 'tenant.upstream-error';
  }
}

/** A domain error for a failed Graph call; `operation` says what was being done ("GET /policies/..."). */
export function graphError(failure: GraphFailure, operation: string, cause?: unknown): DomainError {
  const code = domainCodeForGraph(failure);
  const what = failure.message ? `: ${failure.message}` : '';
  return new DomainError(code, `${operation} failed with ${failure.status}${failure.code ? ` ${failure.code}` : ''}${what}`, {
    cause,
    details: { graphStatus: failure.status, graphCode: failure.code ?? null, operation },
  });
}

/** Maps anything the Graph client or the credential threw. */
export function toDomainError(error: unknown, operation: string): DomainError {
  if (isDomainError(error)) return error;
  const candidate = error as { statusCode?: unknown; code?: unknown; message?: unknown; name?: unknown } | null;
  if (candidate && typeof candidate.statusCode === 'number' && candidate.statusCode > 0) {
    return graphError(
      { status: candidate.statusCode, code: typeof candidate.code === 'string' ? candidate.code : undefined, message: String(candidate.message ?? '') },
      operation,
      error,
    );
  }
  // The Graph client wraps non-HTTP failures (token, network, timeout) with statusCode -1 and the
  // original error's name as `code`.
  const name = `${String(candidate?.name ?? '')} ${String(candidate?.code ?? '')}`;
  if (/AuthenticationError|CredentialUnavailableError|AuthenticationRequiredError/.test(name)) {
    return new DomainError('tenant.authentication-failed', `${operation}: could not get a token (${String(candidate?.message ?? name).slice(0, 300)}).`, { cause: error, details: { operation } });
  }
  if (/TimeoutError|AbortError/.test(name)) {
    return new DomainError('tenant.unavailable', `${operation} timed out.`, { cause: error, details: { operation } });
  }
  return new DomainError('tenant.unavailable', `${operation} failed: ${String(candidate?.message ?? error)}`, { cause: error, details: { operation } });
}
