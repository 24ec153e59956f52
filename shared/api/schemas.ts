// The HTTP API's shapes as zod schemas: the query and body schemas the newer handlers parse with,
// and the answers every route gives. The OpenAPI description (functions/console/openapi.ts) is
// generated from these and from the request schemas of the domain, and a test checks real answers
// against it, so the description cannot drift from the code. See docs/console.md.
import { z } from 'zod';
import { CAPABILITY_KEYS } from '../capabilities';
import { ENVIRONMENT_NAMES } from '../clouds';
import { CHECK_NAMES } from '../deploy/doctor';
import { DRIFT_STATUSES, PARTNERSHIP_STATUSES } from '../partnership';
import { pageQuerySchema } from '../paging';

/** `GET /api/events` query: the paging parameters and the filters. */
export const eventsQuerySchema = pageQuerySchema.extend({
  partnership: z.string().min(1).max(200).optional().meta({ description: 'Only the events of this partnership id.' }),
  actor: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .meta({
      description:
        'Only this actor: admin:<name>, admin:function-key, partner:<tenantId>, timer, graph-notification, orchestration, reconcile; ' +
        'a value ending in * is a prefix (admin:* every administrator, partner:* the partner).',
    }),
  type: z.string().min(1).max(100).optional().meta({ description: 'Only this event type, e.g. status.changed, operation.applied, drift.detected.' }),
  since: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time, e.g. 2025-01-31T09:00:00Z' }).optional().meta({ description: 'Only events at or after this time.' }),
}).strict();
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

/** `GET|POST /api/capabilities/check` query. */
export const capabilityCheckQuerySchema = z.object({
  partner: z
    .string()
    .trim()
    .min(1)
    .max(20)
    .optional()
    .meta({ description: `The partner's environment: ${ENVIRONMENT_NAMES.join(', ')} (USGov and USGovDoD are accepted). Required for GET; POST may give partnerCloud in the body instead.` }),
});

const iso = z.string().meta({ description: 'ISO 8601 date and time' });
const domainJson = z.looseObject({});

export const partnershipSummarySchema = z.looseObject({
  id: z.string(),
  role: z.enum(['initiator', 'responder']),
  status: z.enum(PARTNERSHIP_STATUSES),
  driftStatus: z.enum(DRIFT_STATUSES).nullable(),
  partnerTenantId: z.string(),
  partnerCloud: z.string(),
  updatedAt: iso,
});

export const partnershipListSchema = z.looseObject({
  partnerships: z.array(partnershipSummarySchema),
  continuationToken: z.string().optional(),
  nextLink: z.string().optional(),
});

export const partnershipStepSchema = z.looseObject({
  at: iso,
  type: z.string(),
  message: z.string(),
  status: z.enum(PARTNERSHIP_STATUSES).optional(),
  data: domainJson.optional(),
});

/** How far this side trusts the partner's signing key (thumbprints: RFC 7638, base64url). */
export const keyTrustSchema = z.looseObject({
  own: z.string().optional().meta({ description: "This deployment's key thumbprint: what this side's administrator reads to the partner's." }),
  partner: z
    .looseObject({ thumbprint: z.string(), source: z.string(), pinnedAt: iso })
    .optional()
    .meta({ description: "The partner's key as trusted here, and the evidence: jwks, admin, key-proof, pairing-code or pre-trust." }),
  partnerExpected: z.string().optional().meta({ description: "Initiator: the thumbprint this side's administrator pinned, until the partner's answer presents it." }),
  partnerPublished: z.array(z.string()).optional().meta({ description: "Initiator: the keys the partner's URL published (several)." }),
  partnerPresented: z.string().optional().meta({ description: 'Responder: the key the invitation presented, not authenticated until the pairing code opens it.' }),
});

export const partnerDomainStatusSchema = z.looseObject({
  domain: z.string(),
  status: z.enum(['verified', 'unverified']),
  source: z.enum(['graph', 'admin']).optional(),
  declared: z.boolean(),
});

export const partnershipDetailsSchema = partnershipSummarySchema.extend({
  partnerDeploymentUrl: z.string(),
  desired: domainJson,
  pairingCode: z.string().optional(),
  invitationUrl: z.string().optional(),
  offboardMessageUrl: z.string().optional().meta({ description: 'The side that offboarded: its signed offboard message, for out-of-band delivery.' }),
  approval: z.enum(['pairing-code', 'pre-trusted']).optional(),
  invitation: z
    .looseObject({ from: z.string(), keyThumbprint: z.string(), receivedAt: iso, expiresAt: iso })
    .optional()
    .meta({ description: 'Responder: who sent the invitation and with which key.' }),
  keys: keyTrustSchema.optional(),
  pairingAttempts: z.looseObject({ used: z.number().int(), max: z.number().int() }).optional().meta({ description: 'Responder: pairing-code tries used.' }),
  partnerDomains: z.array(partnerDomainStatusSchema).optional(),
  steps: z.array(partnershipStepSchema),
  lastError: domainJson.nullable().optional(),
  owned: z.array(domainJson).optional(),
  createdAt: iso,
});

export const createdPartnershipSchema = z.looseObject({
  id: z.string(),
  status: z.enum(PARTNERSHIP_STATUSES),
  pairingCode: z.string(),
  statusUrl: z.string(),
});

export const partnershipActionSchema = z.looseObject({ id: z.string(), status: z.enum(PARTNERSHIP_STATUSES) });

export const offboardingAcceptedSchema = partnershipActionSchema.extend({ statusUrl: z.string() });

export const partnerKeyAnswerSchema = z.looseObject({ id: z.string(), keys: keyTrustSchema });

export const partnerDomainsAnswerSchema = z.looseObject({ id: z.string(), partnerDomains: z.array(partnerDomainStatusSchema).optional() });

const planOperationSchema = z.looseObject({ kind: z.string(), description: z.string() });

export const partnershipPlanSchema = z.looseObject({ id: z.string(), operations: z.array(planOperationSchema), empty: z.boolean() });

const sideSchema = z.enum(['local', 'partner', 'both']);

const violationSchema = z.looseObject({
  code: z.string(),
  field: z.string().optional(),
  message: z.string(),
  side: sideSchema.optional(),
  capability: z.enum(CAPABILITY_KEYS).optional(),
  source: z.string().optional(),
});

/** The capability preflight of both sides (`handshake check --json`, `GET|POST /api/capabilities/check`). */
export const capabilityCheckSchema = z.looseObject({
  local: z.enum(ENVIRONMENT_NAMES),
  partner: z.enum(ENVIRONMENT_NAMES),
  capabilities: z.record(
    z.enum(CAPABILITY_KEYS),
    z.looseObject({ allowed: z.boolean(), code: z.string(), message: z.string(), side: sideSchema, requested: z.boolean() }),
  ),
  violations: z.array(violationSchema),
});

export const partnershipPreviewSchema = z.looseObject({
  dryRun: z.literal(true),
  localCloud: z.string(),
  partnerCloud: z.string(),
  capabilities: capabilityCheckSchema,
  desired: domainJson,
  operations: z.array(planOperationSchema),
  empty: z.boolean(),
});

export const reconcileResultSchema = z.looseObject({
  id: z.string(),
  mode: z.enum(['report', 'enforce']),
  driftStatus: z.enum(DRIFT_STATUSES).nullable(),
  drift: z.array(domainJson),
});

export const healthReportSchema = z.looseObject({
  status: z.enum(['ok', 'warn', 'fail']),
  checkedAt: iso,
  checks: z.array(z.looseObject({ name: z.enum(CHECK_NAMES), status: z.enum(['ok', 'warn', 'fail']), message: z.string(), fix: z.string().optional() })),
});

export const storedEventSchema = z.looseObject({
  partnershipId: z.string(),
  id: z.string(),
  at: iso,
  type: z.string(),
  actor: z.string(),
  message: z.string(),
  step: z.string().optional(),
  operationId: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  data: domainJson.optional(),
});

export const eventsPageSchema = z.looseObject({
  events: z.array(storedEventSchema),
  continuationToken: z.string().optional(),
  nextLink: z.string().optional(),
});

export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  instance: z.string().optional(),
  issues: z.array(z.looseObject({ field: z.string(), message: z.string() })).optional(),
  violations: z.array(violationSchema).optional(),
});

export const jwksSchema = z.looseObject({ keys: z.array(domainJson) });
