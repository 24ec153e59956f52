// GET /api/openapi.json (anonymous): the OpenAPI 3.1 description of this API, generated from the
// handlers' zod schemas (functions/console/openapi.ts).
import { app } from '@azure/functions';
import { SETTINGS } from '../shared/config';
import { buildOpenApi } from './console/openapi';
import { jsonResponse, withProblemDetails } from './http';

let description: Record<string, unknown> | undefined;

app.http('openApiDescription', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: withProblemDetails(async (request) => {
    description ??= buildOpenApi(process.env[SETTINGS.publicBaseUrl]?.trim() || new URL(request.url).origin);
    return jsonResponse(200, description, { 'cache-control': 'public, max-age=300' });
  }),
});
