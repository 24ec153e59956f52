// The world file: tenants (cloud, domains, users, groups, optional initial policy and Teams
// settings) and app registrations. Validated field by field; `worldView` is what
// GET /_sim/world returns.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TEAMS_CONFIGURATION_TYPES } from '../../../shared/teams/configurations';
import { CLOUD_ENDPOINT_VALUES, CLOUD_TABLE, SIM_CLOUDS, SimCloud, simCloudOf, TEAMS_RESOURCE } from './clouds';
import { assetPath } from './assets';
import { SimulatorError } from './errors';
import { KNOWN_APPLICATION_PERMISSIONS } from './permissions';

const guid = z.guid();
const domainName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a DNS domain name');

const userSchema = z
  .object({
    id: guid,
    userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must look like name@domain'),
    displayName: z.string().min(1),
    givenName: z.string().optional(),
    surname: z.string().optional(),
    mail: z.string().optional(),
    jobTitle: z.string().optional(),
    userType: z.enum(['Member', 'Guest']).optional(),
    accountEnabled: z.boolean().optional(),
    /** Password for the simulated interactive sign-in (authorization code flow); a local fake. */
    password: z.string().min(8).optional(),
  })
  .strict();

const groupSchema = z
  .object({
    id: guid,
    displayName: z.string().min(1),
    description: z.string().optional(),
    mailNickname: z.string().optional(),
    securityEnabled: z.boolean().optional(),
    /** The group is a team (its id is the team id; `/teams/{id}/members` are its members). */
    team: z.boolean().optional(),
    /** User ids or user principal names of the tenant. */
    members: z.array(z.string()).default([]),
  })
  .strict();

const tenantSchema = z
  .object({
    id: guid,
    // Earlier names (USGov, USGovDoD) name GCCHigh and DoD.
    cloud: z.string().transform((value, context) => {
      const cloud = simCloudOf(value);
      if (!cloud) {
        context.addIssue({ code: 'custom', message: `must be one of ${SIM_CLOUDS.join(', ')} (or USGov, USGovDoD)` });
        return z.NEVER;
      }
      return cloud;
    }),
    displayName: z.string().min(1),
    /** Verified domains; the first is the default domain. */
    domains: z.array(domainName).min(1),
    users: z.array(userSchema).default([]),
    groups: z.array(groupSchema).default([]),
    /** Initial cross-tenant access policy (Graph shapes); empty policy when absent. */
    policy: z
      .object({
        allowedCloudEndpoints: z.array(z.enum(CLOUD_ENDPOINT_VALUES)).default([]),
        /** Graph partner objects, stored as given (only tenantId is checked). */
        partners: z.array(z.looseObject({ tenantId: guid })).default([]),
      })
      .strict()
      .optional(),
    /** Meeting policies other than Global (`Identity` `Tag:Name`), merged over the Global policy's defaults. */
    meetingPolicies: z
      .array(z.looseObject({ Identity: z.string().regex(/^Tag:.+/, 'must be Tag:<policy name>') }))
      .optional(),
    /** Initial Teams admin settings, by configuration type (merged over the defaults). */
    teams: z
      .partialRecord(z.enum(TEAMS_CONFIGURATION_TYPES as unknown as [string, ...string[]]), z.record(z.string(), z.unknown()))
      .optional(),
  })
  .strict();

const appSchema = z
  .object({
    tenantId: guid,
    clientId: guid,
    clientSecret: z.string().min(8),
    displayName: z.string().min(1),
    /** Granted Microsoft Graph application permissions (the token's `roles`). */
    permissions: z.array(z.enum(KNOWN_APPLICATION_PERMISSIONS)).default([]),
    /** Directory role template ids assigned to the app's service principal (the token's `wids`). */
    directoryRoles: z.array(guid).default([]),
    /** PEM certificates accepted for client assertions (certificate credentials). */
    certificates: z.array(z.string().includes('BEGIN CERTIFICATE')).default([]),
    /** Interactive sign-in of users to this app (authorization code flow with PKCE); see auth/signIn.ts. */
    signIn: z
      .strictObject({
        /** Allowed redirect URIs; a loopback one (127.0.0.1, localhost) matches any port, as in Entra. */
        redirectUris: z.array(z.url()).min(1),
        /** App roles the app defines (their `value`). */
        appRoles: z.array(z.string().min(1)).default([]),
        /** Users (UPN or id) and the app roles assigned to them (the id token's `roles`). */
        roleAssignments: z.array(z.strictObject({ user: z.string().min(1), roles: z.array(z.string().min(1)) })).default([]),
      })
      .optional(),
  })
  .strict();

const worldSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    tenants: z.array(tenantSchema).min(1),
    apps: z.array(appSchema).default([]),
  })
  .strict();

export type World = z.input<typeof worldSchema>;
export type LoadedWorld = z.output<typeof worldSchema>;
export type WorldTenant = LoadedWorld['tenants'][number];
export type WorldApp = LoadedWorld['apps'][number];
export type WorldUser = WorldTenant['users'][number];

export const DEFAULT_WORLD_FILE = assetPath(join('..', 'worlds', 'default.json'));

/** Reads and validates a world (a path to a JSON file, or the object itself). */
export function loadWorld(source: World | string = DEFAULT_WORLD_FILE): LoadedWorld {
  let raw: unknown = source;
  const where = typeof source === 'string' ? source : 'world';
  if (typeof source === 'string') {
    let text: string;
    try {
      text = readFileSync(source, 'utf8');
    } catch (error) {
      throw new SimulatorError('world.unreadable', `Cannot read world file ${source}: ${(error as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new SimulatorError('world.invalid', `World file ${source} is not JSON: ${(error as Error).message}`);
    }
  }
  const parsed = worldSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`);
    throw new SimulatorError('world.invalid', `Invalid world (${where}):\n${lines.join('\n')}`);
  }
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) {
    throw new SimulatorError('world.invalid', `Invalid world (${where}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return parsed.data;
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '') || '(root)';
}

function crossCheck(world: LoadedWorld): string[] {
  const problems: string[] = [];
  const ids = new Map<string, string>();
  const claim = (id: string, where: string): void => {
    const key = id.toLowerCase();
    const previous = ids.get(key);
    if (previous) problems.push(`${where}: id ${id} is already used by ${previous}`);
    else ids.set(key, where);
  };
  const domains = new Map<string, string>();
  world.tenants.forEach((tenant, t) => {
    claim(tenant.id, `tenants[${t}]`);
    tenant.domains.forEach((domain, d) => {
      const key = domain.toLowerCase();
      const owner = domains.get(key);
      if (owner) problems.push(`tenants[${t}].domains[${d}]: ${domain} is already a domain of ${owner}`);
      else domains.set(key, tenant.displayName);
    });
    const tenantDomains = new Set(tenant.domains.map((d) => d.toLowerCase()));
    const upns = new Map<string, string>();
    tenant.users.forEach((user, u) => {
      claim(user.id, `tenants[${t}].users[${u}]`);
      const domain = user.userPrincipalName.split('@')[1].toLowerCase();
      if (!tenantDomains.has(domain)) {
        problems.push(`tenants[${t}].users[${u}].userPrincipalName: domain ${domain} is not a domain of ${tenant.displayName} (${tenant.domains.join(', ')})`);
      }
      upns.set(user.userPrincipalName.toLowerCase(), user.id);
    });
    const userIds = new Set(tenant.users.map((user) => user.id.toLowerCase()));
    tenant.groups.forEach((group, g) => {
      claim(group.id, `tenants[${t}].groups[${g}]`);
      group.members.forEach((member, m) => {
        if (!userIds.has(member.toLowerCase()) && !upns.has(member.toLowerCase())) {
          problems.push(`tenants[${t}].groups[${g}].members[${m}]: ${member} is not a user of ${tenant.displayName}`);
        }
      });
    });
  });
  const tenantIds = new Set(world.tenants.map((tenant) => tenant.id.toLowerCase()));
  world.apps.forEach((app, a) => {
    if (!tenantIds.has(app.tenantId.toLowerCase())) problems.push(`apps[${a}].tenantId: no tenant ${app.tenantId} in this world`);
    const clash = world.apps.findIndex((other) => other.clientId.toLowerCase() === app.clientId.toLowerCase());
    if (clash !== a) problems.push(`apps[${a}].clientId: ${app.clientId} is already used by apps[${clash}]`);
    const tenant = world.tenants.find((candidate) => candidate.id.toLowerCase() === app.tenantId.toLowerCase());
    app.signIn?.roleAssignments.forEach((assignment, r) => {
      const user = assignment.user.toLowerCase();
      if (tenant && !tenant.users.some((candidate) => candidate.id.toLowerCase() === user || candidate.userPrincipalName.toLowerCase() === user)) {
        problems.push(`apps[${a}].signIn.roleAssignments[${r}].user: ${assignment.user} is not a user of ${tenant.displayName}`);
      }
      for (const role of assignment.roles) {
        if (!app.signIn!.appRoles.includes(role)) problems.push(`apps[${a}].signIn.roleAssignments[${r}].roles: ${role} is not an app role of ${app.displayName}`);
      }
    });
  });
  return problems;
}

/**
 * A world with many extra partner tenants (for benchmarks: partners must be real tenants).
 * Adds `count` tenants "Partner 0001"... in `cloud` (default Global) with fixed ids derived from
 * their number, one user each, to `base` (default: the default world).
 */
export function syntheticWorld(options: { partnerTenants: number; cloud?: SimCloud; base?: World }): World {
  const base = structuredClone(options.base ?? (JSON.parse(readFileSync(DEFAULT_WORLD_FILE, 'utf8')) as World));
  const cloud = options.cloud ?? 'Global';
  const suffix = CLOUD_TABLE[cloud].initialDomainSuffix;
  for (let index = 1; index <= options.partnerTenants; index++) {
    const number = String(index).padStart(4, '0');
    const id = syntheticGuid(`tenant:${cloud}:${index}`);
    base.tenants.push({
      id,
      cloud,
      displayName: `Partner ${number}`,
      domains: [`partner${number}.example`, `partner${number}${suffix}`],
      users: [{ id: syntheticGuid(`user:${cloud}:${index}`), userPrincipalName: `user@partner${number}.example`, displayName: `User ${number}` }],
    });
  }
  return base;
}

function syntheticGuid(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// The view served at GET /_sim/world

export interface SimTenantView {
  id: string;
  cloud: SimCloud;
  displayName: string;
  domains: string[];
  defaultDomain: string;
  initialDomain: string;
  /** `authorityHost` for @azure/identity: `{simUrl}/{loginHost}`. */
  loginBaseUrl: string;
  /** Graph base without version: `{simUrl}/{graphHost}` (append `/v1.0/...`). */
  graphBaseUrl: string;
  teamsAdminBaseUrl: string;
  /** The real scope a client asks for, e.g. `https://graph.microsoft.com/.default`. */
  graphScope: string;
  teamsScope: string;
  /** This tenant's cloud as a value of allowedCloudEndpoints. */
  cloudEndpoint: string;
  users: Array<{ id: string; userPrincipalName: string; displayName: string; mail: string | null; userType: 'Member' | 'Guest' }>;
  groups: Array<{ id: string; displayName: string; members: string[] }>;
}

export interface SimAppView {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  displayName: string;
  permissions: string[];
  directoryRoles: string[];
}

export interface SimWorldView {
  url: string;
  tenants: SimTenantView[];
  apps: SimAppView[];
}

export function initialDomainOf(tenant: Pick<WorldTenant, 'cloud' | 'domains'>): string {
  const suffix = CLOUD_TABLE[tenant.cloud].initialDomainSuffix;
  return tenant.domains.find((domain) => domain.toLowerCase().endsWith(suffix)) ?? tenant.domains[0];
}

export function worldView(world: LoadedWorld, simUrl: string): SimWorldView {
  return {
    url: simUrl,
    tenants: world.tenants.map((tenant) => {
      const cloud = CLOUD_TABLE[tenant.cloud];
      const idsByUpn = new Map(tenant.users.map((user) => [user.userPrincipalName.toLowerCase(), user.id]));
      return {
        id: tenant.id,
        cloud: tenant.cloud,
        displayName: tenant.displayName,
        domains: [...tenant.domains],
        defaultDomain: tenant.domains[0],
        initialDomain: initialDomainOf(tenant),
        loginBaseUrl: `${simUrl}/${cloud.loginHost}`,
        graphBaseUrl: `${simUrl}/${cloud.graphHost}`,
        teamsAdminBaseUrl: `${simUrl}/${cloud.teamsAdminHost}`,
        graphScope: `${cloud.graphResource}/.default`,
        teamsScope: `${TEAMS_RESOURCE}/.default`,
        cloudEndpoint: cloud.cloudEndpoint,
        users: tenant.users.map((user) => ({
          id: user.id,
          userPrincipalName: user.userPrincipalName,
          displayName: user.displayName,
          mail: user.mail ?? user.userPrincipalName,
          userType: user.userType ?? 'Member',
        })),
        groups: tenant.groups.map((group) => ({
          id: group.id,
          displayName: group.displayName,
          members: group.members.map((member) => idsByUpn.get(member.toLowerCase()) ?? member),
        })),
      };
    }),
    apps: world.apps.map((app) => ({
      tenantId: app.tenantId,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      displayName: app.displayName,
      permissions: [...app.permissions],
      directoryRoles: [...app.directoryRoles],
    })),
  };
}
