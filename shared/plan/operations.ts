// The operations a plan is made of: plain JSON (they cross Durable activity boundaries), ordered,
// each saying what it changes (before/after, for the Events table), which partnerships need it
// and what it adds (claims) or gives back (releases) for ownership records.
import type { OwnershipClaim, OwnedItem } from '../ownership';
import type { IdentitySyncSettings, M365Capability, PartnerSettings } from '../tenant';
import { applyTeamsUpdate, type TeamsUpdate } from '../teams/changes';

/** Parts of a tenant a plan can cover; the initiator plans Entra first and Teams after confirmation. */
export const PLAN_AREAS = ['cloudEndpoints', 'partner', 'identitySync', 'teams', 'guests', 'syncSource', 'm365Capabilities'] as const;
export type PlanArea = (typeof PLAN_AREAS)[number];

interface OperationBase {
  /** Unique within a plan and stable across runs, e.g. "partner.update:<tenantId>". */
  id: string;
  /** One sentence for an admin. */
  description: string;
  /** Partnerships that need this operation (drift is reported against them). */
  partnershipIds: string[];
  /** What the operation adds, per partnership (record after it is applied). */
  claims: OwnershipClaim[];
  /** Ownership the operation ends (removal plans). */
  releases: OwnershipClaim[];
  /** The relevant part of the tenant before, and what the operation writes (audit). */
  before: unknown;
  after: unknown;
}

export interface CloudEndpointsUpdate extends OperationBase {
  kind: 'cloudEndpoints.update';
  /** Values to add; the write re-reads the policy and takes the union (PATCH replaces the array). */
  add: string[];
  remove: string[];
}

export interface PartnerCreate extends OperationBase {
  kind: 'partner.create';
  tenantId: string;
  settings: PartnerSettings;
}

export interface PartnerUpdate extends OperationBase {
  kind: 'partner.update';
  tenantId: string;
  /** Only the settings that differ. */
  settings: PartnerSettings;
}

export interface PartnerDelete extends OperationBase {
  kind: 'partner.delete';
  tenantId: string;
}

export interface IdentitySyncPut extends OperationBase {
  kind: 'identitySync.put';
  tenantId: string;
  settings: IdentitySyncSettings;
}

export interface IdentitySyncDelete extends OperationBase {
  kind: 'identitySync.delete';
  tenantId: string;
}

export interface TeamsConfigurationUpdate extends OperationBase {
  kind: 'teams.update';
  update: TeamsUpdate;
}

/** A Teams configuration update as a plan operation: before and after are the configuration around the update. */
export function teamsUpdateOperation(
  fields: Pick<TeamsConfigurationUpdate, 'id' | 'description' | 'partnershipIds' | 'claims' | 'releases' | 'update'>,
  current: unknown,
): TeamsConfigurationUpdate {
  return { kind: 'teams.update', ...fields, before: current, after: applyTeamsUpdate(current as never, fields.update) };
}

export interface GuestInvite extends OperationBase {
  kind: 'guest.invite';
  upn: string;
  redirectUrl: string;
  /** Microsoft's invitation e-mail (with the redeem link) goes to the guest; absent: none (earlier plans). */
  sendInvitationMessage?: boolean;
  /** A personal message and its language for the e-mail. */
  message?: string;
  messageLanguage?: string;
}

/** A Microsoft 365 capability authorised for a partner (create, or change to what is wanted). */
export interface M365CapabilityWrite extends OperationBase {
  kind: 'm365Capability.create' | 'm365Capability.update';
  tenantId: string;
  capability: M365Capability;
}

export interface M365CapabilityDelete extends OperationBase {
  kind: 'm365Capability.delete';
  tenantId: string;
  name: string;
}

/** A guest added to a team (its user id is found once the guest is invited, when not known at read time). */
export interface TeamMemberAdd extends OperationBase {
  kind: 'teamMember.add';
  teamId: string;
  upn: string;
  userId?: string;
  roles: string[];
}

export interface TeamMemberRemove extends OperationBase {
  kind: 'teamMember.remove';
  teamId: string;
  upn: string;
  membershipId: string;
}

export interface GuestDelete extends OperationBase {
  kind: 'guest.delete';
  upn: string;
  userId: string;
}

/**
 * One step of the source side of cross-tenant synchronisation towards `targetTenantId` (the
 * documented sequence: createApplication → createJob → setCredentials → assignScope → startJob;
 * removal: deleteJob → deleteApplication). Ids of objects that existed when the tenant was read
 * are carried; ids of objects created earlier in the same apply are taken from those steps.
 */
export interface SyncSourceOperation extends OperationBase {
  kind:
    | 'syncSource.createApplication'
    | 'syncSource.createJob'
    | 'syncSource.setCredentials'
    | 'syncSource.assignScope'
    | 'syncSource.startJob'
    | 'syncSource.deleteJob'
    | 'syncSource.deleteApplication';
  targetTenantId: string;
  /** The configuration's display name (how it is found again). */
  displayName: string;
  servicePrincipalId?: string;
  jobId?: string;
  /** assignScope: the groups to assign (lower-case ids). */
  principalIds?: string[];
  /** assignScope: the app role to assign them (when the configuration existed at read time). */
  appRoleId?: string;
}

export type PlanOperation =
  | CloudEndpointsUpdate
  | PartnerCreate
  | PartnerUpdate
  | PartnerDelete
  | IdentitySyncPut
  | IdentitySyncDelete
  | TeamsConfigurationUpdate
  | GuestInvite
  | GuestDelete
  | SyncSourceOperation
  | M365CapabilityWrite
  | M365CapabilityDelete
  | TeamMemberAdd
  | TeamMemberRemove;

export type PlanOperationKind = PlanOperation['kind'];

export interface PlanWarning {
  code:
    | 'teams.domain-blocked'
    | 'teams.open-federation'
    | 'teams.federation-closed'
    | 'partner.conflicting-partnerships'
    | 'ownership.changed-by-admin'
    | 'guests.left-in-place'
    | 'sync.no-scope'
    | 'teams.coexistence-mode'
    | 'teams.meeting-policy-missing'
    | 'teams.domain-allowed'
    | 'guests.team-missing';
  partnershipIds: string[];
  message: string;
  /** Removal plans: the owned items the warning is about (left in the tenant). */
  items?: OwnedItem[];
}

/** An owned item kept because another partnership still needs it: its ownership moves over. */
export interface OwnershipHandOver {
  item: OwnedItem;
  fromPartnershipId: string;
  toPartnershipId: string;
}

export interface Plan {
  operations: PlanOperation[];
  warnings: PlanWarning[];
  /** Removal plans: ownership that moves to another partnership instead of being undone. */
  handOvers: OwnershipHandOver[];
  /** Removal plans: ownership that ends without an operation (already gone or changed by an admin). */
  released: OwnershipClaim[];
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.operations.length === 0;
}

export interface DriftItem {
  operationId: string;
  kind: PlanOperationKind;
  description: string;
}

/** The plan's operations grouped by the partnerships that need them (what drifted, per partnership). */
export function driftByPartnership(plan: Plan): Record<string, DriftItem[]> {
  const drift: Record<string, DriftItem[]> = {};
  for (const operation of plan.operations) {
    for (const partnershipId of operation.partnershipIds) {
      (drift[partnershipId] ??= []).push({ operationId: operation.id, kind: operation.kind, description: operation.description });
    }
  }
  return drift;
}
