// applyPlan(): performs a plan's operations in order. Consecutive Graph writes of one kind
// (partners, identity sync, guests) go out in $batch requests of 20, each item retried on
// 429/Retry-After and 503/504; cloud endpoints are read, merged and written; Teams settings are
// read, merged and written by the Teams adapter; the steps of a cross-tenant sync configuration
// run one after another (each needs the object the one before created). A tenant that changed since it was read is met
// half-way (a partner created meanwhile is PATCHed, one deleted meanwhile is created again, a
// delete of something already gone is done). The first permanent failure stops the run with an
// `apply.partial-failure` error that names the operation and lists what was already applied.
import { DomainError, isDomainError, type SerializedDomainError } from '../errors';
import type { BatchRequest, BatchResponse } from '../graph/client';
import { graphError } from '../graph/errors';
import type { OwnershipClaim } from '../ownership';
import type { OwnershipHandOver, Plan, PlanOperation, PlanOperationKind } from './operations';
import type { TenantAdapters } from './read';
import { applySyncSourceOperation, type SyncIds } from './syncSource';
import { m365CapabilitiesPath, m365CapabilityPath } from '../graph/collaboration';
import { m365CapabilityBody } from './m365';
import { applyTeamMemberOperation, isTeamMemberOperation } from './teamMembers';

export interface AppliedOperation {
  operationId: string;
  kind: PlanOperationKind;
  /**
   * applied: written as planned; converged: the tenant had changed since it was read and the
   * write was adapted; unchanged: nothing left to write; manual: an administrator must run `script`.
   */
  outcome: 'applied' | 'converged' | 'unchanged' | 'manual';
  /** Object id of an invited guest. */
  userId?: string;
  script?: string[];
}

export interface ApplyResult {
  applied: AppliedOperation[];
  /** Ownership to record: the claims of the operations performed (guests with their user ids). */
  claims: OwnershipClaim[];
  /** Ownership that ended (operations performed, and the plan's releases without an operation). */
  releases: OwnershipClaim[];
  /** Ownership that moves to another partnership (removal plans). */
  handOvers: OwnershipHandOver[];
  /** Teams changes waiting for an administrator (manual mode); record their claims once verified. */
  manual: { operationId: string; script: string[]; claims: OwnershipClaim[] }[];
}

/** `details` of an `apply.partial-failure` error (plain JSON). */
export interface PartialFailureDetails {
  failedOperationId: string;
  failedOperationKind: PlanOperationKind;
  error: SerializedDomainError;
  /** Operations that were performed before (or alongside) the failure. */
  applied: AppliedOperation[];
  /** Operations not performed: the failed one, others that failed in the same batch, and all later ones. */
  notApplied: string[];
  claims: OwnershipClaim[];
  releases: OwnershipClaim[];
  manual: ApplyResult['manual'];
  [key: string]: unknown;
}

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';

type Family = 'cloudEndpoints' | 'partner' | 'identitySync' | 'guest' | 'teams' | 'syncSource' | 'm365Capability' | 'teamMember';
const familyOf = (kind: PlanOperationKind): Family => kind.split('.')[0] as Family;
const BATCHED: ReadonlySet<Family> = new Set(['partner', 'identitySync', 'guest', 'm365Capability']);

type Outcome = { ok: AppliedOperation } | { error: DomainError };

export async function applyPlan(adapters: TenantAdapters, plan: Plan): Promise<ApplyResult> {
  const result: ApplyResult = { applied: [], claims: [], releases: [...plan.released], handOvers: [...plan.handOvers], manual: [] };
  const operations = plan.operations;
  const syncIds: SyncIds = new Map();
  let index = 0;
  while (index < operations.length) {
    const family = familyOf(operations[index].kind);
    let end = index + 1;
    if (BATCHED.has(family)) while (end < operations.length && familyOf(operations[end].kind) === family) end += 1;
    const group = operations.slice(index, end);
    const outcomes = BATCHED.has(family) ? await applyBatched(adapters, group) : [await applySingle(adapters, group[0], syncIds)];
    let failure: { operation: PlanOperation; error: DomainError } | undefined;
    const failedIds: string[] = [];
    group.forEach((operation, position) => {
      const outcome = outcomes[position];
      if ('ok' in outcome) record(result, operation, outcome.ok);
      else {
        failedIds.push(operation.id);
        failure ??= { operation, error: outcome.error };
      }
    });
    if (failure) {
      const notApplied = [...failedIds, ...operations.slice(end).map((operation) => operation.id)];
      const details: PartialFailureDetails = {
        failedOperationId: failure.operation.id,
        failedOperationKind: failure.operation.kind,
        error: failure.error.toJSON(),
        applied: result.applied,
        notApplied,
        claims: result.claims,
        releases: result.releases,
        manual: result.manual,
      };
      throw new DomainError(
        'apply.partial-failure',
        `"${failure.operation.description}" failed (${failure.error.code}: ${failure.error.message}); ` +
          `${result.applied.length} operation(s) were applied before it, ${notApplied.length} not applied.`,
        { details, cause: failure.error, status: failure.error.status },
      );
    }
    index = end;
  }
  return result;
}

function record(result: ApplyResult, operation: PlanOperation, applied: AppliedOperation): void {
  result.applied.push(applied);
  if (applied.outcome === 'manual') {
    result.manual.push({ operationId: operation.id, script: applied.script ?? [], claims: operation.claims });
    return;
  }
  const claims = applied.userId
    ? operation.claims.map((claim) =>
        claim.item.kind === 'guest' || claim.item.kind === 'teamMember' ? { ...claim, item: { ...claim.item, userId: applied.userId } } : claim,
      )
    : operation.claims;
  result.claims.push(...claims);
  result.releases.push(...operation.releases);
}

async function applySingle(adapters: TenantAdapters, operation: PlanOperation, syncIds: SyncIds): Promise<Outcome> {
  const done = (outcome: AppliedOperation['outcome'], extra: Partial<AppliedOperation> = {}): Outcome => ({
    ok: { operationId: operation.id, kind: operation.kind, outcome, ...extra },
  });
  try {
    if (operation.kind === 'cloudEndpoints.update') {
      // PATCH replaces the array: merge into what the tenant holds now, not what the plan read.
      const current = await adapters.graph.getAllowedCloudEndpoints();
      const removed = new Set(operation.remove.map((value) => value.toLowerCase()));
      const next = current.filter((value) => !removed.has(value.toLowerCase()));
      for (const value of operation.add) if (!next.some((present) => present.toLowerCase() === value.toLowerCase())) next.push(value);
      if (next.length === current.length && next.every((value, i) => value === current[i])) return done('unchanged');
      await adapters.graph.setAllowedCloudEndpoints(next);
      return done('applied');
    }
    if (operation.kind === 'teams.update') {
      const outcome = await adapters.teams.apply(operation.update);
      if (outcome.status === 'manual') return done('manual', { script: outcome.script });
      return done(outcome.changed ? 'applied' : 'unchanged');
    }
    if (isTeamMemberOperation(operation)) {
      // One by one: a guest invited earlier in this apply is looked up first.
      const result = await applyTeamMemberOperation(adapters.graph, operation);
      return done(result.outcome, result.userId ? { userId: result.userId } : {});
    }
    if (familyOf(operation.kind) === 'syncSource') {
      // One after another: each step needs what the one before created.
      return done(await applySyncSourceOperation(adapters.graph, operation as Extract<PlanOperation, { kind: `syncSource.${string}` }>, syncIds));
    }
    throw new DomainError('internal', `Operation ${operation.kind} is not applied one by one.`);
  } catch (error) {
    return { error: isDomainError(error) ? error : new DomainError('internal', String(error), { cause: error }) };
  }
}

function batchRequestOf(operation: PlanOperation, id: string): BatchRequest {
  switch (operation.kind) {
    case 'partner.create':
      return { id, method: 'POST', url: PARTNERS, body: { tenantId: operation.tenantId, ...operation.settings } };
    case 'partner.update':
      return { id, method: 'PATCH', url: `${PARTNERS}/${operation.tenantId}`, body: operation.settings };
    case 'partner.delete':
      return { id, method: 'DELETE', url: `${PARTNERS}/${operation.tenantId}` };
    case 'identitySync.put':
      return { id, method: 'PUT', url: `${PARTNERS}/${operation.tenantId}/identitySynchronization`, body: operation.settings };
    case 'identitySync.delete':
      return { id, method: 'DELETE', url: `${PARTNERS}/${operation.tenantId}/identitySynchronization` };
    case 'guest.invite':
      return {
        id,
        method: 'POST',
        url: '/invitations',
        body: {
          invitedUserEmailAddress: operation.upn,
          inviteRedirectUrl: operation.redirectUrl,
          sendInvitationMessage: operation.sendInvitationMessage ?? false,
          ...(operation.message || operation.messageLanguage
            ? { invitedUserMessageInfo: { customizedMessageBody: operation.message ?? null, messageLanguage: operation.messageLanguage ?? null } }
            : {}),
        },
      };
    case 'm365Capability.create':
      return { id, method: 'POST', url: m365CapabilitiesPath(operation.tenantId), body: m365CapabilityBody(operation.capability) };
    case 'm365Capability.update':
      return { id, method: 'PATCH', url: m365CapabilityPath(operation.tenantId, operation.capability.name), body: m365CapabilityBody(operation.capability) };
    case 'm365Capability.delete':
      return { id, method: 'DELETE', url: m365CapabilityPath(operation.tenantId, operation.name) };
    case 'guest.delete':
      return { id, method: 'DELETE', url: `/users/${operation.userId}` };
    default:
      throw new DomainError('internal', `Operation ${operation.kind} is not sent in a $batch.`);
  }
}

/** A second request that meets a changed tenant half-way, or undefined. */
function convergence(operation: PlanOperation, response: BatchResponse, id: string): BatchRequest | 'unchanged' | undefined {
  if (operation.kind === 'partner.create' && response.status === 409) {
    return Object.keys(operation.settings).length === 0
      ? 'unchanged'
      : { id, method: 'PATCH', url: `${PARTNERS}/${operation.tenantId}`, body: operation.settings };
  }
  if (operation.kind === 'partner.update' && response.status === 404) {
    return { id, method: 'POST', url: PARTNERS, body: { tenantId: operation.tenantId, ...operation.settings } };
  }
  if ((operation.kind === 'partner.delete' || operation.kind === 'identitySync.delete' || operation.kind === 'guest.delete') && response.status === 404) {
    return 'unchanged';
  }
  if (operation.kind === 'm365Capability.create' && response.status === 409) {
    return { id, method: 'PATCH', url: m365CapabilityPath(operation.tenantId, operation.capability.name), body: m365CapabilityBody(operation.capability) };
  }
  if (operation.kind === 'm365Capability.update' && response.status === 404) {
    return { id, method: 'POST', url: m365CapabilitiesPath(operation.tenantId), body: m365CapabilityBody(operation.capability) };
  }
  if (operation.kind === 'm365Capability.delete' && response.status === 404) return 'unchanged';
  return undefined;
}

async function applyBatched(adapters: TenantAdapters, group: readonly PlanOperation[]): Promise<Outcome[]> {
  const requests = group.map((operation, position) => batchRequestOf(operation, String(position + 1)));
  let responses: BatchResponse[];
  try {
    responses = await adapters.graph.batch(requests);
  } catch (error) {
    const mapped = isDomainError(error) ? error : new DomainError('tenant.unavailable', String(error), { cause: error });
    return group.map(() => ({ error: mapped }));
  }
  const outcomes: (Outcome | undefined)[] = new Array(group.length);
  const followUps: { position: number; request: BatchRequest }[] = [];
  responses.forEach((response, position) => {
    const operation = group[position];
    if (response.status >= 200 && response.status < 300) {
      outcomes[position] = { ok: succeeded(operation, response, 'applied') };
      return;
    }
    const next = convergence(operation, response, String(position + 1));
    if (next === 'unchanged') outcomes[position] = { ok: { operationId: operation.id, kind: operation.kind, outcome: 'unchanged' } };
    else if (next) followUps.push({ position, request: next });
    else outcomes[position] = { error: itemError(response, operation, requests[position]) };
  });
  if (followUps.length > 0) {
    let second: BatchResponse[] = [];
    try {
      second = await adapters.graph.batch(followUps.map((followUp) => followUp.request));
    } catch (error) {
      const mapped = isDomainError(error) ? error : new DomainError('tenant.unavailable', String(error), { cause: error });
      followUps.forEach((followUp) => (outcomes[followUp.position] = { error: mapped }));
    }
    followUps.forEach((followUp, i) => {
      if (outcomes[followUp.position]) return;
      const operation = group[followUp.position];
      const response = second[i];
      outcomes[followUp.position] =
        response.status >= 200 && response.status < 300
          ? { ok: succeeded(operation, response, 'converged') }
          : { error: itemError(response, operation, followUp.request) };
    });
  }
  return outcomes as Outcome[];
}

function succeeded(operation: PlanOperation, response: BatchResponse, outcome: 'applied' | 'converged'): AppliedOperation {
  const applied: AppliedOperation = { operationId: operation.id, kind: operation.kind, outcome };
  if (operation.kind === 'guest.invite') {
    const userId = (response.body as { invitedUser?: { id?: string } } | null)?.invitedUser?.id;
    if (userId) applied.userId = userId;
  }
  return applied;
}

function itemError(response: BatchResponse, operation: PlanOperation, request: BatchRequest): DomainError {
  const error = (response.body as { error?: { code?: string; message?: string } } | null)?.error;
  const mapped = graphError({ status: response.status, code: error?.code, message: error?.message }, `${request.method} ${request.url}`);
  mapped.details.operationId = operation.id;
  return mapped;
}
