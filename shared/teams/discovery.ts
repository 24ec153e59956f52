// Where a tenant's Teams admin configuration API lives. The Teams PowerShell module and admin
// tools first call a discovery endpoint on the base host, `GET /Teams.Tenant/serviceDiscovery`,
// which answers the tenant's configuration endpoint and routing values:
//   { "Endpoints": { "ConfigApiEndpoint": host, "AdminServiceEndpoint": host },
//     "Headers": { "X-MS-Forest": forest } }
// Configuration calls then go to the ConfigApiEndpoint with `X-MS-Forest`, and the settings the
// module routes to the legacy admin service (federation, ACS federation) also carry
// `X-MS-Target-Uri: https://{AdminServiceEndpoint}/OcsPowershellWebservice`. The shape is what
// open-source admin tools send and read, not a documented contract, and the national base hosts
// are unconfirmed: so discovery is used where it answers, the base host stays overridable
// (TEAMS_ADMIN_BASE_URL), and without an answer the configuration calls go to the base host.
// See docs/deployment.md ("Teams admin API").
import { z } from 'zod';
import type { TeamsConfigurationType } from './configurations';

export const TEAMS_DISCOVERY_PATH = '/Teams.Tenant/serviceDiscovery';

/** Configuration types the module routes to the legacy admin service (OcsPowershellWebservice). */
export const LEGACY_ROUTED_TYPES: ReadonlySet<TeamsConfigurationType> = new Set(['TenantFederationSettings', 'TeamsAcsFederationConfiguration']);

const host = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a host name');

export const serviceDiscoverySchema = z.looseObject({
  Endpoints: z.looseObject({ ConfigApiEndpoint: host.optional(), AdminServiceEndpoint: host.optional() }),
  Headers: z.looseObject({ 'X-MS-Forest': z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional() }).optional(),
});

/** Where configuration calls go, and the routing headers they carry. */
export interface TeamsRoute {
  /** Base URL of the configuration API (no trailing slash). */
  baseUrl: string;
  forest?: string;
  adminServiceEndpoint?: string;
  /** True when a discovery answer chose it. */
  discovered: boolean;
}

/**
 * Turns a discovery answer into a route. A host outside the base host's parent domain (the last
 * two labels: microsoft.com, microsoft.us, microsoftonline.cn) is not trusted with the token:
 * the answer is then ignored. `hostUrl` maps a real host to a URL (the simulator serves every
 * host as a path below one base URL).
 */
export function routeFromDiscovery(answer: unknown, baseUrl: string, hostUrl: (host: string) => string): TeamsRoute | undefined {
  const parsed = serviceDiscoverySchema.safeParse(answer);
  if (!parsed.success) return undefined;
  const parent = parentDomain(realHostOf(baseUrl));
  const trusted = (candidate: string | undefined): string | undefined =>
    candidate && parent && parentDomain(candidate.toLowerCase()) === parent ? candidate.toLowerCase() : undefined;
  const configHost = trusted(parsed.data.Endpoints.ConfigApiEndpoint);
  const adminHost = trusted(parsed.data.Endpoints.AdminServiceEndpoint);
  if (parsed.data.Endpoints.ConfigApiEndpoint && !configHost) return undefined;
  return {
    baseUrl: configHost ? hostUrl(configHost).replace(/\/+$/, '') : baseUrl,
    forest: parsed.data.Headers?.['X-MS-Forest'],
    adminServiceEndpoint: adminHost,
    discovered: true,
  };
}

/** Routing headers of one configuration call. */
export function routeHeaders(route: TeamsRoute, type: TeamsConfigurationType): Record<string, string> {
  const headers: Record<string, string> = {};
  if (route.forest) headers['X-MS-Forest'] = route.forest;
  if (route.adminServiceEndpoint && LEGACY_ROUTED_TYPES.has(type)) headers['X-MS-Target-Uri'] = `https://${route.adminServiceEndpoint}/OcsPowershellWebservice`;
  return headers;
}

/**
 * The real host a base URL stands for: its host name, or — when the URL is a simulator's
 * `{simUrl}/{realHost}` — the first path segment.
 */
export function realHostOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  const first = url.pathname.split('/').filter(Boolean)[0];
  return (first && first.includes('.') ? first : url.hostname).toLowerCase();
}

function parentDomain(hostName: string): string | undefined {
  const labels = hostName.split('.').filter(Boolean);
  return labels.length >= 2 ? labels.slice(-2).join('.') : undefined;
}
