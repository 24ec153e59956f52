// Shapes of one deployment's HTTP API on the wire: what the API answers
// (orchestrations/usecases/partnerships.ts builds these) and what the client reads. Dates are ISO strings;
// `desired` and plan operations are the domain's JSON.
import type { z } from 'zod';
import type { CloudName } from '../clouds';
import type { SerializedDomainError } from '../errors';
import type { OwnedItem } from '../ownership';
import type { DesiredCollaboration, DriftStatus, PartnershipStatus, partnershipRequestSchema } from '../partnership';
import type { PartnershipRole } from '../partnership';

export type { PartnershipRole };

/** What `POST /api/partnerships` takes: the domain's partnership request (before defaults). */
export type PartnershipRequestBody = z.input<typeof partnershipRequestSchema>;

/** 202 answer of `POST /api/partnerships`. */
export interface CreatedPartnership {
  id: string;
  status: PartnershipStatus;
  /** Read it to the partner's admin (phone, chat): their approval needs it. */
  pairingCode: string;
  statusUrl: string;
}

/** One row of `GET /api/partnerships`. */
export interface PartnershipSummary {
  id: string;
  role: PartnershipRole;
  status: PartnershipStatus;
  driftStatus: DriftStatus | null;
  partnerTenantId: string;
  partnerCloud: CloudName;
  updatedAt: string;
}

/** One row of the Events table, as the status API shows it. */
export interface PartnershipStep {
  at: string;
  type: string;
  message: string;
  /** The status this step moved the partnership to (status changes only). */
  status?: PartnershipStatus;
  /** What the step carries, e.g. the PowerShell script an administrator must run (manual Teams mode). */
  data?: Record<string, unknown>;
}

/** How far each side trusts the other's signing key (thumbprints are RFC 7638, base64url). */
export interface PartnershipKeyTrust {
  /** This deployment's own key: read it to the partner's admin when the partner cannot fetch it. */
  own?: string;
  /** The partner's key as trusted here, and on what evidence (`jwks`, `admin`, `key-proof`, `pairing-code`, `pre-trust`). */
  partner?: { thumbprint: string; source: string; pinnedAt: string };
  /** Initiator: the thumbprint the admin pinned, waiting for the partner's answer to present it. */
  partnerExpected?: string;
  /** Initiator: the keys the partner's URL published (when it listed several). */
  partnerPublished?: string[];
  /** Responder: the key the invitation presented, not yet authenticated (the pairing code does that). */
  partnerPresented?: string;
}

/** One domain the partner declared (or an admin accepted) and whether it is used. */
export interface PartnerDomainStatus {
  domain: string;
  /** Only verified domains are written (Teams federation); unverified ones wait for an admin. */
  status: 'verified' | 'unverified';
  /** `graph`: it resolves to the partner tenant; `admin`: named in the request or accepted. */
  source?: 'graph' | 'admin';
  /** False: accepted by an admin but not (yet) declared by the partner. */
  declared: boolean;
}

export interface PartnershipDomains {
  partnerDomains?: PartnerDomainStatus[];
}

/** What the status API says about trust in the partner. */
export interface PartnershipTrustDetails extends PartnershipDomains {
  keys?: PartnershipKeyTrust;
  /** Responder: pairing-code tries used (the last wrong one refuses the invitation). */
  pairingAttempts?: { used: number; max: number };
}

/** `GET /api/partnerships/{id}`. */
export interface PartnershipDetails extends PartnershipSummary, PartnershipTrustDetails {
  partnerDeploymentUrl: string;
  desired: DesiredCollaboration;
  /** Initiator only: random, shown only to this side's admins (read it to the partner's admin). */
  pairingCode?: string;
  /** Initiator, while awaiting the partner: the signed invitation for out-of-band delivery. */
  invitationUrl?: string;
  /** The side that offboarded: its signed `offboard` message, for out-of-band delivery to a partner that was unreachable. */
  offboardMessageUrl?: string;
  /** Responder: how its invitation is (or was) approved. */
  approval?: 'pairing-code' | 'pre-trusted';
  /** Responder: who sent the invitation (its deployment) and the thumbprint of the key it signed with. */
  invitation?: { from: string; keyThumbprint: string; receivedAt: string; expiresAt: string };
  steps: PartnershipStep[];
  lastError?: SerializedDomainError | null;
  /** What this partnership added to the tenant (always sent by the API). */
  owned?: OwnedItem[];
  createdAt: string;
}

/** `GET /api/partnerships/{id}/plan`: what would be written now (dry run). */
export interface PartnershipPlan {
  id: string;
  operations: PlanOperationView[];
  empty: boolean;
}

/** A planned operation; the client only relies on these fields, the rest is shown as is. */
export interface PlanOperationView {
  kind?: string;
  description?: string;
  [key: string]: unknown;
}

/** `DELETE /api/partnerships/{id}`: 202 when offboarding started or runs, 200 when it had ended already. */
export interface OffboardingAccepted {
  id: string;
  status: PartnershipStatus;
  statusUrl: string;
}

/** What `DELETE /api/partnerships/{id}` takes (JSON body, or the same as query parameters). */
export interface OffboardingOptions {
  /** Delete the guests the partnership invited (needs User.ReadWrite.All); default false: they are kept. */
  deleteGuests?: boolean;
  reason?: string;
}

/** 202 answer of approve / reject. */
export interface PartnershipAction {
  id: string;
  status: PartnershipStatus;
}

export interface JsonWebKeySet {
  keys: Array<Record<string, unknown>>;
}

/** A capability rule the request breaks (422 `violations`). */
export interface ProblemViolation {
  code: string;
  field?: string;
  message: string;
}

/** A bad field of the request (400 `issues`). */
export interface ProblemFieldIssue {
  field: string;
  message: string;
}

/** RFC 9457 problem details as the API sends them (extensions at the top level). */
export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  instance?: string;
  violations?: ProblemViolation[];
  issues?: ProblemFieldIssue[];
  [extension: string]: unknown;
}
