// An in-memory tenant: applies a plan to a TenantState the way Graph and the Teams admin API
// would (including Graph's refusals that depend on order). Used for the "after" of a dry run
// and for property tests of the planner.
import { DomainError } from '../errors';
import { applyTeamsUpdate, defaultTeamsConfiguration } from '../teams/changes';
import type { PartnerConfiguration, TenantState } from '../tenant';
import type { Plan, PlanOperation } from './operations';
import { simulateSyncSourceOperation } from './syncSource';
import { simulateTeamMemberOperation } from './teamMembers';

/** The state after the plan (the input is not changed). */
export function simulateApply(state: TenantState, plan: Plan): TenantState {
  const next: TenantState = structuredClone(state);
  for (const operation of plan.operations) applyOperation(next, operation);
  return next;
}

let guestCounter = 0;

function applyOperation(state: TenantState, operation: PlanOperation): void {
  switch (operation.kind) {
    case 'cloudEndpoints.update': {
      const removed = new Set(operation.remove.map((value) => value.toLowerCase()));
      const values = state.allowedCloudEndpoints.filter((value) => !removed.has(value.toLowerCase()));
      for (const value of operation.add) if (!values.some((v) => v.toLowerCase() === value.toLowerCase())) values.push(value);
      state.allowedCloudEndpoints = values;
      return;
    }
    case 'partner.create':
    case 'partner.update': {
      const existing = state.partners[operation.tenantId];
      if (operation.kind === 'partner.update' && !existing) {
        throw new DomainError('tenant.object-missing', `Partner ${operation.tenantId} does not exist.`);
      }
      const partner: PartnerConfiguration = { ...(existing ?? { tenantId: operation.tenantId }), ...structuredClone(operation.settings) };
      state.partners[operation.tenantId] = partner;
      if (!existing) {
        state.identitySync[operation.tenantId] = null;
        if (!state.coverage.identitySyncFor.includes(operation.tenantId)) state.coverage.identitySyncFor.push(operation.tenantId);
      }
      return;
    }
    case 'partner.delete': {
      if (state.identitySync[operation.tenantId]) {
        throw new DomainError('tenant.bad-request', `Partner ${operation.tenantId} still has identity sync settings.`);
      }
      delete state.partners[operation.tenantId];
      delete state.identitySync[operation.tenantId];
      return;
    }
    case 'identitySync.put': {
      if (!state.partners[operation.tenantId]) {
        throw new DomainError('tenant.object-missing', `Partner ${operation.tenantId} does not exist.`);
      }
      state.identitySync[operation.tenantId] = structuredClone(operation.settings);
      if (!state.coverage.identitySyncFor.includes(operation.tenantId)) state.coverage.identitySyncFor.push(operation.tenantId);
      return;
    }
    case 'identitySync.delete':
      state.identitySync[operation.tenantId] = null;
      return;
    case 'teams.update': {
      const type = operation.update.configurationType;
      const identity = operation.update.identity;
      if (identity) {
        const policy = state.meetingPolicies?.[identity];
        if (policy) state.meetingPolicies![identity] = applyTeamsUpdate(policy, operation.update);
        return;
      }
      const current = state.teams[type] ?? defaultTeamsConfiguration(type);
      (state.teams as Record<string, unknown>)[type] = applyTeamsUpdate(current as never, operation.update);
      if (!state.coverage.teams.includes(type)) state.coverage.teams.push(type);
      return;
    }
    case 'guest.invite':
      state.guests[operation.upn] = { id: `simulated-guest-${++guestCounter}`, invitedAs: operation.upn };
      return;
    case 'guest.delete':
      delete state.guests[operation.upn];
      return;
    case 'm365Capability.create':
    case 'm365Capability.update': {
      const capabilities = ((state.m365Capabilities ??= {})[operation.tenantId] ??= {});
      capabilities[operation.capability.name] = structuredClone(operation.capability);
      return;
    }
    case 'm365Capability.delete':
      delete state.m365Capabilities?.[operation.tenantId]?.[operation.name];
      return;
    case 'teamMember.add':
    case 'teamMember.remove':
      simulateTeamMemberOperation(state, operation);
      return;
    default:
      simulateSyncSourceOperation(state, operation);
  }
}
