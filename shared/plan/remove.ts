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
import type { OwnershipHandOver, Plan, PlanOperation, PlanWarning } from './operations';
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
 * Teams configurations and guests named in `ownership`.
 */
export function removePlan(
  partnership: PartnershipTarget,
  ownership: readonly OwnedItem[],
  otherPartnerships: readonly PartnershipTarget[],
  actual: TenantState,
  options: RemovePlanOptions,
): Plan {
  const id = partnership.partnershipId;
  const others = needsOf(
    otherPartnerships.filter((other) => other.partnershipId !== id),
    options.localCloud,
    true,
  );
  const mySettings = partnerSettingsFor(partnership.desired);
  const operations: PlanOperation[] = [];
  const warnings: PlanWarning[] = [];
  const handOvers: OwnershipHandOver[] = [];
  const released: OwnershipClaim[] = [];

  const claim = (item: OwnedItem): OwnershipClaim => ({ partnershipId: id, item });
  const handOver = (item: OwnedItem, to: readonly string[] | undefined): boolean => {
    if (!to || to.length === 0) return false;
    handOvers.push({ item, fromPartnershipId: id, toPartnershipId: to[0] });
    return true;
  };
  const release = (item: OwnedItem): void => {
    released.push(claim(item));
  };
  const changedByAdmin = (item: OwnedItem, what: string): void => {
    release(item);
    warnings.push({
      code: 'ownership.changed-by-admin',
      partnershipIds: [id],
      message: `${what} was changed since the product set it; it is left as it is.`,
      items: [item],
    });
  };

  const unique = new Map(ownership.map((item) => [ownedItemKey(item), item] as const));
  const items = [...unique.values()];
  const ownedPartners = new Set(items.filter((item) => item.kind === 'partner').map((item) => (item as { tenantId: string }).tenantId.toLowerCase()));
  // A partner entry this partnership created whose settings an admin changed since is the admin's
  // now: it stays (with its identity sync), and the warning names it.
  const partnersChangedByAdmin = new Set(
    [...ownedPartners].filter((tenantId) => {
      const current = actual.partners[tenantId];
      return current !== undefined && !others.partners.has(tenantId) && Object.keys(partnerSettingsDiff(current, mySettings)).length > 0;
    }),
  );

  // 1. Teams, one update per configuration type.
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
        if (handOver(item, teamsSwitchNeededBy(others, type, item.property))) continue;
        const productValue = findTeamsSwitch(type, item.property)?.value;
        const value = current[item.property];
        if (sameValue(value, item.previous)) release(item);
        else if (!sameValue(value, productValue)) changedByAdmin(item, `Teams ${type}.${item.property}`);
        else {
          update.set[item.property] = item.previous as TeamsValue;
          releases.push(claim(item));
        }
      } else if (item.kind === 'teamsListEntry') {
        const neededBy = listEntryNeededBy(others, item.property, item.value);
        if (handOver(item, neededBy)) continue;
        const list = (current[item.property] as string[] | undefined) ?? [];
        if (!list.some((entry) => entry.toLowerCase() === item.value.toLowerCase())) release(item);
        else {
          (update.removeFromLists[item.property] ??= []).push(item.value);
          releases.push(claim(item));
        }
      } else if (item.kind === 'crossCloudMeetingPartner') {
        if (handOver(item, others.crossCloudMeetings.get(item.tenantId.toLowerCase())?.partnershipIds)) continue;
        const partners = (current.Partners as TeamsConfigurations['TeamsCrossCloudMeetingConfiguration']['Partners']) ?? [];
        const existing = partners.find((partner) => partner.TenantId.toLowerCase() === item.tenantId.toLowerCase());
        if (!existing && !item.previous) release(item);
        else {
          if (item.previous) update.upsertPartners.push(item.previous);
          else update.removePartners.push(item.tenantId);
          releases.push(claim(item));
        }
      }
    }
    closeFederationIfEmptied(type, current, update, warnings, id);
    if (isEmptyTeamsUpdate(update)) {
      released.push(...releases);
      continue;
    }
    operations.push({
      kind: 'teams.update',
      id: `teams.update:${type}`,
      description: describeTeamsUpdate(type, update),
      partnershipIds: [id],
      claims: [],
      releases,
      update,
      before: current,
      after: applyTeamsUpdate(current as never, update),
    });
  }

  // Meeting policies other than Global (anonymous join), one update per policy.
  operations.push(...removeMeetingPolicySettings(id, items, others, actual, { handOvers, released, warnings }));

  // 2. Cross-tenant sync, source side: it relies on the partner entry (validated credentials).
  operations.push(...removeSyncSources(id, items, others, actual, { handOvers, released }));

  // 3. Identity sync before its partner (Graph refuses to delete a partner that still has it).
  const partnerGone = (tenantId: string): boolean => !actual.partners[tenantId];
  const syncKnownAbsent = (tenantId: string): boolean =>
    actual.coverage.identitySyncFor.includes(tenantId) && actual.identitySync[tenantId] === null;
  for (const tenantId of ownedPartners) {
    if (others.partners.has(tenantId) || partnerGone(tenantId) || syncKnownAbsent(tenantId) || partnersChangedByAdmin.has(tenantId)) continue;
    const syncItem = items.find((item) => item.kind === 'identitySync' && item.tenantId.toLowerCase() === tenantId);
    operations.push({
      kind: 'identitySync.delete',
      id: `identitySync.delete:${tenantId}`,
      description: `Remove the identity synchronisation settings of partner ${tenantId}.`,
      partnershipIds: [id],
      claims: [],
      releases: syncItem ? [claim(syncItem)] : [],
      tenantId,
      before: actual.identitySync[tenantId] ?? null,
      after: null,
    });
  }
  for (const item of items) {
    if (item.kind !== 'identitySync') continue;
    const tenantId = item.tenantId.toLowerCase();
    if (ownedPartners.has(tenantId)) {
      if (others.partners.has(tenantId)) handOver(item, others.partners.get(tenantId)!.partnershipIds);
      else if (partnerGone(tenantId) || syncKnownAbsent(tenantId) || partnersChangedByAdmin.has(tenantId)) release(item);
      continue; // released by the delete above
    }
    if (handOver(item, others.identitySync.get(tenantId) ?? others.partners.get(tenantId)?.partnershipIds)) continue;
    if (partnerGone(tenantId)) {
      release(item);
    } else if (item.previous === null) {
      if (syncKnownAbsent(tenantId)) release(item);
      else {
        operations.push({
          kind: 'identitySync.delete',
          id: `identitySync.delete:${tenantId}`,
          description: `Remove the identity synchronisation settings of partner ${tenantId} added by this partnership.`,
          partnershipIds: [id],
          claims: [],
          releases: [claim(item)],
          tenantId,
          before: actual.identitySync[tenantId] ?? null,
          after: null,
        });
      }
    } else {
      operations.push({
        kind: 'identitySync.put',
        id: `identitySync.put:${tenantId}`,
        description: `Restore the identity synchronisation settings of partner ${tenantId}.`,
        partnershipIds: [id],
        claims: [],
        releases: [claim(item)],
        tenantId,
        settings: item.previous,
        before: actual.identitySync[tenantId] ?? null,
        after: item.previous,
      });
    }
  }

  // Microsoft 365 capabilities live on the partner entry: before it is restored or deleted.
  operations.push(...removeM365Capabilities(id, items, others, actual, { handOvers, released, warnings }));

  // 4. Partner entries: delete the ones this partnership created, restore settings it changed.
  for (const tenantId of ownedPartners) {
    const item: OwnedItem = { kind: 'partner', tenantId };
    if (handOver(item, others.partners.get(tenantId)?.partnershipIds)) {
      for (const related of items) {
        if (related.kind === 'partnerSetting' && related.tenantId.toLowerCase() === tenantId) handOver(related, others.partners.get(tenantId)!.partnershipIds);
      }
      continue;
    }
    const related = items.filter((other) => other.kind === 'partnerSetting' && other.tenantId.toLowerCase() === tenantId);
    if (partnerGone(tenantId)) {
      [item, ...related].forEach(release);
      continue;
    }
    if (partnersChangedByAdmin.has(tenantId)) {
      related.forEach(release);
      changedByAdmin(item, `Partner organisation ${tenantId} (its settings)`);
      continue;
    }
    operations.push({
      kind: 'partner.delete',
      id: `partner.delete:${tenantId}`,
      description: `Remove partner organisation ${tenantId} from the cross-tenant access settings.`,
      partnershipIds: [id],
      claims: [],
      releases: [item, ...related].map(claim),
      tenantId,
      before: actual.partners[tenantId],
      after: null,
    });
  }
  const restores = new Map<string, { settings: PartnerSettings; releases: OwnershipClaim[] }>();
  for (const item of items) {
    if (item.kind !== 'partnerSetting') continue;
    const tenantId = item.tenantId.toLowerCase();
    if (ownedPartners.has(tenantId)) continue;
    if (handOver(item, others.partners.get(tenantId)?.partnershipIds)) continue;
    const current = actual.partners[tenantId];
    if (!current) {
      release(item);
      continue;
    }
    // Restored already (a removal run again after its write): nothing left to do, nothing an admin changed.
    if (holdsPrevious(item.setting, current, item.previous)) {
      release(item);
      continue;
    }
    if (!stillAsSet(item.setting, current, mySettings)) {
      changedByAdmin(item, `Setting ${item.setting} of partner ${tenantId}`);
      continue;
    }
    const restore = restores.get(tenantId) ?? { settings: {}, releases: [] };
    (restore.settings as Record<string, unknown>)[item.setting] = item.previous;
    restore.releases.push(claim(item));
    restores.set(tenantId, restore);
  }
  for (const [tenantId, restore] of restores) {
    operations.push({
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

  // 5. Cloud endpoints last: only when no other partnership needs them.
  const removeEndpoints: string[] = [];
  const endpointReleases: OwnershipClaim[] = [];
  for (const item of items) {
    if (item.kind !== 'cloudEndpoint') continue;
    if (handOver(item, others.endpoints.get(item.value))) continue;
    if (!actual.allowedCloudEndpoints.some((value) => value.toLowerCase() === item.value.toLowerCase())) release(item);
    else {
      removeEndpoints.push(item.value);
      endpointReleases.push(claim(item));
    }
  }
  if (removeEndpoints.length > 0) {
    operations.push({
      kind: 'cloudEndpoints.update',
      id: 'cloudEndpoints.update',
      description: `Disable collaboration with ${removeEndpoints.join(', ')} in the Microsoft cloud settings.`,
      partnershipIds: [id],
      claims: [],
      releases: endpointReleases,
      add: [],
      remove: removeEndpoints,
      before: { allowedCloudEndpoints: actual.allowedCloudEndpoints },
      after: {
        allowedCloudEndpoints: actual.allowedCloudEndpoints.filter(
          (value) => !removeEndpoints.some((removed) => removed.toLowerCase() === value.toLowerCase()),
        ),
      },
    });
  }

  // Team memberships of the guests before the guests themselves.
  operations.push(...removeTeamMembers(id, items, others, actual, { handOvers, released }));

  // 6. Guests last: deleting a user needs User.ReadWrite.All, which the product's documented
  // permissions do not include; nothing else depends on it, so a refusal leaves the rest done.
  const leftInPlace: string[] = [];
  for (const item of items) {
    if (item.kind !== 'guest') continue;
    const upn = item.upn.toLowerCase();
    if (handOver(item, others.guests.get(upn))) continue;
    const guest = actual.guests[upn];
    if (!guest) {
      release(item);
      continue;
    }
    if (!options.deleteGuests) {
      leftInPlace.push(upn);
      release(item);
      continue;
    }
    operations.push({
      kind: 'guest.delete',
      id: `guest.delete:${upn}`,
      description: `Remove the guest ${upn} this partnership invited.`,
      partnershipIds: [id],
      claims: [],
      releases: [claim(item)],
      upn,
      userId: guest.id,
      before: guest,
      after: null,
    });
  }
  if (leftInPlace.length > 0) {
    warnings.push({
      code: 'guests.left-in-place',
      partnershipIds: [id],
      message: `The guests ${leftInPlace.join(', ')} invited by this partnership stay in the tenant: remove them in the Entra admin center, or grant User.ReadWrite.All and enable guest deletion.`,
      items: items.filter((item) => item.kind === 'guest' && leftInPlace.includes(item.upn.toLowerCase())),
    });
  }

  return { operations, warnings, handOvers, released };
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
