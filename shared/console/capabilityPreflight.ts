// The capability preflight the console shows live while an admin fills in a request: which
// rules the pair of clouds (and the request so far) breaks. A partial request is read leniently:
// only the parts the rules look at count, and a part that is not valid yet is skipped.
import { checkCapabilities, type CapabilityInput, type CapabilityViolation } from '../capabilities';
import type { CloudName } from '../clouds';

export interface PreflightResult {
  localCloud: CloudName;
  partnerCloud: CloudName;
  allowed: boolean;
  violations: CapabilityViolation[];
}

export function capabilityPreflight(localCloud: CloudName, partnerCloud: CloudName, request?: Record<string, unknown>): PreflightResult {
  const violations = checkCapabilities(localCloud, partnerCloud, capabilityInputOf(request ?? {}));
  return { localCloud, partnerCloud, allowed: violations.length === 0, violations };
}

function capabilityInputOf(request: Record<string, unknown>): CapabilityInput {
  const objectOrUndefined = (value: unknown): Record<string, unknown> | undefined =>
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const teams = objectOrUndefined(request.teams) ?? {};
  const direct = objectOrUndefined(request.b2bDirectConnect);
  const sync = objectOrUndefined(request.crossTenantSync);
  const direction = sync && ['inbound', 'outbound', 'both'].includes(String(sync.direction)) ? (sync.direction as 'inbound' | 'outbound' | 'both') : undefined;
  return {
    teams: {
      federation: teams.federation === true,
      guestAccess: teams.guestAccess === true,
      anonymousJoin: teams.anonymousJoin === true,
      ...(objectOrUndefined(teams.crossCloudMeetings) ? { crossCloudMeetings: { inbound: true, outbound: true } } : {}),
      ...(objectOrUndefined(teams.acsInterop) ? { acsInterop: { resourceIds: [] } } : {}),
    },
    ...(direct ? { b2bDirectConnect: { inbound: direct.inbound as never, outbound: direct.outbound as never } } : {}),
    ...(direction ? { crossTenantSync: { direction, scopingGroupIds: [] } } : {}),
    ...(typeof request.partnerDomain === 'string' && request.partnerDomain.trim() !== '' ? { partnerDomain: request.partnerDomain } : {}),
  };
}
