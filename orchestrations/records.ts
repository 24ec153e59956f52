// What the handshake keeps in a partnership's `data` (shared/tables PartnershipRecord.data), typed
// in one place: the invitation, the messages this side signed (so every retry and the out-of-band
// copy carry the same one), and the partner's answers as the webhook accepted them.
import type { KeptItem, OffboardingRecord } from '../shared/offboarding';
import type { OwnershipClaim } from '../shared/ownership';
import type { PartnershipRecord } from '../shared/tables';

export type OutgoingMessageType = 'invitation' | 'confirmation' | 'rejection' | 'ready' | 'offboard';

/** A message signed once and kept: retries and the out-of-band file send exactly this. */
export interface StoredMessage {
  jti: string;
  /** Expiry (epoch seconds) as signed. */
  exp: number;
  /** The compact JWS. */
  jws: string;
  /** The partner's message endpoint it goes to. */
  url: string;
}

/** The invitation as the responder received it. */
export interface ReceivedInvitation {
  jti: string;
  exp: number;
  callbackUrl: string;
  /** Thumbprint of the initiator's key (pinned in the Keys table): the pairing code derives from it. */
  keyThumbprint: string;
  receivedAt: string;
}

export interface HandshakeData {
  /** Initiator: the invitation nonce, chosen when the partnership is requested (the pairing code derives from it). */
  invitationJti?: string;
  /** Initiator: shown to its admin, read to the partner's admin. */
  pairingCode?: string;
  /** Responder: the invitation it answers. */
  invitation?: ReceivedInvitation;
  /** Responder: how the invitation was approved. */
  approval?: 'pairing-code' | 'pre-trusted';
  approvedAt?: string;
  rejection?: { reason: string; at: string };
  outbox?: Partial<Record<OutgoingMessageType, StoredMessage>>;
  /** Initiator: the answer to its invitation (one per invitation). */
  answer?: { type: 'confirmation' | 'rejection'; jti: string; at: string; reason?: string };
  /** The partner's `ready` (one per partnership). */
  partnerReady?: { jti: string; at: string };
  /**
   * Manual Teams mode: what the script issued to the administrator adds, recorded as owned once
   * verification finds it in place (null once recorded).
   */
  manualTeams?: { claims: OwnershipClaim[]; script: string; at: string } | null;
  /** The offboarding under way or done: who asked, why, what the partner is told (see docs/offboarding.md). */
  offboarding?: OffboardingRecord;
  /** What a removal (offboarding, compensation) left in the tenant, and why. */
  kept?: KeptItem[];
}

export function handshakeData(record: Pick<PartnershipRecord, 'data'>): HandshakeData {
  return record.data as HandshakeData;
}

/** The data with `patch` merged in (outbox entries merge too). */
export function withHandshakeData(record: Pick<PartnershipRecord, 'data'>, patch: HandshakeData): Record<string, unknown> {
  const current = handshakeData(record);
  return { ...current, ...patch, ...(patch.outbox ? { outbox: { ...current.outbox, ...patch.outbox } } : {}) } as Record<string, unknown>;
}

/** The partner deployment's message endpoint. */
export function messagesUrl(deploymentUrl: string): string {
  return `${deploymentUrl.replace(/\/+$/, '').replace(/\/api$/i, '')}/api/handshake/messages`;
}
