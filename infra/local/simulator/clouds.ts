// The Microsoft clouds the simulator plays, their real hosts and the collaboration rules between
// them (../shared/reference/microsoft-facts.md). One HTTPS server serves every host as a path
// prefix: `{simUrl}/{realHost}/...`.
import { TEAMS_ADMIN_RESOURCE } from '../../../shared/teams/configurations';

export const SIM_CLOUDS = ['Global', 'USGov', 'USGovDoD', 'China'] as const;
export type SimCloud = (typeof SIM_CLOUDS)[number];

/** GCC High and DoD share one sovereign environment (one allowedCloudEndpoints value). */
export type SimEnvironment = 'Global' | 'USGov' | 'China';

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

export const CLOUD_TABLE: Readonly<Record<SimCloud, SimCloudDefinition>> = {
  Global: {
    name: 'Global',
    environment: 'Global',
    cloudEndpoint: 'microsoftonline.com',
    loginHost: 'login.microsoftonline.com',
    graphHost: 'graph.microsoft.com',
    teamsAdminHost: 'api.interfaces.records.teams.microsoft.com',
    teamsAdminHostConfirmed: true,
    graphResource: 'https://graph.microsoft.com',
    initialDomainSuffix: '.onmicrosoft.com',
  },
  USGov: {
    name: 'USGov',
    environment: 'USGov',
    cloudEndpoint: 'microsoftonline.us',
    loginHost: 'login.microsoftonline.us',
    graphHost: 'graph.microsoft.us',
    teamsAdminHost: 'api.interfaces.records.teams.microsoft.us',
    teamsAdminHostConfirmed: false,
    graphResource: 'https://graph.microsoft.us',
    initialDomainSuffix: '.onmicrosoft.us',
  },
  USGovDoD: {
    name: 'USGovDoD',
    environment: 'USGov',
    cloudEndpoint: 'microsoftonline.us',
    loginHost: 'login.microsoftonline.us',
    graphHost: 'dod-graph.microsoft.us',
    teamsAdminHost: 'api.interfaces.records.dod.teams.microsoft.us',
    teamsAdminHostConfirmed: false,
    graphResource: 'https://dod-graph.microsoft.us',
    initialDomainSuffix: '.onmicrosoft.us',
  },
  China: {
    name: 'China',
    environment: 'China',
    cloudEndpoint: 'partner.microsoftonline.cn',
    loginHost: 'login.chinacloudapi.cn',
    graphHost: 'microsoftgraph.chinacloudapi.cn',
    teamsAdminHost: 'api.interfaces.records.teams.microsoftonline.cn',
    teamsAdminHostConfirmed: false,
    graphResource: 'https://microsoftgraph.chinacloudapi.cn',
    initialDomainSuffix: '.partner.onmschina.cn',
  },
};

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

/** True when tenants of the two clouds are in different sovereign environments. */
export function isCrossCloud(a: SimCloud, b: SimCloud): boolean {
  return environmentOf(a) !== environmentOf(b);
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
  return environmentOf(cloud) !== 'China';
}

export function supportsGlobalOnlyApis(cloud: SimCloud): boolean {
  return cloud === 'Global';
}
