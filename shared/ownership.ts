// What a partnership added to its tenant, so offboarding and compensation undo exactly that.
// Recorded by the orchestrations (Partnerships entity + Events table) from the claims of the
// operations applyPlan performed; read back by removePlan.
import type { CrossCloudMeetingPartner, TeamsConfigurationType } from './teams/configurations';
import type { IdentitySyncSettings, M365Capability, PartnerSettingName } from './tenant';

export type OwnedItem =
  /** A value this partnership added to allowedCloudEndpoints. */
  | { kind: 'cloudEndpoint'; value: string }
  /** A partner entry this partnership created (its settings and identity sync go with it). */
  | { kind: 'partner'; tenantId: string }
  /** A setting changed on a partner entry that existed before (restored on removal). */
  | { kind: 'partnerSetting'; tenantId: string; setting: PartnerSettingName; previous: unknown }
  /** Identity sync settings created or changed on a partner entry that existed before. */
  | { kind: 'identitySync'; tenantId: string; previous: IdentitySyncSettings | null }
  /** A Teams switch this partnership turned (restored to `previous` on removal). */
  | { kind: 'teamsSetting'; configurationType: TeamsConfigurationType; property: string; previous: unknown }
  /** An entry this partnership added to a Teams list (allowed domains, ACS resources). */
  | { kind: 'teamsListEntry'; configurationType: TeamsConfigurationType; property: string; value: string }
  /** A cross-cloud meeting connection added or changed (restored to `previous`, null = none). */
  | { kind: 'crossCloudMeetingPartner'; tenantId: string; previous: CrossCloudMeetingPartner | null }
  /** A guest this partnership invited (userId known once applied). */
  | { kind: 'guest'; upn: string; userId?: string }
  /**
   * The source side of cross-tenant sync towards a target tenant: the configuration (application,
   * service principal, job, scope) this partnership created, found again by its display name.
   */
  | { kind: 'syncConfiguration'; targetTenantId: string }
  /** A Microsoft 365 capability created or changed on a partner entry (restored to `previous`, null = none). */
  | { kind: 'm365Capability'; tenantId: string; name: string; previous: M365Capability | null }
  /** A guest this partnership added to a team (the membership is removed with the partnership). */
  | { kind: 'teamMember'; teamId: string; upn: string; userId?: string }
  /** A switch of a meeting policy other than Global (`identity` = `Tag:Name`), restored to `previous`. */
  | { kind: 'meetingPolicySetting'; identity: string; property: string; previous: unknown };

export interface OwnershipClaim {
  partnershipId: string;
  item: OwnedItem;
}

/** Identity of an owned item (the same thing owned twice has one key). */
export function ownedItemKey(item: OwnedItem): string {
  switch (item.kind) {
    case 'cloudEndpoint':
      return `cloudEndpoint:${item.value.toLowerCase()}`;
    case 'partner':
      return `partner:${item.tenantId.toLowerCase()}`;
    case 'partnerSetting':
      return `partnerSetting:${item.tenantId.toLowerCase()}:${item.setting}`;
    case 'identitySync':
      return `identitySync:${item.tenantId.toLowerCase()}`;
    case 'teamsSetting':
      return `teamsSetting:${item.configurationType}:${item.property}`;
    case 'teamsListEntry':
      return `teamsListEntry:${item.configurationType}:${item.property}:${item.value.toLowerCase()}`;
    case 'crossCloudMeetingPartner':
      return `crossCloudMeetingPartner:${item.tenantId.toLowerCase()}`;
    case 'guest':
      return `guest:${item.upn.toLowerCase()}`;
    case 'syncConfiguration':
      return `syncConfiguration:${item.targetTenantId.toLowerCase()}`;
    case 'm365Capability':
      return `m365Capability:${item.tenantId.toLowerCase()}:${item.name}`;
    case 'teamMember':
      return `teamMember:${item.teamId.toLowerCase()}:${item.upn.toLowerCase()}`;
    case 'meetingPolicySetting':
      return `meetingPolicySetting:${item.identity.toLowerCase()}:${item.property}`;
  }
}

/**
 * Adds newly owned items. An item already owned keeps its first record (its `previous` value is
 * what the tenant had before the product, not what a later repair overwrote); a guest takes the
 * user id of its latest invitation (missing before, or a new object after a deleted guest was
 * invited again by a repair).
 */
export function mergeOwnership(current: readonly OwnedItem[], added: readonly OwnedItem[]): OwnedItem[] {
  const byKey = new Map(current.map((item) => [ownedItemKey(item), item] as const));
  for (const item of added) {
    const key = ownedItemKey(item);
    const existing = byKey.get(key);
    if (!existing) byKey.set(key, item);
    else if (existing.kind === 'guest' && item.kind === 'guest' && item.userId && existing.userId !== item.userId) byKey.set(key, { ...existing, userId: item.userId });
    else if (existing.kind === 'teamMember' && item.kind === 'teamMember' && item.userId && existing.userId !== item.userId) byKey.set(key, { ...existing, userId: item.userId });
  }
  return [...byKey.values()];
}

/** Removes released items (by key). */
export function releaseOwnership(current: readonly OwnedItem[], released: readonly OwnedItem[]): OwnedItem[] {
  const keys = new Set(released.map(ownedItemKey));
  return current.filter((item) => !keys.has(ownedItemKey(item)));
}

/** The items claimed for one partnership. */
export function claimsFor(partnershipId: string, claims: readonly OwnershipClaim[]): OwnedItem[] {
  return claims.filter((claim) => claim.partnershipId === partnershipId).map((claim) => claim.item);
}

/** What an apply (or a removal) changes in ownership records. */
export interface OwnershipChange {
  claims: readonly OwnershipClaim[];
  releases: readonly OwnershipClaim[];
  handOvers?: readonly { item: OwnedItem; fromPartnershipId: string; toPartnershipId: string }[];
}

/**
 * The ownership record of `partnershipId` after an apply: its new claims added, its released and
 * handed-over items removed, items handed over to it added. Pure; call it for every partnership
 * named in the change (see `partnershipsInChange`).
 */
export function ownershipAfter(current: readonly OwnedItem[], partnershipId: string, change: OwnershipChange): OwnedItem[] {
  const released = [
    ...claimsFor(partnershipId, change.releases),
    ...(change.handOvers ?? []).filter((handOver) => handOver.fromPartnershipId === partnershipId).map((handOver) => handOver.item),
  ];
  const added = [
    ...claimsFor(partnershipId, change.claims),
    ...(change.handOvers ?? []).filter((handOver) => handOver.toPartnershipId === partnershipId).map((handOver) => handOver.item),
  ];
  return mergeOwnership(releaseOwnership(current, released), added);
}

/** Every partnership whose ownership record the change touches. */
export function partnershipsInChange(change: OwnershipChange): string[] {
  return [
    ...new Set([
      ...change.claims.map((claim) => claim.partnershipId),
      ...change.releases.map((claim) => claim.partnershipId),
      ...(change.handOvers ?? []).flatMap((handOver) => [handOver.fromPartnershipId, handOver.toPartnershipId]),
    ]),
  ];
}
