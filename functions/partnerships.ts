// The admin API of one deployment (function key, or the signed-in administrator through the
// console's copy of each route: see adminRoutes.ts): request a partnership, read its state and
// history, dry-run its plan, fetch the signed invitation, approve or reject an invitation, pin the
// partner's key thumbprint, accept partner domains, offboard a partnership and fetch its signed
// `offboard` message. Each route: parse → call one thing → answer.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  acceptPartnerDomains,
  approvePartnership,
  getInvitation,
  getOffboardMessage,
  getPartnership,
  handshakeDeployment,
  isDryRun,
  listPartnerships,
  offboardPartnership,
  planPartnership,
  previewPartnership,
  rejectPartnership,
  requestPartnership,
  trustPartnerKey,
  type EntryPointContext,
} from '../orchestrations';
import { adminHttp, requestActor } from './adminRoutes';
import { durableClientInput, orchestrationStarter } from './durable';
import { jsonResponse, readJsonBody, readOptionalJsonBody, withProblemDetails } from './http';

const HANDSHAKE_MESSAGE_CONTENT_TYPE = 'application/jose';

/** A signed message for out-of-band delivery: the compact JWS as a file an admin can carry over. */
function signedMessageFile(fileName: string, jws: string): HttpResponseInit {
  return { status: 200, headers: { 'content-type': HANDSHAKE_MESSAGE_CONTENT_TYPE, 'content-disposition': `attachment; filename="${fileName}"` }, body: jws };
}

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
  handler: withProblemDetails(async (request, context) => jsonResponse(200, await listPartnerships(Object.fromEntries(request.query), entryPoint(request, context)))),
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
  handler: withProblemDetails(async (request, context): Promise<HttpResponseInit> => {
    const query = { deleteGuests: request.query.get('deleteGuests') ?? undefined, reason: request.query.get('reason') ?? undefined };
    const { started, ...accepted } = await offboardPartnership(request.params.id, { body: await readOptionalJsonBody(request), query }, entryPoint(request, context));
    // 202 while it runs; 200 when it had ended already (nothing was started).
    return jsonResponse(accepted.status === 'Offboarding' || started ? 202 : 200, accepted, { location: accepted.statusUrl });
  }),
});

adminHttp('partnershipsOffboardMessage', {
  route: 'partnerships/{id}/offboard-message',
  methods: ['GET'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) =>
    signedMessageFile(`offboard-${request.params.id}.jws`, await getOffboardMessage(request.params.id, entryPoint(request, context))),
  ),
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
  handler: withProblemDetails(async (request, context) =>
    signedMessageFile(`invitation-${request.params.id}.jws`, await getInvitation(request.params.id, entryPoint(request, context))),
  ),
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

adminHttp('partnershipsPartnerKey', {
  route: 'partnerships/{id}/partner-key',
  methods: ['POST'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) =>
    jsonResponse(200, await trustPartnerKey(request.params.id, await readJsonBody(request), entryPoint(request, context))),
  ),
});

adminHttp('partnershipsPartnerDomains', {
  route: 'partnerships/{id}/partner-domains',
  methods: ['POST'],
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) =>
    jsonResponse(200, await acceptPartnerDomains(request.params.id, await readJsonBody(request), entryPoint(request, context))),
  ),
});
