// POST /api/preflight (admin): the capability rules for this deployment's cloud and a partner's,
// for the console's live check while a request is filled in; see orchestrations/usecases/preview.ts.
import { handshakeDeployment, preflight } from '../orchestrations';
import { adminHttp } from './adminRoutes';
import { jsonResponse, readJsonBody, withProblemDetails } from './http';

adminHttp('capabilityPreflight', {
  route: 'preflight',
  methods: ['POST'],
  handler: withProblemDetails(async (request) => jsonResponse(200, preflight(await readJsonBody(request), { deployment: handshakeDeployment() }))),
});
