// plan(): the ordered operations that bring a tenant from its actual state to what the
// partnerships need. Pure. Writes merge: nothing the product does not need is ever removed.
import { DomainError } from '../errors';
import type { CloudName } from '../clouds';
import { DEFAULTS } from '../config';
import type { OwnershipClaim } from '../ownership';
import type { TeamsConfigurations, TeamsConfigurationType } from '../teams/configurations';
import { TEAMS_CONFIGURATION_TYPES } from '../teams/configurations';
import { emptyTeamsUpdate, isEmptyTeamsUpdate } from '../teams/changes';
import type {
  AutomaticUserConsentSettings,
  B2BSetting,
  M365CollaborationInboundSetting,
  M365CollaborationOutboundSetting,
  PartnerSettingName,
  PartnerSettings,
  TenantState,
} from '../tenant';
import { teamsUpdateOperation, type Plan, type PlanOperation, type PlanWarning } from './operations';
import { planSyncSources } from './syncSource';
import { planM365Capabilities } from './m365';
import { planMeetingPolicies } from './meetingPolicies';
import { planTeamMembers } from './teamMembers';
import { needsOf, TEAMS_LISTS, TEAMS_SWITCHES, type Needs, type PartnershipTarget, type TeamsFeature } from './requirements';

export interface PlanOptions {
  /** The cloud of the tenant being planned (decides which partners are cross-cloud). */
  localCloud: CloudName;
  /** inviteRedirectUrl of guest invitations. */
  guestInviteRedirectUrl?: string;
}

/** Plan for the given partnerships against the actual state. An already-correct tenant yields no operations. */
export function plan(targets: readonly PartnershipTarget[], actual: TenantState, options: PlanOptions): Plan {
  const needs = needsOf(targets, options.localCloud, false, { guestInviteRedirectUrl: options.guestInviteRedirectUrl });
  const operations: PlanOperation[] = [];
  const warnings: PlanWarning[] = [...needs.warnings];

  operations.push(...planCloudEndpoints(needs, actual));
  operations.push(...planPartners(needs, actual));
  operations.push(...planIdentitySync(needs, actual));
  // Capabilities live on the partner entry, over its Microsoft 365 collaboration trust.
  operations.push(...planM365Capabilities(needs, actual));
  operations.push(...planTeams(needs, actual, warnings));
  operations.push(...planMeetingPolicies(needs, actual, warnings));
  warnings.push(...coexistenceWarnings(needs, actual));
  operations.push(...planGuests(needs, actual, options.guestInviteRedirectUrl ?? DEFAULTS.guestInviteRedirectUrl));
  operations.push(...planTeamMembers(needs, actual, warnings));
  // Last: the target must allow inbound sync (and both sides the partner entries) before validation.
  operations.push(...planSyncSources(needs, actual, warnings));
  return { operations, warnings, handOvers: [], released: [] };
}

const claimsOf = (partnershipIds: readonly string[], item: OwnershipClaim['item']): OwnershipClaim[] =>
  partnershipIds.map((partnershipId) => ({ partnershipId, item }));

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

function planCloudEndpoints(needs: Needs, actual: TenantState): PlanOperation[] {
  const present = new Set(actual.allowedCloudEndpoints.map((value) => value.toLowerCase()));
  const missing = [...needs.endpoints.keys()].filter((value) => !present.has(value.toLowerCase()));
  if (missing.length === 0) return [];
  const claims = missing.flatMap((value) => claimsOf(needs.endpoints.get(value)!, { kind: 'cloudEndpoint', value }));
  return [
    {
      kind: 'cloudEndpoints.update',
      id: 'cloudEndpoints.update',
      description: `Enable collaboration with ${missing.join(', ')} in the Microsoft cloud settings.`,
      partnershipIds: unique(missing.flatMap((value) => needs.endpoints.get(value)!)),
      claims,
      releases: [],
      add: missing,
      remove: [],
      before: { allowedCloudEndpoints: actual.allowedCloudEndpoints },
      after: { allowedCloudEndpoints: [...actual.allowedCloudEndpoints, ...missing] },
    },
  ];
}

/** A partner setting made of target configurations (B2B, Microsoft 365 collaboration trust). */
type TargetedSetting = B2BSetting | M365CollaborationInboundSetting | M365CollaborationOutboundSetting;

/** Order-insensitive comparison of targeted settings (null and absent both mean "inherit the default"). */
export function sameB2BSetting(a: TargetedSetting | null | undefined, b: TargetedSetting | null | undefined): boolean {
  return JSON.stringify(canonicalB2B(a)) === JSON.stringify(canonicalB2B(b));
}

function canonicalB2B(value: TargetedSetting | null | undefined): unknown {
  if (!value) return null;
  const setting = value as B2BSetting & M365CollaborationInboundSetting;
  const part = (config: B2BSetting['usersAndGroups']): unknown =>
    config
      ? {
          accessType: config.accessType,
          targets: [...(config.targets ?? [])]
            .map((target) => `${target.targetType}:${target.target.toLowerCase()}`)
            .sort(),
        }
      : null;
  return { usersAndGroups: part(setting.usersAndGroups), applications: part(setting.applications), users: part(setting.users) };
}

/** True when `actual` grants every consent `wanted` asks for. */
function consentSatisfied(actual: AutomaticUserConsentSettings | null | undefined, wanted: AutomaticUserConsentSettings): boolean {
  return (!wanted.inboundAllowed || actual?.inboundAllowed === true) && (!wanted.outboundAllowed || actual?.outboundAllowed === true);
}

/** The partner settings that differ from what is wanted, as the values to PATCH. */
export function partnerSettingsDiff(actual: PartnerSettings, wanted: PartnerSettings): PartnerSettings {
  const diff: PartnerSettings = {};
  for (const name of Object.keys(wanted) as PartnerSettingName[]) {
    if (name === 'automaticUserConsentSettings') {
      const consent = wanted.automaticUserConsentSettings!;
      if (!consentSatisfied(actual.automaticUserConsentSettings, consent)) {
        // A PATCH replaces the complex value: keep what the tenant has, add what is needed.
        diff.automaticUserConsentSettings = {
          inboundAllowed: actual.automaticUserConsentSettings?.inboundAllowed ?? false,
          outboundAllowed: actual.automaticUserConsentSettings?.outboundAllowed ?? false,
          ...consent,
        };
      }
    } else if (!sameB2BSetting(actual[name], wanted[name])) {
      diff[name] = wanted[name];
    }
  }
  return diff;
}

function planPartners(needs: Needs, actual: TenantState): PlanOperation[] {
  const operations: PlanOperation[] = [];
  for (const [tenantId, need] of needs.partners) {
    const current = actual.partners[tenantId];
    if (!current) {
      operations.push({
        kind: 'partner.create',
        id: `partner.create:${tenantId}`,
        description: `Add partner organisation ${tenantId} to the cross-tenant access settings.`,
        partnershipIds: [...need.partnershipIds],
        claims: claimsOf(need.partnershipIds, { kind: 'partner', tenantId }),
        releases: [],
        tenantId,
        settings: need.settings,
        before: null,
        after: { tenantId, ...need.settings },
      });
      continue;
    }
    const diff = partnerSettingsDiff(current, need.settings);
    const changed = Object.keys(diff) as PartnerSettingName[];
    if (changed.length === 0) continue;
    operations.push({
      kind: 'partner.update',
      id: `partner.update:${tenantId}`,
      description: `Update ${changed.join(', ')} of partner organisation ${tenantId}.`,
      partnershipIds: [...need.partnershipIds],
      claims: changed.flatMap((setting) =>
        claimsOf(need.partnershipIds, { kind: 'partnerSetting', tenantId, setting, previous: current[setting] ?? null }),
      ),
      releases: [],
      tenantId,
      settings: diff,
      before: Object.fromEntries(changed.map((setting) => [setting, current[setting] ?? null])),
      after: diff,
    });
  }
  return operations;
}

function planIdentitySync(needs: Needs, actual: TenantState): PlanOperation[] {
  const operations: PlanOperation[] = [];
  for (const [tenantId, partnershipIds] of needs.identitySync) {
    const partnerExists = Boolean(actual.partners[tenantId]);
    if (partnerExists && !actual.coverage.identitySyncFor.includes(tenantId)) {
      throw new DomainError('internal', `The tenant state does not include the identity sync settings of partner ${tenantId}: read them first.`);
    }
    const current = partnerExists ? (actual.identitySync[tenantId] ?? null) : null;
    if (current?.userSyncInbound?.isSyncAllowed === true) continue;
    const settings = { ...(current?.displayName ? { displayName: current.displayName } : {}), userSyncInbound: { isSyncAllowed: true } };
    operations.push({
      kind: 'identitySync.put',
      id: `identitySync.put:${tenantId}`,
      description: `Allow partner ${tenantId} to synchronise its users into this tenant.`,
      partnershipIds: [...partnershipIds],
      claims: claimsOf(partnershipIds, { kind: 'identitySync', tenantId, previous: current }),
      releases: [],
      tenantId,
      settings,
      before: current,
      after: settings,
    });
  }
  return operations;
}

/** The current Teams configuration of a type, or an error when the read did not include it. */
export function teamsConfiguration<T extends TeamsConfigurationType>(actual: TenantState, type: T): TeamsConfigurations[T] {
  const current = actual.teams[type];
  if (!current || !actual.coverage.teams.includes(type)) {
    throw new DomainError('internal', `The tenant state does not include the Teams configuration ${type}: read it first.`);
  }
  return current as TeamsConfigurations[T];
}

function planTeams(needs: Needs, actual: TenantState, warnings: PlanWarning[]): PlanOperation[] {
  const operations: PlanOperation[] = [];
  for (const type of TEAMS_CONFIGURATION_TYPES) {
    const update = emptyTeamsUpdate(type);
    const claims: OwnershipClaim[] = [];
    const partnershipIds = new Set<string>();
    let current: Record<string, unknown> | undefined;
    const load = (): Record<string, unknown> => (current ??= teamsConfiguration(actual, type) as unknown as Record<string, unknown>);

    for (const [feature, ids] of needs.teamsFeatures) {
      for (const teamsSwitch of TEAMS_SWITCHES[feature as TeamsFeature]) {
        if (teamsSwitch.configurationType !== type) continue;
        const value = load()[teamsSwitch.property];
        if (teamsSwitch.satisfiedBy(value)) continue;
        update.set[teamsSwitch.property] = teamsSwitch.value;
        ids.forEach((id) => partnershipIds.add(id));
        claims.push(...claimsOf(ids, { kind: 'teamsSetting', configurationType: type, property: teamsSwitch.property, previous: value ?? null }));
      }
    }

    if (type === TEAMS_LISTS.federationDomains.configurationType && needs.federationDomains.size > 0) {
      const federation = load() as unknown as TeamsConfigurations['TenantFederationSettings'];
      const allowed = new Set(federation.AllowedDomains.map((domain) => domain.toLowerCase()));
      const blocked = new Set(federation.BlockedDomains.map((domain) => domain.toLowerCase()));
      // Federation on with an empty allowed list already allows every domain: adding would restrict it
      // (and so would adding while another partnership opens external access to every domain).
      const open = (federation.AllowFederatedUsers && federation.AllowedDomains.length === 0) || needs.teamsFeatures.has('openFederation');
      for (const [domain, ids] of needs.federationDomains) {
        if (blocked.has(domain)) {
          warnings.push({
            code: 'teams.domain-blocked',
            partnershipIds: [...ids],
            message: `The Teams federation settings block ${domain}; the product does not remove an admin's block. Remove it from BlockedDomains to allow chat with the partner.`,
          });
        }
        if (open || allowed.has(domain)) continue;
        (update.addToLists.AllowedDomains ??= []).push(domain);
        ids.forEach((id) => partnershipIds.add(id));
        claims.push(...claimsOf(ids, { kind: 'teamsListEntry', configurationType: type, property: 'AllowedDomains', value: domain }));
      }
    }

    if (type === TEAMS_LISTS.blockedDomains.configurationType && needs.blockedDomains.size > 0) {
      const federation = load() as unknown as TeamsConfigurations['TenantFederationSettings'];
      const blocked = new Set(federation.BlockedDomains.map((domain) => domain.toLowerCase()));
      const allowedByAdmin = new Set(federation.AllowedDomains.map((domain) => domain.toLowerCase()));
      for (const [domain, ids] of needs.blockedDomains) {
        if (blocked.has(domain)) continue;
        if (allowedByAdmin.has(domain) || needs.federationDomains.has(domain)) {
          // Teams refuses a domain both allowed and blocked; the product never removes an allowed domain it did not add.
          warnings.push({
            code: 'teams.domain-allowed',
            partnershipIds: [...ids],
            message: `${domain} is on the Teams external access allowed list, so it is not blocked; remove it from AllowedDomains to block it.`,
          });
          continue;
        }
        (update.addToLists.BlockedDomains ??= []).push(domain);
        ids.forEach((id) => partnershipIds.add(id));
        claims.push(...claimsOf(ids, { kind: 'teamsListEntry', configurationType: type, property: 'BlockedDomains', value: domain }));
      }
    }

    if (type === TEAMS_LISTS.acsResources.configurationType && needs.acsResources.size > 0) {
      const acs = load() as unknown as TeamsConfigurations['TeamsAcsFederationConfiguration'];
      const allowed = new Set(acs.AllowedAcsResources.map((id) => id.toLowerCase()));
      for (const [resourceId, ids] of needs.acsResources) {
        if (allowed.has(resourceId)) continue;
        (update.addToLists.AllowedAcsResources ??= []).push(resourceId);
        ids.forEach((id) => partnershipIds.add(id));
        claims.push(...claimsOf(ids, { kind: 'teamsListEntry', configurationType: type, property: 'AllowedAcsResources', value: resourceId }));
      }
    }

    if (type === 'TeamsCrossCloudMeetingConfiguration' && needs.crossCloudMeetings.size > 0) {
      const meetings = load() as unknown as TeamsConfigurations['TeamsCrossCloudMeetingConfiguration'];
      for (const [tenantId, need] of needs.crossCloudMeetings) {
        const existing = meetings.Partners.find((partner) => partner.TenantId.toLowerCase() === tenantId) ?? null;
        if (
          existing &&
          existing.InboundMeetingsAllowed === need.partner.InboundMeetingsAllowed &&
          existing.OutboundMeetingsAllowed === need.partner.OutboundMeetingsAllowed
        ) {
          continue;
        }
        update.upsertPartners.push(need.partner);
        need.partnershipIds.forEach((id) => partnershipIds.add(id));
        claims.push(...claimsOf(need.partnershipIds, { kind: 'crossCloudMeetingPartner', tenantId, previous: existing }));
      }
    }

    if (isEmptyTeamsUpdate(update)) continue;
    operations.push(
      teamsUpdateOperation(
        {
          id: `teams.update:${type}`,
          description: describeTeamsUpdate(type, update),
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

export function describeTeamsUpdate(type: TeamsConfigurationType, update: ReturnType<typeof emptyTeamsUpdate>): string {
  const parts = [
    ...Object.entries(update.set).map(([property, value]) => `set ${property} to ${String(value)}`),
    ...Object.entries(update.addToLists).filter(([, v]) => v.length).map(([property, values]) => `add ${values.join(', ')} to ${property}`),
    ...Object.entries(update.removeFromLists).filter(([, v]) => v.length).map(([property, values]) => `remove ${values.join(', ')} from ${property}`),
    ...update.upsertPartners.map((partner) => `allow cross-cloud meetings with ${partner.TenantId}`),
    ...update.removePartners.map((tenantId) => `remove the cross-cloud meeting connection with ${tenantId}`),
  ];
  return `Teams ${type}: ${parts.join('; ')}.`;
}

function planGuests(needs: Needs, actual: TenantState, redirectUrl: string): PlanOperation[] {
  if (needs.guests.size === 0) return [];
  if (!actual.coverage.guests) {
    throw new DomainError('internal', 'The tenant state does not include the guests: read them first.');
  }
  const operations: PlanOperation[] = [];
  for (const [upn, partnershipIds] of needs.guests) {
    if (actual.guests[upn]) continue;
    const invitation = needs.guestInvitations.get(upn);
    operations.push({
      kind: 'guest.invite',
      id: `guest.invite:${upn}`,
      description: `Invite ${upn} as a guest${invitation?.sendInvitationMessage ? ' (an invitation e-mail is sent)' : ''}.`,
      partnershipIds: [...partnershipIds],
      claims: claimsOf(partnershipIds, { kind: 'guest', upn }),
      releases: [],
      upn,
      redirectUrl: invitation?.redirectUrl ?? redirectUrl,
      sendInvitationMessage: invitation?.sendInvitationMessage ?? false,
      ...(invitation?.message ? { message: invitation.message } : {}),
      ...(invitation?.messageLanguage ? { messageLanguage: invitation.messageLanguage } : {}),
      before: null,
      after: { invitedAs: upn },
    });
  }
  return operations;
}

/**
 * Cross-cloud chat and calls reach users per the tenant's coexistence mode: anything but
 * TeamsOnly (Islands, Skype for Business only) changes where they land. Read, never set.
 */
export function coexistenceWarnings(needs: Needs, actual: TenantState): PlanWarning[] {
  if (needs.coexistence.length === 0) return [];
  const upgrade = actual.teams.TeamsUpgradeConfiguration;
  if (!upgrade || upgrade.Mode === 'TeamsOnly') return [];
  return [
    {
      code: 'teams.coexistence-mode',
      partnershipIds: [...needs.coexistence],
      message:
        `The tenant's coexistence mode (TeamsUpgradePolicy, Teams admin center > Teams > Teams upgrade settings > Coexistence mode) is ` +
        `${upgrade.Mode}, not TeamsOnly: chats and calls with the partner may land in Skype for Business or not reach Teams users. ` +
        'The product does not change it; set it to TeamsOnly where users should use Teams.',
    },
  ];
}
