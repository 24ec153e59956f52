// The OpenAPI 3.1 description of the whole HTTP API, generated from the zod schemas the handlers
// parse with (z.toJSONSchema), served at GET /api/openapi.json and written to dist/openapi.json by
// the build. A test checks it is valid OpenAPI 3.1, that every route the app registers is in it,
// and that real answers match it. Every admin route is described twice: with a function key at
// /api/<route>, and for the signed-in console at /api/console-api/<route> (see adminRoutes.ts).
import { z } from 'zod';
import { approvalSchema, rejectionSchema } from '../../orchestrations/usecases/partnerships';
import { PARTNERSHIP_REQUEST_HELP } from '../../shared/api/fieldHelp';
import {
  createdPartnershipSchema,
  eventsPageSchema,
  eventsQuerySchema,
  jwksSchema,
  offboardingRequestSchema,
  partnershipActionSchema,
  partnershipDetailsSchema,
  partnershipListSchema,
  partnershipPlanSchema,
  partnershipPreviewSchema,
  preflightRequestSchema,
  preflightResultSchema,
  problemSchema,
  reconcileResultSchema,
} from '../../shared/api/schemas';
import { partnershipRequestSchema } from '../../shared/partnership';
import { notificationBatchSchema } from '../graphWebhook';
import { jsonSchema, withHelp, type JsonSchema } from './jsonSchema';

export const OPENAPI_VERSION = '3.1.0';
const ROUTE_PREFIX = '/api';
const CONSOLE_API_PREFIX = '/api/console-api';

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
  query?: z.ZodObject;
  /** Extra query parameters described by hand (not parsed by a schema of their own). */
  queryParameters?: { name: string; description: string; schema: JsonSchema }[];
  body?: { schema: z.ZodType | string | JsonSchema; contentType?: string; required?: boolean };
  responses: Record<string, ResponseSpec>;
}

const problem = (description: string): ResponseSpec => ({ description, schema: 'Problem', contentType: 'application/problem+json' });
const idParameter = { name: 'id', in: 'path', required: true, description: 'The partnership id.', schema: { type: 'string' } };

/** Every route of the app (the test compares this with what the host registers). */
export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'post',
    route: 'partnerships',
    operationId: 'requestPartnership',
    summary: 'Request a partnership (or, with dryRun=true, validate it and return the plan for this tenant without writing anything)',
    access: 'admin',
    tags: ['partnerships'],
    queryParameters: [{ name: 'dryRun', description: 'true: validate, check both sides’ capability rules and return the plan; nothing is written.', schema: { type: 'string', enum: ['true', 'false'] } }],
    body: { schema: 'PartnershipRequest' },
    responses: {
      '200': { description: 'Dry run: the plan for this tenant', schema: partnershipPreviewSchema },
      '202': { description: 'Requested: the handshake has started; read the pairing code to the partner', schema: createdPartnershipSchema },
      '400': problem('A field is not valid (issues[] names each)'),
      '413': problem('The body is larger than 64 KB'),
      '422': problem('A capability rule of either side refuses the request (violations[])'),
    },
  },
  {
    method: 'get',
    route: 'partnerships',
    operationId: 'listPartnerships',
    summary: 'List partnerships',
    access: 'admin',
    tags: ['partnerships'],
    responses: { '200': { description: 'The partnerships', schema: partnershipListSchema } },
  },
  {
    method: 'get',
    route: 'partnerships/{id}',
    operationId: 'getPartnership',
    summary: 'A partnership: status, steps, last error, drift, what it owns',
    access: 'admin',
    tags: ['partnerships'],
    responses: { '200': { description: 'The partnership', schema: partnershipDetailsSchema }, '404': problem('No such partnership') },
  },
  {
    method: 'delete',
    route: 'partnerships/{id}',
    operationId: 'offboardPartnership',
    summary: 'Offboard a partnership: undo what it owns on both sides',
    access: 'admin',
    tags: ['partnerships'],
    body: { schema: offboardingRequestSchema, required: false },
    responses: {
      '202': { description: 'Offboarding has started', schema: partnershipActionSchema },
      '404': problem('No such partnership'),
      '409': problem('The partnership cannot be offboarded in its status'),
      '501': problem('Offboarding is not available in this version'),
    },
  },
  {
    method: 'get',
    route: 'partnerships/{id}/plan',
    operationId: 'planPartnership',
    summary: 'What would be written in this tenant now (dry run)',
    access: 'admin',
    tags: ['partnerships'],
    responses: { '200': { description: 'The plan', schema: partnershipPlanSchema }, '404': problem('No such partnership') },
  },
  {
    method: 'get',
    route: 'partnerships/{id}/invitation',
    operationId: 'getInvitation',
    summary: 'The signed invitation, for out-of-band delivery',
    access: 'admin',
    tags: ['partnerships'],
    responses: { '200': { description: 'The invitation (compact JWS)', schema: { type: 'string' }, contentType: 'application/jose' }, '409': problem('Not signed yet, or not this side’s') },
  },
  {
    method: 'post',
    route: 'partnerships/{id}/approve',
    operationId: 'approvePartnership',
    summary: 'Approve an invitation with the pairing code',
    access: 'admin',
    tags: ['partnerships'],
    body: { schema: approvalSchema },
    responses: {
      '202': { description: 'Approved: this side configures itself', schema: partnershipActionSchema },
      '400': problem('A field is not valid'),
      '401': problem('The pairing code does not match'),
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
    responses: { '202': { description: 'Rejected', schema: partnershipActionSchema }, '400': problem('A field is not valid'), '409': problem('The invitation can no longer be rejected') },
  },
  {
    method: 'post',
    route: 'partnerships/{id}/reconcile',
    operationId: 'reconcilePartnership',
    summary: 'Reconcile an Active partnership now and return its drift',
    access: 'admin',
    tags: ['partnerships'],
    queryParameters: [{ name: 'mode', description: 'report: only detect; enforce: repair (default: the deployment’s RECONCILE_MODE).', schema: { type: 'string', enum: ['report', 'enforce'] } }],
    responses: { '200': { description: 'The drift found (and repaired in enforce mode)', schema: reconcileResultSchema }, '202': { description: 'Still running: status links' }, '409': problem('Not Active') },
  },
  {
    method: 'get',
    route: 'events',
    operationId: 'listEvents',
    summary: 'The audit trail across partnerships (paged, filtered)',
    access: 'admin',
    tags: ['audit'],
    query: eventsQuerySchema,
    responses: { '200': { description: 'One page of events', schema: eventsPageSchema }, '400': problem('A query parameter is not valid') },
  },
  {
    method: 'post',
    route: 'preflight',
    operationId: 'capabilityPreflight',
    summary: 'The capability rules for this deployment’s cloud and a partner cloud (and a request so far)',
    access: 'admin',
    tags: ['partnerships'],
    body: { schema: preflightRequestSchema },
    responses: { '200': { description: 'What the rules allow', schema: preflightResultSchema }, '400': problem('A field is not valid') },
  },
  {
    method: 'post',
    route: 'handshake/messages',
    operationId: 'receiveHandshakeMessage',
    summary: 'The partner webhook: a signed handshake message (compact JWS, Ed25519)',
    access: 'anonymous',
    tags: ['partner'],
    body: { schema: { type: 'string' }, contentType: 'application/jose' },
    responses: { '200': { description: 'Accepted' }, '202': { description: 'Accepted for processing' }, '401': problem('Signature, key, audience or time refused'), '409': problem('Replay or wrong state') },
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
  {
    method: 'post',
    route: 'graph/notifications',
    operationId: 'receiveGraphNotifications',
    summary: 'Graph change notifications (validationToken handshake on subscription)',
    access: 'anonymous',
    tags: ['graph'],
    queryParameters: [{ name: 'validationToken', description: 'Sent by Graph when the subscription is created; echoed back.', schema: { type: 'string' } }],
    body: { schema: notificationBatchSchema, required: false },
    responses: { '200': { description: 'The validation token echoed', contentType: 'text/plain', schema: { type: 'string' } }, '202': { description: 'Accepted' }, '403': problem('No notification came from a subscription of this deployment') },
  },
  {
    method: 'post',
    route: 'graph/lifecycle',
    operationId: 'receiveGraphLifecycleNotifications',
    summary: 'Graph lifecycle notifications (reauthorization, removal, missed)',
    access: 'anonymous',
    tags: ['graph'],
    queryParameters: [{ name: 'validationToken', description: 'Sent by Graph when the subscription is created; echoed back.', schema: { type: 'string' } }],
    body: { schema: notificationBatchSchema, required: false },
    responses: { '200': { description: 'The validation token echoed', contentType: 'text/plain', schema: { type: 'string' } }, '202': { description: 'Accepted' }, '403': problem('No notification came from a subscription of this deployment') },
  },
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
  if (spec.query) {
    const query = jsonSchema(spec.query);
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
