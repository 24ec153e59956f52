// The five handshake messages of docs/handshake.md as zod schemas. The claims are the JWS payload;
// the sender's public key, where it is presented, travels in the protected header (`jwk`).
import { z } from 'zod';
import { MAX_MESSAGE_LIFETIME_SECONDS } from './constants';
import { pairingMacSchema } from './pairing';
import { sanitizePartnerText } from '../outbound';

export const HANDSHAKE_MESSAGE_TYPES = ['invitation', 'confirmation', 'rejection', 'ready', 'offboard'] as const;
export type HandshakeMessageType = (typeof HANDSHAKE_MESSAGE_TYPES)[number];

/** Types whose sender presents its public key (header `jwk`): first contact in each direction. */
export const KEY_PRESENTING_TYPES: readonly HandshakeMessageType[] = ['invitation', 'confirmation', 'rejection'];

/** Entra tenant id: a GUID, compared case-insensitively (kept lower-case). */
export const tenantIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a tenant ID (GUID)')
  .transform((value) => value.toLowerCase());

/** A `jti`: random, base64url, usable as a Table Storage row key. */
export const nonceSchema = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16-128 base64url characters');

/** Partnership ids travel between deployments and key Table rows: no `/ \ # ?` or controls. */
export const partnershipIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 letters, digits, ".", "_" or "-"');

const epochSeconds = z.int().min(0);

/**
 * A deployment URL: https, or http on a loopback address (the local stack only).
 */
export const deploymentUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    if (url.username || url.password) return false;
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  }, 'must be an https URL (http only on localhost)');

const domainSchema = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/, 'must be a domain name');

/** Who the sender is: repeated inside the message so it survives out-of-band delivery. */
export const partySchema = z.object({
  tenantId: tenantIdSchema,
  /** The sender's cloud as named by shared/clouds (validated there; here: a short name). */
  cloud: z.string().min(1).max(32),
  deploymentUrl: deploymentUrlSchema,
  verifiedDomains: z.array(domainSchema).max(1000),
});
export type Party = z.infer<typeof partySchema>;

const commonClaims = {
  /** Sender tenant id. */
  iss: tenantIdSchema,
  /** Receiver tenant id. */
  aud: tenantIdSchema,
  jti: nonceSchema,
  iat: epochSeconds,
  exp: epochSeconds,
  partnershipId: partnershipIdSchema,
};

export const invitationSchema = z.object({
  ...commonClaims,
  type: z.literal('invitation'),
  sender: partySchema,
  /** Where B posts its confirmation or rejection (A's POST /api/handshake/messages, same origin as `sender.deploymentUrl`). */
  callbackUrl: deploymentUrlSchema,
  /** The requested collaboration: the domain's desired-state model, checked by the receiver's schema. */
  collaboration: z.unknown(),
  /**
   * HMAC of the pairing code over this invitation and A's key thumbprint (shared/handshake/pairing):
   * B's admin opens it with the code A's admin read out. The code itself never travels.
   */
  pairingCommitment: pairingMacSchema,
});

export const confirmationSchema = z.object({
  ...commonClaims,
  type: z.literal('confirmation'),
  /** The invitation `jti` this answers. */
  inResponseTo: nonceSchema,
  sender: partySchema,
  /** What B configured on its side (domain model, checked by the receiver's schema). */
  configured: z.unknown(),
  /**
   * HMAC of the pairing code over the invitation and B's key thumbprint: lets A authenticate B's
   * key when it could not fetch it from B's URL. Absent when B approved through a pre-trust rule.
   */
  keyProof: pairingMacSchema.optional(),
});

/** Why a partner rejects or ends: free text it chose, kept and shown only without control or format characters. */
const partnerReasonSchema = z
  .string()
  .max(1000)
  .transform((text) => sanitizePartnerText(text, 1000));

export const rejectionSchema = z.object({
  ...commonClaims,
  type: z.literal('rejection'),
  inResponseTo: nonceSchema,
  sender: partySchema,
  reason: partnerReasonSchema,
});

export const readySchema = z.object({
  ...commonClaims,
  type: z.literal('ready'),
  /** What the sender read back and found correct (free-form summary for the audit trail). */
  verification: z.record(z.string(), z.unknown()).optional(),
});

export const offboardSchema = z.object({
  ...commonClaims,
  type: z.literal('offboard'),
  reason: partnerReasonSchema.optional(),
});

/** Any handshake message, told apart by `type`; `exp` after `iat`, lifetime bounded. */
export const handshakeMessageSchema = z
  .discriminatedUnion('type', [invitationSchema, confirmationSchema, rejectionSchema, readySchema, offboardSchema])
  .superRefine((message, context) => {
    if (message.exp <= message.iat) {
      context.addIssue({ code: 'custom', path: ['exp'], message: 'must be after iat' });
    } else if (message.exp - message.iat > MAX_MESSAGE_LIFETIME_SECONDS) {
      context.addIssue({ code: 'custom', path: ['exp'], message: `lifetime must not exceed ${MAX_MESSAGE_LIFETIME_SECONDS} s` });
    }
    if ('sender' in message && message.sender.tenantId !== message.iss) {
      context.addIssue({ code: 'custom', path: ['sender', 'tenantId'], message: 'must equal iss' });
    }
    // Answers go back to the deployment that invited, nowhere else.
    if (message.type === 'invitation' && new URL(message.callbackUrl).origin !== new URL(message.sender.deploymentUrl).origin) {
      context.addIssue({ code: 'custom', path: ['callbackUrl'], message: 'must be on the sender deployment (same origin as sender.deploymentUrl)' });
    }
  });

export type InvitationMessage = z.infer<typeof invitationSchema>;
export type ConfirmationMessage = z.infer<typeof confirmationSchema>;
export type RejectionMessage = z.infer<typeof rejectionSchema>;
export type ReadyMessage = z.infer<typeof readySchema>;
export type OffboardMessage = z.infer<typeof offboardSchema>;
export type HandshakeMessage = z.infer<typeof handshakeMessageSchema>;
export type HandshakeMessageOf<T extends HandshakeMessageType> = Extract<HandshakeMessage, { type: T }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message before signing: the signer adds `jti`, `iat` and `exp`. */
export type HandshakeMessageDraft = DistributiveOmit<z.input<typeof handshakeMessageSchema>, 'jti' | 'iat' | 'exp'>;

/**
 * Schemas the receiver applies to the domain payloads it understands (the invitation's
 * `collaboration`, the confirmation's `configured`), e.g. shared/partnership's desired-state schema.
 */
export interface PayloadSchemas {
  collaboration?: z.ZodType;
  configured?: z.ZodType;
}
