// The product's one error vocabulary. Every failure the domain reports is a DomainError with a
// stable `code` (never renamed: callers, problem+json `type` URIs and tests depend on it) and an
// HTTP status hint. `toProblemDetails` is the single place where an error becomes RFC 9457 JSON.

/** Every stable error code, with the HTTP status it maps to and a short title. */
export const ERROR_CODES = {
  // Input and rules
  'request.invalid': { status: 400, title: 'The request is not valid' },
  'request.too-large': { status: 413, title: 'The request body is too large' },
  'capability.violation': { status: 422, title: 'The requested collaboration breaks a capability rule' },
  'partnership.illegal-transition': { status: 409, title: 'The partnership cannot move to that state' },
  'partnership.not-found': { status: 404, title: 'No such partnership' },
  'partnership.exists': { status: 409, title: 'The partnership already exists' },
  'partnership.conflict': { status: 409, title: 'The partnership was changed by someone else' },
  'config.invalid': { status: 500, title: 'The deployment configuration is not valid' },

  // Tenant writes and reads (Graph and Teams)
  'tenant.object-exists': { status: 409, title: 'The object already exists in the tenant' },
  'tenant.object-missing': { status: 404, title: 'The object does not exist in the tenant' },
  'tenant.permission-denied': { status: 403, title: 'The app lacks a permission or role in the tenant' },
  'tenant.policy-too-large': { status: 400, title: 'The cross-tenant access policy would exceed its size limit' },
  'tenant.bad-request': { status: 400, title: 'The tenant refused the request' },
  'tenant.throttled': { status: 429, title: 'The tenant kept throttling the requests' },
  'tenant.unavailable': { status: 503, title: 'The service of the tenant is unavailable' },
  'tenant.authentication-failed': { status: 502, title: 'Could not get a token for the tenant' },
  'tenant.upstream-error': { status: 502, title: 'The tenant service answered with an unexpected error' },
  'tenant.not-supported': { status: 422, title: 'The operation is not available in that cloud' },
  'apply.partial-failure': { status: 502, title: 'Applying the plan stopped at an operation that failed' },
  'teams.manual-action-required': { status: 409, title: 'The Teams settings must be applied by an administrator' },

  // Storage
  'storage.unavailable': { status: 503, title: 'Table storage is unavailable' },

  // Handshake trust (shared/handshake)
  'handshake.message-too-large': { status: 413, title: 'The handshake message is too large' },
  'handshake.malformed': { status: 400, title: 'The handshake message is malformed' },
  'handshake.bad-signature': { status: 401, title: 'The handshake message signature is not valid' },
  'handshake.unknown-key': { status: 401, title: 'The handshake message is signed with an unknown key' },
  'handshake.key-mismatch': { status: 401, title: 'The handshake message key differs from the pinned key' },
  'handshake.wrong-audience': { status: 401, title: 'The handshake message is addressed to another tenant' },
  'handshake.unexpected-issuer': { status: 401, title: 'The handshake message comes from an unexpected tenant' },
  'handshake.expired': { status: 401, title: 'The handshake message has expired' },
  'handshake.not-yet-valid': { status: 401, title: 'The handshake message is issued too far in the future' },
  'handshake.replay': { status: 409, title: 'The handshake message nonce was already used' },
  'handshake.in-progress': { status: 409, title: 'The same handshake message is being processed; retry later' },
  'handshake.no-outstanding-invitation': { status: 409, title: 'No outstanding invitation matches the message' },
  'handshake.wrong-state': { status: 409, title: 'The partnership cannot take that message now' },
  'handshake.bad-pairing-code': { status: 401, title: 'The pairing code does not match' },
  'handshake.partner-key-conflict': { status: 409, title: 'The partner key differs from the one already trusted' },
  'handshake.too-many-invitations': { status: 429, title: 'Too many invitations are waiting for approval' },
  // The partner deployment, as seen by the sender of a message (recorded as a partnership's last error)
  'handshake.partner-refused': { status: 502, title: 'The partner deployment refused the message' },
  'handshake.partner-unreachable': { status: 504, title: 'The partner deployment could not be reached' },
  'handshake.partner-timeout': { status: 504, title: 'The partner did not answer in time' },
  'tenant.not-in-sync': { status: 409, title: 'The tenant does not hold the configuration after it was applied' },

  // Reconciliation (Graph change notifications, reconcile runs)
  'notification.rejected': { status: 403, title: 'The change notification did not come from a known subscription' },
  'reconcile.not-active': { status: 409, title: 'Only an Active partnership can be reconciled' },

  // Signed-in administrators (App Service Authentication)
  'auth.sign-in-required': { status: 401, title: 'Sign in to use this route' },
  'auth.role-missing': { status: 403, title: 'The signed-in user lacks the app role this route needs' },

  'internal': { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base URI of problem+json `type`s: `${PROBLEM_TYPE_BASE}${code}`. */
export const PROBLEM_TYPE_BASE = 'https://cross-cloud-handshake.dev/problems/';

export interface DomainErrorOptions {
  /** Plain JSON details for the caller (violations, failed operation, field issues). No secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Override of the code's default HTTP status (rare: e.g. a Graph 400 that is not ours). */
  status?: number;
}

/** A failure with a stable code. `details` must stay JSON-serialisable (it crosses activities). */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.details = options.details ?? {};
  }

  /** Plain data, e.g. to return from an activity or to store in the Events table. */
  toJSON(): SerializedDomainError {
    return { name: 'DomainError', code: this.code, status: this.status, message: this.message, details: this.details };
  }
}

export interface SerializedDomainError {
  name: 'DomainError';
  code: ErrorCode;
  status: number;
  message: string;
  details: Record<string, unknown>;
}

export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}

/**
 * Rebuilds a DomainError from its JSON form (Durable activities lose the prototype) or from an
 * Error whose message is that JSON (how durable-functions reports a failed activity).
 */
export function reviveDomainError(value: unknown): DomainError | undefined {
  let candidate: unknown = value;
  if (value instanceof DomainError) return value;
  if (value instanceof Error) candidate = tryParseJson(value.message);
  else if (typeof value === 'string') candidate = tryParseJson(value);
  if (!candidate || typeof candidate !== 'object') return undefined;
  const data = candidate as Partial<SerializedDomainError>;
  if (data.name !== 'DomainError' || typeof data.code !== 'string' || !(data.code in ERROR_CODES)) return undefined;
  return new DomainError(data.code as ErrorCode, String(data.message ?? ''), {
    details: data.details ?? {},
    status: typeof data.status === 'number' ? data.status : undefined,
  });
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** RFC 9457 problem details. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

/**
 * The one mapping from any thrown value to problem+json. Unknown errors become a 500 whose detail
 * does not leak the original message (it may hold secrets); log the original separately.
 */
export function toProblemDetails(error: unknown, instance?: string): ProblemDetails {
  const domain = error instanceof DomainError ? error : reviveDomainError(error);
  if (!domain) {
    return {
      type: `${PROBLEM_TYPE_BASE}internal`,
      title: ERROR_CODES.internal.title,
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'internal',
      ...(instance ? { instance } : {}),
    };
  }
  return {
    ...domain.details,
    type: `${PROBLEM_TYPE_BASE}${domain.code}`,
    title: ERROR_CODES[domain.code].title,
    status: domain.status,
    detail: domain.message,
    code: domain.code,
    ...(instance ? { instance } : {}),
  };
}
