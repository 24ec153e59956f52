// How the product reads and changes a tenant's Teams settings: the Teams admin REST API, or
// `manual` mode where an administrator runs the equivalent PowerShell and the product checks.
import type { TeamsConfigurations, TeamsConfigurationType, TeamsMeetingPolicy } from './configurations';
import type { TeamsUpdate } from './changes';

export type TeamsApplyOutcome =
  /** Written (or already as wanted: `changed` false). */
  | { status: 'applied'; changed: boolean; before: unknown; after: unknown }
  /** An administrator must run `script`; verify afterwards. */
  | { status: 'manual'; script: string[] };

export type TeamsVerification = 'satisfied' | 'not-satisfied' | 'unverifiable';

export interface TeamsAdapter {
  readonly mode: 'rest' | 'manual';
  /** The configurations of the given types. */
  read(types: readonly TeamsConfigurationType[]): Promise<Partial<TeamsConfigurations>>;
  /** Meeting policies other than Global, by identity (`Tag:Name`); null for a policy that does not exist. */
  readMeetingPolicies(identities: readonly string[]): Promise<Record<string, TeamsMeetingPolicy | null>>;
  /** Merges the update into the current configuration (read, merge, write). */
  apply(update: TeamsUpdate): Promise<TeamsApplyOutcome>;
  /** Reads back and says whether the update is in place. */
  verify(update: TeamsUpdate): Promise<TeamsVerification>;
}
