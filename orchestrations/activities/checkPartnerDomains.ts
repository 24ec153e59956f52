// checkPartnerDomains: which of the partner's declared domains are verified, before anything uses
// them (Teams federation). Same cloud (Global): each declared domain is looked up in Graph and used
// only if it resolves to the partner tenant. Otherwise only the domains an admin of this side named
// in the request or accepted are used. The result is kept with the partnership; the unverified
// domains are listed on it and never written. See shared/partnerDomains and docs/security.md.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import {
  canResolvePartnerDomains,
  EMPTY_DOMAIN_TRUST,
  partnerDomainView,
  resolvePartnerDomains,
  verifiedPartnerDomains,
  type PartnerDomainView,
} from '../../shared/partnerDomains';
import { handshakeDeployment } from '../deployment';
import { CHECK_PARTNER_DOMAINS_ACTIVITY } from '../names';
import { handshakeData, withHandshakeData } from '../records';

export interface CheckPartnerDomainsInput {
  partnershipId: string;
  /** The orchestration's time (ISO). */
  at: string;
}

export interface CheckPartnerDomainsResult {
  /** Graph looked the declared domains up (same cloud, Global). */
  lookedUp: boolean;
  verified: string[];
  unverified: string[];
  domains: PartnerDomainView[];
}

export async function checkPartnerDomains(input: CheckPartnerDomainsInput): Promise<CheckPartnerDomainsResult> {
  const deployment = handshakeDeployment();
  const { config } = deployment;
  const { partnerships } = deployment.repositories;
  const record = await partnerships.require(input.partnershipId);
  const declared = handshakeData(record).partnerDomainTrust?.declared ?? [];
  const lookedUp = canResolvePartnerDomains(config.cloud, record.partnerCloud);
  const resolved = lookedUp ? await resolvePartnerDomains(declared, record.partnerTenantId, deployment.adapters().graph, config.partnerDomainLookupLimit) : [];
  const updated = await partnerships.update(record.id, (current) => {
    const trust = { ...EMPTY_DOMAIN_TRUST, ...handshakeData(current).partnerDomainTrust, resolved, checkedAt: input.at };
    return { data: withHandshakeData(current, { partnerDomainTrust: trust }), partnerDomains: verifiedPartnerDomains(trust) };
  });
  const domains = partnerDomainView(handshakeData(updated).partnerDomainTrust!);
  return {
    lookedUp,
    verified: updated.partnerDomains,
    unverified: domains.filter((domain) => domain.status === 'unverified' && domain.declared).map((domain) => domain.domain),
    domains,
  };
}

const handler: ActivityHandler = (input: unknown) => checkPartnerDomains(input as CheckPartnerDomainsInput);
df.app.activity(CHECK_PARTNER_DOMAINS_ACTIVITY, { handler });
