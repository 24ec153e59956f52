// What the console asks before anything is written: the capability preflight of a pair of clouds
// (live, as the admin fills in the form) and the dry run of a partnership request — validated,
// checked against both sides' capability rules, planned against this tenant's current state — which
// reads the tenant and writes nothing, anywhere. See docs/console.md.
import { preflightRequestSchema } from '../../shared/api/schemas';
import { checkCapabilities, type CapabilityViolation } from '../../shared/capabilities';
import { capabilityPreflight, type PreflightResult } from '../../shared/console/capabilityPreflight';
import { DomainError } from '../../shared/errors';
import { mirrorForPartner, parseOrThrow, parsePartnershipRequest, type DesiredCollaboration } from '../../shared/partnership';
import { plan, readTenantState, type PlanOperation } from '../../shared/plan';
import { resolveDesiredCollaboration } from '../../shared/resolve';
import type { EntryPointContext } from './partnerships';

/** Partnership id the planner sees in a dry run (nothing is stored under it). */
export const DRY_RUN_PARTNERSHIP_ID = 'dry-run';
/** The partner mirror needs some deployment URL; the capability rules never look at it. */
const MIRROR_PLACEHOLDER_URL = 'https://this-deployment.invalid';

export interface PartnershipPreview {
  dryRun: true;
  localCloud: string;
  partnerCloud: string;
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
 * `POST /api/partnerships?dryRun=true`: the same validation and rules as a real request (400 and
 * 422 alike), the partner side's rules for the mirrored request too, then the plan for this
 * tenant. Reads the tenant; writes nothing.
 */
export async function previewPartnership(body: unknown, context: EntryPointContext): Promise<PartnershipPreview> {
  const { deployment } = context;
  const { config } = deployment;
  const request = parsePartnershipRequest(withDeploymentDefaults(body, config.invitationLifetimeSeconds));
  const desired = await resolveDesiredCollaboration(request, {
    localCloud: config.cloud,
    localTenantId: config.tenantId,
    graph: { findTenantIdByDomain: (domain) => deployment.adapters().graph.findTenantIdByDomain(domain) },
  });
  const mirrored = mirrorForPartner(desired, { tenantId: config.tenantId, cloud: config.cloud, deploymentUrl: MIRROR_PLACEHOLDER_URL });
  const partnerViolations = checkCapabilities(desired.partnerCloud, config.cloud, mirrored);
  if (partnerViolations.length > 0) throw partnerRefuses(partnerViolations);

  const target = { partnershipId: DRY_RUN_PARTNERSHIP_ID, desired, partnerDomains: undefined };
  const actual = await readTenantState(deployment.adapters(), [target], { localCloud: config.cloud });
  const planned = plan([target], actual, { localCloud: config.cloud, guestInviteRedirectUrl: config.guestInviteRedirectUrl });
  return { dryRun: true, localCloud: config.cloud, partnerCloud: desired.partnerCloud, desired, operations: planned.operations, empty: planned.operations.length === 0 };
}

/** `POST /api/preflight`: the capability rules for this deployment's cloud and the partner's. */
export function preflight(body: unknown, context: Pick<EntryPointContext, 'deployment'>): PreflightResult {
  const { partnerCloud, request } = parseOrThrow(preflightRequestSchema, body, 'preflight request');
  return capabilityPreflight(context.deployment.config.cloud, partnerCloud, request);
}

function partnerRefuses(violations: CapabilityViolation[]): DomainError {
  return new DomainError(
    'capability.violation',
    `The partner's deployment would refuse this request: ${violations.map((violation) => violation.message).join(' ')}`,
    { details: { violations: violations.map((violation) => ({ ...violation, side: 'partner' })) } },
  );
}
