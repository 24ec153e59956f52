// removePlan(): undo what one partnership owns — and nothing else — in dependency order:
// Teams settings, the source side of cross-tenant sync (job, then its configuration), identity
// sync (before its partner), partner entries, cloud endpoints, and the
// invited guests at the very end (optional: deleting users needs an extra permission).
// Whatever another partnership still needs is handed over to it instead of being removed.
import type { OwnedItem, OwnershipClaim } from '../ownership';
import { ownedItemKey } from '../ownership';
import type { TeamsConfigurations, TeamsConfigurationType } from '../teams/configurations';
import { TEAMS_CONFIGURATION_TYPES } from '../teams/configurations';
import { applyTeamsUpdate, emptyTeamsUpdate, isEmptyTeamsUpdate, type TeamsUpdate, type TeamsValue } from '../teams/changes';
import type { PartnerSettingName, PartnerSettings, TenantState } from '../tenant';
import { teamsUpdateOperation, type OwnershipHandOver, type Plan, type PlanOperation, type PlanWarning } from './operations';
import { describeTeamsUpdate, partnerSettingsDiff, sameB2BSetting, teamsConfiguration, type PlanOptions } from './plan';
import { removeSyncSources } from './syncSource';
import { removeM365Capabilities } from './m365';
import { removeMeetingPolicySettings } from './meetingPolicies';
import { removeTeamMembers } from './teamMembers';
import { findTeamsSwitch, needsOf, partnerSettingsFor, TEAMS_SWITCHES, type Needs, type PartnershipTarget, type TeamsFeature } from './requirements';

export interface RemovePlanOptions extends PlanOptions {
  /** Delete the guests the partnership invited (needs User.ReadWrite.All); default: leave them, with a warning. */
  deleteGuests?: boolean;
}

/**
 * The plan that removes what `partnership` owns. `otherPartnerships` are every other partnership
 * of the deployment that is not being removed (their needs are kept); `actual` must cover the
 * Teams configurations and guests named in `ownership`. Each area below adds its operations to
 * one `RemovalPlan`, in dependency order.
 */
export function removePlan(
  partnership: PartnershipTarget,
  ownership: readonly OwnedItem[],
  otherPartnerships: readonly PartnershipTarget[],
  actual: TenantState,
  options: RemovePlanOptions,
): Plan {
  const scope = removalScope(partnership, ownership, otherPartnerships, actual, options);
  const out = new RemovalPlan(scope.id);
  removeTeamsSettings(scope, out);
  // Meeting policies other than Global (anonymous join), one update per policy.
  out.operations.push(...removeMeetingPolicySettings(scope.id, scope.items, scope.others, actual, out));
  // Cross-tenant sync, source side: it relies on the partner entry (validated credentials).
  out.operations.push(...removeSyncSources(scope.id, scope.items, scope.others, actual, out));
  removeIdentitySync(scope, out);
  // Microsoft 365 capabilities live on the partner entry: before it is restored or deleted.
  out.operations.push(...removeM365Capabilities(scope.id, scope.items, scope.others, actual, out));
  removePartnerEntries(scope, out);
  restorePartnerSettings(scope, out);
  removeCloudEndpoints(scope, out);
  // Team memberships of the guests before the guests themselves.
  out.operations.push(...removeTeamMembers(scope.id, scope.items, scope.others, actual, out));
  removeGuests(scope, out);
  return out.plan();
}

/** What every area reads: the partnership, what it owns, what the others still need, the tenant. */
interface RemovalScope {
  id: string;
  /** What the partnership owns, each item once. */
  items: OwnedItem[];
  others: Needs;
  actual: TenantState;
  options: RemovePlanOptions;
  /** The partner settings this partnership wants (to tell what an admin changed since). */
  mySettings: PartnerSettings;
  /** Partner entries this partnership created (tenant ids, lower case). */
  ownedPartners: Set<string>;
  /**
   * Partner entries this partnership created whose settings an admin changed since: the admin's
   * now — they stay (with their identity sync), and a warning names them.
   */
  partnersChangedByAdmin: Set<string>;
}

function removalScope(
  partnership: PartnershipTarget,
  ownership: readonly OwnedItem[],
  otherPartnerships: readonly PartnershipTarget[],
  actual: TenantState,
  options: RemovePlanOptions,
): RemovalScope {
  const id = partnership.partnershipId;
  const others = needsOf(
    otherPartnerships.filter((other) => other.partnershipId !== id),
    options.localCloud,
    true,
  );
  const mySettings = partnerSettingsFor(partnership.desired);
  const items = [...new Map(ownership.map((item) => [ownedItemKey(item), item] as const)).values()];
  const ownedPartners = new Set(items.flatMap((item) => (item.kind === 'partner' ? [item.tenantId.toLowerCase()] : [])));
  const partnersChangedByAdmin = new Set(
    [...ownedPartners].filter((tenantId) => {
      const current = actual.partners[tenantId];
      return current !== undefined && !others.partners.has(tenantId) && Object.keys(partnerSettingsDiff(current, mySettings)).length > 0;
    }),
  );
  return { id, items, others, actual, options, mySettings, ownedPartners, partnersChangedByAdmin };
}

/** The plan being built, and the three things an area may do with an owned item besides removing it. */
class RemovalPlan {
  readonly operations: PlanOperation[] = [];
  readonly warnings: PlanWarning[] = [];
  readonly handOvers: OwnershipHandOver[] = [];
  readonly released: OwnershipClaim[] = [];

  constructor(private readonly partnershipId: string) {}

  claim(item: OwnedItem): OwnershipClaim {
    return { partnershipId: this.partnershipId, item };
  }

  /** Another partnership still needs it: it becomes theirs (true), or nobody does (false). */
  handOver(item: OwnedItem, to: readonly string[] | undefined): boolean {
    if (!to || to.length === 0) return false;
    this.handOvers.push({ item, fromPartnershipId: this.partnershipId, toPartnershipId: to[0] });
    return true;
  }

  /** Nothing to undo (already gone or already restored): the partnership just stops owning it. */
  release(item: OwnedItem): void {
    this.released.push(this.claim(item));
  }

  /** An admin changed it since the product set it: it is theirs now, left as it is, with a warning. */
  changedByAdmin(item: OwnedItem, what: string): void {
    this.release(item);
    this.warnings.push({
      code: 'ownership.changed-by-admin',
      partnershipIds: [this.partnershipId],
      message: `${what} was changed since the product set it; it is left as it is.`,
      items: [item],
    });
  }

  plan(): Plan {
    return { operations: this.operations, warnings: this.warnings, handOvers: this.handOvers, released: this.released };
  }
}

/** 1. Teams, one update per configuration type: switches back to their previous value, list entries out. */
function removeTeamsSettings({ id, items, others, actual }: RemovalScope, out: RemovalPlan): void {
  for (const type of TEAMS_CONFIGURATION_TYPES) {
    const mine = items.filter(
      (item) =>
        ((item.kind === 'teamsSetting' || item.kind === 'teamsListEntry') && item.configurationType === type) ||
        (item.kind === 'crossCloudMeetingPartner' && type === 'TeamsCrossCloudMeetingConfiguration'),
    );
    if (mine.length === 0) continue;
    const current = teamsConfiguration(actual, type) as unknown as Record<string, unknown>;
    const update = emptyTeamsUpdate(type);
    const releases: OwnershipClaim[] = [];
    for (const item of mine) {
      if (item.kind === 'teamsSetting') {
        if (out.handOver(item, teamsSwitchNeededBy(others, type, item.property))) continue;
        const productValue = findTeamsSwitch(type, item.property)?.value;
        const value = current[item.property];
        if (sameValue(value, item.previous)) out.release(item);
        else if (!sameValue(value, productValue)) out.changedByAdmin(item, `Teams ${type}.${item.property}`);
        else {
          update.set[item.property] = item.previous as TeamsValue;
          releases.push(out.claim(item));
        }
      } else if (item.kind === 'teamsListEntry') {
        if (out.handOver(item, listEntryNeededBy(others, item.property, item.value))) continue;
        const list = (current[item.property] as string[] | undefined) ?? [];
        if (!list.some((entry) => entry.toLowerCase() === item.value.toLowerCase())) out.release(item);
        else {
          (update.removeFromLists[item.property] ??= []).push(item.value);
          releases.push(out.claim(item));
        }
      } else if (item.kind === 'crossCloudMeetingPartner') {
        if (out.handOver(item, others.crossCloudMeetings.get(item.tenantId.toLowerCase())?.partnershipIds)) continue;
        const partners = (current.Partners as TeamsConfigurations['TeamsCrossCloudMeetingConfiguration']['Partners']) ?? [];
        const existing = partners.find((partner) => partner.TenantId.toLowerCase() === item.tenantId.toLowerCase());
        if (!existing && !item.previous) out.release(item);
        else {
          if (item.previous) update.upsertPartners.push(item.previous);
          else update.removePartners.push(item.tenantId);
          releases.push(out.claim(item));
        }
      }
    }
    closeFederationIfEmptied(type, current, update, out.warnings, id);
    if (isEmptyTeamsUpdate(update)) {
      out.released.push(...releases);
      continue;
    }
    out.operations.push(
      teamsUpdateOperation(
        {
          id: `teams.update:${type}`,
          description: describeTeamsUpdate(type, update),
          partnershipIds: [id],
          claims: [],
          releases,
          update,
        },
        current,
      ),
    );
  }
}

const partnerGone = (actual: TenantState, tenantId: string): boolean => !actual.partners[tenantId];
const syncKnownAbsent = (actual: TenantState, tenantId: string): boolean =>
  actual.coverage.identitySyncFor.includes(tenantId) && actual.identitySync[tenantId] === null;

/**
 * 3. Identity sync, before its partner (Graph refuses to delete a partner that still has it):
 * deleted with a partner entry this partnership created, otherwise deleted or restored as owned.
 */
function removeIdentitySync(scope: RemovalScope, out: RemovalPlan): void {
  const { id, items, others, actual, ownedPartners, partnersChangedByAdmin } = scope;
  const keptAnyway = (tenantId: string): boolean =>
    partnerGone(actual, tenantId) || syncKnownAbsent(actual, tenantId) || partnersChangedByAdmin.has(tenantId);
  for (const tenantId of ownedPartners) {
    if (others.partners.has(tenantId) || keptAnyway(tenantId)) continue;
    const syncItem = items.find((item) => item.kind === 'identitySync' && item.tenantId.toLowerCase() === tenantId);
    out.operations.push(identitySyncDelete(id, tenantId, actual, syncItem ? [out.claim(syncItem)] : [], `Remove the identity synchronisation settings of partner ${tenantId}.`));
  }
  for (const item of items) {
    if (item.kind !== 'identitySync') continue;
    const tenantId = item.tenantId.toLowerCase();
    if (ownedPartners.has(tenantId)) {
      if (others.partners.has(tenantId)) out.handOver(item, others.partners.get(tenantId)!.partnershipIds);
      else if (keptAnyway(tenantId)) out.release(item);
      continue; // otherwise released by the delete above
    }
    if (out.handOver(item, others.identitySync.get(tenantId) ?? others.partners.get(tenantId)?.partnershipIds)) continue;
    if (partnerGone(actual, tenantId)) {
      out.release(item);
    } else if (item.previous === null) {
      if (syncKnownAbsent(actual, tenantId)) out.release(item);
      else {
        out.operations.push(
          identitySyncDelete(id, tenantId, actual, [out.claim(item)], `Remove the identity synchronisation settings of partner ${tenantId} added by this partnership.`),
        );
      }
    } else {
      out.operations.push({
        kind: 'identitySync.put',
        id: `identitySync.put:${tenantId}`,
        description: `Restore the identity synchronisation settings of partner ${tenantId}.`,
        partnershipIds: [id],
        claims: [],
        releases: [out.claim(item)],
        tenantId,
        settings: item.previous,
        before: actual.identitySync[tenantId] ?? null,
        after: item.previous,
      });
    }
  }
}

function identitySyncDelete(id: string, tenantId: string, actual: TenantState, releases: OwnershipClaim[], description: string): PlanOperation {
  return {
    kind: 'identitySync.delete',
    id: `identitySync.delete:${tenantId}`,
    description,
    partnershipIds: [id],
    claims: [],
    releases,
    tenantId,
    before: actual.identitySync[tenantId] ?? null,
    after: null,
  };
}

/** 4a. Partner entries this partnership created: deleted, with the settings it owns on them. */
function removePartnerEntries({ id, items, others, actual, ownedPartners, partnersChangedByAdmin }: RemovalScope, out: RemovalPlan): void {
  for (const tenantId of ownedPartners) {
    const item: OwnedItem = { kind: 'partner', tenantId };
    const related = items.filter((other) => other.kind === 'partnerSetting' && other.tenantId.toLowerCase() === tenantId);
    const keeping = others.partners.get(tenantId)?.partnershipIds;
    if (out.handOver(item, keeping)) {
      for (const setting of related) out.handOver(setting, keeping);
      continue;
    }
    if (partnerGone(actual, tenantId)) {
      [item, ...related].forEach((owned) => out.release(owned));
      continue;
    }
    if (partnersChangedByAdmin.has(tenantId)) {
      related.forEach((owned) => out.release(owned));
      out.changedByAdmin(item, `Partner organisation ${tenantId} (its settings)`);
      continue;
    }
    out.operations.push({
      kind: 'partner.delete',
      id: `partner.delete:${tenantId}`,
      description: `Remove partner organisation ${tenantId} from the cross-tenant access settings.`,
      partnershipIds: [id],
      claims: [],
      releases: [item, ...related].map((owned) => out.claim(owned)),
      tenantId,
      before: actual.partners[tenantId],
      after: null,
    });
  }
}

/** 4b. Settings this partnership changed on partner entries it did not create: the previous values back. */
function restorePartnerSettings({ id, items, others, actual, ownedPartners, mySettings }: RemovalScope, out: RemovalPlan): void {
  const restores = new Map<string, { settings: PartnerSettings; releases: OwnershipClaim[] }>();
  for (const item of items) {
    if (item.kind !== 'partnerSetting') continue;
    const tenantId = item.tenantId.toLowerCase();
    if (ownedPartners.has(tenantId)) continue;
    if (out.handOver(item, others.partners.get(tenantId)?.partnershipIds)) continue;
    const current = actual.partners[tenantId];
    if (!current) {
      out.release(item);
      continue;
    }
    // Restored already (a removal run again after its write): nothing left to do, nothing an admin changed.
    if (holdsPrevious(item.setting, current, item.previous)) {
      out.release(item);
      continue;
    }
    if (!stillAsSet(item.setting, current, mySettings)) {
      out.changedByAdmin(item, `Setting ${item.setting} of partner ${tenantId}`);
      continue;
    }
    const restore = restores.get(tenantId) ?? { settings: {}, releases: [] };
    (restore.settings as Record<string, unknown>)[item.setting] = item.previous;
    restore.releases.push(out.claim(item));
    restores.set(tenantId, restore);
  }
  for (const [tenantId, restore] of restores) {
    out.operations.push({
      kind: 'partner.update',
      id: `partner.update:${tenantId}`,
      description: `Restore ${Object.keys(restore.settings).join(', ')} of partner organisation ${tenantId}.`,
      partnershipIds: [id],
      claims: [],
      releases: restore.releases,
      tenantId,
      settings: restore.settings,
      before: Object.fromEntries(Object.keys(restore.settings).map((name) => [name, actual.partners[tenantId][name as PartnerSettingName] ?? null])),
      after: restore.settings,
    });
  }
}

/** 5. Cloud endpoints last among the policy: only those no other partnership needs. */
function removeCloudEndpoints({ id, items, others, actual }: RemovalScope, out: RemovalPlan): void {
  const remove: string[] = [];
  const releases: OwnershipClaim[] = [];
  for (const item of items) {
    if (item.kind !== 'cloudEndpoint') continue;
    if (out.handOver(item, others.endpoints.get(item.value))) continue;
    if (!actual.allowedCloudEndpoints.some((value) => value.toLowerCase() === item.value.toLowerCase())) out.release(item);
    else {
      remove.push(item.value);
      releases.push(out.claim(item));
    }
  }
  if (remove.length === 0) return;
  out.operations.push({
    kind: 'cloudEndpoints.update',
    id: 'cloudEndpoints.update',
    description: `Disable collaboration with ${remove.join(', ')} in the Microsoft cloud settings.`,
    partnershipIds: [id],
    claims: [],
    releases,
    add: [],
    remove,
    before: { allowedCloudEndpoints: actual.allowedCloudEndpoints },
    after: {
      allowedCloudEndpoints: actual.allowedCloudEndpoints.filter((value) => !remove.some((removed) => removed.toLowerCase() === value.toLowerCase())),
    },
  });
}

/**
 * 6. Guests last: deleting a user needs User.ReadWrite.All, which the product's documented
 * permissions do not include; nothing else depends on it, so a refusal leaves the rest done.
 * Without `deleteGuests` they stay, and a warning names them.
 */
function removeGuests({ id, items, others, actual, options }: RemovalScope, out: RemovalPlan): void {
  const leftInPlace: string[] = [];
  for (const item of items) {
    if (item.kind !== 'guest') continue;
    const upn = item.upn.toLowerCase();
    if (out.handOver(item, others.guests.get(upn))) continue;
    const guest = actual.guests[upn];
    if (!guest) {
      out.release(item);
      continue;
    }
    if (!options.deleteGuests) {
      leftInPlace.push(upn);
      out.release(item);
      continue;
    }
    out.operations.push({
      kind: 'guest.delete',
      id: `guest.delete:${upn}`,
      description: `Remove the guest ${upn} this partnership invited.`,
      partnershipIds: [id],
      claims: [],
      releases: [out.claim(item)],
      upn,
      userId: guest.id,
      before: guest,
      after: null,
    });
  }
  if (leftInPlace.length === 0) return;
  out.warnings.push({
    code: 'guests.left-in-place',
    partnershipIds: [id],
    message: `The guests ${leftInPlace.join(', ')} invited by this partnership stay in the tenant: remove them in the Entra admin center, or grant User.ReadWrite.All and enable guest deletion.`,
    items: items.filter((item) => item.kind === 'guest' && leftInPlace.includes(item.upn.toLowerCase())),
  });
}

function teamsSwitchNeededBy(needs: Needs, type: TeamsConfigurationType, property: string): string[] | undefined {
  for (const [feature, ids] of needs.teamsFeatures) {
    if (TEAMS_SWITCHES[feature as TeamsFeature].some((s) => s.configurationType === type && s.property === property)) return ids;
  }
  return undefined;
}

function listEntryNeededBy(needs: Needs, property: string, value: string): string[] | undefined {
  const map =
    property === 'AllowedDomains'
      ? needs.federationDomains
      : property === 'BlockedDomains'
        ? needs.blockedDomains
        : property === 'AllowedAcsResources'
          ? needs.acsResources
          : undefined;
  return map?.get(value.toLowerCase());
}

/** Value equality of Teams settings (lists compared by content). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** True when the partner setting holds the value it had before this partnership changed it. */
function holdsPrevious(setting: PartnerSettingName, current: PartnerSettings, previous: unknown): boolean {
  if (sameValue(current[setting], previous)) return true;
  if (setting === 'automaticUserConsentSettings') return false;
  return sameB2BSetting(current[setting] as Parameters<typeof sameB2BSetting>[0], previous as Parameters<typeof sameB2BSetting>[0]);
}

/** True when the partner setting still holds what this partnership wrote. */
function stillAsSet(setting: PartnerSettingName, current: PartnerSettings, mine: PartnerSettings): boolean {
  if (!(setting in mine)) return false;
  if (setting === 'automaticUserConsentSettings') {
    return Object.keys(partnerSettingsDiff(current, { automaticUserConsentSettings: mine.automaticUserConsentSettings })).length === 0;
  }
  return sameB2BSetting(current[setting], mine[setting]);
}

/**
 * Removing the last allowed domain while federation stays on would open federation to every
 * domain: turn federation off instead (the admin had no domain of their own on the list).
 */
function closeFederationIfEmptied(
  type: TeamsConfigurationType,
  current: Record<string, unknown>,
  update: TeamsUpdate,
  warnings: PlanWarning[],
  partnershipId: string,
): void {
  if (type !== 'TenantFederationSettings' || !(update.removeFromLists.AllowedDomains?.length)) return;
  const after = applyTeamsUpdate(current as never, update) as unknown as TeamsConfigurations['TenantFederationSettings'];
  const before = current as unknown as TeamsConfigurations['TenantFederationSettings'];
  if (before.AllowedDomains.length > 0 && after.AllowedDomains.length === 0 && after.AllowFederatedUsers) {
    update.set.AllowFederatedUsers = false;
    warnings.push({
      code: 'teams.federation-closed',
      partnershipIds: [partnershipId],
      message: 'The last allowed federation domain is removed, so external access is turned off rather than opened to every domain.',
    });
  }
}
