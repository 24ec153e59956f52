// From what an admin asked for to the desired collaboration the planner works with: checks the
// capability rules, and turns a partner named by domain (same cloud only) into its tenant ID.
import { assertCapabilities } from './capabilities';
import type { CloudName } from './clouds';
import { DomainError } from './errors';
import type { GraphAdapter } from './graph/client';
import { toDesiredCollaboration, type DesiredCollaboration, type PartnershipRequest } from './partnership';

/**
 * The desired collaboration of a validated request: every capability rule checked first (a
 * `capability.violation` lists them all and nothing is looked up), then the partner domain, if
 * any, resolved in this tenant's cloud.
 */
export async function resolveDesiredCollaboration(
  request: PartnershipRequest,
  context: { localCloud: CloudName; localTenantId: string; graph: Pick<GraphAdapter, 'findTenantIdByDomain'> },
): Promise<DesiredCollaboration> {
  assertCapabilities(context.localCloud, request.partnerCloud, request);
  let partnerTenantId = request.partnerTenantId;
  if (!partnerTenantId && request.partnerDomain) {
    partnerTenantId = await context.graph.findTenantIdByDomain(request.partnerDomain);
    if (!partnerTenantId) {
      throw new DomainError('request.invalid', `No tenant has verified the domain ${request.partnerDomain}: give the partner's tenant ID.`, {
        details: { issues: [{ field: 'partnerDomain', message: 'is not a verified domain of any tenant in this cloud' }] },
      });
    }
  }
  if (partnerTenantId?.toLowerCase() === context.localTenantId.toLowerCase()) {
    throw new DomainError('request.invalid', 'A tenant cannot partner with itself.', {
      details: { issues: [{ field: request.partnerTenantId ? 'partnerTenantId' : 'partnerDomain', message: 'is this deployment’s own tenant' }] },
    });
  }
  return toDesiredCollaboration(request, partnerTenantId);
}
