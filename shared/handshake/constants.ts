// Limits and lifetimes of the handshake protocol (see docs/handshake.md). Every number the trust layer uses
// lives here so the HTTP triggers, the orchestrations and the tests agree on it.

/** Largest handshake message accepted or produced (bytes of the compact JWS); larger is refused unparsed. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Allowed clock difference between two deployments when checking `iat` and `exp` (±5 min). */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** Default validity of an invitation: how long B's admin has to approve it. */
export const DEFAULT_INVITATION_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

/** Default validity of every other message; a sender retrying longer than this signs a new one. */
export const DEFAULT_MESSAGE_LIFETIME_SECONDS = 24 * 60 * 60;

/** Longest validity a receiver accepts (it bounds how long a nonce must be kept). */
export const MAX_MESSAGE_LIFETIME_SECONDS = 30 * 24 * 60 * 60;

/**
 * How long a receiver that recorded a nonce may take to act on it before a redelivery of the
 * same message is allowed to take over (the first receiver is presumed to have crashed).
 */
export const NONCE_PROCESSING_LEASE_SECONDS = 120;

/** Largest stored answer to a message (JSON text); answers are small acknowledgements. */
export const MAX_STORED_ANSWER_CHARS = 16 * 1024;

/** JWS `typ` header of every handshake message (RFC 7515 §4.1.9: media type without "application/"). */
export const HANDSHAKE_JWS_TYPE = 'cch-handshake+jwt';

/** The only signature algorithm of the protocol. */
export const HANDSHAKE_ALGORITHM = 'EdDSA';

/** Bytes of randomness in a `jti` (base64url-encoded in the message). */
export const NONCE_BYTES = 32;

/**
 * Characters of a pairing code (Crockford base32, 5 bits each): 16 characters = 80 random bits.
 * The invitation carries a commitment to the code, so an interceptor can grind offline: 2^80
 * HMAC-SHA-256 evaluations (see docs/security.md for the bound).
 */
export const PAIRING_CODE_LENGTH = 16;

/** Random bits of a pairing code (PAIRING_CODE_LENGTH × 5). */
export const PAIRING_CODE_BITS = PAIRING_CODE_LENGTH * 5;

/** Tries of a pairing code per invitation; the last wrong one refuses the invitation for good. */
export const PAIRING_CODE_MAX_ATTEMPTS = 5;
