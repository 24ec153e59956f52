// Reconcile test fixtures: an Active partnership between Contoso (Global) and Woodgrove China
// without running the handshake — the Partnerships row is written through the repository and
// both tenants are brought to the desired state with the domain's own read → plan → apply (what
// the handshake does; its own tests belong to the handshake suite).
import type { RunningSimulator } from '../../infra/local/simulator';
import {
  applyPlan,
  mirrorForPartner,
  ownershipAfter,
  parseDesiredCollaboration,
  plan,
  readTenantState,
  type DesiredCollaboration,
  type DesiredCollaborationInput,
  type OwnedItem,
  type PartnershipRecord,
  type PartnershipRepository,
  type PlanArea,
  type TenantAdapters,
} from '../../shared';
import { tenantNamed } from '../support/simulator';
import { adaptersFor } from '../support/tenant';

export const ENTRA_AREAS: readonly PlanArea[] = ['cloudEndpoints', 'partner', 'identitySync'];
/** The "Cross-cloud Collaborators" group of Contoso in the default world. */
export const CONTOSO_COLLABORATORS_GROUP = '2fda2898-91b5-4a9f-a23b-7ec7fb25509b';

/** Contoso's desired collaboration with Woodgrove China (overridable). */
export function woodgroveDesired(sim: Pick<RunningSimulator, 'world'>, overrides: Partial<DesiredCollaborationInput> = {}): DesiredCollaboration {
  return parseDesiredCollaboration({
    partnerTenantId: tenantNamed(sim, 'Woodgrove China').id,
    partnerCloud: 'China',
    partnerDeploymentUrl: 'https://handshake.woodgrove.cn',
    b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: { groupIds: [CONTOSO_COLLABORATORS_GROUP] } } },
    teams: { federation: true, guestAccess: true, crossCloudMeetings: { inbound: true, outbound: true } },
    guests: ['li.wei@woodgrove.cn'],
    partnerGuests: ['adele.vance@contoso.com'],
    ...overrides,
  });
}

async function apply(side: TenantAdapters, target: { partnershipId: string; desired: DesiredCollaboration; partnerDomains: string[]; areas?: readonly PlanArea[] }, cloud: 'Global' | 'China') {
  return applyPlan(side, plan([target], await readTenantState(side, [target], { localCloud: cloud }), { localCloud: cloud }));
}

/**
 * Configures both tenants for the partnership (Entra on both sides first: a guest invitation needs
 * both partner entries), then stores Contoso's Partnerships row as Active with its ownership.
 */
export async function activateWoodgrovePartnership(
  sim: RunningSimulator,
  partnerships: PartnershipRepository,
  options: { id: string; desired?: DesiredCollaboration },
): Promise<PartnershipRecord> {
  const contoso = adaptersFor(sim, 'Contoso');
  const china = adaptersFor(sim, 'Woodgrove China');
  const desired = options.desired ?? woodgroveDesired(sim);
  const contosoSide = { partnershipId: options.id, desired, partnerDomains: ['woodgrove.cn'] };
  const chinaSide = {
    partnershipId: options.id,
    desired: mirrorForPartner(desired, { tenantId: contoso.tenant.id, cloud: 'Global', deploymentUrl: 'https://handshake.contoso.com' }),
    partnerDomains: ['contoso.com'],
  };
  let owned: OwnedItem[] = [];
  owned = ownershipAfter(owned, options.id, await apply(contoso, { ...contosoSide, areas: ENTRA_AREAS }, 'Global'));
  await apply(china, { ...chinaSide, areas: ENTRA_AREAS }, 'China');
  owned = ownershipAfter(owned, options.id, await apply(contoso, contosoSide, 'Global'));
  await apply(china, chinaSide, 'China');
  await partnerships.create({ id: options.id, role: 'initiator', desired, status: 'Active', partnerDomains: ['woodgrove.cn'] });
  return partnerships.update(options.id, () => ({ ownership: owned, driftStatus: 'InSync' }));
}

/** Polls until `probe` returns a truthy value (generous timeout; no timing assertions). */
export async function eventually<T>(probe: () => Promise<T | undefined | false | null>, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${options.what ?? 'a condition'}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

/** Admin paths of the simulator's control API ("as an admin in the portal"). */
export const PARTNER_PATH = (tenantId: string): string => `/policies/crossTenantAccessPolicy/partners/${tenantId}`;
export const TEAMS_CLIENT_PATH = '/Skype.Policy/configurations/TeamsClientConfiguration/configuration/Global';
