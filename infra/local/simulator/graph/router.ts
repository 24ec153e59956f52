// Matches a Graph path below /v1.0 to a route declared with its OpenAPI template. Segments are
// case-insensitive, `delta()` may be called as `delta`, and function parameters
// (`findTenantInformationByTenantId(tenantId='{tenantId}')`) are captured like path parameters.
import { GraphError, unknownSegment } from '../errors';
import type { GraphRoute } from './types';

interface CompiledRoute {
  route: GraphRoute;
  pattern: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: GraphRoute;
  params: Record<string, string>;
}

export class GraphRouter {
  private readonly compiled: CompiledRoute[];

  constructor(routes: GraphRoute[]) {
    this.compiled = routes
      .map((route) => compile(route))
      // Literal routes first: /users/delta() before /users/{user-id}.
      .sort((a, b) => a.names.length - b.names.length);
  }

  /** The route for a method and path; Graph's 400 for an unknown path, 405 for a wrong method. */
  match(method: string, path: string): RouteMatch {
    const normalized = path.replace(/\/+$/, '') || '/';
    let pathKnown = false;
    for (const candidate of this.compiled) {
      const found = candidate.pattern.exec(normalized);
      if (!found) continue;
      pathKnown = true;
      if (candidate.route.method !== method) continue;
      const params: Record<string, string> = {};
      candidate.names.forEach((name, index) => {
        params[name] = found[index + 1];
      });
      return { route: candidate.route, params };
    }
    if (pathKnown) {
      throw new GraphError(405, 'Request_BadRequest', `Specified HTTP method is not allowed for the request target: ${method} ${path}.`);
    }
    const segment = normalized.split('/').filter(Boolean).pop() ?? '';
    throw unknownSegment(segment);
  }

  routes(): GraphRoute[] {
    return this.compiled.map((entry) => entry.route);
  }
}

function compile(route: GraphRoute): CompiledRoute {
  return { route, ...compileTemplate(route.template) };
}

/** A pattern matching the paths of an OpenAPI path template, and the names of its parameters in capture order. */
export function compileTemplate(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const body = template
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      if (/^\{[^}]+\}$/.test(segment)) {
        names.push(segment.slice(1, -1));
        return '([^/]+)';
      }
      if (segment.endsWith('()')) return `${escape(segment.slice(0, -2))}(?:\\(\\))?`;
      const fn = /^([^(]+)\((\w+)='\{([^}]+)\}'\)$/.exec(segment);
      if (fn) {
        names.push(fn[3]);
        return `${escape(fn[1])}\\(${escape(fn[2])}='([^']*)'\\)`;
      }
      return escape(segment);
    })
    .join('/');
  return { pattern: new RegExp(`^/${body}$`, 'i'), names };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
