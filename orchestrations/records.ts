// What the handshake keeps in a partnership's `data` (shared/tables PartnershipRecord.data), typed
// in one place: the invitation, the messages this side signed (so every retry and the out-of-band
// copy carry the same one), and the partner's answers as the webhook accepted them.
import type { KeptItem, OffboardingRecord } from '../shared/offboarding';
import type { PublicJwk } from '../shared/handshake';
import type { OwnershipClaim } from '../shared/ownership';
import type { RemovalIntent } from '../shared/plan';
import type { PartnerDomainTrust } from '../shared/partnerDomains';
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
  /** Thumbprint of the key the invitation presented (the commitment binds it). */
  keyThumbprint: string;
  /**
   * The presented key, held unauthenticated: pinned (Keys table) only once the admin's pairing code
   * opens the commitment, or a pre-trust rule names it.
   */
  key?: PublicJwk;
  /** The invitation's commitment to the pairing code. */
  pairingCommitment?: string;
  /** Pairing-code tries so far (reserved before each check; PAIRING_CODE_MAX_ATTEMPTS at most). */
  attempts?: number;
  receivedAt: string;
}

/** Initiator: what it knows about the partner's key before the partner answers (see docs/security.md). */
export interface PartnerKeyEvidenceRecord {
  /** The thumbprint this side's admin pinned (read back from the partner's admin). */
  adminThumbprint?: string;
  adminPinnedAt?: string;
  /** Thumbprints of the partner's JWKS, when it listed several keys (one key is pinned at once). */
  jwksThumbprints?: string[];
  jwksFetchedAt?: string;
}

export interface HandshakeData {
  /** Initiator: the invitation nonce, chosen when the partnership is requested. */
  invitationJti?: string;
  /** Initiator: random, shown to its admin only, read to the partner's admin; the invitation commits to it. */
  pairingCode?: string;
  /** Initiator: evidence about the partner's key from outside its messages. */
  partnerKey?: PartnerKeyEvidenceRecord;
  /** Responder: proof (made with the admin's pairing code) that this side's key is the one the code vouches for. */
  keyProof?: string;
  /** The partner's declared domains and which of them are verified (only those are used). */
  partnerDomainTrust?: PartnerDomainTrust;
  /** Responder: the invitation it answers. */
  invitation?: ReceivedInvitation;
  /** Responder: how the invitation was approved. */
  approval?: 'pairing-code' | 'pre-trusted';
  approvedAt?: string;
  /** Responder: declined by its admin, or refused after too many wrong pairing codes. */
  rejection?: { reason: string; at: string; cause?: 'admin' | 'pairing-attempts-exhausted' };
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
  /**
   * The removals a removal under way is about to write (recorded before the writes, cleared with
   * the ownership they end): a removal resumed after a crash records the ones that landed.
   */
  removals?: RemovalIntent[];
  /** What the last removal that finished did (a run repeated after it finished reports the same). */
  lastRemoval?: { step: string; removed: string[]; handedOver: number; warnings: string[] };
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

/** The partner deployment's public keys (JWKS), fetched by the initiator from the URL its admin typed. */
export function jwksUrl(deploymentUrl: string): string {
  return `${deploymentUrl.replace(/\/+$/, '').replace(/\/api$/i, '')}/api/handshake/jwks`;
}
