// The partner webhook's effect (POST /api/handshake/messages): verify → claim the nonce → act →
// store the answer (shared/handshake receiveHandshakeMessage), where "act" is, per message type:
//   invitation    → the responder's partnership (Draft, mirrored request), the initiator's key held
//                   unauthenticated until the admin's pairing code opens the invitation's commitment;
//                   a pre-trust rule naming the tenant and key pins it and approves at once
//   confirmation  → accepted only under an authenticated key (JWKS pinned, admin-pinned thumbprint
//                   or the key proof made with the pairing code); the partner's domains are
//                   recorded as declared; the workflow resumes
//   rejection     → accepted only under an already authenticated key; the workflow resumes (and undoes its side)
//   ready         → the waiting workflow resumes
//   offboard      → the partner ended the partnership: this side offboards too (offboarding.ts), without
//                   its admin's approval and without telling the partner back
// Every state check runs before any write, so a refused message changes nothing; every write is
// idempotent per jti, so a redelivery after a crash (`resumed`) completes what the first began.
import { parseEnvironment } from '../../shared/clouds';
import { assertCapabilities } from '../../shared/capabilities';
import {
  assertAnswersOutstandingInvitation,
  authenticatePresentedKey,
  findPreTrustRule,
  handshakeError,
  partnershipIdSchema,
  peekHandshakeMessage,
  receiveHandshakeMessage,
  tenantIdSchema,
  untrustedKey,
  wrongStateError,
  type HandshakeAnswer,
  type HandshakeMessageOf,
  type VerifiedHandshakeMessage,
  type ReceiveHandshakeOptions,
} from '../../shared/handshake';
import { desiredCollaborationSchema, mirrorForPartner, type DesiredCollaboration, type PartnershipStatus } from '../../shared/partnership';
import { checkOutboundUrl } from '../../shared/outbound';
import { EMPTY_DOMAIN_TRUST, verifiedPartnerDomains } from '../../shared/partnerDomains';
import type { PartnershipRecord } from '../../shared/tables';
import { PARTNER_ANSWER_EVENT, PARTNER_READY_EVENT, type PartnerAnswerEvent, type PartnerReadyEvent } from '../names';
import { startOffboarding } from './offboarding';
import { assertRoomForInvitation } from './invitationLimits';
import { approvePreTrusted, type EntryPointContext } from './partnerships';
import { handshakeData, withHandshakeData, type ReceivedInvitation } from '../records';

/** Where each side may take the partner's `ready` (it can overtake the step that records the status). */
const READY_STATUSES: Record<'initiator' | 'responder', readonly PartnershipStatus[]> = {
  initiator: ['AwaitingPartner', 'ConfiguringTeams', 'Verifying'],
  responder: ['ConfiguringLocal', 'ConfiguringTeams', 'Verifying'],
};

export async function receivePartnerMessage(jws: string, context: EntryPointContext): Promise<HandshakeAnswer> {
  const { deployment } = context;
  const { partnerships, keys, nonces } = deployment.repositories;
  // Unverified routing only: which partnership, which partner, which pinned key to verify against.
  const { claims } = peekHandshakeMessage(jws);
  const partnershipId = partnershipIdSchema.safeParse(claims.partnershipId).success ? claims.partnershipId! : undefined;
  const issuer = tenantIdSchema.safeParse(claims.iss).success ? claims.iss! : undefined;
  const record = partnershipId ? await partnerships.get(partnershipId) : undefined;
  const pinned = record && issuer ? await keys.get(record.id, issuer) : undefined;
  const verification: ReceiveHandshakeOptions = {
    ownTenantId: deployment.config.tenantId,
    expectedIssuer: record?.partnerTenantId,
    // A presented key (invitation, confirmation, rejection) only proves the sender holds it: `act`
    // pins it only on evidence from elsewhere (see docs/security.md).
    trust: { pinnedKey: pinned?.jwk ?? withdrawalKey(claims.type, record), acceptPresentedKey: true },
    nonces,
    leaseSeconds: deployment.config.nonceProcessingLeaseSeconds,
    payloadSchemas: { collaboration: desiredCollaborationSchema, configured: desiredCollaborationSchema },
  };

  const { answer } = await receiveHandshakeMessage(jws, verification, async (verified) => {
    const { message } = verified;
    switch (message.type) {
      case 'invitation':
        return acceptInvitationMessage(verified as Verified<'invitation'>, record, context);
      case 'confirmation':
      case 'rejection':
        return acceptAnswer(verified as Verified<'confirmation' | 'rejection'>, record, context);
      case 'ready':
        return acceptReady(verified as Verified<'ready'>, record, context);
      case 'offboard':
        return acceptOffboard(verified as Verified<'offboard'>, record, context);
      default:
        throw wrongStateError(message);
    }
  });
  return answer;
}

/**
 * The key an `offboard` of an invitation not yet approved verifies against: the one the invitation
 * presented. Only its holder — the inviting deployment — can sign with it, and all it can do is
 * withdraw that invitation, which wrote nothing here (see docs/security.md, "Withdrawing an invitation").
 */
function withdrawalKey(type: unknown, record: PartnershipRecord | undefined) {
  if (type !== 'offboard' || !record || record.role !== 'responder' || record.status !== 'Draft') return undefined;
  return handshakeData(record).invitation?.key;
}

type Verified<T extends 'invitation' | 'confirmation' | 'rejection' | 'ready' | 'offboard'> = VerifiedHandshakeMessage & { message: HandshakeMessageOf<T> };

async function acceptInvitationMessage(
  verified: Verified<'invitation'>,
  existing: PartnershipRecord | undefined,
  context: EntryPointContext,
): Promise<HandshakeAnswer> {
  const { deployment } = context;
  const { config } = deployment;
  const { partnerships, keys, events } = deployment.repositories;
  const { message } = verified;

  const approvalOf = (record: PartnershipRecord): 'pairing-code' | 'pre-trusted' =>
    findPreTrustRule(deployment.preTrustRules, { tenantId: message.iss, keyThumbprint: verified.key.kid }) ? 'pre-trusted' : (handshakeData(record).approval ?? 'pairing-code');
  const answerFor = (record: PartnershipRecord): HandshakeAnswer => ({ status: 202, body: { id: record.id, status: 'Draft', approval: approvalOf(record) } });

  if (existing) {
    // The same invitation again after a crash completes its effect; anything else is refused.
    if (existing.role === 'responder' && handshakeData(existing).invitation?.jti === message.jti) {
      if (approvalOf(existing) === 'pre-trusted') await approvePreTrusted(existing, context);
      return answerFor(existing);
    }
    throw wrongStateError(message);
  }

  // Checks first (nothing is written when one fails). Said in terms of the message only.
  const collaboration = message.collaboration as DesiredCollaboration;
  if (collaboration.partnerTenantId !== config.tenantId) {
    throw handshakeError('handshake.malformed', `The invitation's collaboration names tenant ${collaboration.partnerTenantId} as the partner, not this tenant.`);
  }
  if (collaboration.partnerCloud !== config.cloud) {
    throw handshakeError('handshake.malformed', `The invitation places this tenant in the ${collaboration.partnerCloud} cloud, which is not this deployment's cloud.`);
  }
  // The answers go to these addresses: refuse now what this deployment would not call (plain http).
  for (const [field, url] of [['callbackUrl', message.callbackUrl], ['sender.deploymentUrl', message.sender.deploymentUrl]] as const) {
    try {
      checkOutboundUrl(url, config.outbound);
    } catch (error) {
      throw handshakeError('handshake.malformed', `The invitation's ${field} is not an address this deployment calls: ${(error as Error).message}.`);
    }
  }
  // Earlier deployments name environments by their old names (USGov, USGovDoD).
  const senderCloud = parseEnvironment(message.sender.cloud);
  if (!senderCloud) throw handshakeError('handshake.malformed', `The invitation's sender cloud "${message.sender.cloud}" is not a known environment.`);
  const desired = mirrorForPartner(collaboration, { tenantId: message.iss, cloud: senderCloud, deploymentUrl: message.sender.deploymentUrl });
  assertCapabilities(config.cloud, senderCloud, desired);
  await assertRoomForInvitation(deployment, message.iss);

  // Only a pre-trust rule pins the presented key now; otherwise it waits for the admin's pairing code.
  const preTrusted = findPreTrustRule(deployment.preTrustRules, { tenantId: message.iss, keyThumbprint: verified.key.kid }) !== undefined;
  if (preTrusted) await keys.pin({ partnershipId: message.partnershipId, tenantId: message.iss, jwk: verified.key, source: 'pre-trust' });
  const receivedAt = new Date().toISOString();
  const invitation: ReceivedInvitation = {
    jti: message.jti,
    exp: message.exp,
    callbackUrl: message.callbackUrl,
    keyThumbprint: verified.key.kid,
    key: verified.key,
    pairingCommitment: message.pairingCommitment,
    attempts: 0,
    receivedAt,
  };
  const record = await partnerships.create({
    id: message.partnershipId,
    role: 'responder',
    status: 'Draft',
    desired,
    // Declared, not verified: nothing is used before the approval and the domain check.
    partnerDomains: [],
    data: { invitation, partnerDomainTrust: { ...EMPTY_DOMAIN_TRUST, declared: lowerCase(message.sender.verifiedDomains) } },
  });
  const approval = approvalOf(record);
  await events.append({
    partnershipId: record.id,
    id: `${record.id}:invitation-received`,
    at: receivedAt,
    type: 'message.received',
    actor: `partner:${message.iss}`,
    message:
      `Invitation received from tenant ${message.iss} (${senderCloud}, ${message.sender.deploymentUrl}); ` +
      (approval === 'pre-trusted' ? 'a pre-trust rule approves it.' : 'awaiting approval with the pairing code shown to the inviting administrator.'),
    data: { jti: message.jti, keyThumbprint: verified.key.kid, expiresAt: new Date(message.exp * 1000).toISOString() },
  });
  if (approval === 'pre-trusted') await approvePreTrusted(record, context);
  return answerFor(record);
}

async function acceptAnswer(
  verified: Verified<'confirmation' | 'rejection'>,
  record: PartnershipRecord | undefined,
  context: EntryPointContext,
): Promise<HandshakeAnswer> {
  const { partnerships, keys, events } = context.deployment.repositories;
  const { message } = verified;
  const data = record ? handshakeData(record) : {};
  const event: PartnerAnswerEvent = { type: message.type, jti: message.jti, ...(message.type === 'rejection' ? { reason: message.reason } : {}) };
  const answer: HandshakeAnswer = { status: 202, body: { id: message.partnershipId, status: 'AwaitingPartner', accepted: message.type } };

  if (record && data.answer?.jti === message.jti) {
    // Accepted before a crash: make sure the workflow heard it (a second event is ignored).
    await context.durable.raiseEvent(record.id, PARTNER_ANSWER_EVENT, event);
    return answer;
  }
  if (!record || record.role !== 'initiator') assertAnswersOutstandingInvitation(message, undefined);
  // The key first: a sender whose key is not authenticated learns nothing about the partnership.
  // Evidence that disagrees (the admin pinned another thumbprint than the key pinned) trusts no key.
  const adminThumbprint = data.partnerKey?.adminThumbprint;
  if (verified.keySource === 'pinned' && adminThumbprint && adminThumbprint !== verified.key.kid) throw untrustedKey(verified.key.kid);
  const keySource = verified.keySource === 'pinned' ? undefined : authenticateAnswerKey(verified, record!, context);
  if (record!.status !== 'AwaitingPartner') throw wrongStateError(message);
  const outstanding = data.invitationJti && !data.answer ? { partnershipId: record!.id, jti: data.invitationJti, partnerTenantId: record!.partnerTenantId } : undefined;
  assertAnswersOutstandingInvitation(message, outstanding);
  if (message.type === 'confirmation' && (message.configured as DesiredCollaboration).partnerTenantId !== context.deployment.config.tenantId) {
    throw handshakeError('handshake.malformed', 'The confirmation describes a collaboration with another tenant.');
  }

  if (keySource) await keys.pin({ partnershipId: record!.id, tenantId: message.iss, jwk: verified.key, source: keySource });
  const at = new Date().toISOString();
  await partnerships.update(record!.id, (current) => {
    const currentData = handshakeData(current);
    if (currentData.answer?.jti === message.jti) return undefined;
    if (currentData.answer || current.status !== 'AwaitingPartner') throw wrongStateError(message);
    const changes = { answer: { type: message.type, jti: message.jti, at, ...(event.reason ? { reason: event.reason } : {}) } };
    if (message.type !== 'confirmation') return { data: withHandshakeData(current, changes) };
    // The partner's domains are its claim: only the verified ones are used (shared/partnerDomains).
    const trust = { ...EMPTY_DOMAIN_TRUST, ...currentData.partnerDomainTrust, declared: lowerCase(message.sender.verifiedDomains) };
    return { data: withHandshakeData(current, { ...changes, partnerDomainTrust: trust }), partnerDomains: verifiedPartnerDomains(trust) };
  });
  await events.append({
    partnershipId: record!.id,
    id: `${record!.id}:${message.type}-received`,
    at,
    type: 'message.received',
    actor: `partner:${message.iss}`,
    message:
      message.type === 'confirmation'
        ? `Confirmation received from tenant ${message.iss}: its side of Entra is configured (domains ${message.sender.verifiedDomains.join(', ')}).`
        : `Rejection received from tenant ${message.iss}: ${message.reason}`,
    data: { jti: message.jti },
  });
  await context.durable.raiseEvent(record!.id, PARTNER_ANSWER_EVENT, event);
  return answer;
}

async function acceptReady(verified: Verified<'ready'>, record: PartnershipRecord | undefined, context: EntryPointContext): Promise<HandshakeAnswer> {
  const { partnerships, events } = context.deployment.repositories;
  const { message } = verified;
  if (!record) throw wrongStateError(message);
  const event: PartnerReadyEvent = { jti: message.jti };
  const answer: HandshakeAnswer = { status: 202, body: { id: record.id, accepted: 'ready' } };
  if (handshakeData(record).partnerReady?.jti === message.jti) {
    await context.durable.raiseEvent(record.id, PARTNER_READY_EVENT, event);
    return answer;
  }
  const acceptable = (current: PartnershipRecord): boolean =>
    !handshakeData(current).partnerReady &&
    READY_STATUSES[current.role].includes(current.status) &&
    // The initiator takes `ready` only from a partner that confirmed.
    (current.role === 'responder' || handshakeData(current).answer?.type === 'confirmation');
  if (!acceptable(record)) throw wrongStateError(message);

  const at = new Date().toISOString();
  await partnerships.update(record.id, (current) => {
    if (handshakeData(current).partnerReady?.jti === message.jti) return undefined;
    if (!acceptable(current)) throw wrongStateError(message);
    return { data: withHandshakeData(current, { partnerReady: { jti: message.jti, at } }) };
  });
  await events.append({
    partnershipId: record.id,
    id: `${record.id}:ready-received`,
    at,
    type: 'message.received',
    actor: `partner:${message.iss}`,
    message: `Ready received from tenant ${message.iss}: its side is configured and verified.`,
    data: { jti: message.jti },
  });
  await context.durable.raiseEvent(record.id, PARTNER_READY_EVENT, event);
  return answer;
}

/**
 * The partner ended the partnership: verified against the key pinned for it (only the partner can
 * have signed it), so this side offboards too — its admin's approval is not needed to stop
 * collaborating. Who asked and why is recorded; a partnership already offboarding or ended is
 * answered as it is. Idempotent per jti (the event is keyed by it, offboarding starts once).
 */
async function acceptOffboard(verified: Verified<'offboard'>, record: PartnershipRecord | undefined, context: EntryPointContext): Promise<HandshakeAnswer> {
  const { message } = verified;
  if (!record) throw wrongStateError(message);
  const actor = `partner:${message.iss}`;
  await context.deployment.repositories.events.append({
    partnershipId: record.id,
    id: `${record.id}:offboard-received:${message.jti}`,
    // The message's own time: a redelivery after a crash appends the same row.
    at: new Date(message.iat * 1000).toISOString(),
    type: 'message.received',
    actor,
    message: `Offboard received from tenant ${message.iss}${message.reason ? `; reason: ${message.reason}` : '.'}`,
    data: { jti: message.jti, ...(message.reason ? { reason: message.reason } : {}) },
  });
  const offboarding = await startOffboarding(record, { actor, deleteGuests: false, notifyPartner: false, ...(message.reason ? { reason: message.reason } : {}) }, context);
  return { status: 202, body: { id: offboarding.id, status: offboarding.status, accepted: 'offboard' } };
}

/**
 * The evidence an initiator has for the key an answer presents (none of it from the message but the
 * key proof, which only someone told the pairing code can make); throws `handshake.unknown-key`
 * when nothing vouches for it. A rejection carries no proof: it needs a key authenticated before.
 */
function authenticateAnswerKey(verified: Verified<'confirmation' | 'rejection'>, record: PartnershipRecord, context: EntryPointContext) {
  const data = handshakeData(record);
  const { message } = verified;
  const source = authenticatePresentedKey(verified.key, message.type === 'confirmation' ? message.keyProof : undefined, {
    adminThumbprint: data.partnerKey?.adminThumbprint,
    jwksThumbprints: data.partnerKey?.jwksThumbprints,
    pairing:
      data.pairingCode && data.invitationJti
        ? {
            code: data.pairingCode,
            context: {
              partnershipId: record.id,
              invitationJti: data.invitationJti,
              initiatorTenantId: context.deployment.config.tenantId,
              responderTenantId: record.partnerTenantId,
            },
          }
        : undefined,
  });
  if (!source) {
    throw untrustedKey(
      verified.key.kid,
      "The inviting deployment trusts a partner key fetched from the partner's URL, pinned by its administrator (POST /api/partnerships/{id}/partner-key), or vouched for with the pairing code.",
    );
  }
  return source;
}

function lowerCase(domains: readonly string[]): string[] {
  return [...new Set(domains.map((domain) => domain.toLowerCase()))];
}
