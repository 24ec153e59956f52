// Builders of domain values for tests (valid by construction, via the real schema).
import { parseDesiredCollaboration, type DesiredCollaboration, type DesiredCollaborationInput } from '../../shared/partnership';
import { emptyTenantState, type TenantState } from '../../shared/tenant';
import { defaultTeamsConfiguration } from '../../shared/teams/changes';
import { TEAMS_CONFIGURATION_TYPES } from '../../shared/teams/configurations';
import type { PartnershipTarget } from '../../shared/plan';

export const TENANTS = {
  woodgrove: '9b1c6e0e-1b5a-4f8e-9a7e-2a7b3c4d5e6f',
  fabrikam: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
  gcchigh: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  adminsOwn: '0f0e0d0c-0b0a-4909-8807-060504030201',
} as const;

export function desired(overrides: Partial<DesiredCollaborationInput> = {}): DesiredCollaboration {
  return parseDesiredCollaboration({
    partnerTenantId: TENANTS.woodgrove,
    partnerCloud: 'China',
    partnerDeploymentUrl: 'https://handshake.woodgrove.cn',
    ...overrides,
  });
}

export function target(partnershipId: string, overrides: Partial<DesiredCollaborationInput> = {}, partnerDomains: string[] = []): PartnershipTarget {
  return { partnershipId, desired: desired(overrides), partnerDomains };
}

/** An empty tenant whose Teams settings are Teams' defaults, everything read. */
export function freshTenant(): TenantState {
  const state = emptyTenantState();
  for (const type of TEAMS_CONFIGURATION_TYPES) (state.teams as Record<string, unknown>)[type] = defaultTeamsConfiguration(type);
  state.coverage.teams = [...TEAMS_CONFIGURATION_TYPES];
  return state;
}
