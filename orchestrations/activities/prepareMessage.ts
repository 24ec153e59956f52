// prepareMessage: sign one handshake message of this side ONCE and keep it with the partnership,
// so every delivery attempt (and the out-of-band copy of an invitation) carries the same message —
// a receiver recognises a redelivery by its jti and digest, and answers it without acting again.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { DomainError } from '../../shared/errors';
import { pairingCommitment as pairingCommitmentOf, signHandshakeMessage, type HandshakeMessageDraft, type Party } from '../../shared/handshake';
import { invitationLifetimeSeconds } from '../../shared/partnership';
import type { PartnershipRecord } from '../../shared/tables';
import { handshakeDeployment, type HandshakeDeployment } from '../deployment';
import { PREPARE_MESSAGE_ACTIVITY } from '../names';
import { handshakeData, messagesUrl, withHandshakeData, type OutgoingMessageType, type StoredMessage } from '../records';

export interface PrepareMessageInput {
  partnershipId: string;
  type: OutgoingMessageType;
  /** The orchestration's time (the `ready` message reports when this side was verified). */
  at: string;
}

/** The stored message without its text. */
export type PreparedMessage = Omit<StoredMessage, 'jws'>;

export async function prepareMessage(input: PrepareMessageInput): Promise<PreparedMessage> {
  const deployment = handshakeDeployment();
  const { partnerships } = deployment.repositories;
  const record = await partnerships.require(input.partnershipId);
  const existing = handshakeData(record).outbox?.[input.type];
  if (existing) return summary(existing);

  const key = await deployment.keyStore.getDeploymentKey();
  const { draft, url, jti, lifetimeSeconds } = await compose(deployment, record, input, key.kid);
  const signed = await signHandshakeMessage(draft, { key, jti, lifetimeSeconds });
  const message: StoredMessage = { jti: signed.message.jti, exp: signed.message.exp, jws: signed.jws, url };
  // A concurrent attempt may have stored one first: keep the first, so only one ever goes out.
  const stored = await partnerships.update(record.id, (current) =>
    handshakeData(current).outbox?.[input.type] ? undefined : { data: withHandshakeData(current, { outbox: { [input.type]: message } }) },
  );
  return summary(handshakeData(stored).outbox![input.type]!);
}

async function compose(
  deployment: HandshakeDeployment,
  record: PartnershipRecord,
  input: PrepareMessageInput,
  ownKeyThumbprint: string,
): Promise<{ draft: HandshakeMessageDraft; url: string; jti?: string; lifetimeSeconds?: number }> {
  const { config } = deployment;
  const data = handshakeData(record);
  const common = { iss: config.tenantId, aud: record.partnerTenantId, partnershipId: record.id };
  const self = async (): Promise<Party> => ({
    tenantId: config.tenantId,
    cloud: config.cloud,
    deploymentUrl: deployment.publicBaseUrl(),
    verifiedDomains: await deployment.adapters().graph.getVerifiedDomains(),
  });
  const received = (): NonNullable<typeof data.invitation> => {
    if (!data.invitation) throw new DomainError('internal', `Partnership ${record.id} has no received invitation to answer.`);
    return data.invitation;
  };
  switch (input.type) {
    case 'invitation': {
      if (record.role !== 'initiator' || !data.invitationJti || !data.pairingCode) {
        throw new DomainError('internal', `Partnership ${record.id} is not one this side initiated.`);
      }
      // Binds the code to this invitation and to the key that signs it (docs/security.md).
      const pairingCommitment = pairingCommitmentOf(data.pairingCode, {
        partnershipId: record.id,
        invitationJti: data.invitationJti,
        initiatorTenantId: config.tenantId,
        responderTenantId: record.partnerTenantId,
        keyThumbprint: ownKeyThumbprint,
      });
      return {
        draft: { ...common, type: 'invitation', sender: await self(), callbackUrl: messagesUrl(deployment.publicBaseUrl()), collaboration: record.desired, pairingCommitment },
        url: messagesUrl(record.desired.partnerDeploymentUrl),
        jti: data.invitationJti,
        lifetimeSeconds: invitationLifetimeSeconds(record.desired),
      };
    }
    case 'confirmation': {
      const invitation = received();
      return {
        draft: {
          ...common,
          type: 'confirmation',
          inResponseTo: invitation.jti,
          sender: await self(),
          configured: record.desired,
          // Made at approval with the admin's pairing code; absent after a pre-trusted approval.
          ...(data.keyProof ? { keyProof: data.keyProof } : {}),
        },
        url: invitation.callbackUrl,
      };
    }
    case 'rejection': {
      const invitation = received();
      // A responder that offboards before approving declines the invitation with its offboarding reason.
      const reason = data.rejection?.reason ?? data.offboarding?.reason ?? 'Declined by the administrator.';
      return {
        draft: { ...common, type: 'rejection', inResponseTo: invitation.jti, sender: await self(), reason },
        url: invitation.callbackUrl,
      };
    }
    case 'ready':
      return {
        draft: { ...common, type: 'ready', verification: { verifiedAt: input.at, tenantId: config.tenantId } },
        url: messagesUrl(record.desired.partnerDeploymentUrl),
      };
    case 'offboard': {
      const reason = data.offboarding?.reason;
      return {
        draft: { ...common, type: 'offboard', ...(reason ? { reason } : {}) },
        url: messagesUrl(record.desired.partnerDeploymentUrl),
        // Long enough for a partner that was down to accept it later, out of band.
        lifetimeSeconds: config.offboardMessageLifetimeSeconds,
      };
    }
  }
}

function summary(message: StoredMessage): PreparedMessage {
  return { jti: message.jti, exp: message.exp, url: message.url };
}

const handler: ActivityHandler = (input: unknown) => prepareMessage(input as PrepareMessageInput);
df.app.activity(PREPARE_MESSAGE_ACTIVITY, { handler });
