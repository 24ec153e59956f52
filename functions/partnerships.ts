// The admin API of one deployment (authLevel function; in Azure it sits behind Entra
// authentication): request a partnership, read its state and history, dry-run its plan, fetch the
// signed invitation, approve or reject an invitation. Each route: parse → call one thing → answer.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import {
  approvePartnership,
  getInvitation,
  getPartnership,
  handshakeDeployment,
  listPartnerships,
  offboardPartnership,
  planPartnership,
  rejectPartnership,
  requestPartnership,
  type EntryPointContext,
} from '../orchestrations';
import { durableClientInput, orchestrationStarter } from './durable';
import { jsonResponse, readJsonBody, withProblemDetails } from './http';

const HANDSHAKE_MESSAGE_CONTENT_TYPE = 'application/jose';

function entryPoint(request: HttpRequest, context: InvocationContext): EntryPointContext {
  return { deployment: handshakeDeployment(), durable: orchestrationStarter(context), requestOrigin: new URL(request.url).origin };
}

app.http('partnershipsCreate', {
  route: 'partnerships',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => {
    const body = await readJsonBody(request);
    const created = await requestPartnership(body, entryPoint(request, context));
    return jsonResponse(202, created, { location: created.statusUrl });
  }),
});

app.http('partnershipsList', {
  route: 'partnerships',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => jsonResponse(200, await listPartnerships(Object.fromEntries(request.query), entryPoint(request, context)))),
});

app.http('partnershipsGet', {
  route: 'partnerships/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => jsonResponse(200, await getPartnership(request.params.id, entryPoint(request, context)))),
});

app.http('partnershipsDelete', {
  route: 'partnerships/{id}',
  methods: ['DELETE'],
  authLevel: 'function',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context): Promise<HttpResponseInit> => offboardPartnership(request.params.id, entryPoint(request, context))),
});

app.http('partnershipsPlan', {
  route: 'partnerships/{id}/plan',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => jsonResponse(200, await planPartnership(request.params.id, entryPoint(request, context)))),
});

app.http('partnershipsInvitation', {
  route: 'partnerships/{id}/invitation',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => ({
    status: 200,
    headers: {
      'content-type': HANDSHAKE_MESSAGE_CONTENT_TYPE,
      'content-disposition': `attachment; filename="invitation-${request.params.id}.jws"`,
    },
    body: await getInvitation(request.params.id, entryPoint(request, context)),
  })),
});

app.http('partnershipsApprove', {
  route: 'partnerships/{id}/approve',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) =>
    jsonResponse(202, await approvePartnership(request.params.id, await readJsonBody(request), entryPoint(request, context))),
  ),
});

app.http('partnershipsReject', {
  route: 'partnerships/{id}/reject',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) =>
    jsonResponse(202, await rejectPartnership(request.params.id, await readJsonBody(request), entryPoint(request, context))),
  ),
});
