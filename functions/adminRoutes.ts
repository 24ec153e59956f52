// Admin routes, reachable two ways (see docs/console.md):
// - `/api/<route>` with a function key (the CLI, automation) — the host checks the key;
// - `/api/console-api/<route>` for the console in the browser — anonymous for the host, and the
//   app requires the administrator App Service Authentication signed in, with the admin app role.
// The Functions host does not accept an App Service session in place of a function key, hence
// the second route. Both run the same handler; the Events actor is the signed-in admin's name
// when there is one (`admin:<name>`), else `admin:function-key`.
import { app, type HttpFunctionOptions, type HttpHandler, type HttpRequest } from '@azure/functions';
import { adminActor, CLIENT_PRINCIPAL_HEADER, readClientPrincipal, requireAdmin, signInSettings } from '../shared/console/principal';
import { DomainError } from '../shared/errors';
import { problemResponse } from './http';

/** Where the console's copy of every admin route lives, under the route prefix. */
export const CONSOLE_API_ROUTE_PREFIX = 'console-api';
/** Header the console sends on every API call: a cross-site form cannot set it. */
export const CONSOLE_REQUEST_HEADER = 'x-console-request';

export type AdminRouteOptions = Omit<HttpFunctionOptions, 'authLevel' | 'route' | 'handler'> & { route: string; handler: HttpHandler };

/** Registers `name` at `route` (function key) and `${name}Console` at `console-api/route` (signed-in admin). */
export function adminHttp(name: string, options: AdminRouteOptions): void {
  app.http(name, { ...options, authLevel: 'function' });
  app.http(`${name}Console`, {
    ...options,
    route: `${CONSOLE_API_ROUTE_PREFIX}/${options.route}`,
    authLevel: 'anonymous',
    handler: async (request, context) => {
      try {
        requireAdmin(request.headers.get(CLIENT_PRINCIPAL_HEADER), signInSettings());
        if (request.headers.get(CONSOLE_REQUEST_HEADER) !== '1') {
          throw new DomainError('request.invalid', `Console API calls carry the header ${CONSOLE_REQUEST_HEADER}: 1.`, {
            details: { issues: [{ field: CONSOLE_REQUEST_HEADER, message: 'is required' }] },
          });
        }
      } catch (error) {
        return problemResponse(error, context, request);
      }
      return options.handler(request, context);
    },
  });
}

/** Who makes this admin call, for the Events table. */
export function requestActor(request: HttpRequest): string {
  return adminActor(readClientPrincipal(request.headers.get(CLIENT_PRINCIPAL_HEADER), signInSettings()));
}
