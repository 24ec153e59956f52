// The partner webhook's effect (POST /api/handshake/messages): verify → claim the nonce → act →
// store the answer (shared/handshake receiveHandshakeMessage), where "act" is, per message type:
//   invitation    → the responder's partnership (Draft, mirrored request), the initiator's key pinned;
//                   a pre-trust rule approves it at once
//   confirmation  → the initiator's partnership takes the partner's domains; the workflow resumes
//   rejection     → the initiator's workflow resumes (and undoes its side)
//   ready         → the waiting workflow resumes
//   offboard      → verified, then 501 (offboarding is a later issue)
// Every state check runs before any write, so a refused message changes nothing; every write is
// idempotent per jti, so a redelivery after a crash (`resumed`) completes what the first began.
import { isCloudName } from '../shared/clouds';
import { assertCapabilities } from '../shared/capabilities';
import { DomainError } from '../shared/errors';
import {
  assertAnswersOutstandingInvitation,
  findPreTrustRule,
  handshakeError,
  partnershipIdSchema,
  peekHandshakeMessage,
  receiveHandshakeMessage,
  tenantIdSchema,
  verifyHandshakeMessage,
  wrongStateError,
  type HandshakeAnswer,
  type HandshakeMessageOf,
  type VerifiedHandshakeMessage,
  type ReceiveHandshakeOptions,
} from '../shared/handshake';
import { desiredCollaborationSchema, mirrorForPartner, type DesiredCollaboration, type PartnershipStatus } from '../shared/partnership';
import type { PartnershipRecord } from '../shared/tables';
import { PARTNER_ANSWER_EVENT, PARTNER_READY_EVENT, type PartnerAnswerEvent, type PartnerReadyEvent } from './names';
import { assertRoomForInvitation } from './invitationLimits';
import { approvePreTrusted, type EntryPointContext } from './partnerships';
import { handshakeData, withHandshakeData } from './records';

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
    trust: { pinnedKey: pinned?.jwk, acceptPresentedKey: true },
    nonces,
    leaseSeconds: deployment.config.nonceProcessingLeaseSeconds,
    payloadSchemas: { collaboration: desiredCollaborationSchema, configured: desiredCollaborationSchema },
  };

  if (claims.type === 'offboard') {
    await verifyHandshakeMessage(jws, verification);
    throw new DomainError('offboarding.not-implemented', 'Offboarding is not available yet: the message was verified and nothing was changed.');
  }

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
      default:
        throw wrongStateError(message, record?.status ?? 'unknown');
    }
  });
  return answer;
}

type Verified<T extends 'invitation' | 'confirmation' | 'rejection' | 'ready'> = VerifiedHandshakeMessage & { message: HandshakeMessageOf<T> };

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
    throw wrongStateError(message, existing.status);
  }

  // Checks first (nothing is written when one fails).
  const collaboration = message.collaboration as DesiredCollaboration;
  if (collaboration.partnerTenantId !== config.tenantId) {
    throw handshakeError('handshake.malformed', `The invitation's collaboration names tenant ${collaboration.partnerTenantId} as the partner, not this tenant.`);
  }
  if (collaboration.partnerCloud !== config.cloud) {
    throw handshakeError('handshake.malformed', `The invitation places this tenant in the ${collaboration.partnerCloud} cloud; it is in ${config.cloud}.`);
  }
  const senderCloud = message.sender.cloud;
  if (!isCloudName(senderCloud)) throw handshakeError('handshake.malformed', `The invitation's sender cloud "${senderCloud}" is not a known cloud.`);
  const desired = mirrorForPartner(collaboration, { tenantId: message.iss, cloud: senderCloud, deploymentUrl: message.sender.deploymentUrl });
  assertCapabilities(config.cloud, senderCloud, desired);
  await assertRoomForInvitation(deployment, message.iss);

  await keys.pin({ partnershipId: message.partnershipId, tenantId: message.iss, jwk: verified.key });
  const receivedAt = new Date().toISOString();
  const record = await partnerships.create({
    id: message.partnershipId,
    role: 'responder',
    status: 'Draft',
    desired,
    partnerDomains: message.sender.verifiedDomains.map((domain) => domain.toLowerCase()),
    data: {
      invitation: { jti: message.jti, exp: message.exp, callbackUrl: message.callbackUrl, keyThumbprint: verified.key.kid, receivedAt },
    },
  });
  const approval = approvalOf(record);
  await events.append({
    partnershipId: record.id,
    id: `${record.id}:invitation-received`,
    at: receivedAt,
    type: 'message.received',
    actor: 'partner',
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
  if (record && record.role === 'initiator' && record.status !== 'AwaitingPartner') throw wrongStateError(message, record.status);
  const outstanding =
    record && record.role === 'initiator' && data.invitationJti && !data.answer
      ? { partnershipId: record.id, jti: data.invitationJti, partnerTenantId: record.partnerTenantId }
      : undefined;
  assertAnswersOutstandingInvitation(message, outstanding);
  if (message.type === 'confirmation' && (message.configured as DesiredCollaboration).partnerTenantId !== context.deployment.config.tenantId) {
    throw handshakeError('handshake.malformed', 'The confirmation describes a collaboration with another tenant.');
  }

  await keys.pin({ partnershipId: record!.id, tenantId: message.iss, jwk: verified.key });
  const at = new Date().toISOString();
  await partnerships.update(record!.id, (current) => {
    const currentData = handshakeData(current);
    if (currentData.answer?.jti === message.jti) return undefined;
    if (currentData.answer || current.status !== 'AwaitingPartner') throw wrongStateError(message, current.status);
    return {
      data: withHandshakeData(current, { answer: { type: message.type, jti: message.jti, at, ...(event.reason ? { reason: event.reason } : {}) } }),
      ...(message.type === 'confirmation' ? { partnerDomains: message.sender.verifiedDomains.map((domain) => domain.toLowerCase()) } : {}),
    };
  });
  await events.append({
    partnershipId: record!.id,
    id: `${record!.id}:${message.type}-received`,
    at,
    type: 'message.received',
    actor: 'partner',
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
  if (!record) throw wrongStateError(message, 'unknown');
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
  if (!acceptable(record)) throw wrongStateError(message, record.status);

  const at = new Date().toISOString();
  await partnerships.update(record.id, (current) => {
    if (handshakeData(current).partnerReady?.jti === message.jti) return undefined;
    if (!acceptable(current)) throw wrongStateError(message, current.status);
    return { data: withHandshakeData(current, { partnerReady: { jti: message.jti, at } }) };
  });
  await events.append({
    partnershipId: record.id,
    id: `${record.id}:ready-received`,
    at,
    type: 'message.received',
    actor: 'partner',
    message: `Ready received from tenant ${message.iss}: its side is configured and verified.`,
    data: { jti: message.jti },
  });
  await context.durable.raiseEvent(record.id, PARTNER_READY_EVENT, event);
  return answer;
}
