// A change to one Teams configuration, expressed as intent (set a switch, add or remove list
// entries, upsert cross-cloud meeting connections) so it can be merged into whatever the tenant
// holds at write time (PUT replaces the whole object), rendered as PowerShell, or checked.
import {
  defaultTeamsConfigurations,
  type CrossCloudMeetingPartner,
  type TeamsConfigurations,
  type TeamsConfigurationType,
} from './configurations';

export interface TeamsUpdate {
  configurationType: TeamsConfigurationType;
  /** The instance changed: Global (when absent) or a named policy such as `Tag:Partners`. */
  identity?: string;
  /** Properties to set (a list is replaced as a whole). */
  set: Record<string, TeamsValue>;
  /** Entries to add to list properties (compared case-insensitively). */
  addToLists: Record<string, string[]>;
  /** Entries to remove from list properties. */
  removeFromLists: Record<string, string[]>;
  /** Cross-cloud meeting connections to add or change (TeamsCrossCloudMeetingConfiguration). */
  upsertPartners: CrossCloudMeetingPartner[];
  /** Tenant ids of cross-cloud meeting connections to remove. */
  removePartners: string[];
}

/** A value the product sets. */
export type TeamsValue = string | boolean | string[];

export function emptyTeamsUpdate(configurationType: TeamsConfigurationType, identity?: string): TeamsUpdate {
  return {
    configurationType,
    ...(identity && identity !== 'Global' ? { identity } : {}),
    set: {},
    addToLists: {},
    removeFromLists: {},
    upsertPartners: [],
    removePartners: [],
  };
}

export function isEmptyTeamsUpdate(update: TeamsUpdate): boolean {
  return (
    Object.keys(update.set).length === 0 &&
    Object.values(update.addToLists).every((values) => values.length === 0) &&
    Object.values(update.removeFromLists).every((values) => values.length === 0) &&
    update.upsertPartners.length === 0 &&
    update.removePartners.length === 0
  );
}

/** The configuration of a tenant where nobody changed anything (Teams' documented defaults). */
export function defaultTeamsConfiguration<T extends TeamsConfigurationType>(type: T): TeamsConfigurations[T] {
  return defaultTeamsConfigurations()[type];
}

const lower = (value: string): string => value.toLowerCase();

/** Merges the update into the current configuration (pure; entries the update does not name stay). */
export function applyTeamsUpdate<C extends TeamsConfigurations[TeamsConfigurationType]>(current: C, update: TeamsUpdate): C {
  const next = structuredClone(current) as unknown as Record<string, unknown>;
  for (const [property, value] of Object.entries(update.set)) next[property] = Array.isArray(value) ? [...value] : value;
  for (const [property, values] of Object.entries(update.addToLists)) {
    const list = Array.isArray(next[property]) ? [...(next[property] as string[])] : [];
    const present = new Set(list.map(lower));
    for (const value of values) {
      if (!present.has(lower(value))) {
        list.push(value);
        present.add(lower(value));
      }
    }
    next[property] = list;
  }
  for (const [property, values] of Object.entries(update.removeFromLists)) {
    const removed = new Set(values.map(lower));
    const list = Array.isArray(next[property]) ? (next[property] as string[]) : [];
    next[property] = list.filter((value) => !removed.has(lower(value)));
  }
  if (update.upsertPartners.length > 0 || update.removePartners.length > 0) {
    const removed = new Set(update.removePartners.map(lower));
    const partners = (Array.isArray(next.Partners) ? (next.Partners as CrossCloudMeetingPartner[]) : []).filter(
      (partner) => !removed.has(lower(partner.TenantId)),
    );
    for (const upsert of update.upsertPartners) {
      const index = partners.findIndex((partner) => lower(partner.TenantId) === lower(upsert.TenantId));
      if (index >= 0) partners[index] = { ...upsert };
      else partners.push({ ...upsert });
    }
    next.Partners = partners;
  }
  return next as unknown as C;
}

/** True when the configuration already holds everything the update asks for (read-back check). */
export function isTeamsUpdateSatisfied(current: TeamsConfigurations[TeamsConfigurationType], update: TeamsUpdate): boolean {
  const merged = applyTeamsUpdate(current, update);
  return JSON.stringify(normalise(merged)) === JSON.stringify(normalise(current));
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, normalise((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const psBool = (value: unknown): string => (value ? '$true' : '$false');
const psList = (values: string[]): string => values.map((value) => `"${value.replace(/"/g, '`"')}"`).join(',');
const psValue = (value: TeamsValue): string => (typeof value === 'boolean' ? psBool(value) : Array.isArray(value) ? `@(${psList(value)})` : value);

const CMDLETS: Record<TeamsConfigurationType, string> = {
  TenantFederationSettings: 'Set-CsTenantFederationConfiguration',
  TeamsClientConfiguration: 'Set-CsTeamsClientConfiguration -Identity Global',
  TeamsMeetingPolicy: 'Set-CsTeamsMeetingPolicy -Identity Global',
  TeamsMeetingConfiguration: 'Set-CsTeamsMeetingConfiguration -Identity Global',
  TeamsAcsFederationConfiguration: 'Set-CsTeamsAcsFederationConfiguration',
  TeamsUpgradeConfiguration: 'Grant-CsTeamsUpgradePolicy -Global',
  TeamsCrossCloudMeetingConfiguration: '',
};

/** List properties whose cmdlet parameter takes @{Add=...; Remove=...}. */
const LIST_PARAMETERS: Record<string, string> = {
  AllowedDomains: 'AllowedDomainsAsAList',
  BlockedDomains: 'BlockedDomains',
  AllowedAcsResources: 'AllowedAcsResources',
};

/**
 * The MicrosoftTeams PowerShell that performs the update (run after `Connect-MicrosoftTeams`).
 * Cross-cloud meeting connections have no documented cmdlet: they come out as admin-center steps.
 */
export function teamsPowerShell(update: TeamsUpdate): string[] {
  if (update.configurationType === 'TeamsCrossCloudMeetingConfiguration') {
    return [
      ...update.upsertPartners.map(
        (partner) =>
          `# Teams admin center > Meetings > Cross-cloud meetings: add or edit ${partner.TenantId} ` +
          `(inbound meetings ${partner.InboundMeetingsAllowed ? 'allowed' : 'blocked'}, outbound ${partner.OutboundMeetingsAllowed ? 'allowed' : 'blocked'})`,
      ),
      ...update.removePartners.map((tenantId) => `# Teams admin center > Meetings > Cross-cloud meetings: remove ${tenantId}`),
    ];
  }
  const parameters: string[] = [];
  for (const [property, value] of Object.entries(update.set)) {
    if (update.configurationType === 'TeamsUpgradeConfiguration' && property === 'Mode') {
      parameters.push(`-PolicyName UpgradeTo${String(value)}`);
    } else if (property === 'AllowedDomains' && Array.isArray(value) && value.length === 0) {
      // An empty allowed list is "every domain" (the admin center's "allow all external domains").
      parameters.push('-AllowedDomains (New-CsEdgeAllowAllKnownDomains)');
    } else {
      parameters.push(`-${property} ${psValue(value)}`);
    }
  }
  const lists = new Set([...Object.keys(update.addToLists), ...Object.keys(update.removeFromLists)]);
  for (const property of lists) {
    const add = update.addToLists[property] ?? [];
    const remove = update.removeFromLists[property] ?? [];
    const parts = [add.length ? `Add=${psList(add)}` : '', remove.length ? `Remove=${psList(remove)}` : ''].filter(Boolean);
    if (parts.length) parameters.push(`-${LIST_PARAMETERS[property] ?? property} @{${parts.join('; ')}}`);
  }
  const cmdlet =
    update.identity && update.configurationType === 'TeamsMeetingPolicy'
      ? `Set-CsTeamsMeetingPolicy -Identity "${update.identity.replace(/^Tag:/, '').replace(/"/g, '`"')}"`
      : CMDLETS[update.configurationType];
  return parameters.length ? [`${cmdlet} ${parameters.join(' ')}`] : [];
}
