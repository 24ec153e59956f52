// The OpenAPI 3.1 description of the whole HTTP API, generated from the zod schemas the handlers
// parse with (z.toJSONSchema), served at GET /api/openapi.json and written to dist/openapi.json by
// the build. A test checks it is valid OpenAPI 3.1, that every route the app registers is in it,
// and that real answers match it. Every admin route is described twice: with a function key at
// /api/<route>, and for the signed-in console at /api/console-api/<route> (see adminRoutes.ts).
import { z } from 'zod';
import { approvalSchema, rejectionSchema, statusFilterSchema } from '../../orchestrations/usecases/partnerships';
import { partnerDomainsSchema, partnerKeySchema } from '../../orchestrations/usecases/trust';
import { PARTNERSHIP_REQUEST_HELP } from '../../shared/api/fieldHelp';
import {
  capabilityCheckQuerySchema,
  capabilityCheckSchema,
  createdPartnershipSchema,
  eventsPageSchema,
  eventsQuerySchema,
  healthReportSchema,
  jwksSchema,
  offboardingAcceptedSchema,
  partnerDomainsAnswerSchema,
  partnerKeyAnswerSchema,
  partnershipActionSchema,
  partnershipDetailsSchema,
  partnershipListSchema,
  partnershipPlanSchema,
  partnershipPreviewSchema,
  problemSchema,
  reconcileResultSchema,
} from '../../shared/api/schemas';
import { offboardingRequestSchema } from '../../shared/offboarding';
import { pageQuerySchema } from '../../shared/paging';
import { capabilityRequestSchema, partnershipRequestSchema } from '../../shared/partnership';
import { notificationBatchSchema } from '../graphWebhook';
import { jsonSchema, withHelp, type JsonSchema } from './jsonSchema';

export const OPENAPI_VERSION = '3.1.0';
const ROUTE_PREFIX = '/api';
const CONSOLE_API_PREFIX = '/api/console-api';
const SIGNED_MESSAGE = 'application/jose';

type Access = 'admin' | 'anonymous';

interface ResponseSpec {
  description: string;
  /** A zod schema, a component's name, or a JSON Schema written here. */
  schema?: z.ZodType | string | JsonSchema;
  contentType?: string;
}

interface RouteSpec {
  method: 'get' | 'post' | 'delete';
  /** Route under /api, OpenAPI style: partnerships/{id}. */
  route: string;
  operationId: string;
  summary: string;
  access: Access;
  tags: string[];
  /** The query schemas the handler parses with (each property is a query parameter). */
  query?: z.ZodObject[];
  /** Query parameters the handler reads one by one (no schema of their own). */
  queryParameters?: { name: string; description: string; schema: JsonSchema }[];
  body?: { schema: z.ZodType | string | JsonSchema; contentType?: string; required?: boolean };
  responses: Record<string, ResponseSpec>;
}

const problem = (description: string): ResponseSpec => ({ description, schema: 'Problem', contentType: 'application/problem+json' });
const idParameter = { name: 'id', in: 'path', required: true, description: 'The partnership id.', schema: { type: 'string' } };
const notFound = problem('No such partnership');

/** Every route of the app (the test compares this with what the host registers). */
/** The two Graph webhooks answer alike: the validation handshake, or 202 for a batch with a genuine notification. */
function graphWebhookRoute(route: string, operationId: string, summary: string): RouteSpec {
  return {
    method: 'post',
    route,
    operationId,
    summary,
    access: 'anonymous',
    tags: ['graph'],
    queryParameters: [{ name: 'validationToken', description: 'Sent by Graph when the subscription is created; echoed back.', schema: { type: 'string' } }],
    body: { schema: notificationBatchSchema, required: false },
    responses: {
      '200': { description: 'The validation token echoed', contentType: 'text/plain', schema: { type: 'string' } },
      '202': { description: 'Accepted' },
      '403': problem('No notification came from a subscription of this deployment'),
    },
  };
}

export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'post',
    route: 'partnerships',
    operationId: 'requestPartnership',
    summary: 'Request a partnership (or, with dryRun=true, validate it, check both sides’ capability rules and return the plan for this tenant without writing anything)',
    access: 'admin',
    tags: ['partnerships'],
    queryParameters: [{ name: 'dryRun', description: 'true: validate, check both sides’ capability rules and return the plan; nothing is written.', schema: { type: 'string', enum: ['true', 'false'] } }],
    body: { schema: 'PartnershipRequest' },
    responses: {
      '200': { description: 'Dry run: the capability check and the plan for this tenant', schema: partnershipPreviewSchema },
      '202': { description: 'Requested: the handshake has started; read the pairing code to the partner’s administrator', schema: createdPartnershipSchema },
      '400': problem('A field is not valid (issues[] names each)'),
      '413': problem('The body is larger than 64 KB'),
      '422': problem('A capability rule of either side refuses the request (violations[], each with its side)'),
    },
  },
  {
    method: 'get',
    route: 'partnerships',
    operationId: 'listPartnerships',
    summary: 'List partnerships (paged, filtered by status)',
    access: 'admin',
    tags: ['partnerships'],
    query: [pageQuerySchema, statusFilterSchema],
    responses: { '200': { description: 'One page of partnerships', schema: partnershipListSchema }, '400': problem('A query parameter is not valid') },
  },
  {
    method: 'get',
    route: 'partnerships/{id}',
    operationId: 'getPartnership',
    summary: 'A partnership: status, steps, last error, drift, what it owns, trust in the partner (keys, pairing tries, partner domains)',
    access: 'admin',
    tags: ['partnerships'],
    responses: { '200': { description: 'The partnership', schema: partnershipDetailsSchema }, '404': notFound },
  },
  {
    method: 'delete',
    route: 'partnerships/{id}',
    operationId: 'offboardPartnership',
    summary: 'Offboard a partnership: both sides remove what it added (options in the body or as query parameters)',
    access: 'admin',
    tags: ['partnerships'],
    query: [offboardingRequestSchema],
    body: { schema: offboardingRequestSchema, required: false },
    responses: {
      '200': { description: 'It had ended already: its status (nothing started)', schema: offboardingAcceptedSchema },
      '202': { description: 'Offboarding started (or runs): follow statusUrl until Removed', schema: offboardingAcceptedSchema },
      '400': problem('An option is not valid'),
      '403': problem('deleteGuests without the permission User.ReadWrite.All (nothing changed)'),
      '404': notFound,
      '409': problem('The partnership cannot be offboarded in its status'),
    },
  },
  {
    method: 'get',
    route: 'partnerships/{id}/offboard-message',
    operationId: 'getOffboardMessage',
    summary: 'The signed offboard message, for out-of-band delivery to a partner that could not be notified',
    access: 'admin',
    tags: ['partnerships'],
    responses: { '200': { description: 'The offboard message (compact JWS)', schema: { type: 'string' }, contentType: SIGNED_MESSAGE }, '404': notFound, '409': problem('Not signed (yet), or not this side’s') },
  },
  {
    method: 'get',
    route: 'partnerships/{id}/plan',
    operationId: 'planPartnership',
    summary: 'What would be written in this tenant now (dry run)',
    access: 'admin',
    tags: ['partnerships'],
    responses: { '200': { description: 'The plan', schema: partnershipPlanSchema }, '404': notFound },
  },
  {
    method: 'get',
    route: 'partnerships/{id}/invitation',
    operationId: 'getInvitation',
    summary: 'The signed invitation, for out-of-band delivery',
    access: 'admin',
    tags: ['partnerships'],
    responses: { '200': { description: 'The invitation (compact JWS)', schema: { type: 'string' }, contentType: SIGNED_MESSAGE }, '404': notFound, '409': problem('Not signed yet, or not this side’s') },
  },
  {
    method: 'post',
    route: 'partnerships/{id}/approve',
    operationId: 'approvePartnership',
    summary: 'Approve an invitation with the pairing code (5 tries per invitation)',
    access: 'admin',
    tags: ['partnerships'],
    body: { schema: approvalSchema },
    responses: {
      '202': { description: 'Approved: this side configures itself', schema: partnershipActionSchema },
      '400': problem('A field is not valid (a code of the wrong shape costs no try)'),
      '401': problem('The pairing code does not match (tries left in the detail)'),
      '404': notFound,
      '409': problem('The invitation can no longer be approved'),
    },
  },
  {
    method: 'post',
    route: 'partnerships/{id}/reject',
    operationId: 'rejectPartnership',
    summary: 'Reject an invitation with a reason (sent to the partner)',
    access: 'admin',
    tags: ['partnerships'],
    body: { schema: rejectionSchema },
    responses: { '202': { description: 'Rejected', schema: partnershipActionSchema }, '400': problem('A field is not valid'), '404': notFound, '409': problem('The invitation can no longer be rejected') },
  },
  {
    method: 'post',
    route: 'partnerships/{id}/partner-key',
    operationId: 'pinPartnerKey',
    summary: 'Initiator: pin the partner’s key thumbprint read back from its administrator (when its key could not be fetched)',
    access: 'admin',
    tags: ['partnerships'],
    body: { schema: partnerKeySchema },
    responses: {
      '200': { description: 'Pinned: the partner’s answer is accepted under that key only', schema: partnerKeyAnswerSchema },
      '400': problem('A field is not valid'),
      '404': notFound,
      '409': problem('Not the initiator, too late, or another key is already trusted (handshake.partner-key-conflict)'),
    },
  },
  {
    method: 'post',
    route: 'partnerships/{id}/partner-domains',
    operationId: 'acceptPartnerDomains',
    summary: 'Vouch for partner domains Graph cannot verify (across clouds); only verified domains are written',
    access: 'admin',
    tags: ['partnerships'],
    body: { schema: partnerDomainsSchema },
    responses: {
      '200': { description: 'The partner domains and whether each is used', schema: partnerDomainsAnswerSchema },
      '400': problem('A field is not valid'),
      '404': notFound,
      '409': problem('The partnership can no longer change its domains'),
    },
  },
  {
    method: 'post',
    route: 'partnerships/{id}/reconcile',
    operationId: 'reconcilePartnership',
    summary: 'Reconcile an Active partnership now and return its drift',
    access: 'admin',
    tags: ['partnerships'],
    queryParameters: [{ name: 'mode', description: 'report: only detect; enforce: repair (default: the deployment’s RECONCILE_MODE).', schema: { type: 'string', enum: ['report', 'enforce'] } }],
    responses: { '200': { description: 'The drift found (and repaired in enforce mode)', schema: reconcileResultSchema }, '202': { description: 'Still running: status links' }, '404': notFound, '409': problem('Not Active') },
  },
  {
    method: 'get',
    route: 'capabilities/check',
    operationId: 'checkCapabilitiesOfPair',
    summary: 'The capability preflight of both sides for this deployment’s environment and a partner’s: every capability of the pair (handshake check)',
    access: 'admin',
    tags: ['partnerships'],
    query: [capabilityCheckQuerySchema],
    responses: { '200': { description: 'Each capability’s verdict and side', schema: capabilityCheckSchema }, '400': problem('The partner environment is missing or unknown') },
  },
  {
    method: 'post',
    route: 'capabilities/check',
    operationId: 'checkCapabilitiesOfRequest',
    summary: 'The capability preflight of both sides for exactly what a request asks (partner identity optional); reads and writes nothing',
    access: 'admin',
    tags: ['partnerships'],
    query: [capabilityCheckQuerySchema],
    body: { schema: 'CapabilityRequest' },
    responses: { '200': { description: 'Each capability’s verdict and side; violations lists what the request breaks', schema: capabilityCheckSchema }, '400': problem('A field is not valid') },
  },
  {
    method: 'get',
    route: 'events',
    operationId: 'listEvents',
    summary: 'The audit trail across partnerships (paged, filtered)',
    access: 'admin',
    tags: ['audit'],
    query: [eventsQuerySchema],
    responses: { '200': { description: 'One page of events', schema: eventsPageSchema }, '400': problem('A query parameter is not valid') },
  },
  {
    method: 'get',
    route: 'health',
    operationId: 'getHealth',
    summary: 'The deployment’s checks (what handshake doctor prints), each with its fix',
    access: 'admin',
    tags: ['meta'],
    responses: { '200': { description: 'No check failed', schema: healthReportSchema }, '503': { description: 'A check failed', schema: healthReportSchema } },
  },
  {
    method: 'post',
    route: 'handshake/messages',
    operationId: 'receiveHandshakeMessage',
    summary: 'The partner webhook: a signed handshake message (compact JWS, Ed25519)',
    access: 'anonymous',
    tags: ['partner'],
    body: { schema: { type: 'string' }, contentType: SIGNED_MESSAGE },
    responses: {
      '200': { description: 'Accepted' },
      '202': { description: 'Accepted for processing' },
      '400': problem('Not a handshake message, or a message this deployment refuses'),
      '401': problem('Signature, key, audience or time refused'),
      '409': problem('Replay or wrong state'),
      '413': problem('Larger than 64 KB'),
      '429': problem('Too many invitations wait for approval (Retry-After)'),
    },
  },
  {
    method: 'get',
    route: 'handshake/jwks',
    operationId: 'getJwks',
    summary: 'This deployment’s public signing keys',
    access: 'anonymous',
    tags: ['partner'],
    responses: { '200': { description: 'JSON Web Key Set', schema: jwksSchema, contentType: 'application/jwk-set+json' } },
  },
  graphWebhookRoute('graph/notifications', 'receiveGraphNotifications', 'Graph change notifications (validationToken handshake on subscription)'),
  graphWebhookRoute('graph/lifecycle', 'receiveGraphLifecycleNotifications', 'Graph lifecycle notifications (reauthorization, removal, missed)'),
  {
    method: 'get',
    route: 'openapi.json',
    operationId: 'getOpenApi',
    summary: 'This description',
    access: 'anonymous',
    tags: ['meta'],
    responses: { '200': { description: 'OpenAPI 3.1', schema: { type: 'object' } } },
  },
  {
    method: 'get',
    route: 'console/{path}',
    operationId: 'getConsolePage',
    summary: 'The admin console (HTML); redirects to sign-in, 403 without the admin app role',
    access: 'anonymous',
    tags: ['console'],
    responses: { '200': { description: 'The page', contentType: 'text/html', schema: { type: 'string' } }, '302': { description: 'To /.auth/login/aad' }, '403': { description: 'The app role is missing', contentType: 'text/html', schema: { type: 'string' } } },
  },
  {
    method: 'get',
    route: 'console-assets/{file}',
    operationId: 'getConsoleAsset',
    summary: 'The console’s script and style sheet (built by npm run build)',
    access: 'anonymous',
    tags: ['console'],
    responses: { '200': { description: 'The file' }, '404': { description: 'No such file' } },
  },
];

/** The named schemas (components.schemas). */
function components(): Record<string, JsonSchema> {
  return {
    PartnershipRequest: withHelp(jsonSchema(partnershipRequestSchema), PARTNERSHIP_REQUEST_HELP),
    // The same fields, the partner's identity and deployment optional (the capability check).
    CapabilityRequest: withHelp(jsonSchema(capabilityRequestSchema), PARTNERSHIP_REQUEST_HELP),
    Problem: jsonSchema(problemSchema),
  };
}

function schemaRef(schema: z.ZodType | string | JsonSchema): JsonSchema {
  if (typeof schema === 'string') return { $ref: `#/components/schemas/${schema}` };
  if (schema instanceof z.ZodType) return jsonSchema(schema);
  return schema;
}

function operation(spec: RouteSpec, viaConsole: boolean): JsonSchema {
  const parameters: JsonSchema[] = [];
  if (spec.route.includes('{id}')) parameters.push(idParameter);
  if (spec.route.includes('{path}')) parameters.push({ name: 'path', in: 'path', required: true, description: 'The page (empty for the list).', schema: { type: 'string' } });
  if (spec.route.includes('{file}')) parameters.push({ name: 'file', in: 'path', required: true, description: 'app.js or app.css', schema: { type: 'string' } });
  for (const querySchema of spec.query ?? []) {
    const query = jsonSchema(querySchema);
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query.properties as Record<string, JsonSchema>) ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({ name, in: 'query', required: required.has(name) && rest.default === undefined, ...(description ? { description } : {}), schema: rest });
    }
  }
  for (const extra of spec.queryParameters ?? []) parameters.push({ name: extra.name, in: 'query', required: false, description: extra.description, schema: extra.schema });
  if (viaConsole) parameters.push({ name: 'x-console-request', in: 'header', required: true, description: 'Always 1 (a cross-site form cannot send it).', schema: { type: 'string', const: '1' } });
  const responseSpecs: Record<string, ResponseSpec> = { ...spec.responses };
  if (spec.access === 'admin') {
    responseSpecs['401'] ??= viaConsole ? problem('Not signed in') : { description: 'No or wrong function key' };
    if (viaConsole) responseSpecs['403'] ??= problem('Signed in without the admin app role');
  }
  const responses = Object.fromEntries(
    Object.entries(responseSpecs).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: schemaRef(response.schema) } } } : {}),
      },
    ]),
  );
  return {
    operationId: viaConsole ? `${spec.operationId}FromConsole` : spec.operationId,
    summary: spec.summary,
    tags: viaConsole ? [...spec.tags, 'console'] : spec.tags,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body
      ? { requestBody: { required: spec.body.required ?? true, content: { [spec.body.contentType ?? 'application/json']: { schema: schemaRef(spec.body.schema) } } } }
      : {}),
    responses,
    security: spec.access === 'anonymous' ? [] : viaConsole ? [{ appServiceAuthentication: [] }] : [{ functionKey: [] }, { functionKeyQuery: [] }],
  };
}

/** The whole description. `serverUrl`: the deployment's public URL when known. */
export function buildOpenApi(serverUrl?: string): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  const add = (path: string, method: string, op: JsonSchema): void => {
    paths[path] = { ...(paths[path] ?? {}), [method]: op };
  };
  for (const spec of ROUTES) {
    add(`${ROUTE_PREFIX}/${spec.route}`, spec.method, operation(spec, false));
    if (spec.access === 'admin') add(`${CONSOLE_API_PREFIX}/${spec.route}`, spec.method, operation(spec, true));
  }
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'cross-cloud-handshake',
      version: '1',
      description:
        'One deployment of cross-cloud-handshake: admin routes (function key, or the signed-in administrator through /api/console-api), the partner webhook, Graph notifications and the console. Errors are RFC 9457 problem+json.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    tags: ['partnerships', 'audit', 'partner', 'graph', 'console', 'meta'].map((name) => ({ name })),
    paths,
    components: {
      schemas: components(),
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'The function key (CLI, automation).' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code', description: 'The function key as a query parameter.' },
        appServiceAuthentication: {
          type: 'apiKey',
          in: 'cookie',
          name: 'AppServiceAuthSession',
          description: 'The App Service Authentication session (sign in at /.auth/login/aad); the user needs the app role Partnerships.Admin.',
        },
      },
    },
  };
}
