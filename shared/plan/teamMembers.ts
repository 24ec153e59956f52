// Guests added to teams: plan the memberships the partnerships ask for (a guest not yet invited
// is added once the invitation in the same plan has created it), undo the ones a partnership
// added, and apply one change. See docs/capabilities.md, "Guests".
import { DomainError, isDomainError } from '../errors';
import type { GraphAdapter } from '../graph/client';
import { findGuestUserId, teamMemberBody, teamMembersPath } from '../graph/collaboration';
import type { OwnedItem, OwnershipClaim } from '../ownership';
import type { TeamMember, TenantState } from '../tenant';
import type { OwnershipHandOver, PlanOperation, PlanWarning, TeamMemberAdd, TeamMemberRemove } from './operations';
import type { Needs } from './requirements';

/** The members of a team as read: null when the team does not exist, an error when it was not read. */
function membersOf(actual: TenantState, teamId: string): TeamMember[] | null {
  if (!actual.coverage.teamMembersFor?.includes(teamId)) {
    throw new DomainError('internal', `The tenant state does not include the members of team ${teamId}: read them first.`);
  }
  return actual.teamMembers?.[teamId] ?? null;
}

export function planTeamMembers(needs: Needs, actual: TenantState, warnings: PlanWarning[]): TeamMemberAdd[] {
  const operations: TeamMemberAdd[] = [];
  const missingTeams = new Map<string, string[]>();
  for (const need of needs.teamMembers.values()) {
    const members = membersOf(actual, need.teamId);
    if (!members) {
      const ids = missingTeams.get(need.teamId) ?? [];
      missingTeams.set(need.teamId, [...new Set([...ids, ...need.partnershipIds])]);
      continue;
    }
    const userId = actual.guests[need.upn]?.id?.toLowerCase();
    if (userId && members.some((member) => member.userId === userId)) continue;
    operations.push({
      kind: 'teamMember.add',
      id: `teamMember.add:${need.teamId}:${need.upn}`,
      description: `Add the guest ${need.upn} to team ${need.teamId}${need.roles.includes('owner') ? ' as an owner' : ''}.`,
      partnershipIds: [...need.partnershipIds],
      claims: need.partnershipIds.map((partnershipId) => ({
        partnershipId,
        item: { kind: 'teamMember', teamId: need.teamId, upn: need.upn, ...(userId ? { userId } : {}) },
      })),
      releases: [],
      teamId: need.teamId,
      upn: need.upn,
      ...(userId ? { userId } : {}),
      roles: need.roles,
      before: null,
      after: { teamId: need.teamId, upn: need.upn, roles: need.roles },
    });
  }
  for (const [teamId, partnershipIds] of missingTeams) {
    warnings.push({
      code: 'guests.team-missing',
      partnershipIds,
      message: `Team ${teamId} does not exist in this tenant: its guests are invited but not added to it. Correct the team id in the request.`,
    });
  }
  return operations;
}

/** Removes the memberships a partnership added (before its guests, which may be deleted after). */
export function removeTeamMembers(
  partnershipId: string,
  items: readonly OwnedItem[],
  others: Needs,
  actual: TenantState,
  out: { handOvers: OwnershipHandOver[]; released: OwnershipClaim[] },
): TeamMemberRemove[] {
  const operations: TeamMemberRemove[] = [];
  for (const item of items) {
    if (item.kind !== 'teamMember') continue;
    const teamId = item.teamId.toLowerCase();
    const upn = item.upn.toLowerCase();
    const claim: OwnershipClaim = { partnershipId, item };
    const keeping = others.teamMembers.get(`${teamId}|${upn}`);
    if (keeping) {
      out.handOvers.push({ item, fromPartnershipId: partnershipId, toPartnershipId: keeping.partnershipIds[0] });
      continue;
    }
    const userId = (item.userId ?? actual.guests[upn]?.id)?.toLowerCase();
    const membership = userId ? (actual.teamMembers?.[teamId] ?? []).find((member) => member.userId === userId) : undefined;
    if (!membership) {
      out.released.push(claim);
      continue;
    }
    operations.push({
      kind: 'teamMember.remove',
      id: `teamMember.remove:${teamId}:${upn}`,
      description: `Remove the guest ${upn} from team ${teamId}.`,
      partnershipIds: [partnershipId],
      claims: [],
      releases: [claim],
      teamId,
      upn,
      membershipId: membership.id,
      before: membership,
      after: null,
    });
  }
  return operations;
}

/** One membership change; a tenant changed since the read is met half-way. */
export async function applyTeamMemberOperation(
  graph: GraphAdapter,
  operation: TeamMemberAdd | TeamMemberRemove,
): Promise<{ outcome: 'applied' | 'unchanged'; userId?: string }> {
  if (operation.kind === 'teamMember.remove') {
    try {
      await graph.request('DELETE', `${teamMembersPath(operation.teamId)}/${encodeURIComponent(operation.membershipId)}`);
      return { outcome: 'applied' };
    } catch (error) {
      if (isDomainError(error, 'tenant.object-missing')) return { outcome: 'unchanged' };
      throw error;
    }
  }
  // A guest invited earlier in this apply is found by the address it was invited with.
  const userId = operation.userId ?? (await findGuestUserId(graph, operation.upn));
  if (!userId) {
    throw new DomainError('tenant.object-missing', `The guest ${operation.upn} was not found, so it cannot be added to team ${operation.teamId}.`, {
      details: { operationId: operation.id },
    });
  }
  try {
    await graph.request('POST', teamMembersPath(operation.teamId), teamMemberBody(graph, userId, operation.roles));
    return { outcome: 'applied', userId: userId.toLowerCase() };
  } catch (error) {
    if (isDomainError(error, 'tenant.object-exists')) return { outcome: 'unchanged', userId: userId.toLowerCase() };
    throw error;
  }
}

/** The state after one membership change (the in-memory tenant of a dry run). */
export function simulateTeamMemberOperation(state: TenantState, operation: TeamMemberAdd | TeamMemberRemove): void {
  const members = (state.teamMembers ??= {})[operation.teamId] ?? [];
  if (operation.kind === 'teamMember.remove') {
    state.teamMembers[operation.teamId] = members.filter((member) => member.id !== operation.membershipId);
    return;
  }
  const userId = (operation.userId ?? state.guests[operation.upn]?.id ?? operation.upn).toLowerCase();
  if (!members.some((member) => member.userId === userId)) members.push({ id: `simulated-membership-${userId}`, userId, roles: operation.roles });
  state.teamMembers[operation.teamId] = members;
}

export const isTeamMemberOperation = (operation: PlanOperation): operation is TeamMemberAdd | TeamMemberRemove =>
  operation.kind === 'teamMember.add' || operation.kind === 'teamMember.remove';
