// Microsoft 365 cross-tenant capabilities: what a grant of a request becomes in Graph (one
// capability object per kind, named after its type), and the plan that brings a partner's
// capabilities to what the partnerships authorise, or back to what was there before. The
// capabilities take effect over the partner entry's Microsoft 365 collaboration trust
// (`m365CollaborationInbound`, a partner setting planned with the others). See
// docs/capabilities.md, "Microsoft 365 capabilities".
import type { M365Grant } from '../partnership';
import type { OwnedItem, OwnershipClaim } from '../ownership';
import type { M365Capability, M365CollaborationInboundSetting, M365ResourceScope, TenantState } from '../tenant';
import type { M365CapabilityDelete, M365CapabilityWrite, OwnershipHandOver, PlanOperation, PlanWarning } from './operations';
import type { Needs } from './requirements';

/** The Microsoft 365 collaboration trust for every user of the partner. */
export const M365_COLLABORATION_TRUST: M365CollaborationInboundSetting = {
  users: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] },
};

const CALENDAR_AVAILABILITY = { basic: 'crossTenantCalendarAvailabilityBasic', limitedDetails: 'crossTenantCalendarAvailabilityLimitedDetails' } as const;
const MAIL_TIPS = { limited: 'crossTenantMailTipsLimited', all: 'crossTenantMailTipsAll' } as const;
const CALENDAR_SHARING = {
  freeBusySimple: 'crossTenantCalendarSharingFreeBusySimple',
  freeBusyDetail: 'crossTenantCalendarSharingFreeBusyDetail',
  reviewer: 'crossTenantCalendarSharingFreeBusyReviewer',
} as const;
const PLACES = { rooms: 'crossTenantPlacesRoomBooking', desks: 'crossTenantPlacesDeskBooking' } as const;
export const PROFILE_CARD = 'crossTenantOpenProfileCard';

/** The capability objects a grant asks for (each allowed, scoped to all users or the groups named). */
export function m365CapabilitiesFor(grant: M365Grant): M365Capability[] {
  const names: string[] = [];
  if (grant.calendarAvailability) names.push(CALENDAR_AVAILABILITY[grant.calendarAvailability]);
  if (grant.mailTips) names.push(MAIL_TIPS[grant.mailTips]);
  if (grant.calendarSharing) names.push(CALENDAR_SHARING[grant.calendarSharing]);
  if (grant.profileCard) names.push(PROFILE_CARD);
  for (const place of grant.places ?? []) names.push(PLACES[place]);
  return names.map((name) => ({
    name,
    inboundAccess: { isAllowed: true, resourceScopes: { included: scopeOf(grant.scope, name), excluded: [] } },
  }));
}

function scopeOf(scope: M365Grant['scope'], name: string): M365ResourceScope[] {
  if (scope === 'all') {
    // Calendar sharing is granted to groups: "All" of them.
    return [{ resourceId: 'All', resourceType: name.startsWith('crossTenantCalendarSharing') ? 'group' : 'user' }];
  }
  return scope.groupIds.map((id) => ({ resourceId: id.toLowerCase(), resourceType: 'group' }));
}

/** The body Graph takes to create a capability (its type names it). */
export function m365CapabilityBody(capability: M365Capability): Record<string, unknown> {
  return { '@odata.type': `#microsoft.graph.${capability.name}`, inboundAccess: capability.inboundAccess };
}

/** Order-insensitive comparison of what two capability objects grant. */
export function sameM365Capability(a: M365Capability | null | undefined, b: M365Capability | null | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(capability: M365Capability | null | undefined): unknown {
  if (!capability) return null;
  const scopes = (list: M365ResourceScope[] | undefined): string[] =>
    (list ?? []).map((scope) => `${scope.resourceType}:${scope.resourceId.toLowerCase()}`).sort();
  return {
    name: capability.name,
    isAllowed: capability.inboundAccess?.isAllowed === true,
    included: scopes(capability.inboundAccess?.resourceScopes?.included),
    excluded: scopes(capability.inboundAccess?.resourceScopes?.excluded),
  };
}

/** The capabilities of a partner as read (an error when the read did not cover it). */
function capabilitiesOf(actual: TenantState, tenantId: string): Record<string, M365Capability> {
  return actual.m365Capabilities?.[tenantId] ?? {};
}

/** Create what is missing, change what differs (its previous value claimed). Pure. */
export function planM365Capabilities(needs: Needs, actual: TenantState): PlanOperation[] {
  const operations: PlanOperation[] = [];
  for (const [tenantId, need] of needs.m365Capabilities) {
    const current = capabilitiesOf(actual, tenantId);
    for (const [name, wanted] of need.capabilities) {
      const existing = current[name] ?? null;
      if (sameM365Capability(existing, wanted)) continue;
      const claims: OwnershipClaim[] = need.partnershipIds.map((partnershipId) => ({
        partnershipId,
        item: { kind: 'm365Capability', tenantId, name, previous: existing },
      }));
      const operation: M365CapabilityWrite = {
        kind: existing ? 'm365Capability.update' : 'm365Capability.create',
        id: `m365Capability.${existing ? 'update' : 'create'}:${tenantId}:${name}`,
        description: `Authorise ${name} for the users of partner ${tenantId} (Microsoft 365 cross-tenant access).`,
        partnershipIds: [...need.partnershipIds],
        claims,
        releases: [],
        tenantId,
        capability: wanted,
        before: existing,
        after: wanted,
      };
      operations.push(operation);
    }
  }
  return operations;
}

/**
 * Undo the capabilities one partnership owns: hand over what another partnership still
 * authorises, leave what an admin changed since (warning), delete what it created and restore
 * what it changed. Runs before the partner entry is removed (capabilities live on it).
 */
export function removeM365Capabilities(
  partnershipId: string,
  items: readonly OwnedItem[],
  others: Needs,
  actual: TenantState,
  out: { handOvers: OwnershipHandOver[]; released: OwnershipClaim[]; warnings: PlanWarning[] },
): PlanOperation[] {
  const operations: PlanOperation[] = [];
  for (const item of items) {
    if (item.kind !== 'm365Capability') continue;
    const tenantId = item.tenantId.toLowerCase();
    const claim: OwnershipClaim = { partnershipId, item };
    const keeping = others.m365Capabilities.get(tenantId);
    if (keeping?.capabilities.has(item.name)) {
      out.handOvers.push({ item, fromPartnershipId: partnershipId, toPartnershipId: keeping.partnershipIds[0] });
      continue;
    }
    const current = actual.m365Capabilities?.[tenantId]?.[item.name] ?? null;
    if (!actual.partners[tenantId] || (!current && !item.previous)) {
      out.released.push(claim);
      continue;
    }
    if (!current || !current.inboundAccess?.isAllowed) {
      // Not as the product left it (removed or blocked since): an admin's decision stands.
      out.released.push(claim);
      out.warnings.push({
        code: 'ownership.changed-by-admin',
        partnershipIds: [partnershipId],
        message: `Microsoft 365 capability ${item.name} of partner ${tenantId} was changed since the product set it; it is left as it is.`,
      });
      continue;
    }
    if (item.previous) {
      operations.push({
        kind: 'm365Capability.update',
        id: `m365Capability.update:${tenantId}:${item.name}`,
        description: `Restore Microsoft 365 capability ${item.name} of partner ${tenantId}.`,
        partnershipIds: [partnershipId],
        claims: [],
        releases: [claim],
        tenantId,
        capability: item.previous,
        before: current,
        after: item.previous,
      });
    } else {
      const operation: M365CapabilityDelete = {
        kind: 'm365Capability.delete',
        id: `m365Capability.delete:${tenantId}:${item.name}`,
        description: `Remove Microsoft 365 capability ${item.name} authorised for partner ${tenantId}.`,
        partnershipIds: [partnershipId],
        claims: [],
        releases: [claim],
        tenantId,
        name: item.name,
        before: current,
        after: null,
      };
      operations.push(operation);
    }
  }
  return operations;
}
