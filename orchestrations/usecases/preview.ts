// What an admin asks before anything is written: the capability preflight of both sides for this
// deployment's environment and a partner's (`GET|POST /api/capabilities/check`, the console's live
// check — the same `preflight()` as `handshake check`), and the dry run of a partnership request —
// validated, checked against both sides' capability rules, planned against this tenant's current
// state — which reads the tenant and writes nothing, anywhere. See docs/console.md.
import { capabilityCheckQuerySchema } from '../../shared/api/schemas';
import { assertCapabilities } from '../../shared/capabilities';
import { DomainError } from '../../shared/errors';
import { parseOrThrow, parsePartnershipRequest, type DesiredCollaboration } from '../../shared/partnership';
import { plan, readTenantState, type PlanOperation } from '../../shared/plan';
import { preflight, type PreflightResult } from '../../shared/preflight';
import { resolveDesiredCollaboration } from '../../shared/resolve';
import type { EntryPointContext } from './partnerships';

/** Partnership id the planner sees in a dry run (nothing is stored under it). */
export const DRY_RUN_PARTNERSHIP_ID = 'dry-run';

export interface PartnershipPreview {
  dryRun: true;
  localCloud: string;
  partnerCloud: string;
  /** The capability preflight of both sides for exactly this request (all allowed: a refusal is the 422). */
  capabilities: PreflightResult;
  desired: DesiredCollaboration;
  operations: PlanOperation[];
  empty: boolean;
}

/** `?dryRun=`: absent or "false" → a real request, "true" → a dry run; anything else is a bad request. */
export function isDryRun(value: string | null): boolean {
  if (value === null || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new DomainError('request.invalid', `The request is not valid: dryRun: must be true or false (got "${value.slice(0, 20)}").`, {
    details: { issues: [{ field: 'dryRun', message: 'must be true or false' }] },
  });
}

/** The request body with the deployment's default invitation lifetime when the admin gave none. */
export function withDeploymentDefaults(body: unknown, invitationLifetimeSeconds: number): unknown {
  return body && typeof body === 'object' && !Array.isArray(body) && !('invitationLifetime' in body)
    ? { ...body, invitationLifetime: `${invitationLifetimeSeconds}s` }
    : body;
}

/**
 * `POST /api/partnerships?dryRun=true`: the same validation and rules of both sides as a real
 * request (400 and 422 alike), then the plan for this tenant. Reads the tenant; writes nothing.
 */
export async function previewPartnership(body: unknown, context: EntryPointContext): Promise<PartnershipPreview> {
  const { deployment } = context;
  const { config } = deployment;
  const request = parsePartnershipRequest(withDeploymentDefaults(body, config.invitationLifetimeSeconds));
  assertCapabilities(config.cloud, request.partnerCloud, request);
  const capabilities = preflight(config.cloud, request.partnerCloud, request);
  const adapters = deployment.adapters();
  const desired = await resolveDesiredCollaboration(request, {
    localCloud: config.cloud,
    localTenantId: config.tenantId,
    graph: { findTenantIdByDomain: (domain) => adapters.graph.findTenantIdByDomain(domain) },
  });
  const target = { partnershipId: DRY_RUN_PARTNERSHIP_ID, desired, partnerDomains: undefined };
  const actual = await readTenantState(adapters, [target], { localCloud: config.cloud });
  const planned = plan([target], actual, { localCloud: config.cloud, guestInviteRedirectUrl: config.guestInviteRedirectUrl });
  return { dryRun: true, localCloud: config.cloud, partnerCloud: desired.partnerCloud, capabilities, desired, operations: planned.operations, empty: planned.operations.length === 0 };
}

/**
 * `GET|POST /api/capabilities/check?partner=<env>`: the capability preflight of both sides for this
 * deployment's environment and the partner's — every capability of the pair (no body), or exactly
 * what a request asks (the body; the partner's environment may be its partnerCloud). Pure.
 */
export function capabilityCheck(
  query: Record<string, string>,
  body: unknown,
  context: Pick<EntryPointContext, 'deployment'>,
): PreflightResult {
  const { partner } = parseOrThrow(capabilityCheckQuerySchema, query, 'capability check');
  const fromBody = body && typeof body === 'object' && !Array.isArray(body) ? (body as { partnerCloud?: unknown }).partnerCloud : undefined;
  const partnerEnvironment = partner ?? (typeof fromBody === 'string' ? fromBody : undefined);
  if (!partnerEnvironment) {
    throw new DomainError('request.invalid', 'Name the partner environment: ?partner=Global|GCC|GCCHigh|DoD|China (or partnerCloud in the body).', {
      details: { issues: [{ field: 'partner', message: 'is required' }] },
    });
  }
  return preflight(context.deployment.config.cloud, partnerEnvironment, body);
}
