// The admin console, served by the function app itself (same origin as the API):
// - GET /api/console/{*path}: the page shell for a signed-in administrator with the admin app
//   role; without a session, a redirect to App Service Authentication's sign-in; without the
//   role, 403 and a page naming the role;
// - GET /api/console-assets/{file}: the built script and style sheet (cached by content hash).
// The pages call the API through /api/console-api (adminRoutes.ts). See docs/console.md.
import { app, type HttpResponseInit } from '@azure/functions';
import { handshakeDeployment } from '../orchestrations';
import { CLIENT_PRINCIPAL_HEADER, readClientPrincipal, signInSettings } from '../shared/console/principal';
import { consoleAsset, pickEncoding } from './console/assets';
import { CONSOLE_PATH, CONSOLE_SECURITY_HEADERS, roleMissingPage, shellPage, signInUnavailablePage } from './console/pages';
import { withProblemDetails } from './http';

const HTML = 'text/html; charset=utf-8';

app.http('consolePage', {
  route: 'console/{*path}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: withProblemDetails(async (request): Promise<HttpResponseInit> => {
    const settings = signInSettings();
    if (!settings.trustPrincipal) return { status: 403, headers: { ...CONSOLE_SECURITY_HEADERS, 'content-type': HTML }, body: signInUnavailablePage() };
    const user = readClientPrincipal(request.headers.get(CLIENT_PRINCIPAL_HEADER), settings);
    if (!user) {
      const url = new URL(request.url);
      const back = url.pathname.toLowerCase().startsWith(CONSOLE_PATH) ? `${url.pathname}${url.search}` : CONSOLE_PATH;
      return { status: 302, headers: { location: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(back)}`, 'cache-control': 'no-store' } };
    }
    if (!user.roles.includes(settings.adminRole)) {
      return { status: 403, headers: { ...CONSOLE_SECURITY_HEADERS, 'content-type': HTML }, body: roleMissingPage(user, settings.adminRole) };
    }
    const { config } = handshakeDeployment();
    return { status: 200, headers: { ...CONSOLE_SECURITY_HEADERS, 'content-type': HTML }, body: shellPage({ user, tenantId: config.tenantId, cloud: config.cloud }) };
  }),
});

app.http('consoleAsset', {
  route: 'console-assets/{file}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: withProblemDetails(async (request): Promise<HttpResponseInit> => {
    const asset = consoleAsset(request.params.file ?? '');
    if (!asset) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'No such console file (run npm run build).' };
    const { body, encoding } = pickEncoding(asset, request.headers.get('accept-encoding'));
    const versioned = request.query.get('v') === asset.hash;
    return {
      status: 200,
      headers: {
        'content-type': asset.contentType,
        'cache-control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
        etag: `"${asset.hash}"`,
        vary: 'accept-encoding',
        'x-content-type-options': 'nosniff',
        ...(encoding ? { 'content-encoding': encoding } : {}),
      },
      body,
    };
  }),
});
