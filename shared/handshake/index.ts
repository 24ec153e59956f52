// Handshake messages and trust (see docs/handshake.md): keys, signed messages, verification, nonces, pairing
// codes and pre-trust rules. Pure domain code; storage comes in through the NonceStore interface
// (shared/tables/nonces.ts) and pinned keys through shared/tables/keys.ts.
export {
  DEFAULT_INVITATION_LIFETIME_SECONDS,
  DEFAULT_MESSAGE_LIFETIME_SECONDS,
  HANDSHAKE_ALGORITHM,
  HANDSHAKE_JWS_TYPE,
  MAX_CLOCK_SKEW_SECONDS,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_LIFETIME_SECONDS,
  MAX_STORED_ANSWER_CHARS,
  NONCE_PROCESSING_LEASE_SECONDS,
} from './constants';
export { handshakeError, isHandshakeError, type HandshakeErrorCode } from './errors';
export {
  deploymentKeyFromPrivateJwk,
  generateDeploymentKey,
  importPublicJwk,
  keyThumbprint,
  keyThumbprintSchema,
  receivedPublicJwkSchema,
  toPublicJwk,
  type DeploymentKey,
  type DeploymentKeyStore,
  type PublicJwk,
} from './keys';
export { FileDeploymentKeyStore, type FileDeploymentKeyStoreOptions } from './keyFile';
export {
  createKeyVaultDeploymentKeyStore,
  KeyVaultDeploymentKeyStore,
  type KeyVaultDeploymentKeyStoreConfig,
  type KeyVaultDeploymentKeyStoreOptions,
  type SecretStoreClient,
} from './keyVault';
export { buildJwks, JWKS_CONTENT_TYPE, type JwksDocument } from './jwks';
export {
  confirmationSchema,
  deploymentUrlSchema,
  HANDSHAKE_MESSAGE_TYPES,
  handshakeMessageSchema,
  invitationSchema,
  KEY_PRESENTING_TYPES,
  nonceSchema,
  offboardSchema,
  partnershipIdSchema,
  partySchema,
  readySchema,
  rejectionSchema,
  tenantIdSchema,
  type ConfirmationMessage,
  type HandshakeMessage,
  type HandshakeMessageDraft,
  type HandshakeMessageOf,
  type HandshakeMessageType,
  type InvitationMessage,
  type OffboardMessage,
  type Party,
  type PayloadSchemas,
  type ReadyMessage,
  type RejectionMessage,
} from './messages';
export { messageDigest, newNonce, signHandshakeMessage, type SignedHandshakeMessage, type SignHandshakeMessageOptions } from './sign';
export {
  peekHandshakeMessage,
  untrustedKey,
  verifyHandshakeMessage,
  type HandshakeHeader,
  type HandshakeKeyTrust,
  type VerifiedHandshakeMessage,
  type VerifyHandshakeContext,
} from './verify';
export type {
  HandshakeAnswer,
  NonceClaim,
  NonceClaimOutcome,
  NonceClaimRequest,
  NonceLookup,
  NonceMessage,
  NonceRecord,
  NonceState,
  NonceStore,
} from './nonceStore';
export {
  receiveHandshakeMessage,
  type HandshakeAct,
  type HandshakeActContext,
  type ReceivedHandshakeMessage,
  type ReceiveHandshakeOptions,
} from './receive';
export { assertAnswersOutstandingInvitation, wrongStateError, type OutstandingInvitation } from './trust';
export {
  badPairingCode,
  checkPairingKeyProof,
  formatPairingCode,
  generatePairingCode,
  normalizePairingCode,
  openPairingCommitment,
  pairingCommitment,
  pairingKeyProof,
  pairingMacSchema,
  type PairingContext,
} from './pairing';
export { PAIRING_CODE_BITS, PAIRING_CODE_LENGTH, PAIRING_CODE_MAX_ATTEMPTS } from './constants';
export { authenticatePresentedKey, partnerKeyFromJwks, PARTNER_KEY_SOURCES, type PartnerKeyEvidence, type PartnerKeySource } from './partnerKeys';
export { findPreTrustRule, parsePreTrustRules, PRE_TRUST_SETTING, type PreTrustRule } from './preTrust';
