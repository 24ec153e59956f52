// Teams admin API service discovery, as admin tools use it (shared/teams/discovery.ts):
//   GET {teamsAdminHost}/Teams.Tenant/serviceDiscovery  (Teams token)
//   → { Endpoints: { ConfigApiEndpoint, AdminServiceEndpoint }, Headers: { "X-MS-Forest" } }
// Each cloud's tenants are served at a *regional* configuration host of the simulator's own
// making, `configapi-sim.{teamsAdminHost}` (the real regional hosts are unknown, and the point is
// that the product follows whatever discovery says). There a request must carry the tenant's
// forest in `X-MS-Forest`, and federation / ACS federation settings the target header of the
// legacy admin service. With `teamsDiscoveryRequired`, the base host serves discovery only.
import { createHash } from 'node:crypto';
import type { TeamsConfigurationType } from '../../../../shared/teams/configurations';
import { CLOUD_TABLE, SIM_CLOUDS, SimCloud } from '../clouds';
import { badRequest } from '../errors';
import type { TenantState } from '../state';

export const DISCOVERY_PATH = '/teams.tenant/servicediscovery';
const REGIONAL_PREFIX = 'configapi-sim.';
const ADMIN_SERVICE_PREFIX = 'adminsvc-sim.';
const LEGACY_ROUTED: ReadonlySet<TeamsConfigurationType> = new Set(['TenantFederationSettings', 'TeamsAcsFederationConfiguration']);

export function regionalConfigHost(cloud: SimCloud): string {
  return `${REGIONAL_PREFIX}${CLOUD_TABLE[cloud].teamsAdminHost}`;
}

function adminServiceHost(cloud: SimCloud): string {
  return `${ADMIN_SERVICE_PREFIX}${CLOUD_TABLE[cloud].teamsAdminHost}`;
}

/** The environments whose regional configuration host this is (several share one, as commercial and GCC do); empty when it is none. */
export function regionalHostClouds(host: string): SimCloud[] {
  return SIM_CLOUDS.filter((cloud) => regionalConfigHost(cloud) === host.toLowerCase());
}

/** A tenant's forest: stable, derived from its id. */
export function forestOf(tenant: TenantState): string {
  return `SIM${tenant.cloud.toUpperCase()}${createHash('sha1').update(tenant.id.toLowerCase()).digest('hex').slice(0, 4).toUpperCase()}`;
}

export function discoveryAnswer(tenant: TenantState): unknown {
  return {
    Endpoints: { ConfigApiEndpoint: regionalConfigHost(tenant.cloud), AdminServiceEndpoint: adminServiceHost(tenant.cloud) },
    Headers: { 'X-MS-Forest': forestOf(tenant) },
  };
}

/** The routing headers a request at the regional host must carry (400 otherwise). */
export function checkRouting(tenant: TenantState, type: TeamsConfigurationType, headers: Record<string, string | undefined>): void {
  const forest = headers['x-ms-forest'];
  if (forest !== forestOf(tenant)) {
    throw badRequest(`X-MS-Forest must name the tenant's forest as answered by /Teams.Tenant/serviceDiscovery (got "${forest ?? ''}").`, 'BadRequest');
  }
  if (LEGACY_ROUTED.has(type)) {
    const expected = `https://${adminServiceHost(tenant.cloud)}/OcsPowershellWebservice`;
    if (headers['x-ms-target-uri'] !== expected) {
      throw badRequest(`${type} is served by the admin service: X-MS-Target-Uri must be ${expected} (from /Teams.Tenant/serviceDiscovery).`, 'BadRequest');
    }
  }
}
