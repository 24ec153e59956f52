// The Microsoft 365 environments the simulator plays, their real hosts and the collaboration rules
// between them. The environments and their hosts come from the product's one table
// (shared/clouds.ts); this file adds what only the simulator needs (token audiences, initial
// domain suffixes) and the services' own refusals. One HTTPS server serves every host as a path
// prefix: `{simUrl}/{realHost}/...`; a host may serve several environments (graph.microsoft.com
// serves commercial and GCC tenants).
import { ENVIRONMENTS, ENVIRONMENT_NAMES, parseEnvironment, type EntraCloud, type EnvironmentName } from '../../../shared/clouds';
import { TEAMS_ADMIN_RESOURCE } from '../../../shared/teams/configurations';

export const SIM_CLOUDS = ENVIRONMENT_NAMES;
export type SimCloud = EnvironmentName;

/** The Azure cloud of an environment's Entra ID (one allowedCloudEndpoints value each). */
export type SimEnvironment = EntraCloud;

export interface SimCloudDefinition {
  name: SimCloud;
  environment: SimEnvironment;
  /** crossTenantAccessPolicy.allowedCloudEndpoints value that enables collaboration with this cloud. */
  cloudEndpoint: string;
  loginHost: string;
  graphHost: string;
  /** Teams admin configuration API host; the national ones are *unconfirmed*. */
  teamsAdminHost: string;
  teamsAdminHostConfirmed: boolean;
  /** Audience of Graph tokens, and the scope prefix (`${graphResource}/.default`). */
  graphResource: string;
  /** Suffix of the initial (`*.onmicrosoft.com`-like) domain of tenants in this cloud. */
  initialDomainSuffix: string;
}

const INITIAL_DOMAIN_SUFFIX: Record<EntraCloud, string> = { Global: '.onmicrosoft.com', USGov: '.onmicrosoft.us', China: '.partner.onmschina.cn' };

export const CLOUD_TABLE: Readonly<Record<SimCloud, SimCloudDefinition>> = Object.fromEntries(
  SIM_CLOUDS.map((name) => {
    const environment = ENVIRONMENTS[name];
    const definition: SimCloudDefinition = {
      name,
      environment: environment.entraCloud,
      cloudEndpoint: environment.allowedCloudEndpoint,
      loginHost: environment.loginHost,
      graphHost: environment.graphHost,
      teamsAdminHost: environment.teamsAdminHost,
      teamsAdminHostConfirmed: environment.teamsAdminHostConfirmed,
      graphResource: `https://${environment.graphHost}`,
      initialDomainSuffix: INITIAL_DOMAIN_SUFFIX[environment.entraCloud],
    };
    return [name, definition];
  }),
) as unknown as Record<SimCloud, SimCloudDefinition>;

/** A world's cloud name, earlier names (USGov, USGovDoD) included, as the environment it names. */
export function simCloudOf(value: unknown): SimCloud | undefined {
  return parseEnvironment(value);
}

/** The three values Entra accepts in allowedCloudEndpoints. */
export const CLOUD_ENDPOINT_VALUES = ['microsoftonline.com', 'microsoftonline.us', 'partner.microsoftonline.cn'] as const;

export const TEAMS_RESOURCE = TEAMS_ADMIN_RESOURCE;

export type HostService = 'login' | 'graph' | 'teams';

export interface HostBinding {
  service: HostService;
  /** Clouds served by this host (login.microsoftonline.us serves GCC High and DoD). */
  clouds: SimCloud[];
}

/** Every real host the simulator answers for, lower-case. */
export const HOSTS: ReadonlyMap<string, HostBinding> = (() => {
  const hosts = new Map<string, HostBinding>();
  for (const cloud of SIM_CLOUDS) {
    const def = CLOUD_TABLE[cloud];
    const add = (host: string, service: HostService): void => {
      const existing = hosts.get(host);
      if (existing) existing.clouds.push(cloud);
      else hosts.set(host, { service, clouds: [cloud] });
    };
    add(def.loginHost, 'login');
    add(def.graphHost, 'graph');
    add(def.teamsAdminHost, 'teams');
  }
  return hosts;
})();

export function environmentOf(cloud: SimCloud): SimEnvironment {
  return CLOUD_TABLE[cloud].environment;
}

/** True when tenants of the two clouds are in different Azure clouds (B2B across clouds). */
export function isCrossCloud(a: SimCloud, b: SimCloud): boolean {
  return environmentOf(a) !== environmentOf(b);
}

/** True when the two tenants are in different Microsoft 365 environments (Teams' cross-cloud meetings, e.g. commercial ↔ GCC). */
export function isCrossEnvironment(a: SimCloud, b: SimCloud): boolean {
  return ENVIRONMENTS[a].teamsEnvironment !== ENVIRONMENTS[b].teamsEnvironment;
}

/** B2B collaboration is possible within an environment, and Global ↔ USGov, Global ↔ China. */
export function mayCollaborate(a: SimCloud, b: SimCloud): boolean {
  const pair = [environmentOf(a), environmentOf(b)].sort().join('|');
  return pair !== 'China|USGov';
}

/**
 * Cross-tenant synchronisation from `source` into `target`: same environment, Global ↔ USGov,
 * Global → China (the China side of that direction is *unconfirmed*, see sync.ts).
 */
export function maySync(source: SimCloud, target: SimCloud): boolean {
  const from = environmentOf(source);
  const to = environmentOf(target);
  if (from === to) return true;
  if (from === 'Global') return true;
  return from === 'USGov' && to === 'Global';
}

/** API availability by cloud (the API reference pages' national-cloud tables). */
export function supportsIdentitySynchronization(cloud: SimCloud): boolean {
  return ENVIRONMENTS[cloud].crossTenantSyncApi;
}

/** APIs documented for the global Graph service only (commercial and GCC tenants). */
export function supportsGlobalOnlyApis(cloud: SimCloud): boolean {
  return ENVIRONMENTS[cloud].globalGraphService;
}
