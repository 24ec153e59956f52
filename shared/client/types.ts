// Shapes of one deployment's HTTP API (issue 6) on the wire: what the API answers
// (orchestrations/partnerships.ts builds these) and what the client reads. Dates are ISO strings;
// `desired` and plan operations are the domain's JSON.
import type { z } from 'zod';
import type { CloudName } from '../clouds';
import type { SerializedDomainError } from '../errors';
import type { OwnedItem } from '../ownership';
import type { DesiredCollaboration, DriftStatus, PartnershipStatus, partnershipRequestSchema } from '../partnership';
import type { PartnershipRole } from '../tables';

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

/** `GET /api/partnerships/{id}`. */
export interface PartnershipDetails extends PartnershipSummary {
  partnerDeploymentUrl: string;
  desired: DesiredCollaboration;
  /** Initiator only. */
  pairingCode?: string;
  /** Initiator, while awaiting the partner: the signed invitation for out-of-band delivery. */
  invitationUrl?: string;
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
