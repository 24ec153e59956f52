// Calls to the deployment's API from the console: the signed-in copy of every admin route under
// /api/console-api (session cookie + the x-console-request header), problem+json read as errors.
export const API_BASE = '/api/console-api';
export const CONSOLE_BASE = '/api/console';

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  code?: string;
  issues?: { field: string; message: string }[];
  violations?: { code: string; field?: string; message: string; side?: string }[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${API_BASE}${path}`, {
    method,
    credentials: 'same-origin',
    headers: { 'x-console-request': '1', accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (response.status === 401 && (parsed as Problem | undefined)?.code === 'auth.sign-in-required') {
    // The session ended: sign in again and come back here (other 401s, e.g. a wrong pairing code, are answers).
    location.assign(`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError({ status: 401, detail: 'Signing in again…' });
  }
  if (!response.ok) {
    const problem = parsed && typeof parsed === 'object' ? (parsed as Problem) : { status: response.status, detail: String(parsed ?? '') };
    throw new ApiError({ ...problem, status: response.status });
  }
  return parsed as T;
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
