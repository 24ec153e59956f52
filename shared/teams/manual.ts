// `manual` Teams mode: the product does not hold the Teams Administrator role, so each change
// comes out as MicrosoftTeams PowerShell for an administrator to run; the product then checks by
// reading back where it can (a reader with read access), and says "unverifiable" where it cannot.
import type { TeamsAdapter, TeamsApplyOutcome, TeamsVerification } from './adapter';
import { isTeamsUpdateSatisfied, teamsPowerShell, type TeamsUpdate } from './changes';
import type { TeamsConfigurations, TeamsConfigurationType, TeamsMeetingPolicy } from './configurations';

export interface ManualTeamsAdapterOptions {
  /** Something that can read the configurations (e.g. a TeamsRestAdapter with a read-only role). */
  reader?: Pick<TeamsAdapter, 'read'> & Partial<Pick<TeamsAdapter, 'readMeetingPolicies'>>;
}

/**
 * What a tenant is assumed to hold when nothing can be read: nothing the product needs is on,
 * so every needed change is in the script (the script is idempotent: switches are set, list
 * entries added with @{Add=...}).
 */
export function unknownTeamsConfiguration<T extends TeamsConfigurationType>(type: T): TeamsConfigurations[T] {
  const assumed: TeamsConfigurations = {
    TenantFederationSettings: { Identity: 'Global', AllowFederatedUsers: false, AllowedDomains: [], BlockedDomains: [], AllowTeamsConsumer: false },
    TeamsClientConfiguration: { Identity: 'Global', AllowGuestUser: false },
    TeamsMeetingPolicy: { Identity: 'Global', AllowAnonymousUsersToJoinMeeting: false, AutoAdmittedUsers: 'Everyone' },
    TeamsMeetingConfiguration: { Identity: 'Global', DisableAnonymousJoin: true },
    TeamsAcsFederationConfiguration: { Identity: 'Global', EnableAcsUsers: false, AllowedAcsResources: [] },
    // Never in a script (the product does not set it): assume no reason to warn.
    TeamsUpgradeConfiguration: { Identity: 'Global', Mode: 'TeamsOnly' },
    TeamsCrossCloudMeetingConfiguration: { Identity: 'Global', Partners: [] },
  };
  return structuredClone(assumed[type]);
}

export class ManualTeamsAdapter implements TeamsAdapter {
  readonly mode = 'manual' as const;

  constructor(private readonly options: ManualTeamsAdapterOptions = {}) {}

  async read(types: readonly TeamsConfigurationType[]): Promise<Partial<TeamsConfigurations>> {
    if (this.options.reader) return this.options.reader.read(types);
    return Object.fromEntries(types.map((type) => [type, unknownTeamsConfiguration(type)])) as Partial<TeamsConfigurations>;
  }

  async readMeetingPolicies(identities: readonly string[]): Promise<Record<string, TeamsMeetingPolicy | null>> {
    if (this.options.reader?.readMeetingPolicies) return this.options.reader.readMeetingPolicies(identities);
    // Nothing can be read: assume each policy exists with anonymous join off (the script turns it on).
    return Object.fromEntries(identities.map((identity) => [identity, { ...unknownTeamsConfiguration('TeamsMeetingPolicy'), Identity: identity }]));
  }

  async apply(update: TeamsUpdate): Promise<TeamsApplyOutcome> {
    return { status: 'manual', script: teamsPowerShell(update) };
  }

  async verify(update: TeamsUpdate): Promise<TeamsVerification> {
    if (!this.options.reader) return 'unverifiable';
    if (update.identity) {
      if (!this.options.reader.readMeetingPolicies) return 'unverifiable';
      const policy = (await this.options.reader.readMeetingPolicies([update.identity]))[update.identity];
      if (!policy) return 'unverifiable';
      return isTeamsUpdateSatisfied(policy, update) ? 'satisfied' : 'not-satisfied';
    }
    const current = await this.options.reader.read([update.configurationType]);
    const configuration = current[update.configurationType];
    if (!configuration) return 'unverifiable';
    return isTeamsUpdateSatisfied(configuration, update) ? 'satisfied' : 'not-satisfied';
  }
}

/** One script for several updates, with the connection line an administrator needs first. */
export function manualScript(updates: readonly TeamsUpdate[]): string {
  const lines = updates.flatMap((update) => teamsPowerShell(update));
  return ['# Run in PowerShell with the MicrosoftTeams module, as a Teams Administrator.', 'Connect-MicrosoftTeams', ...lines].join('\n');
}
