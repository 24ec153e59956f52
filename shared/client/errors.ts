// Errors of the API client. A deployment's refusal is an ApiProblemError (its problem+json);
// everything that kept the client from getting an answer is an ApiClientError with a stable code.
import { PROBLEM_TYPE_BASE } from '../errors';
import type { PartnershipDetails, ProblemDocument, ProblemFieldIssue, ProblemViolation } from './types';

/** The deployment answered with an error status (RFC 9457 problem+json, or a bare status). */
export class ApiProblemError extends Error {
  readonly status: number;
  /** Problem `type` URI (`about:blank` when the answer was not problem+json). */
  readonly type: string;
  /** Stable code, e.g. `capability.violation` (`http.<status>` when the answer had none). */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** Capability rules the request breaks (422). */
  readonly violations: ProblemViolation[];
  /** Bad fields of the request (400). */
  readonly issues: ProblemFieldIssue[];
  /** The whole problem document as received. */
  readonly problem: ProblemDocument;
  /** e.g. `POST /api/partnerships` (never a key). */
  readonly request: string;

  constructor(status: number, problem: ProblemDocument, request: string) {
    const code = typeof problem.code === 'string' ? problem.code : codeFromType(problem.type) ?? `http.${status}`;
    const detail = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
    super(`${request} → ${status} ${code}: ${detail}`);
    this.name = 'ApiProblemError';
    this.status = status;
    this.type = typeof problem.type === 'string' ? problem.type : 'about:blank';
    this.code = code;
    this.title = typeof problem.title === 'string' ? problem.title : '';
    this.detail = detail;
    this.violations = Array.isArray(problem.violations) ? problem.violations : [];
    this.issues = Array.isArray(problem.issues) ? problem.issues : [];
    this.problem = problem;
    this.request = request;
  }

  toJSON(): { status: number; type: string; code: string; title: string; detail: string; violations: ProblemViolation[]; issues: ProblemFieldIssue[] } {
    const { status, type, code, title, detail, violations, issues } = this;
    return { status, type, code, title, detail, violations, issues };
  }
}

export type ApiClientErrorCode =
  /** No HTTP answer (connection refused, TLS, DNS, aborted). */
  | 'client.unreachable'
  /** An answer the API contract does not allow (e.g. not JSON where JSON is due). */
  | 'client.bad-response'
  /** A wait for a partnership status ran out of time. */
  | 'client.timeout'
  /** The client was given bad options (e.g. no base URL). */
  | 'client.bad-options';

export class ApiClientError extends Error {
  readonly code: ApiClientErrorCode;

  constructor(code: ApiClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiClientError';
    this.code = code;
  }
}

/** `waitForPartnership` ran out of time; `last` is the last state seen (if any). */
export class WaitTimeoutError extends ApiClientError {
  readonly last: PartnershipDetails | undefined;

  constructor(message: string, last: PartnershipDetails | undefined) {
    super('client.timeout', message);
    this.name = 'WaitTimeoutError';
    this.last = last;
  }
}

function codeFromType(type: unknown): string | undefined {
  return typeof type === 'string' && type.startsWith(PROBLEM_TYPE_BASE) ? type.slice(PROBLEM_TYPE_BASE.length) : undefined;
}
