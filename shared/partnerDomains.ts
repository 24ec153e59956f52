// Which of the domains a partner declares are used (Teams federation allow-list): a partner's
// message is signed by the partner, so it proves what the partner *claims*, not that the domains
// are the partner's. A declared domain is used only when it is verified — within the Global cloud
// Graph resolves it to the partner tenant; otherwise (across clouds, or in a national cloud where
// the lookup does not exist) an admin of this side named it in the request or accepted it.
// Unverified domains are shown on the partnership and never written. See docs/security.md.
import { CLOUDS, isCrossCloud, type CloudName } from './clouds';
import type { GraphAdapter } from './graph/client';

/** How a used domain was verified: Graph resolved it to the partner tenant, or an admin accepted it. */
export type PartnerDomainSource = 'graph' | 'admin';

/** What a partnership knows about its partner's domains (kept with the partnership). */
export interface PartnerDomainTrust {
  /** Declared by the partner in its invitation or confirmation (lower case). */
  declared: string[];
  /** Named in the request or accepted through the API by an admin of this side (lower case). */
  accepted: string[];
  /** Declared domains Graph resolved to the partner tenant. */
  resolved: string[];
  /** When the declared domains were last looked up (absent: not yet). */
  checkedAt?: string;
}

export interface PartnerDomainView {
  domain: string;
  status: 'verified' | 'unverified';
  /** Verified domains: how. */
  source?: PartnerDomainSource;
  /** An admin accepted it but the partner has not declared it (yet): not used until it does. */
  declared: boolean;
}

export const EMPTY_DOMAIN_TRUST: PartnerDomainTrust = { declared: [], accepted: [], resolved: [] };

/** The domains used for the partner: declared by it, and resolved by Graph or accepted by an admin. */
export function verifiedPartnerDomains(trust: PartnerDomainTrust): string[] {
  const vouched = new Set([...trust.resolved, ...trust.accepted]);
  return unique(trust.declared).filter((domain) => vouched.has(domain));
}

/** Every domain the partnership knows of, with its status (the status API shows this). */
export function partnerDomainView(trust: PartnerDomainTrust): PartnerDomainView[] {
  const resolved = new Set(trust.resolved);
  const accepted = new Set(trust.accepted);
  const declared = new Set(trust.declared);
  return unique([...trust.declared, ...trust.accepted]).map((domain) => {
    const source: PartnerDomainSource | undefined = resolved.has(domain) ? 'graph' : accepted.has(domain) ? 'admin' : undefined;
    const used = declared.has(domain) && source !== undefined;
    return { domain, status: used ? 'verified' : 'unverified', ...(used ? { source } : {}), declared: declared.has(domain) };
  });
}

/** Graph's tenant lookup by domain exists in the Global cloud only, and cannot see another cloud. */
export function canResolvePartnerDomains(localCloud: CloudName, partnerCloud: CloudName): boolean {
  return CLOUDS[localCloud].globalGraphService && !isCrossCloud(localCloud, partnerCloud);
}

/** Lookups in flight at once. */
const LOOKUP_CONCURRENCY = 4;

/**
 * The declared domains Graph resolves to the partner tenant; at most `limit` are looked up (the
 * rest stay unverified until an admin accepts them). A domain of another tenant is not resolved.
 */
export async function resolvePartnerDomains(
  declared: readonly string[],
  partnerTenantId: string,
  graph: Pick<GraphAdapter, 'findTenantIdByDomain'>,
  limit: number,
): Promise<string[]> {
  const candidates = unique(declared).slice(0, Math.max(0, limit));
  const resolved = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      const domain = candidates[next++];
      const tenantId = await graph.findTenantIdByDomain(domain);
      if (tenantId && tenantId.toLowerCase() === partnerTenantId.toLowerCase()) resolved.add(domain);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, candidates.length) }, worker));
  return candidates.filter((domain) => resolved.has(domain));
}

function unique(domains: readonly string[]): string[] {
  return [...new Set(domains.map((domain) => domain.toLowerCase()))];
}
