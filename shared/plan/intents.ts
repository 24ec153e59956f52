// Ownership intents: what a partnership's operations are about to add, recorded BEFORE they write
// and cleared once the ownership of what they wrote is recorded. A crash (or a storage failure)
// between a tenant write and its ownership record leaves the intent behind; the next run reads the
// tenant, adopts every intent whose write is visible there (it is then owned like anything else:
// a retry does not plan it again, compensation undoes it) and drops the others (nothing landed,
// the plan will ask for it again). See docs/robustness.md.
//
// Removal intents are the same for what a removal (offboarding, compensation) is about to take
// away: each planned removal is recorded with the Events row it will be recorded with, before the
// write. After an interruption the removal that resumes plans again from the tenant: a recorded
// removal it no longer needs to make was written (the item is gone or restored), so its row is
// appended then — each removal is recorded exactly once. See docs/offboarding.md.
import { ownedItemKey, type OwnedItem } from '../ownership';
import type { NewEvent } from '../tables/events';
import type { AppliedOperation } from './apply';
import { auditEvents, type AuditContext } from './audit';
import type { PartnerSettingName, PartnerSettings, TenantState } from '../tenant';
import type { Plan } from './operations';
import { partnerSettingsDiff, sameB2BSetting } from './plan';
import { findTeamsSwitch, partnerSettingsFor, type PartnershipTarget } from './requirements';
import { syncSourceOf } from './syncSource';

/** What the plan's operations would add for one partnership (one entry per owned item). */
export function intentsOf(plan: Plan, partnershipId: string): OwnedItem[] {
  const byKey = new Map<string, OwnedItem>();
  for (const operation of plan.operations) {
    for (const claim of operation.claims) {
      if (claim.partnershipId !== partnershipId) continue;
      const key = ownedItemKey(claim.item);
      if (!byKey.has(key)) byKey.set(key, claim.item);
    }
  }
  return [...byKey.values()];
}

/** Intents left over after an apply: those whose ownership the apply did not record. */
export function intentsLeft(intents: readonly OwnedItem[], recorded: readonly OwnedItem[]): OwnedItem[] {
  const done = new Set(recorded.map(ownedItemKey));
  return intents.filter((item) => !done.has(ownedItemKey(item)));
}

export interface SettledIntents {
  /** Writes that landed: owned from now on (a guest with the user id found in the tenant). */
  adopted: OwnedItem[];
  /** Writes that never happened: forgotten. */
  dropped: OwnedItem[];
}

/**
 * Sorts intents into those whose write is visible in `actual` and those whose write never
 * happened. `actual` must cover what the intents name (read it with `ownership: intents`).
 * Pure. An intent's `previous` value is what the tenant held before the write, so an intent whose
 * setting still holds it did not land.
 */
export function settleIntents(intents: readonly OwnedItem[], actual: TenantState, target: Pick<PartnershipTarget, 'desired'>): SettledIntents {
  const settled: SettledIntents = { adopted: [], dropped: [] };
  const wanted = partnerSettingsFor(target.desired);
  for (const item of intents) {
    const landed = landedItem(item, actual, wanted);
    if (landed) settled.adopted.push(landed);
    else settled.dropped.push(item);
  }
  return settled;
}

/** The item as it is owned now when its write landed, else undefined. */
function landedItem(item: OwnedItem, actual: TenantState, wanted: PartnerSettings): OwnedItem | undefined {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  switch (item.kind) {
    case 'cloudEndpoint':
      return actual.allowedCloudEndpoints.some((value) => value.toLowerCase() === item.value.toLowerCase()) ? item : undefined;
    case 'partner':
      return actual.partners[item.tenantId.toLowerCase()] ? item : undefined;
    case 'partnerSetting': {
      const current = actual.partners[item.tenantId.toLowerCase()];
      return current && holdsWanted(item.setting, current, wanted) && !same(current[item.setting], item.previous) ? item : undefined;
    }
    case 'identitySync': {
      const current = actual.identitySync[item.tenantId.toLowerCase()];
      return current?.userSyncInbound?.isSyncAllowed === true && !same(current, item.previous) ? item : undefined;
    }
    case 'teamsSetting': {
      const value = (actual.teams[item.configurationType] as Record<string, unknown> | undefined)?.[item.property];
      const satisfied = findTeamsSwitch(item.configurationType, item.property)?.satisfiedBy(value) ?? false;
      return satisfied && !same(value, item.previous) ? item : undefined;
    }
    case 'teamsListEntry': {
      const list = (actual.teams[item.configurationType] as Record<string, unknown> | undefined)?.[item.property];
      return Array.isArray(list) && list.some((entry) => String(entry).toLowerCase() === item.value.toLowerCase()) ? item : undefined;
    }
    case 'crossCloudMeetingPartner': {
      const partners = actual.teams.TeamsCrossCloudMeetingConfiguration?.Partners ?? [];
      const current = partners.find((partner) => partner.TenantId.toLowerCase() === item.tenantId.toLowerCase()) ?? null;
      return current && !same(current, item.previous) ? item : undefined;
    }
    case 'guest': {
      const guest = actual.guests[item.upn.toLowerCase()];
      return guest ? { ...item, userId: guest.id } : undefined;
    }
    case 'syncConfiguration':
      return syncSourceOf(actual, item.targetTenantId) ? item : undefined;
  }
}

/** True when the partner setting holds what the partnership asks for. */
function holdsWanted(setting: PartnerSettingName, current: PartnerSettings, wanted: PartnerSettings): boolean {
  if (!(setting in wanted)) return false;
  if (setting === 'automaticUserConsentSettings') {
    return Object.keys(partnerSettingsDiff(current, { automaticUserConsentSettings: wanted.automaticUserConsentSettings })).length === 0;
  }
  return sameB2BSetting(current[setting], wanted[setting]);
}

/** A removal about to be written, with the Events row that records it once done. */
export interface RemovalIntent {
  operationId: string;
  /** Its number among the rows of its removal (a resumed removal numbers its own rows after it). */
  index: number;
  /** What the operation takes away (released, or handed over, when done). */
  items: OwnedItem[];
  /** The row recorded for it (its stable id makes a second append store nothing). */
  event: NewEvent;
}

/** One intent per operation of a removal plan, for `partnershipId`, numbered from `context.firstIndex`. */
export function removalIntentsOf(removal: Plan, partnershipId: string, context: AuditContext): RemovalIntent[] {
  const applied: AppliedOperation[] = removal.operations.map((operation) => ({ operationId: operation.id, kind: operation.kind, outcome: 'applied' }));
  const rows = auditEvents(removal, { applied }, context);
  const first = context.firstIndex ?? 0;
  return removal.operations.flatMap((operation, position): RemovalIntent[] => {
    const event = rows.find((row) => row.operationId === operation.id && row.partnershipId === partnershipId);
    if (!event) return [];
    return [{ operationId: operation.id, index: first + position, items: operation.releases.filter((claim) => claim.partnershipId === partnershipId).map((claim) => claim.item), event }];
  });
}

/** Where a resumed removal numbers its rows: after every row the interrupted one planned. */
export function nextRemovalIndex(intents: readonly RemovalIntent[]): number {
  return intents.reduce((next, intent) => Math.max(next, intent.index + 1), 0);
}

export interface SettledRemovals {
  /** Written before the interruption: their rows are recorded now. */
  landed: RemovalIntent[];
  /** Not written (the new plan makes them, and records them itself). */
  pending: RemovalIntent[];
}

/**
 * Sorts the removals an interrupted run recorded by the plan made again from the tenant now: one
 * the new plan no longer makes — and whose items it neither hands over nor leaves alone as changed
 * by an admin — was written. Pure.
 */
export function settleRemovalIntents(intents: readonly RemovalIntent[], again: Plan): SettledRemovals {
  const planned = new Set(again.operations.map((operation) => operation.id));
  const stillThere = new Set([...again.handOvers.map((handOver) => ownedItemKey(handOver.item)), ...again.warnings.flatMap((warning) => (warning.items ?? []).map(ownedItemKey))]);
  const settled: SettledRemovals = { landed: [], pending: [] };
  for (const intent of intents) {
    const written = !planned.has(intent.operationId) && !intent.items.some((item) => stillThere.has(ownedItemKey(item)));
    (written ? settled.landed : settled.pending).push(intent);
  }
  return settled;
}

/** The Events rows of the removals performed: the row each intent carries, told how it went. */
export function removalEvents(intents: readonly RemovalIntent[], applied: readonly AppliedOperation[]): NewEvent[] {
  const byId = new Map(intents.map((intent) => [intent.operationId, intent] as const));
  return applied.flatMap((done): NewEvent[] => {
    const intent = byId.get(done.operationId);
    if (!intent) return [];
    return [
      {
        ...intent.event,
        ...(done.outcome === 'unchanged' ? { message: `${intent.event.message} (already in place)` } : {}),
        data: { ...intent.event.data, outcome: done.outcome, ...(done.userId ? { userId: done.userId } : {}) },
      },
    ];
  });
}
