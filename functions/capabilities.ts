// The capability preflight over HTTP (admin: function key, or the signed-in console): what this
// deployment's environment and a partner's allow, for both sides, without touching any tenant —
// the same `preflight()` as the CLI's `handshake check`, the console's live check and the dry run.
//   GET  /api/capabilities/check?partner=<env>   every capability of the pair
//   POST /api/capabilities/check[?partner=<env>] exactly what the request body asks (partnerCloud names the partner)
import { capabilityCheck, handshakeDeployment } from '../orchestrations';
import { adminHttp } from './adminRoutes';
import { jsonResponse, readJsonBody, withProblemDetails } from './http';

adminHttp('capabilitiesCheckPair', {
  route: 'capabilities/check',
  methods: ['GET'],
  handler: withProblemDetails(async (request) =>
    jsonResponse(200, capabilityCheck(Object.fromEntries(request.query.entries()), undefined, { deployment: handshakeDeployment() })),
  ),
});

adminHttp('capabilitiesCheckRequest', {
  route: 'capabilities/check',
  methods: ['POST'],
  handler: withProblemDetails(async (request) =>
    jsonResponse(200, capabilityCheck(Object.fromEntries(request.query.entries()), await readJsonBody(request), { deployment: handshakeDeployment() })),
  ),
});
