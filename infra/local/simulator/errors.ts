// Errors. `GraphError` becomes a Graph-shaped error body (error.code, error.message,
// error.innerError with request-id and date); `SimulatorError` is the simulator's own failure
// (bad world, bad options, a response that breaks the OpenAPI description) with a stable code.

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export type SimulatorErrorCode =
  | 'world.invalid'
  | 'world.unreadable'
  | 'options.invalid'
  | 'response.invalid'
  | 'control.failed'
  | 'state.unreadable';

export class SimulatorError extends Error {
  constructor(
    readonly code: SimulatorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

export const badRequest = (message: string, code = 'Request_BadRequest'): GraphError => new GraphError(400, code, message);

export const notFound = (message: string, code = 'Request_ResourceNotFound'): GraphError => new GraphError(404, code, message);

export const resourceNotFound = (id: string): GraphError =>
  notFound(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

/** Graph's answer for a path segment the service (or this cloud) does not have. */
export const unknownSegment = (segment: string, why?: string): GraphError =>
  new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.${why ? ` ${why}` : ''}`);

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

export function graphErrorBody(code: string, message: string, requestId: string, clientRequestId?: string): GraphErrorBody {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}
