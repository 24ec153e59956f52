// What an admin does about trust in the partner, and what the status API shows of it: pin the
// partner's key thumbprint read back from the partner's admin (the out-of-band way to authenticate
// the partner's key), accept partner domains that cannot be verified through Graph, and the view
// of both (own key thumbprint, the partner's key and its evidence, pairing tries, domain status).
// See docs/security.md.
import { z } from 'zod';
import type { PartnershipDomains, PartnershipKeyTrust, PartnershipTrustDetails } from '../../shared/client';
import { FUNCTION_KEY_ACTOR } from '../../shared/console/principal';
import { DomainError } from '../../shared/errors';
import { keyThumbprintSchema, PAIRING_CODE_MAX_ATTEMPTS } from '../../shared/handshake';
import { domainSchema, parseOrThrow, type PartnershipStatus } from '../../shared/partnership';
import { EMPTY_DOMAIN_TRUST, partnerDomainView, verifiedPartnerDomains } from '../../shared/partnerDomains';
import type { PartnershipRecord } from '../../shared/tables';
import type { EntryPointContext } from './partnerships';
import { handshakeData, withHandshakeData } from '../records';

/** Until the partner's answer is accepted, its key may still be pinned by the admin. */
const KEY_PINNING_STATUSES: readonly PartnershipStatus[] = ['Draft', 'ConfiguringLocal', 'AwaitingPartner'];
/** Domains can be accepted as long as the partnership may still be configured or reconciled. */
const DOMAIN_ACCEPTING_STATUSES: readonly PartnershipStatus[] = ['Draft', 'ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active'];

/** `POST /api/partnerships/{id}/partner-key` body. */
export const partnerKeySchema = z.strictObject({
  thumbprint: keyThumbprintSchema.describe("the partner deployment's key thumbprint, as its administrator reads it from its own status API"),
});
/** `POST /api/partnerships/{id}/partner-domains` body. */
export const partnerDomainsSchema = z.strictObject({
  accept: z.array(domainSchema).min(1, { error: 'must name at least one domain' }).max(100),
});

/**
 * POST /api/partnerships/{id}/partner-key (initiator): the admin vouches for the partner's key by
 * its thumbprint, read back from the partner's admin. The partner's confirmation (or rejection) is
 * then accepted under that key and no other. A thumbprint that contradicts a key already trusted is
 * refused (`handshake.partner-key-conflict`): one of the two channels is lying.
 */
export async function trustPartnerKey(id: string, body: unknown, context: EntryPointContext): Promise<{ id: string; keys: PartnershipKeyTrust }> {
  const { thumbprint } = parseOrThrow(partnerKeySchema, body, 'partner key');
  const { partnerships, keys, events } = context.deployment.repositories;
  const record = await partnerships.require(id);
  if (record.role !== 'initiator') {
    throw new DomainError(
      'partnership.illegal-transition',
      `Partnership ${id} was initiated by the partner: its key is trusted through the pairing code your administrator enters, or a pre-trust rule.`,
      { details: { id, role: record.role } },
    );
  }
  const pinned = await keys.get(record.id, record.partnerTenantId);
  if (pinned) {
    if (pinned.thumbprint !== thumbprint) throw keyConflict(id, `a different partner key (${pinned.thumbprint}) is already trusted (${pinned.source})`);
    return { id, keys: await keyTrustOf(record, context) };
  }
  if (!KEY_PINNING_STATUSES.includes(record.status)) {
    throw new DomainError('partnership.illegal-transition', `Partnership ${id} is ${record.status}: the partner's key can no longer be pinned.`, {
      details: { id, status: record.status },
    });
  }
  const at = new Date().toISOString();
  const updated = await partnerships.update(id, (current) => {
    const evidence = handshakeData(current).partnerKey ?? {};
    if (evidence.adminThumbprint === thumbprint) return undefined;
    if (evidence.adminThumbprint) throw keyConflict(id, `your administrator already pinned thumbprint ${evidence.adminThumbprint}`);
    if (evidence.jwksThumbprints && !evidence.jwksThumbprints.includes(thumbprint)) {
      throw keyConflict(id, "the partner's URL publishes other keys");
    }
    if (!KEY_PINNING_STATUSES.includes(current.status)) throw keyConflict(id, `the partnership is ${current.status}`);
    return { data: withHandshakeData(current, { partnerKey: { ...evidence, adminThumbprint: thumbprint, adminPinnedAt: at } }) };
  });
  // A key pinned from the partner's URL meanwhile must agree (answers are refused while they disagree).
  const pinnedMeanwhile = await keys.get(record.id, record.partnerTenantId);
  if (pinnedMeanwhile && pinnedMeanwhile.thumbprint !== thumbprint) {
    throw keyConflict(id, `a different partner key (${pinnedMeanwhile.thumbprint}) was trusted meanwhile (${pinnedMeanwhile.source})`);
  }
  await events.append({
    partnershipId: id,
    id: `${id}:partner-key-pinned`,
    at,
    type: 'partner-key.pinned',
    actor: context.actor ?? FUNCTION_KEY_ACTOR,
    message: `The administrator pinned the partner's key thumbprint ${thumbprint}: its answer is accepted under that key only.`,
    data: { thumbprint, source: 'admin' },
  });
  return { id, keys: await keyTrustOf(updated, context) };
}

/**
 * POST /api/partnerships/{id}/partner-domains: the admin accepts partner domains that Graph cannot
 * verify (across clouds, national clouds). A domain is used once the partner has declared it too;
 * on an Active partnership the next reconcile run (or POST …/reconcile?mode=enforce) writes it.
 */
export async function acceptPartnerDomains(id: string, body: unknown, context: EntryPointContext): Promise<{ id: string } & PartnershipDomains> {
  const { accept } = parseOrThrow(partnerDomainsSchema, body, 'partner domains');
  const { partnerships, events } = context.deployment.repositories;
  const record = await partnerships.require(id);
  assertAcceptsDomains(record);
  const updated = await partnerships.update(id, (current) => {
    assertAcceptsDomains(current);
    const trust = { ...EMPTY_DOMAIN_TRUST, ...handshakeData(current).partnerDomainTrust };
    const accepted = [...new Set([...trust.accepted, ...accept])];
    if (accepted.length === trust.accepted.length) return undefined;
    const next = { ...trust, accepted };
    return { data: withHandshakeData(current, { partnerDomainTrust: next }), partnerDomains: verifiedPartnerDomains(next) };
  });
  if (updated.version === record.version) return { id, ...domainsOf(updated) };
  const before = new Set(record.partnerDomains);
  const nowUsed = updated.partnerDomains.filter((domain) => !before.has(domain));
  await events.append({
    partnershipId: id,
    id: `${id}:partner-domains-accepted:${updated.version}`,
    at: new Date().toISOString(),
    type: 'partner-domains.accepted',
    actor: context.actor ?? FUNCTION_KEY_ACTOR,
    message:
      `The administrator accepted the partner domain(s) ${accept.join(', ')}` +
      (nowUsed.length > 0 ? `; now used: ${nowUsed.join(', ')}.` : '; each is used once the partner declares it.'),
    data: { accepted: accept, used: updated.partnerDomains },
  });
  return { id, ...domainsOf(updated) };
}

/** What the status API adds about trust: keys, pairing tries (responder), partner domains. */
export async function trustDetails(record: PartnershipRecord, context: EntryPointContext): Promise<PartnershipTrustDetails> {
  const invitation = handshakeData(record).invitation;
  return {
    keys: await keyTrustOf(record, context),
    ...(record.role === 'responder' && invitation ? { pairingAttempts: { used: invitation.attempts ?? 0, max: PAIRING_CODE_MAX_ATTEMPTS } } : {}),
    ...domainsOf(record),
  };
}

async function keyTrustOf(record: PartnershipRecord, context: EntryPointContext): Promise<PartnershipKeyTrust> {
  const { deployment } = context;
  const data = handshakeData(record);
  // A deployment without a signing key still answers the status API.
  const own = await deployment.keyStore.getDeploymentKey().then((key) => key.kid, () => undefined);
  const pinned = await deployment.repositories.keys.get(record.id, record.partnerTenantId);
  return {
    ...(own ? { own } : {}),
    ...(pinned ? { partner: { thumbprint: pinned.thumbprint, source: pinned.source, pinnedAt: pinned.pinnedAt.toISOString() } } : {}),
    ...(!pinned && data.partnerKey?.adminThumbprint ? { partnerExpected: data.partnerKey.adminThumbprint } : {}),
    ...(!pinned && data.partnerKey?.jwksThumbprints ? { partnerPublished: data.partnerKey.jwksThumbprints } : {}),
    ...(!pinned && record.role === 'responder' && data.invitation ? { partnerPresented: data.invitation.keyThumbprint } : {}),
  };
}

function domainsOf(record: PartnershipRecord): PartnershipDomains {
  const trust = handshakeData(record).partnerDomainTrust;
  return trust ? { partnerDomains: partnerDomainView(trust) } : {};
}

function assertAcceptsDomains(record: PartnershipRecord): void {
  if (!DOMAIN_ACCEPTING_STATUSES.includes(record.status)) {
    throw new DomainError('partnership.illegal-transition', `Partnership ${record.id} is ${record.status}: its partner domains can no longer change.`, {
      details: { id: record.id, status: record.status },
    });
  }
}

function keyConflict(id: string, why: string): DomainError {
  return new DomainError('handshake.partner-key-conflict', `The thumbprint cannot be pinned for partnership ${id}: ${why}. Check it with the partner's administrator.`, {
    details: { id },
  });
}
