// The admin side of the handshake: what `/api/partnerships...` does, one function per route —
// request a partnership (initiator), approve or reject an invitation (responder), and the read-only
// views (list, details with the step history, dry-run plan, the signed invitation). The triggers
// parse and answer; every decision is made here, through the domain.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { assertCapabilities } from '../../shared/capabilities';
import { FUNCTION_KEY_ACTOR } from '../../shared/console/principal';
import { DomainError } from '../../shared/errors';
import {
  badPairingCode,
  generatePairingCode,
  newNonce,
  normalizePairingCode,
  openPairingCommitment,
  PAIRING_CODE_MAX_ATTEMPTS,
  pairingKeyProof,
  type PairingContext,
} from '../../shared/handshake';
import { EMPTY_DOMAIN_TRUST } from '../../shared/partnerDomains';
import type { CreatedPartnership, PartnershipAction, PartnershipDetails, PartnershipStep, PartnershipSummary } from '../../shared/client';
import { isPartnershipStatus, parseOrThrow, parsePartnershipRequest, PARTNERSHIP_STATUSES, type PartnershipStatus } from '../../shared/partnership';
import { nextLink, parsePageQuery } from '../../shared/paging';
import { plan, readTenantState, type PlanOperation } from '../../shared/plan';
import { resolveDesiredCollaboration } from '../../shared/resolve';
import type { PartnershipRecord } from '../../shared/tables';
import type { HandshakeDeployment } from '../deployment';
import {
  ACCEPT_INVITATION_ORCHESTRATION,
  configuresSyncSource,
  ONBOARD_PARTNER_ORCHESTRATION,
  orchestrationSettings,
  REJECT_INVITATION_ORCHESTRATION,
  type HandshakeOrchestrationInput,
} from '../names';
import { withDeploymentDefaults } from './preview';
import { handshakeData, withHandshakeData, type ReceivedInvitation } from '../records';
import { trustDetails } from './trust';
import type { OrchestrationStarter } from '../starter';

// The answers' shapes are the API's wire contract, defined once with the client.
export type { CreatedPartnership, PartnershipAction, PartnershipDetails, PartnershipStep, PartnershipSummary } from '../../shared/client';

export interface EntryPointContext {
  deployment: HandshakeDeployment;
  durable: OrchestrationStarter;
  /** Base URL for links in answers when PUBLIC_BASE_URL is not set (the request's origin). */
  requestOrigin?: string;
  /** Who calls (Events actor convention); `admin:function-key` when absent. */
  actor?: string;
}

export const approvalSchema = z.strictObject({
  pairingCode: z
    .string({ error: 'is required: the code shown to the inviting administrator, e.g. K7QF-2M9D-X4WA-8HNE' })
    .trim()
    .min(1, { error: 'is required' })
    .max(64)
    // A typo in the format is not a try: only a well-formed code is checked (and counted).
    .refine((code) => normalizePairingCode(code) !== undefined, { error: 'must be the 16-character code XXXX-XXXX-XXXX-XXXX shown to the inviting administrator' }),
});
export const rejectionSchema = z.strictObject({
  reason: z.string({ error: 'is required: why the invitation is declined (sent to the partner)' }).trim().min(1, { error: 'is required' }).max(1000),
});

/**
 * POST /api/partnerships: validate, check the capability rules (a violation writes nothing,
 * anywhere), store the partnership with the nonce of its future invitation, start `onboardPartner`.
 */
export async function requestPartnership(body: unknown, context: EntryPointContext): Promise<CreatedPartnership> {
  const { deployment } = context;
  const { config, repositories } = deployment;
  // The deployment's default lifetime applies when the admin does not ask for one.
  const request = parsePartnershipRequest(withDeploymentDefaults(body, config.invitationLifetimeSeconds));
  assertCapabilities(config.cloud, request.partnerCloud, request);
  const desired = await resolveDesiredCollaboration(request, {
    localCloud: config.cloud,
    localTenantId: config.tenantId,
    graph: { findTenantIdByDomain: (domain) => deployment.adapters().graph.findTenantIdByDomain(domain) },
  });

  // No signing key, no partnership: fail before anything is written.
  await deployment.keyStore.getDeploymentKey();
  const invitationJti = newNonce();
  // Random, never derived from anything a message or an answer shows (docs/security.md).
  const pairingCode = generatePairingCode();
  const id = randomUUID();
  const accepted = request.acceptedPartnerDomains ?? [];
  const record = await repositories.partnerships.create({
    id,
    role: 'initiator',
    desired,
    status: 'Draft',
    data: { invitationJti, pairingCode, ...(accepted.length > 0 ? { partnerDomainTrust: { ...EMPTY_DOMAIN_TRUST, accepted } } : {}) },
  });
  await repositories.events.append({
    partnershipId: id,
    id: `${id}:requested`,
    at: record.createdAt,
    type: 'partnership.requested',
    actor: context.actor ?? FUNCTION_KEY_ACTOR,
    message: `Partnership with tenant ${desired.partnerTenantId} (${desired.partnerCloud}) requested.`,
    after: { desired },
  });
  try {
    await startWorkflow(context, ONBOARD_PARTNER_ORCHESTRATION, record);
  } catch (error) {
    // Not left as a Draft nobody works on: the admin sees why and asks again.
    const lastError = new DomainError('internal', 'The onboarding workflow could not be started; request the partnership again.').toJSON();
    await repositories.partnerships.transition(id, 'Failed', { lastError }).catch(() => undefined);
    throw error;
  }
  return { id, status: record.status, pairingCode, statusUrl: `${baseUrl(context)}/api/partnerships/${id}` };
}

/**
 * POST /api/partnerships/{id}/approve (responder): the code the admin types must open the
 * invitation's commitment; then (and only then) the initiator's key is pinned, and this side's
 * key proof is made for the confirmation. Every try is counted before it is checked, so that
 * concurrent tries cannot exceed PAIRING_CODE_MAX_ATTEMPTS; the last wrong one refuses the
 * invitation for good and tells the initiator. Approving again is answered with the current status.
 */
export async function approvePartnership(id: string, body: unknown, context: EntryPointContext): Promise<PartnershipAction> {
  const { pairingCode } = parseOrThrow(approvalSchema, body, 'approval');
  const { partnerships, keys, events } = context.deployment.repositories;
  const record = await partnerships.require(id);
  const invitation = requireReceivedInvitation(record, 'approve');
  const pairing = pairingContextOf(record, invitation, context);
  if (handshakeData(record).approvedAt) {
    // Already approved: the same code is answered with the current status, nothing is counted.
    if (!openPairingCommitment(pairingCode, invitation.pairingCommitment!, pairing)) throw badPairingCode(0);
    return approve(record, 'pairing-code', context);
  }
  if (record.status !== 'Draft') throw wrongStatus(record, 'approved');
  assertNotExpired(record, invitation);

  const reserved = await partnerships.update(id, (current) => {
    const received = requireReceivedInvitation(current, 'approve');
    if (handshakeData(current).approvedAt || current.status !== 'Draft') throw wrongStatus(current, 'approved');
    const used = received.attempts ?? 0;
    if (used >= PAIRING_CODE_MAX_ATTEMPTS) {
      // Not a try (nothing is checked): the last one is refusing the invitation right now.
      throw new DomainError('partnership.illegal-transition', `Partnership ${current.id} has no pairing-code try left: the invitation is refused.`, {
        details: { id: current.id, attempts: used },
      });
    }
    return { data: withHandshakeData(current, { invitation: { ...received, attempts: used + 1 } }) };
  });
  const attempts = handshakeData(reserved).invitation!.attempts!;

  if (openPairingCommitment(pairingCode, invitation.pairingCommitment!, pairing)) {
    await keys.pin({ partnershipId: record.id, tenantId: record.partnerTenantId, jwk: invitation.key!, source: 'pairing-code' });
    const ownKey = await context.deployment.keyStore.getDeploymentKey();
    const keyProof = pairingKeyProof(pairingCode, { ...pairing, keyThumbprint: ownKey.kid });
    return approve(reserved, 'pairing-code', context, { keyProof });
  }
  const left = PAIRING_CODE_MAX_ATTEMPTS - attempts;
  await events.append({
    partnershipId: record.id,
    id: `${record.id}:pairing-attempt-${attempts}`,
    at: new Date().toISOString(),
    type: 'invitation.pairing-code-wrong',
    actor: context.actor ?? FUNCTION_KEY_ACTOR,
    message: `A wrong pairing code was entered (try ${attempts} of ${PAIRING_CODE_MAX_ATTEMPTS}).`,
    data: { attempts, max: PAIRING_CODE_MAX_ATTEMPTS },
  });
  if (left <= 0) await refuseAfterWrongCodes(record.id, context);
  throw badPairingCode(left);
}

/** The last wrong code: the invitation is refused for good, and the initiator is told why. */
async function refuseAfterWrongCodes(id: string, context: EntryPointContext): Promise<void> {
  const { partnerships, events } = context.deployment.repositories;
  const reason =
    `The pairing code was entered wrongly ${PAIRING_CODE_MAX_ATTEMPTS} times at the invited deployment, which refuses this invitation for good. ` +
    'Request the partnership again and read the new code to the partner administrator.';
  const at = new Date().toISOString();
  const refused = await partnerships.update(id, (current) => {
    if (handshakeData(current).rejection) return undefined;
    if (current.status !== 'Draft') throw wrongStatus(current, 'refused');
    return {
      status: 'Rejected',
      data: withHandshakeData(current, { rejection: { reason, at, cause: 'pairing-attempts-exhausted' } }),
      lastError: new DomainError('handshake.bad-pairing-code', reason, { details: { attempts: PAIRING_CODE_MAX_ATTEMPTS } }).toJSON(),
    };
  });
  await events.append({
    partnershipId: id,
    id: `${id}:rejected`,
    at,
    type: 'status.changed',
    actor: context.actor ?? FUNCTION_KEY_ACTOR,
    message: `Invitation refused: ${reason}`,
    after: { status: 'Rejected' },
  });
  await startWorkflow(context, REJECT_INVITATION_ORCHESTRATION, refused);
}

function pairingContextOf(record: PartnershipRecord, invitation: ReceivedInvitation, context: EntryPointContext): PairingContext {
  if (!invitation.pairingCommitment || !invitation.key) {
    throw new DomainError('partnership.illegal-transition', `The invitation of partnership ${record.id} carries no pairing commitment; ask the partner to invite again.`, {
      details: { id: record.id },
    });
  }
  return {
    partnershipId: record.id,
    invitationJti: invitation.jti,
    initiatorTenantId: record.partnerTenantId,
    responderTenantId: context.deployment.config.tenantId,
    keyThumbprint: invitation.keyThumbprint,
  };
}

function assertNotExpired(record: PartnershipRecord, invitation: ReceivedInvitation): void {
  if (invitation.exp * 1000 <= Date.now()) {
    // A state conflict for the admin (not the 401 a partner's expired message gets).
    throw new DomainError('handshake.expired', `The invitation expired at ${new Date(invitation.exp * 1000).toISOString()}; ask the partner for a new one.`, {
      details: { partnershipId: record.id },
      status: 409,
    });
  }
}

/** Approval without a code: the invitation's key and tenant match a configured pre-trust rule. */
export async function approvePreTrusted(record: PartnershipRecord, context: EntryPointContext): Promise<PartnershipAction> {
  return approve(record, 'pre-trusted', context);
}

async function approve(
  record: PartnershipRecord,
  approval: 'pairing-code' | 'pre-trusted',
  context: EntryPointContext,
  proof: { keyProof?: string } = {},
): Promise<PartnershipAction> {
  const { partnerships, events } = context.deployment.repositories;
  const data = handshakeData(record);
  if (data.approvedAt) {
    // Approved before (a retried request, or a crash before the workflow started): make sure it runs.
    await startWorkflow(context, ACCEPT_INVITATION_ORCHESTRATION, record);
    return { id: record.id, status: record.status };
  }
  if (record.status !== 'Draft') throw wrongStatus(record, 'approved');
  assertNotExpired(record, requireReceivedInvitation(record, 'approve'));
  const approvedAt = new Date().toISOString();
  // ETag-guarded: of two approvals at once, one moves the partnership and starts the workflow.
  const approved = await partnerships.updateIfUnchanged(record, {
    status: 'ConfiguringLocal',
    data: withHandshakeData(record, { approval, approvedAt, ...(proof.keyProof ? { keyProof: proof.keyProof } : {}) }),
  });
  await events.append({
    partnershipId: record.id,
    id: `${record.id}:approved`,
    at: approvedAt,
    type: 'invitation.approved',
    actor: approval === 'pre-trusted' ? 'pre-trust' : (context.actor ?? FUNCTION_KEY_ACTOR),
    message: approval === 'pre-trusted' ? 'Invitation approved by a pre-trust rule (partner tenant and key match).' : 'Invitation approved with the pairing code.',
  });
  await startWorkflow(context, ACCEPT_INVITATION_ORCHESTRATION, approved);
  return { id: record.id, status: approved.status };
}

/** POST /api/partnerships/{id}/reject (responder): Rejected at once; the initiator is told by `rejectInvitation`. */
export async function rejectPartnership(id: string, body: unknown, context: EntryPointContext): Promise<PartnershipAction> {
  const { reason } = parseOrThrow(rejectionSchema, body, 'rejection');
  const { partnerships, events } = context.deployment.repositories;
  const record = await partnerships.require(id);
  requireReceivedInvitation(record, 'reject');
  if (handshakeData(record).rejection) {
    await startWorkflow(context, REJECT_INVITATION_ORCHESTRATION, record);
    return { id: record.id, status: record.status };
  }
  if (record.status !== 'Draft') throw wrongStatus(record, 'rejected');
  const at = new Date().toISOString();
  const rejected = await partnerships.updateIfUnchanged(record, { status: 'Rejected', data: withHandshakeData(record, { rejection: { reason, at, cause: 'admin' } }) });
  await events.append({
    partnershipId: record.id,
    id: `${record.id}:rejected`,
    at,
    type: 'status.changed',
    actor: context.actor ?? FUNCTION_KEY_ACTOR,
    message: `Invitation rejected by the administrator: ${reason}`,
    after: { status: 'Rejected' },
  });
  await startWorkflow(context, REJECT_INVITATION_ORCHESTRATION, rejected);
  return { id: record.id, status: rejected.status };
}

/**
 * GET /api/partnerships: one page (`$top`, `continuationToken`, see shared/paging), optionally only
 * the partnerships in the statuses `status` names (comma-separated).
 */
export async function listPartnerships(
  query: Readonly<Record<string, string>>,
  context: EntryPointContext,
): Promise<{ partnerships: PartnershipSummary[]; continuationToken?: string; nextLink?: string }> {
  const page = parsePageQuery(query);
  const statuses = parseStatusFilter(query.status);
  const found = await context.deployment.repositories.partnerships.listPage({ ...page, ...(statuses ? { statuses } : {}) });
  if (!found.continuationToken) return { partnerships: found.records.map(summaryOf) };
  return {
    partnerships: found.records.map(summaryOf),
    continuationToken: found.continuationToken,
    nextLink: nextLink(`${baseUrl(context)}/api/partnerships`, { status: query.status }, { ...page, continuationToken: found.continuationToken }),
  };
}

/** `GET /api/partnerships` filter (with the paging parameters). */
export const statusFilterSchema = z.object({
  status: z
    .string()
    .refine((value) => value.split(',').every((status) => isPartnershipStatus(status.trim())), {
      error: `must be one or more of ${PARTNERSHIP_STATUSES.join(', ')}, comma-separated`,
    })
    .transform((value) => [...new Set(value.split(',').map((status) => status.trim() as PartnershipStatus))])
    .optional()
    .meta({ description: `Only the partnerships in these statuses, comma-separated: ${PARTNERSHIP_STATUSES.join(', ')}.` }),
});

function parseStatusFilter(value: string | undefined): PartnershipStatus[] | undefined {
  return parseOrThrow(statusFilterSchema, { status: value }, 'list request').status;
}

export async function getPartnership(id: string, context: EntryPointContext): Promise<PartnershipDetails> {
  const { partnerships, events } = context.deployment.repositories;
  const record = await partnerships.require(id);
  const data = handshakeData(record);
  const steps = (await events.list(id)).map((event): PartnershipStep => {
    const status = (event.after as { status?: unknown } | undefined)?.status;
    return {
      at: event.at,
      type: event.type,
      message: event.message,
      ...(isPartnershipStatus(status) ? { status } : {}),
      ...(event.data ? { data: event.data } : {}),
    };
  });
  const details: PartnershipDetails = {
    ...summaryOf(record),
    partnerDeploymentUrl: record.desired.partnerDeploymentUrl,
    desired: record.desired,
    steps,
    owned: record.ownership,
    createdAt: record.createdAt,
  };
  if (record.role === 'initiator' && data.pairingCode) details.pairingCode = data.pairingCode;
  if (record.role === 'initiator' && record.status === 'AwaitingPartner' && data.outbox?.invitation) {
    details.invitationUrl = `${baseUrl(context)}/api/partnerships/${id}/invitation`;
  }
  if (data.outbox?.offboard) details.offboardMessageUrl = `${baseUrl(context)}/api/partnerships/${id}/offboard-message`;
  if (record.role === 'responder' && data.invitation) details.approval = data.approval ?? 'pairing-code';
  if (record.role === 'responder' && data.invitation) {
    // Who asks, for the admin deciding on it: the sender's deployment and the key it signed with.
    details.invitation = {
      from: data.invitation.callbackUrl,
      keyThumbprint: data.invitation.keyThumbprint,
      receivedAt: data.invitation.receivedAt,
      expiresAt: new Date(data.invitation.exp * 1000).toISOString(),
    };
  }
  if (record.lastError) details.lastError = record.lastError;
  return { ...details, ...(await trustDetails(record, context)) };
}

/** GET /api/partnerships/{id}/plan: read the tenant and plan, write nothing. */
export async function planPartnership(id: string, context: EntryPointContext): Promise<{ id: string; operations: PlanOperation[]; empty: boolean }> {
  const { deployment } = context;
  const record = await deployment.repositories.partnerships.require(id);
  const target = { partnershipId: record.id, desired: record.desired, partnerDomains: record.partnerDomains };
  const localCloud = deployment.config.cloud;
  const actual = await readTenantState(deployment.adapters(), [target], { localCloud });
  const planned = plan([target], actual, { localCloud, guestInviteRedirectUrl: deployment.config.guestInviteRedirectUrl });
  return { id, operations: planned.operations, empty: planned.operations.length === 0 };
}

/** GET /api/partnerships/{id}/invitation: the signed invitation for out-of-band delivery. */
export async function getInvitation(id: string, context: EntryPointContext): Promise<string> {
  const record = await context.deployment.repositories.partnerships.require(id);
  const invitation = handshakeData(record).outbox?.invitation;
  if (record.role !== 'initiator' || !invitation) {
    throw new DomainError(
      'handshake.wrong-state',
      record.role !== 'initiator'
        ? `Partnership ${id} was initiated by the partner: there is no invitation of this side to deliver.`
        : `The invitation of partnership ${id} is not signed yet (status ${record.status}); try again shortly.`,
      { details: { partnershipId: id, state: record.status } },
    );
  }
  return invitation.jws;
}

export function summaryOf(record: PartnershipRecord): PartnershipSummary {
  return {
    id: record.id,
    role: record.role,
    status: record.status,
    driftStatus: record.driftStatus,
    partnerTenantId: record.partnerTenantId,
    partnerCloud: record.partnerCloud,
    updatedAt: record.updatedAt,
  };
}

async function startWorkflow(context: EntryPointContext, orchestration: string, record: PartnershipRecord): Promise<void> {
  const { config } = context.deployment;
  const input: HandshakeOrchestrationInput = {
    partnershipId: record.id,
    settings: orchestrationSettings(config),
    ...(configuresSyncSource(record.desired, config.cloud) ? { syncSource: true } : {}),
  };
  await context.durable.startOnce(orchestration, record.id, input);
}

function requireReceivedInvitation(record: PartnershipRecord, action: 'approve' | 'reject') {
  const invitation = handshakeData(record).invitation;
  if (record.role !== 'responder' || !invitation) {
    throw new DomainError(
      'partnership.illegal-transition',
      `Partnership ${record.id} was requested by this side; only the invited side can ${action} it.`,
      { details: { id: record.id, role: record.role } },
    );
  }
  return invitation;
}

function wrongStatus(record: PartnershipRecord, what: string): DomainError {
  return new DomainError('partnership.illegal-transition', `Partnership ${record.id} is ${record.status} and can no longer be ${what}.`, {
    details: { id: record.id, status: record.status },
  });
}

export function baseUrl(context: EntryPointContext): string {
  if (context.deployment.config.publicBaseUrl) return context.deployment.publicBaseUrl();
  return (context.requestOrigin ?? '').replace(/\/+$/, '');
}
