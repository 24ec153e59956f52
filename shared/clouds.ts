// The Microsoft 365 environments a tenant can live in, and everything the product derives from
// one: its Entra (Azure) cloud — which decides the hosts, the `allowedCloudEndpoints` value and
// what "cross-cloud" means for B2B — and its Teams environment, which decides what Teams allows.
// GCC is a commercial Entra tenant with a government Teams environment. One table; see
// docs/capabilities.md for where each fact comes from. Every URL can be overridden by
// configuration: the local simulator serves each real host as a path prefix, and some national
// hosts are unconfirmed.
import { z } from 'zod';
import { TEAMS_ADMIN_RESOURCE } from './teams/configurations';
import { DomainError } from './errors';

export const ENVIRONMENT_NAMES = ['Global', 'GCC', 'GCCHigh', 'DoD', 'China'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Names earlier versions used (configuration values, request bodies, stored records, messages). */
export const ENVIRONMENT_ALIASES: Readonly<Record<string, EnvironmentName>> = { USGov: 'GCCHigh', USGovDoD: 'DoD' };

/** Every name accepted on input: the environments and their aliases. */
export const ACCEPTED_ENVIRONMENT_NAMES: readonly string[] = [...ENVIRONMENT_NAMES, ...Object.keys(ENVIRONMENT_ALIASES)];

/** The environments by their earlier name (kept so code written against it keeps compiling). */
export const CLOUD_NAMES = ENVIRONMENT_NAMES;
export type CloudName = EnvironmentName;

/**
 * The Microsoft Azure cloud an environment's Entra ID lives in: one `allowedCloudEndpoints`
 * value each. Commercial and GCC share one; GCC High and DoD share Azure Government.
 */
export type EntraCloud = 'Global' | 'USGov' | 'China';

/** The Microsoft 365 / Teams environment (what Teams' own rules are stated in). */
export type TeamsEnvironment = 'Commercial' | 'GCC' | 'GCCHigh' | 'DoD' | 'China';

export interface EnvironmentDefinition {
  name: EnvironmentName;
  displayName: string;
  entraCloud: EntraCloud;
  teamsEnvironment: TeamsEnvironment;
  /** Value of crossTenantAccessPolicy.allowedCloudEndpoints that enables collaboration with this environment's Entra cloud. */
  allowedCloudEndpoint: string;
  graphHost: string;
  loginHost: string;
  teamsAdminHost: string;
  /** False where the Teams admin API host is our best guess (national clouds). */
  teamsAdminHostConfirmed: boolean;
  /** Where invited guests land by default (the My Apps portal of this environment). */
  myAppsUrl: string;
  myAppsUrlConfirmed: boolean;
  /** Served by the global Graph service (Microsoft 365 cross-tenant capabilities exist only there). */
  globalGraphService: boolean;
  /** Graph offers identitySynchronization and synchronization jobs (not in China). */
  crossTenantSyncApi: boolean;
}

const WORLDWIDE = {
  entraCloud: 'Global',
  allowedCloudEndpoint: 'microsoftonline.com',
  graphHost: 'graph.microsoft.com',
  loginHost: 'login.microsoftonline.com',
  teamsAdminHost: 'api.interfaces.records.teams.microsoft.com',
  myAppsUrl: 'https://myapplications.microsoft.com',
  myAppsUrlConfirmed: true,
  globalGraphService: true,
  crossTenantSyncApi: true,
} as const;

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentDefinition>> = {
  Global: {
    ...WORLDWIDE,
    name: 'Global',
    displayName: 'Microsoft 365 commercial (worldwide)',
    teamsEnvironment: 'Commercial',
    teamsAdminHostConfirmed: true,
  },
  GCC: {
    ...WORLDWIDE,
    name: 'GCC',
    displayName: 'Microsoft 365 GCC (US Government Community Cloud)',
    teamsEnvironment: 'GCC',
    // The Teams module connects GCC tenants without a TeamsEnvironmentName (the commercial endpoint).
    teamsAdminHostConfirmed: false,
  },
  GCCHigh: {
    name: 'GCCHigh',
    displayName: 'Microsoft 365 GCC High (Azure Government)',
    entraCloud: 'USGov',
    teamsEnvironment: 'GCCHigh',
    allowedCloudEndpoint: 'microsoftonline.us',
    graphHost: 'graph.microsoft.us',
    loginHost: 'login.microsoftonline.us',
    teamsAdminHost: 'api.interfaces.records.teams.microsoft.us',
    teamsAdminHostConfirmed: false,
    myAppsUrl: 'https://myapps.microsoft.us',
    myAppsUrlConfirmed: false,
    globalGraphService: false,
    crossTenantSyncApi: true,
  },
  DoD: {
    name: 'DoD',
    displayName: 'Microsoft 365 DoD (Azure Government)',
    entraCloud: 'USGov',
    teamsEnvironment: 'DoD',
    allowedCloudEndpoint: 'microsoftonline.us',
    graphHost: 'dod-graph.microsoft.us',
    loginHost: 'login.microsoftonline.us',
    teamsAdminHost: 'api.interfaces.records.dod.teams.microsoft.us',
    teamsAdminHostConfirmed: false,
    myAppsUrl: 'https://myapps.microsoft.us',
    myAppsUrlConfirmed: false,
    globalGraphService: false,
    crossTenantSyncApi: true,
  },
  China: {
    name: 'China',
    displayName: 'Microsoft 365 operated by 21Vianet (China)',
    entraCloud: 'China',
    teamsEnvironment: 'China',
    allowedCloudEndpoint: 'partner.microsoftonline.cn',
    graphHost: 'microsoftgraph.chinacloudapi.cn',
    loginHost: 'login.chinacloudapi.cn',
    teamsAdminHost: 'api.interfaces.records.teams.microsoftonline.cn',
    teamsAdminHostConfirmed: false,
    myAppsUrl: 'https://myapps.azure.cn',
    myAppsUrlConfirmed: false,
    globalGraphService: false,
    crossTenantSyncApi: false,
  },
};

/** The environments table under its earlier name. */
export const CLOUDS = ENVIRONMENTS;
export type CloudDefinition = EnvironmentDefinition;

/** The environment a name (or alias) stands for, or undefined. Case-insensitive. */
export function parseEnvironment(value: unknown): EnvironmentName | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  const exact = ENVIRONMENT_NAMES.find((name) => name.toLowerCase() === text);
  if (exact) return exact;
  const alias = Object.keys(ENVIRONMENT_ALIASES).find((name) => name.toLowerCase() === text);
  return alias ? ENVIRONMENT_ALIASES[alias] : undefined;
}

/** True for a canonical environment name (aliases are not: normalise them with parseEnvironment). */
export function isCloudName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

export const ENVIRONMENT_NAME_MESSAGE = `must be one of ${ENVIRONMENT_NAMES.join(', ')} (USGov and USGovDoD are accepted for GCCHigh and DoD)`;

/** An environment in a request or message: a name or alias, normalised to the environment's name. */
export const environmentSchema = z
  .string({ error: ENVIRONMENT_NAME_MESSAGE })
  .transform((value, context) => {
    const environment = parseEnvironment(value);
    if (!environment) {
      context.addIssue({ code: 'custom', message: ENVIRONMENT_NAME_MESSAGE });
      return z.NEVER;
    }
    return environment;
  })
  // Described by its canonical names (the aliases stay accepted): the OpenAPI description and the
  // console's form show the choice.
  .meta({ enum: [...ENVIRONMENT_NAMES] });

export function environmentDefinition(environment: EnvironmentName): EnvironmentDefinition {
  const definition = ENVIRONMENTS[parseEnvironment(environment) ?? (environment as EnvironmentName)];
  if (!definition) {
    throw new DomainError('request.invalid', `Unknown environment "${String(environment)}": ${ENVIRONMENT_NAME_MESSAGE}.`);
  }
  return definition;
}

export const cloudDefinition = environmentDefinition;

/** True when the two environments' Entra IDs are different Azure clouds (B2B across clouds). */
export function isCrossCloud(a: EnvironmentName, b: EnvironmentName): boolean {
  return environmentDefinition(a).entraCloud !== environmentDefinition(b).entraCloud;
}

/** True when the two environments are different Microsoft 365 environments (Teams across clouds, e.g. commercial ↔ GCC). */
export function isCrossEnvironment(a: EnvironmentName, b: EnvironmentName): boolean {
  return environmentDefinition(a).teamsEnvironment !== environmentDefinition(b).teamsEnvironment;
}

/** Where to reach one environment's services, after configuration overrides. */
export interface CloudEndpoints {
  cloud: EnvironmentName;
  /** e.g. https://graph.microsoft.com/v1.0 */
  graphBaseUrl: string;
  /** Authority host for @azure/identity, e.g. https://login.microsoftonline.com */
  loginBaseUrl: string;
  /** e.g. https://api.interfaces.records.teams.microsoft.com */
  teamsAdminBaseUrl: string;
  /** Token scope of Graph: always the real resource, e.g. https://graph.microsoft.com/.default */
  graphScope: string;
  /** Token scope of the Teams admin API. */
  teamsScope: string;
  teamsAdminHostConfirmed: boolean;
}

export interface CloudEndpointOverrides {
  /**
   * A base URL that serves every real host as a path prefix (the local simulator):
   * `https://127.0.0.1:4443` makes Graph `https://127.0.0.1:4443/graph.microsoft.com/v1.0`.
   */
  hostBaseUrl?: string;
  graphBaseUrl?: string;
  loginBaseUrl?: string;
  teamsAdminBaseUrl?: string;
}

/** The endpoints of an environment, with overrides applied (explicit URL > host base URL > real host). */
export function resolveCloudEndpoints(cloud: EnvironmentName, overrides: CloudEndpointOverrides = {}): CloudEndpoints {
  const definition = environmentDefinition(cloud);
  const hostUrl = (host: string): string =>
    overrides.hostBaseUrl ? `${trimSlash(overrides.hostBaseUrl)}/${host}` : `https://${host}`;
  return {
    cloud: definition.name,
    graphBaseUrl: trimSlash(overrides.graphBaseUrl ?? `${hostUrl(definition.graphHost)}/v1.0`),
    loginBaseUrl: trimSlash(overrides.loginBaseUrl ?? hostUrl(definition.loginHost)),
    teamsAdminBaseUrl: trimSlash(overrides.teamsAdminBaseUrl ?? hostUrl(definition.teamsAdminHost)),
    graphScope: `https://${definition.graphHost}/.default`,
    teamsScope: `${TEAMS_ADMIN_RESOURCE}/.default`,
    teamsAdminHostConfirmed: definition.teamsAdminHostConfirmed,
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
