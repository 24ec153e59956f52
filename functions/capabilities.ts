// The capability preflight over HTTP (authLevel function): what this deployment's environment and
// a partner's allow, for both sides, without touching any tenant — the same `preflight()` as the
// CLI's `handshake check`. Parse → call one thing → answer.
//   GET  /api/capabilities/check?partner=<env>        every capability of the pair
//   POST /api/capabilities/check?partner=<env>        exactly what the request body asks
// The partner environment may also come from the body's partnerCloud.
import { app, type HttpRequest } from '@azure/functions';
import { handshakeDeployment } from '../orchestrations';
import { DomainError } from '../shared/errors';
import { preflight } from '../shared/preflight';
import { jsonResponse, readJsonBody, withProblemDetails } from './http';

function partnerOf(request: HttpRequest, body?: unknown): string {
  const fromBody = body && typeof body === 'object' && !Array.isArray(body) ? (body as { partnerCloud?: unknown }).partnerCloud : undefined;
  const partner = request.query.get('partner') ?? (typeof fromBody === 'string' ? fromBody : undefined);
  if (!partner) {
    throw new DomainError('request.invalid', 'Name the partner environment: ?partner=Global|GCC|GCCHigh|DoD|China (or partnerCloud in the body).', {
      details: { issues: [{ field: 'partner', message: 'is required' }] },
    });
  }
  return partner;
}

app.http('capabilitiesCheckPair', {
  route: 'capabilities/check',
  methods: ['GET'],
  authLevel: 'function',
  handler: withProblemDetails(async (request) => jsonResponse(200, preflight(handshakeDeployment().config.cloud, partnerOf(request)))),
});

app.http('capabilitiesCheckRequest', {
  route: 'capabilities/check',
  methods: ['POST'],
  authLevel: 'function',
  handler: withProblemDetails(async (request) => {
    const body = await readJsonBody(request);
    return jsonResponse(200, preflight(handshakeDeployment().config.cloud, partnerOf(request, body), body));
  }),
});
