// The Graph calls of the collaboration settings beyond the partner entry itself: a partner's
// Microsoft 365 cross-tenant capabilities (global Graph service only; permission
// Policy.ReadWrite.CrossTenantCapability, reading: Policy.Read.All), the members of a team
// (TeamMember.ReadWriteNonOwnerRole.All; reading: TeamMember.Read.All) and finding an invited guest.
// See docs/capabilities.md for the documentation each comes from.
import type { M365Capability, TeamMember } from '../tenant';
import type { GraphAdapter } from './client';

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';

/** The capabilities of a partner (a collection of m365CapabilityBase subtypes). */
export const m365CapabilitiesPath = (tenantId: string): string => `${PARTNERS}/${tenantId}/m365Capabilities`;
export const m365CapabilityPath = (tenantId: string, name: string): string => `${m365CapabilitiesPath(tenantId)}/${encodeURIComponent(name)}`;

export const teamMembersPath = (teamId: string): string => `/teams/${encodeURIComponent(teamId)}/members`;

/** A capability as Graph returns it, as the product keeps it (annotations and timestamps dropped). */
export function m365CapabilityOf(value: Record<string, unknown>): M365Capability {
  const typeName = typeof value['@odata.type'] === 'string' ? String(value['@odata.type']).replace(/^#microsoft\.graph\./, '') : undefined;
  const access = (value.inboundAccess ?? {}) as Partial<M365Capability['inboundAccess']>;
  return {
    name: String(value.name ?? typeName ?? ''),
    inboundAccess: {
      isAllowed: access.isAllowed === true,
      resourceScopes: { included: access.resourceScopes?.included ?? [], excluded: access.resourceScopes?.excluded ?? [] },
    },
  };
}

/** A team member as the product keeps it (users only). */
export function teamMemberOf(value: Record<string, unknown>): TeamMember | undefined {
  const userId = typeof value.userId === 'string' ? value.userId : undefined;
  if (!userId || typeof value.id !== 'string') return undefined;
  return { id: value.id, userId: userId.toLowerCase(), roles: Array.isArray(value.roles) ? (value.roles as string[]) : [] };
}

/** The body that adds a user to a team (roles: [] for a member). */
export function teamMemberBody(graph: Pick<GraphAdapter, 'baseUrl'>, userId: string, roles: readonly string[]): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    roles: [...roles],
    'user@odata.bind': `${graph.baseUrl}/users('${userId}')`,
  };
}

/** The object id of the guest invited as `address`, or undefined. */
export async function findGuestUserId(graph: GraphAdapter, address: string): Promise<string | undefined> {
  const escaped = address.toLowerCase().replace(/'/g, "''");
  const users = await graph.listAll<{ id: string }>(`/users?$filter=userType eq 'Guest' and mail eq '${escaped}'&$select=id,mail`);
  return users[0]?.id;
}
