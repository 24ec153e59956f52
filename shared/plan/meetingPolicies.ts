// Anonymous join in meeting policies other than Global (`Tag:Name`): plan the switches of each
// named policy, and undo what one partnership turned. A policy that does not exist is not created
// (that is an administrator's decision): the plan warns, and a later reconcile picks it up.
import type { OwnedItem, OwnershipClaim } from '../ownership';
import { emptyTeamsUpdate, isEmptyTeamsUpdate, type TeamsValue } from '../teams/changes';
import type { TenantState } from '../tenant';
import { DomainError } from '../errors';
import { teamsUpdateOperation, type OwnershipHandOver, type PlanWarning, type TeamsConfigurationUpdate } from './operations';
import { MEETING_POLICY_SWITCHES, type Needs } from './requirements';

function policyOf(actual: TenantState, identity: string): Record<string, unknown> | null {
  if (!actual.coverage.meetingPoliciesFor?.includes(identity)) {
    throw new DomainError('internal', `The tenant state does not include the meeting policy ${identity}: read it first.`);
  }
  return (actual.meetingPolicies?.[identity] as unknown as Record<string, unknown> | null | undefined) ?? null;
}

const describe = (identity: string, changes: string): string => `Teams meeting policy ${identity}: ${changes}.`;

export function planMeetingPolicies(needs: Needs, actual: TenantState, warnings: PlanWarning[]): TeamsConfigurationUpdate[] {
  const operations: TeamsConfigurationUpdate[] = [];
  for (const [identity, partnershipIds] of needs.meetingPolicies) {
    const current = policyOf(actual, identity);
    if (!current) {
      warnings.push({
        code: 'teams.meeting-policy-missing',
        partnershipIds: [...partnershipIds],
        message: `The meeting policy ${identity.replace(/^Tag:/, '')} does not exist in this tenant, so anonymous join is not turned on in it; create it (New-CsTeamsMeetingPolicy) or correct teams.meetingPolicies.`,
      });
      continue;
    }
    const update = emptyTeamsUpdate('TeamsMeetingPolicy', identity);
    const claims: OwnershipClaim[] = [];
    for (const teamsSwitch of MEETING_POLICY_SWITCHES) {
      const value = current[teamsSwitch.property];
      if (teamsSwitch.satisfiedBy(value)) continue;
      update.set[teamsSwitch.property] = teamsSwitch.value;
      for (const partnershipId of partnershipIds) {
        claims.push({ partnershipId, item: { kind: 'meetingPolicySetting', identity, property: teamsSwitch.property, previous: value ?? null } });
      }
    }
    if (isEmptyTeamsUpdate(update)) continue;
    operations.push(
      teamsUpdateOperation(
        {
          id: `teams.update:TeamsMeetingPolicy:${identity}`,
          description: describe(identity, Object.entries(update.set).map(([property, value]) => `set ${property} to ${String(value)}`).join('; ')),
          partnershipIds: [...partnershipIds],
          claims,
          releases: [],
          update,
        },
        current,
      ),
    );
  }
  return operations;
}

/** Restores the meeting policy switches one partnership turned (hand-over when another needs them). */
export function removeMeetingPolicySettings(
  partnershipId: string,
  items: readonly OwnedItem[],
  others: Needs,
  actual: TenantState,
  out: { handOvers: OwnershipHandOver[]; released: OwnershipClaim[]; warnings: PlanWarning[] },
): TeamsConfigurationUpdate[] {
  const byPolicy = new Map<string, Extract<OwnedItem, { kind: 'meetingPolicySetting' }>[]>();
  for (const item of items) {
    if (item.kind !== 'meetingPolicySetting') continue;
    byPolicy.set(item.identity, [...(byPolicy.get(item.identity) ?? []), item]);
  }
  const operations: TeamsConfigurationUpdate[] = [];
  for (const [identity, owned] of byPolicy) {
    const claim = (item: OwnedItem): OwnershipClaim => ({ partnershipId, item });
    const keeping = others.meetingPolicies.get(identity);
    if (keeping) {
      for (const item of owned) out.handOvers.push({ item, fromPartnershipId: partnershipId, toPartnershipId: keeping[0] });
      continue;
    }
    const current = actual.meetingPolicies?.[identity] as unknown as Record<string, unknown> | null | undefined;
    if (!current) {
      owned.forEach((item) => out.released.push(claim(item)));
      continue;
    }
    const update = emptyTeamsUpdate('TeamsMeetingPolicy', identity);
    const releases: OwnershipClaim[] = [];
    for (const item of owned) {
      const value = current[item.property];
      const productValue = MEETING_POLICY_SWITCHES.find((teamsSwitch) => teamsSwitch.property === item.property)?.value;
      if (JSON.stringify(value) === JSON.stringify(item.previous)) {
        out.released.push(claim(item));
      } else if (JSON.stringify(value) !== JSON.stringify(productValue)) {
        out.released.push(claim(item));
        out.warnings.push({
          code: 'ownership.changed-by-admin',
          partnershipIds: [partnershipId],
          message: `Teams meeting policy ${identity}.${item.property} was changed since the product set it; it is left as it is.`,
        });
      } else {
        update.set[item.property] = item.previous as TeamsValue;
        releases.push(claim(item));
      }
    }
    if (isEmptyTeamsUpdate(update)) continue;
    operations.push(
      teamsUpdateOperation(
        {
          id: `teams.update:TeamsMeetingPolicy:${identity}`,
          description: describe(identity, Object.entries(update.set).map(([property, value]) => `restore ${property} to ${String(value)}`).join('; ')),
          partnershipIds: [partnershipId],
          claims: [],
          releases,
          update,
        },
        current,
      ),
    );
  }
  return operations;
}
