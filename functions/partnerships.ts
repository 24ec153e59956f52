// The admin API of one deployment (function key, or the signed-in administrator through the
// console's copy of each route: see adminRoutes.ts): request a partnership, read its state and history, dry-run its plan, fetch the
// signed invitation, approve or reject an invitation. Each route: parse → call one thing → answer.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  approvePartnership,
  getInvitation,
  getPartnership,
  handshakeDeployment,
  isDryRun,
  listPartnerships,
  offboardPartnership,
  planPartnership,
  previewPartnership,
  rejectPartnership,
  requestPartnership,
  type EntryPointContext,
} from '../orchestrations';
import { adminHttp, requestActor } from './adminRoutes';
import { durableClientInput, orchestrationStarter } from './durable';
import { jsonResponse, readJsonBody, withProblemDetails } from './http';

const HANDSHAKE_MESSAGE_CONTENT_TYPE = 'application/jose';

function entryPoint(request: HttpRequest, context: InvocationContext): EntryPointContext {
  return { deployment: handshakeDeployment(), durable: orchestrationStarter(context), requestOrigin: new URL(request.url).origin, actor: requestActor(request) };
}

adminHttp('partnershipsCreate', {
  route: 'partnerships',
  methods: ['POST'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => {
    const body = await readJsonBody(request);
    if (isDryRun(request.query.get('dryRun'))) return jsonResponse(200, await previewPartnership(body, entryPoint(request, context)));
    const created = await requestPartnership(body, entryPoint(request, context));
    return jsonResponse(202, created, { location: created.statusUrl });
  }),
});

adminHttp('partnershipsList', {
  route: 'partnerships',
  methods: ['GET'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => jsonResponse(200, await listPartnerships(entryPoint(request, context)))),
});

adminHttp('partnershipsGet', {
  route: 'partnerships/{id}',
  methods: ['GET'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => jsonResponse(200, await getPartnership(request.params.id, entryPoint(request, context)))),
});

adminHttp('partnershipsDelete', {
  route: 'partnerships/{id}',
  methods: ['DELETE'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context): Promise<HttpResponseInit> => offboardPartnership(request.params.id, entryPoint(request, context))),
});

adminHttp('partnershipsPlan', {
  route: 'partnerships/{id}/plan',
  methods: ['GET'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => jsonResponse(200, await planPartnership(request.params.id, entryPoint(request, context)))),
});

adminHttp('partnershipsInvitation', {
  route: 'partnerships/{id}/invitation',
  methods: ['GET'],
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

adminHttp('partnershipsApprove', {
  route: 'partnerships/{id}/approve',
  methods: ['POST'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) =>
    jsonResponse(202, await approvePartnership(request.params.id, await readJsonBody(request), entryPoint(request, context))),
  ),
});

adminHttp('partnershipsReject', {
  route: 'partnerships/{id}/reject',
  methods: ['POST'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) =>
    jsonResponse(202, await rejectPartnership(request.params.id, await readJsonBody(request), entryPoint(request, context))),
  ),
});
