// The HTTP API's shapes as zod schemas: the query and body schemas the newer handlers parse with,
// and the answers every route gives. The OpenAPI description (functions/console/openapi.ts) is
// generated from these and from the request schemas of the domain, and a test checks real answers
// against it, so the description cannot drift from the code. See docs/console.md.
import { z } from 'zod';
import { CLOUD_NAMES } from '../clouds';
import { DRIFT_STATUSES, PARTNERSHIP_STATUSES } from '../partnership';

/** Paging convention of every list: `$top` (default 50, at most 200) and an opaque continuation token. */
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;

const pageSize = z.coerce
  .number({ error: `must be a whole number from 1 to ${PAGE_SIZE_MAX}` })
  .int({ error: `must be a whole number from 1 to ${PAGE_SIZE_MAX}` })
  .min(1, { error: `must be a whole number from 1 to ${PAGE_SIZE_MAX}` })
  .max(PAGE_SIZE_MAX, { error: `must be a whole number from 1 to ${PAGE_SIZE_MAX}` })
  .default(PAGE_SIZE_DEFAULT)
  .meta({ description: `How many items a page holds (default ${PAGE_SIZE_DEFAULT}, at most ${PAGE_SIZE_MAX}).` });
const continuationToken = z
  .string()
  .min(1)
  .max(4_000)
  .meta({ description: 'The continuationToken of the previous page (opaque).' });

/** `GET /api/events` query. */
export const eventsQuerySchema = z.strictObject({
  partnership: z.string().min(1).max(200).optional().meta({ description: 'Only the events of this partnership id.' }),
  actor: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .meta({ description: 'Only this actor: admin:<name>, admin:function-key, partner:<tenantId>, timer, graph-notification, orchestration, reconcile.' }),
  type: z.string().min(1).max(100).optional().meta({ description: 'Only this event type, e.g. status.changed, operation.applied, drift.detected.' }),
  since: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time, e.g. 2025-01-31T09:00:00Z' }).optional().meta({ description: 'Only events at or after this time.' }),
  $top: pageSize,
  continuationToken: continuationToken.optional(),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

/** `POST /api/preflight`: the capability rules for a pair of clouds, and optionally a (partial) request. */
export const preflightRequestSchema = z.strictObject({
  partnerCloud: z.enum(CLOUD_NAMES, { error: `must be one of ${CLOUD_NAMES.join(', ')}` }).meta({ description: "The partner tenant's cloud." }),
  request: z
    .looseObject({})
    .optional()
    .meta({ description: 'The partnership request as filled in so far (fields that are not valid yet are ignored).' }),
});

/** `DELETE /api/partnerships/{id}` body (offboarding). */
export const offboardingRequestSchema = z.strictObject({
  deleteGuests: z.boolean().default(false).meta({ description: 'Also delete the guest accounts this partnership invited (they are left in place otherwise).' }),
  reason: z.string().trim().min(1).max(1_000).optional().meta({ description: 'Why the partnership ends; sent to the partner.' }),
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

export const partnershipDetailsSchema = partnershipSummarySchema.extend({
  partnerDeploymentUrl: z.string(),
  desired: domainJson,
  pairingCode: z.string().optional(),
  invitationUrl: z.string().optional(),
  approval: z.enum(['pairing-code', 'pre-trusted']).optional(),
  invitation: z
    .looseObject({ from: z.string(), keyThumbprint: z.string(), receivedAt: iso, expiresAt: iso })
    .optional()
    .meta({ description: 'Responder: who sent the invitation and with which key.' }),
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

const planOperationSchema = z.looseObject({ kind: z.string(), description: z.string() });

export const partnershipPlanSchema = z.looseObject({ id: z.string(), operations: z.array(planOperationSchema), empty: z.boolean() });

const violationSchema = z.looseObject({ code: z.string(), field: z.string().optional(), message: z.string(), side: z.enum(['local', 'partner']).optional() });

export const partnershipPreviewSchema = z.looseObject({
  dryRun: z.literal(true),
  localCloud: z.string(),
  partnerCloud: z.string(),
  desired: domainJson,
  operations: z.array(planOperationSchema),
  empty: z.boolean(),
});

export const preflightResultSchema = z.looseObject({
  localCloud: z.string(),
  partnerCloud: z.string(),
  allowed: z.boolean(),
  violations: z.array(violationSchema),
});

export const reconcileResultSchema = z.looseObject({
  id: z.string(),
  mode: z.enum(['report', 'enforce']),
  driftStatus: z.enum(DRIFT_STATUSES).nullable(),
  drift: z.array(domainJson),
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
