// What the trust layer needs from the Nonces table (shared/tables/nonces.ts implements it).

/** The answer a receiver gave to a message, returned unchanged when the message is delivered again. */
export interface HandshakeAnswer {
  /** HTTP status that was returned (e.g. 202). */
  status: number;
  /** JSON body that was returned. */
  body: unknown;
}

export type NonceState = 'processing' | 'answered';

/** A message as its nonce records it, keyed by sender tenant and `jti`. */
export interface NonceMessage {
  issuer: string;
  jti: string;
  /** SHA-256 of the exact JWS: the same jti with another digest is a replay. */
  digest: string;
  type: string;
  partnershipId: string;
  /** After this the message would be refused as expired anyway, so the record may be purged. */
  expiresAt: Date;
}

/** One accepted message. */
export interface NonceRecord extends NonceMessage {
  state: NonceState;
  /** While `processing`: until when the receiver that claimed it may act alone. */
  leaseUntil?: Date;
  answer?: HandshakeAnswer;
}

/** Read-only lookup, the only nonce access verification makes (it has no side effect). */
export interface NonceLookup {
  find(issuer: string, jti: string): Promise<NonceRecord | undefined>;
}

export interface NonceClaimRequest extends NonceMessage {
  now: Date;
  leaseSeconds: number;
}

/** Proof of holding a nonce while acting on its message (carries the storage ETag). */
export interface NonceClaim {
  readonly issuer: string;
  readonly jti: string;
  readonly digest: string;
  /** True when an earlier receiver claimed it and never answered (crashed): act idempotently. */
  readonly resumed: boolean;
  readonly etag: string;
}

export type NonceClaimOutcome =
  | { outcome: 'claimed'; claim: NonceClaim }
  | { outcome: 'answered'; answer: HandshakeAnswer }
  | { outcome: 'in-progress'; retryAfterSeconds: number }
  | { outcome: 'replay' };

export interface NonceStore extends NonceLookup {
  /** Records the nonce if absent (insert-if-absent); exactly one of concurrent claimants wins. */
  claim(request: NonceClaimRequest): Promise<NonceClaimOutcome>;
  /** Stores the answer; returns the answer on record (another claimant's, if it answered first). */
  complete(claim: NonceClaim, answer: HandshakeAnswer, now: Date): Promise<HandshakeAnswer>;
  /** Forgets a claim whose message was refused, so the refusal leaves no trace. */
  release(claim: NonceClaim): Promise<void>;
}
