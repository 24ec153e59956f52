// The Microsoft clouds a tenant can live in, and the hosts of each (microsoft-facts.md).
// Every URL can be overridden by configuration: the local simulator serves each real host as a
// path prefix (`{simUrl}/{realHost}`), and the national Teams admin hosts are unconfirmed.
import { TEAMS_ADMIN_RESOURCE } from './teams/configurations';
import { DomainError } from './errors';

export const CLOUD_NAMES = ['Global', 'USGov', 'USGovDoD', 'China'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

/**
 * The sovereign environment a cloud belongs to. GCC High and DoD share one Azure Government
 * environment (one `allowedCloudEndpoints` value): collaboration between them is not cross-cloud.
 */
export type CloudEnvironment = 'Global' | 'USGov' | 'China';

export interface CloudDefinition {
  name: CloudName;
  displayName: string;
  environment: CloudEnvironment;
  /** Value of crossTenantAccessPolicy.allowedCloudEndpoints that enables collaboration with this cloud. */
  allowedCloudEndpoint: string;
  graphHost: string;
  loginHost: string;
  teamsAdminHost: string;
  /** False where the Teams admin API host is our best guess (national clouds). */
  teamsAdminHostConfirmed: boolean;
}

export const CLOUDS: Readonly<Record<CloudName, CloudDefinition>> = {
  Global: {
    name: 'Global',
    displayName: 'Microsoft Azure worldwide (Global)',
    environment: 'Global',
    allowedCloudEndpoint: 'microsoftonline.com',
    graphHost: 'graph.microsoft.com',
    loginHost: 'login.microsoftonline.com',
    teamsAdminHost: 'api.interfaces.records.teams.microsoft.com',
    teamsAdminHostConfirmed: true,
  },
  USGov: {
    name: 'USGov',
    displayName: 'Microsoft Azure Government (GCC High)',
    environment: 'USGov',
    allowedCloudEndpoint: 'microsoftonline.us',
    graphHost: 'graph.microsoft.us',
    loginHost: 'login.microsoftonline.us',
    teamsAdminHost: 'api.interfaces.records.teams.microsoft.us',
    teamsAdminHostConfirmed: false,
  },
  USGovDoD: {
    name: 'USGovDoD',
    displayName: 'Microsoft Azure Government (DoD)',
    environment: 'USGov',
    allowedCloudEndpoint: 'microsoftonline.us',
    graphHost: 'dod-graph.microsoft.us',
    loginHost: 'login.microsoftonline.us',
    teamsAdminHost: 'api.interfaces.records.dod.teams.microsoft.us',
    teamsAdminHostConfirmed: false,
  },
  China: {
    name: 'China',
    displayName: 'Microsoft Azure operated by 21Vianet (China)',
    environment: 'China',
    allowedCloudEndpoint: 'partner.microsoftonline.cn',
    graphHost: 'microsoftgraph.chinacloudapi.cn',
    loginHost: 'login.chinacloudapi.cn',
    teamsAdminHost: 'api.interfaces.records.teams.microsoftonline.cn',
    teamsAdminHostConfirmed: false,
  },
};

export function isCloudName(value: unknown): value is CloudName {
  return typeof value === 'string' && (CLOUD_NAMES as readonly string[]).includes(value);
}

export function cloudDefinition(cloud: CloudName): CloudDefinition {
  const definition = CLOUDS[cloud];
  if (!definition) {
    throw new DomainError('request.invalid', `Unknown cloud "${String(cloud)}": expected one of ${CLOUD_NAMES.join(', ')}.`);
  }
  return definition;
}

/** True when the two clouds are different sovereign environments (cross-cloud collaboration). */
export function isCrossCloud(a: CloudName, b: CloudName): boolean {
  return CLOUDS[a].environment !== CLOUDS[b].environment;
}

/** Where to reach one cloud's services, after configuration overrides. */
export interface CloudEndpoints {
  cloud: CloudName;
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

/** The endpoints of a cloud, with overrides applied (explicit URL > host base URL > real host). */
export function resolveCloudEndpoints(cloud: CloudName, overrides: CloudEndpointOverrides = {}): CloudEndpoints {
  const definition = cloudDefinition(cloud);
  const hostUrl = (host: string): string =>
    overrides.hostBaseUrl ? `${trimSlash(overrides.hostBaseUrl)}/${host}` : `https://${host}`;
  return {
    cloud,
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
