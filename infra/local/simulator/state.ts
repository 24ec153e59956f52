// A tenant's state, kept as plain JSON (Graph shapes) so it can be dumped, persisted and reset.
// Directory changes go through `Directory` so the delta journal and change notifications see them.
import { createHash, randomUUID } from 'node:crypto';
import { defaultTeamsConfigurations, type TeamsConfigurations, type TeamsMeetingPolicy } from '../../../shared/teams/configurations';
import { CLOUD_TABLE, SimCloud } from './clouds';
import { ensureFirstParty } from './resources/firstParty';
import { initialDomainOf, LoadedWorld, WorldTenant } from './world';

export type GraphObject = Record<string, unknown> & { id: string };
export type JsonObject = Record<string, unknown>;

export type ChangeType = 'created' | 'updated' | 'deleted';

/** One change of a directory object, in order; `delta` reads it. */
export interface JournalEntry {
  seq: number;
  kind: 'user' | 'group';
  id: string;
  change: ChangeType;
  memberAdded?: string;
  memberRemoved?: string;
}

export interface SubscriptionRecord {
  id: string;
  resource: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
  applicationId: string;
  creatorId: string;
  includeResourceData: boolean;
  latestSupportedTlsVersion: string;
  notificationQueryOptions: string | null;
  notificationUrlAppId: string | null;
  encryptionCertificate: string | null;
  encryptionCertificateId: string | null;
  /** What the subscription watches, normalized (`users`, `groups/{id}/members`...); not returned. */
  watch: string;
}

export interface MultiTenantOrganizationState {
  organization: JsonObject;
  tenants: Record<string, JsonObject>;
  joinRequest: JsonObject;
}

export interface TenantState {
  id: string;
  cloud: SimCloud;
  displayName: string;
  domains: string[];
  policy: { displayName: string; description: string | null; allowedCloudEndpoints: string[] };
  defaultConfig: JsonObject;
  /** Keyed by lower-case partner tenant id, in creation order. */
  partners: Record<string, JsonObject>;
  identitySync: Record<string, JsonObject>;
  users: Record<string, GraphObject>;
  groups: Record<string, GraphObject>;
  /** Group id → member ids, in the order they were added. */
  members: Record<string, string[]>;
  organization: GraphObject;
  applications: Record<string, GraphObject>;
  servicePrincipals: Record<string, GraphObject>;
  /** Service principal id → job id → job. */
  syncJobs: Record<string, Record<string, GraphObject>>;
  syncSecrets: Record<string, Array<{ key: string; value: string }>>;
  /** Service principal id → its appRoleAssignedTo (optional: states saved before it existed lack it). */
  appRoleAssignments?: Record<string, GraphObject[]>;
  /** Directory role assignments (unifiedRoleAssignment); optional for the same reason. */
  directoryRoleAssignments?: GraphObject[];
  subscriptions: Record<string, SubscriptionRecord>;
  teams: TeamsConfigurations;
  /** Meeting policies other than Global, by identity (`Tag:Name`; optional: states saved before them lack it). */
  meetingPolicies?: Record<string, TeamsMeetingPolicy>;
  /** Microsoft 365 cross-tenant capabilities by partner tenant id, then by name (optional, as above). */
  m365Capabilities?: Record<string, Record<string, JsonObject>>;
  /** Owners of teams (group id → user ids); members are the group's members (optional, as above). */
  teamOwners?: Record<string, string[]>;
  /** Invitation e-mails sent (sendInvitationMessage), newest last (optional, as above). */
  invitationMessages?: JsonObject[];
  multiTenantOrganization: MultiTenantOrganizationState | null;
  journal: JournalEntry[];
  seq: number;
}

export const SYSTEM_DEFAULT_CONFIGURATION: Readonly<JsonObject> = Object.freeze({
  isServiceDefault: true,
  inboundTrust: { isMfaAccepted: false, isCompliantDeviceAccepted: false, isHybridAzureADJoinedDeviceAccepted: false },
  automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: false },
  b2bCollaborationOutbound: allAccess('allowed'),
  b2bCollaborationInbound: allAccess('allowed'),
  b2bDirectConnectOutbound: allAccess('blocked'),
  b2bDirectConnectInbound: allAccess('blocked'),
  tenantRestrictions: allAccess('blocked'),
  invitationRedemptionIdentityProviderConfiguration: {
    primaryIdentityProviderPrecedenceOrder: ['externalFederation', 'azureActiveDirectory', 'socialIdentityProviders'],
    fallbackIdentityProvider: 'defaultConfiguredIdp',
  },
});

function allAccess(accessType: 'allowed' | 'blocked'): JsonObject {
  return {
    usersAndGroups: { accessType, targets: [{ target: 'AllUsers', targetType: 'user' }] },
    applications: { accessType, targets: [{ target: 'AllApplications', targetType: 'application' }] },
  };
}

/** A partner as Graph returns it right after creation: every setting null (inherits the default). */
export function emptyPartner(tenantId: string): JsonObject {
  return {
    tenantId,
    isServiceProvider: null,
    isInMultiTenantOrganization: false,
    inboundTrust: null,
    automaticUserConsentSettings: { inboundAllowed: null, outboundAllowed: null },
    b2bCollaborationInbound: null,
    b2bCollaborationOutbound: null,
    b2bDirectConnectInbound: null,
    b2bDirectConnectOutbound: null,
    tenantRestrictions: null,
  };
}

export const CREATED_AT = '2024-01-15T09:00:00Z';

export function newUser(fields: JsonObject & { id?: string; userPrincipalName: string; displayName: string }): GraphObject {
  const mail = (fields.mail as string | undefined) ?? null;
  return {
    id: fields.id ?? randomUUID(),
    businessPhones: [],
    givenName: null,
    surname: null,
    jobTitle: null,
    mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    accountEnabled: true,
    userType: 'Member',
    mailNickname: fields.userPrincipalName.split('@')[0],
    createdDateTime: new Date().toISOString(),
    creationType: null,
    externalUserState: null,
    externalUserStateChangeDateTime: null,
    identities: [],
    otherMails: [],
    proxyAddresses: mail ? [`SMTP:${mail}`] : [],
    usageLocation: null,
    ...fields,
  } as GraphObject;
}

export function newGroup(fields: JsonObject & { id?: string; displayName: string }): GraphObject {
  return {
    id: fields.id ?? randomUUID(),
    deletedDateTime: null,
    classification: null,
    createdDateTime: new Date().toISOString(),
    description: null,
    groupTypes: [],
    isAssignableToRole: null,
    mail: null,
    mailEnabled: false,
    mailNickname: (fields.mailNickname as string | undefined) ?? String(fields.displayName).replace(/[^A-Za-z0-9]/g, '').toLowerCase(),
    securityEnabled: true,
    visibility: null,
    ...fields,
  } as GraphObject;
}

export function createTenantState(tenant: WorldTenant, world: LoadedWorld): TenantState {
  const initialDomain = initialDomainOf(tenant);
  const users: Record<string, GraphObject> = {};
  const idsByUpn = new Map<string, string>();
  for (const user of tenant.users) {
    const upn = user.userPrincipalName;
    users[user.id] = newUser({
      id: user.id,
      userPrincipalName: upn,
      displayName: user.displayName,
      givenName: user.givenName ?? null,
      surname: user.surname ?? null,
      jobTitle: user.jobTitle ?? null,
      mail: user.mail ?? upn,
      userType: user.userType ?? 'Member',
      accountEnabled: user.accountEnabled ?? true,
      createdDateTime: CREATED_AT,
      identities: [{ signInType: 'userPrincipalName', issuer: initialDomain, issuerAssignedId: upn }],
    });
    idsByUpn.set(upn.toLowerCase(), user.id);
  }
  const groups: Record<string, GraphObject> = {};
  const members: Record<string, string[]> = {};
  for (const group of tenant.groups) {
    groups[group.id] = newGroup({
      id: group.id,
      displayName: group.displayName,
      description: group.description ?? null,
      mailNickname: group.mailNickname ?? group.displayName.replace(/[^A-Za-z0-9]/g, '').toLowerCase(),
      securityEnabled: group.securityEnabled ?? true,
      createdDateTime: CREATED_AT,
      ...(group.team ? { groupTypes: ['Unified'], mailEnabled: true, resourceProvisioningOptions: ['Team'] } : {}),
    });
    members[group.id] = group.members.map((member) => idsByUpn.get(member.toLowerCase()) ?? member);
  }

  const partners: Record<string, JsonObject> = {};
  for (const partner of tenant.policy?.partners ?? []) {
    const tenantId = String(partner.tenantId ?? '').toLowerCase();
    partners[tenantId] = { ...emptyPartner(tenantId), ...partner, tenantId };
  }

  const servicePrincipals: Record<string, GraphObject> = {};
  for (const app of world.apps.filter((a) => a.tenantId.toLowerCase() === tenant.id.toLowerCase())) {
    const id = servicePrincipalIdFor(tenant.id, app.clientId);
    servicePrincipals[id] = servicePrincipalObject(id, app.clientId, app.displayName, tenant.id);
  }

  const teams = defaultTeamsConfigurations();
  for (const [type, settings] of Object.entries(tenant.teams ?? {})) {
    const key = type as keyof TeamsConfigurations;
    (teams as unknown as Record<string, JsonObject>)[key] = { ...teams[key], ...settings, Identity: 'Global' };
  }

  const meetingPolicies: Record<string, TeamsMeetingPolicy> = {};
  for (const policy of tenant.meetingPolicies ?? []) {
    meetingPolicies[policy.Identity] = { ...teams.TeamsMeetingPolicy, ...policy, Identity: policy.Identity } as TeamsMeetingPolicy;
  }

  const state: TenantState = {
    id: tenant.id,
    cloud: tenant.cloud,
    displayName: tenant.displayName,
    domains: [...tenant.domains],
    policy: {
      displayName: 'CrossTenantAccessPolicy',
      description: null,
      allowedCloudEndpoints: [...(tenant.policy?.allowedCloudEndpoints ?? [])],
    },
    defaultConfig: structuredClone(SYSTEM_DEFAULT_CONFIGURATION) as JsonObject,
    partners,
    identitySync: {},
    users,
    groups,
    members,
    organization: organizationObject(tenant, initialDomain),
    applications: {},
    servicePrincipals,
    syncJobs: {},
    syncSecrets: {},
    appRoleAssignments: {},
    subscriptions: {},
    teams,
    meetingPolicies,
    m365Capabilities: {},
    teamOwners: {},
    invitationMessages: [],
    multiTenantOrganization: null,
    journal: [],
    seq: 0,
  };
  ensureFirstParty(state, world);
  return state;
}

function organizationObject(tenant: WorldTenant, initialDomain: string): GraphObject {
  return {
    id: tenant.id,
    deletedDateTime: null,
    businessPhones: [],
    city: null,
    country: null,
    countryLetterCode: tenant.cloud === 'China' ? 'CN' : 'US',
    createdDateTime: CREATED_AT,
    displayName: tenant.displayName,
    marketingNotificationEmails: [],
    onPremisesLastSyncDateTime: null,
    onPremisesSyncEnabled: null,
    postalCode: null,
    preferredLanguage: tenant.cloud === 'China' ? 'zh-CN' : 'en',
    securityComplianceNotificationMails: [],
    securityComplianceNotificationPhones: [],
    state: null,
    street: null,
    technicalNotificationMails: [`admin@${tenant.domains[0]}`],
    tenantType: 'AAD',
    assignedPlans: [],
    provisionedPlans: [],
    privacyProfile: { contactEmail: '', statementUrl: '' },
    verifiedDomains: tenant.domains.map((name, index) => ({
      capabilities: 'Email, OfficeCommunicationsOnline',
      isDefault: index === 0,
      isInitial: name === initialDomain,
      name,
      type: 'Managed',
    })),
  };
}

/** Stable object id of an app's service principal in its tenant. */
export function servicePrincipalIdFor(tenantId: string, clientId: string): string {
  const hex = createHash('sha1').update(`sp:${tenantId.toLowerCase()}:${clientId.toLowerCase()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function servicePrincipalObject(id: string, appId: string, displayName: string, ownerTenantId: string): GraphObject {
  return {
    id,
    accountEnabled: true,
    addIns: [],
    alternativeNames: [],
    appDisplayName: displayName,
    appId,
    appOwnerOrganizationId: ownerTenantId,
    appRoleAssignmentRequired: false,
    appRoles: [],
    displayName,
    homepage: null,
    info: emptyInformationalUrls(),
    keyCredentials: [],
    logoutUrl: null,
    oauth2PermissionScopes: [],
    passwordCredentials: [],
    replyUrls: [],
    servicePrincipalNames: [appId],
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMyOrg',
    tags: [],
    tokenEncryptionKeyId: null,
  };
}

export function applicationObject(id: string, appId: string, displayName: string, fields: JsonObject = {}): GraphObject {
  return {
    id,
    isFallbackPublicClient: null,
    appId,
    applicationTemplateId: null,
    identifierUris: [],
    createdDateTime: new Date().toISOString(),
    displayName,
    isDeviceOnlyAuthSupported: null,
    groupMembershipClaims: null,
    optionalClaims: null,
    addIns: [],
    publisherDomain: null,
    signInAudience: 'AzureADMyOrg',
    tags: [],
    tokenEncryptionKeyId: null,
    api: { requestedAccessTokenVersion: 2, acceptMappedClaims: null, knownClientApplications: [], oauth2PermissionScopes: [], preAuthorizedApplications: [] },
    appRoles: [],
    publicClient: { redirectUris: [] },
    info: emptyInformationalUrls(),
    keyCredentials: [],
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
    passwordCredentials: [],
    requiredResourceAccess: [],
    web: { redirectUris: [], homePageUrl: null, logoutUrl: null, implicitGrantSettings: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false } },
    ...fields,
  };
}

function emptyInformationalUrls(): JsonObject {
  return { termsOfServiceUrl: null, supportUrl: null, privacyStatementUrl: null, marketingUrl: null, logoUrl: null };
}

export function cloudOf(state: TenantState): (typeof CLOUD_TABLE)[SimCloud] {
  return CLOUD_TABLE[state.cloud];
}

export function initialDomainOfState(state: TenantState): string {
  return initialDomainOf(state);
}

// ---------------------------------------------------------------------------------------------
// Directory changes

export interface DirectoryChange {
  tenantId: string;
  kind: 'user' | 'group';
  id: string;
  change: ChangeType;
  /** Membership change carried by a group change (Graph's members@delta). */
  memberAdded?: string;
  memberRemoved?: string;
}

export type ChangeListener = (change: DirectoryChange) => void;

/** Mutations of users, groups and memberships; each is journaled and announced. */
export class Directory {
  constructor(
    readonly state: TenantState,
    private readonly onChange: ChangeListener,
  ) {}

  findUser(idOrUpn: string): GraphObject | undefined {
    const key = idOrUpn.toLowerCase();
    const byId = this.state.users[key] ?? Object.values(this.state.users).find((user) => user.id.toLowerCase() === key);
    if (byId) return byId;
    return Object.values(this.state.users).find((user) => String(user.userPrincipalName).toLowerCase() === key);
  }

  findGroup(id: string): GraphObject | undefined {
    const key = id.toLowerCase();
    return this.state.groups[key] ?? Object.values(this.state.groups).find((group) => group.id.toLowerCase() === key);
  }

  findObject(id: string): { kind: 'user' | 'group'; object: GraphObject } | undefined {
    const user = this.findUser(id);
    if (user) return { kind: 'user', object: user };
    const group = this.findGroup(id);
    return group ? { kind: 'group', object: group } : undefined;
  }

  addUser(user: GraphObject): GraphObject {
    this.state.users[user.id] = user;
    this.record({ kind: 'user', id: user.id, change: 'created' });
    return user;
  }

  updateUser(user: GraphObject, changes: JsonObject): void {
    Object.assign(user, changes, { id: user.id });
    this.record({ kind: 'user', id: user.id, change: 'updated' });
  }

  deleteUser(user: GraphObject): void {
    delete this.state.users[user.id];
    for (const [groupId, memberIds] of Object.entries(this.state.members)) {
      const index = memberIds.indexOf(user.id);
      if (index >= 0) {
        memberIds.splice(index, 1);
        this.record({ kind: 'group', id: groupId, change: 'updated', memberRemoved: user.id });
      }
    }
    this.record({ kind: 'user', id: user.id, change: 'deleted' });
  }

  addGroup(group: GraphObject, memberIds: string[] = []): GraphObject {
    this.state.groups[group.id] = group;
    this.state.members[group.id] = [];
    this.record({ kind: 'group', id: group.id, change: 'created' });
    for (const memberId of memberIds) this.addMember(group, memberId);
    return group;
  }

  updateGroup(group: GraphObject, changes: JsonObject): void {
    Object.assign(group, changes, { id: group.id });
    this.record({ kind: 'group', id: group.id, change: 'updated' });
  }

  deleteGroup(group: GraphObject): void {
    delete this.state.groups[group.id];
    delete this.state.members[group.id];
    this.record({ kind: 'group', id: group.id, change: 'deleted' });
  }

  membersOf(group: GraphObject): string[] {
    return this.state.members[group.id] ?? (this.state.members[group.id] = []);
  }

  addMember(group: GraphObject, memberId: string): void {
    this.membersOf(group).push(memberId);
    this.record({ kind: 'group', id: group.id, change: 'updated', memberAdded: memberId });
  }

  removeMember(group: GraphObject, memberId: string): void {
    const list = this.membersOf(group);
    const index = list.indexOf(memberId);
    if (index >= 0) list.splice(index, 1);
    this.record({ kind: 'group', id: group.id, change: 'updated', memberRemoved: memberId });
  }

  private record(entry: Omit<JournalEntry, 'seq'>): void {
    const seq = ++this.state.seq;
    this.state.journal.push({ seq, ...entry });
    this.onChange({ tenantId: this.state.id, ...entry });
  }
}
