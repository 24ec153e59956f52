// What the console reads from the API (the shapes of GET /api/openapi.json, as far as the pages use them).

export interface Bootstrap {
  user: { name: string; displayName: string };
  tenantId: string;
  cloud: string;
}

export interface Summary {
  id: string;
  role: 'initiator' | 'responder';
  status: string;
  driftStatus: string | null;
  partnerTenantId: string;
  partnerCloud: string;
  updatedAt: string;
  displayName?: string;
}

export interface Step {
  at: string;
  type: string;
  message: string;
  status?: string;
  data?: Record<string, unknown>;
}

export interface KeyTrust {
  own?: string;
  partner?: { thumbprint: string; source: string; pinnedAt: string };
  partnerExpected?: string;
  partnerPublished?: string[];
  partnerPresented?: string;
}

export interface PartnerDomain {
  domain: string;
  status: 'verified' | 'unverified';
  source?: 'graph' | 'admin';
  declared: boolean;
}

export interface Details extends Summary {
  partnerDeploymentUrl: string;
  desired: Record<string, unknown> & { displayName?: string };
  pairingCode?: string;
  invitationUrl?: string;
  offboardMessageUrl?: string;
  invitation?: { from: string; keyThumbprint: string; receivedAt: string; expiresAt: string };
  keys?: KeyTrust;
  pairingAttempts?: { used: number; max: number };
  partnerDomains?: PartnerDomain[];
  steps: Step[];
  lastError?: { code: string; message: string; details?: Record<string, unknown> } | null;
  owned?: Record<string, unknown>[];
  createdAt: string;
}

export interface PlanOperation {
  kind: string;
  description: string;
  before?: unknown;
  after?: unknown;
}

export interface StoredEvent {
  partnershipId: string;
  id: string;
  at: string;
  type: string;
  actor: string;
  message: string;
  before?: unknown;
  after?: unknown;
}

/** One capability's verdict (the `handshake check` shape). */
export interface Verdict {
  allowed: boolean;
  code: string;
  message: string;
  side: 'local' | 'partner' | 'both';
  requested: boolean;
}

export interface CapabilityCheck {
  local: string;
  partner: string;
  capabilities: Record<string, Verdict>;
  violations: { code: string; field?: string; message: string; side?: string; capability?: string }[];
}
