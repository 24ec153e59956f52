// Offboarding one of two partnerships that share configuration in a tenant: Woodgrove China is
// partnered with Contoso and with Fabrikam (both Global), so both need China's cloud setting for
// the worldwide cloud. Removing one keeps what the other needs (handed over to it, listed as kept);
// removing the other then removes it — except the partner entry an admin changed meanwhile, which
// stays with a warning naming it.
import { activePartnership, api, collaborationState, contosoRequest, hasStatus, storedEvents, useDeployments, waitForPartnership, WORLD } from '../support/stack';

jest.setTimeout(360_000);

const withoutGuests = (state: Record<string, unknown>): Record<string, unknown> => ({ ...state, guests: undefined });
const PARTNERS = '/policies/crossTenantAccessPolicy/partners';

describe('two partnerships sharing a cloud endpoint in Woodgrove China', () => {
  const { stack, contoso, fabrikam, china } = useDeployments({ Contoso: WORLD.contoso, Fabrikam: WORLD.fabrikam, China: WORLD.china });
  let withContoso = '';
  let withFabrikam = '';
  let chinaBefore: Record<string, unknown>;

  beforeAll(async () => {
    chinaBefore = collaborationState(await stack().simulator.control.state(WORLD.china));
    withContoso = await activePartnership(contoso(), china(), contosoRequest(stack()));
    withFabrikam = await activePartnership(fabrikam(), china(), {
      partnerTenantId: WORLD.china,
      partnerCloud: 'China',
      partnerDeploymentUrl: china().baseUrl,
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
      teams: { federation: true, guestAccess: true },
    });
  }, 240_000);

  it('removing one keeps the endpoint (and the rest the other needs) for the other, handed over and listed as kept', async () => {
    const ownedByFabrikam = (await api(china(), 'GET', `/api/partnerships/${withFabrikam}`)).body.owned;
    // The first partnership added the cloud setting; the second found it there.
    expect(ownedByFabrikam).not.toContainEqual({ kind: 'cloudEndpoint', value: 'microsoftonline.com' });

    expect((await api(china(), 'DELETE', `/api/partnerships/${withContoso}`, { body: { reason: 'Contoso project closed.' } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(china(), withContoso, hasStatus('Removed', 'Failed')),
      waitForPartnership(contoso(), withContoso, hasStatus('Removed', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Removed', 'Removed']);

    const state = await stack().simulator.control.state(WORLD.china);
    expect(state.policy.allowedCloudEndpoints).toEqual(['microsoftonline.com']);
    expect(state.partners.map((partner) => partner.tenantId)).toEqual([WORLD.fabrikam]);
    const federation = state.teams.TenantFederationSettings as { AllowFederatedUsers: boolean; AllowedDomains: string[] };
    // Federation (open to every domain in this tenant, so never narrowed to a list) stays on for Fabrikam.
    expect(federation.AllowFederatedUsers).toBe(true);
    expect(federation.AllowedDomains).not.toContain('contoso.com');

    const kept = a.steps.at(-1).data.kept as { description: string; why: string }[];
    expect(kept).toEqual(
      expect.arrayContaining([
        { item: { kind: 'cloudEndpoint', value: 'microsoftonline.com' }, description: 'cloud endpoint microsoftonline.com', why: `still needed by partnership ${withFabrikam}` },
        expect.objectContaining({ description: 'guest adele.vance@contoso.com' }),
      ]),
    );
    // The other partnership owns it now (so its own offboarding will remove it), says so, and is untouched.
    const other = (await api(china(), 'GET', `/api/partnerships/${withFabrikam}`)).body;
    expect(other).toMatchObject({ status: 'Active' });
    expect(other.owned).toContainEqual({ kind: 'cloudEndpoint', value: 'microsoftonline.com' });
    expect(other.steps.map((step: { message: string }) => step.message)).toContain(
      `Cloud endpoint microsoftonline.com is owned by this partnership from now on (partnership ${withContoso} was removed).`,
    );
    expect((await api(china(), 'GET', `/api/partnerships/${withFabrikam}/plan`)).body).toMatchObject({ empty: true });
    expect((await api(fabrikam(), 'GET', `/api/partnerships/${withFabrikam}`)).body.status).toBe('Active');
  });

  it('removing the other removes the endpoint now, and leaves alone the partner entry an admin changed, with a warning naming it', async () => {
    // Woodgrove China's admin narrows Fabrikam's inbound access to one group, on the entry the product created.
    const group = (await stack().simulator.control.state(WORLD.china)).groups[0];
    const narrowed = {
      usersAndGroups: { accessType: 'allowed', targets: [{ target: group.id, targetType: 'group' }] },
      applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] },
    };
    const edit = await stack().simulator.control.admin(WORLD.china, { method: 'PATCH', path: `${PARTNERS}/${WORLD.fabrikam}`, body: { b2bCollaborationInbound: narrowed } });
    expect(edit.status).toBeLessThan(300);

    // This time the partner (Fabrikam) ends it: China removes its side on its own.
    expect((await api(fabrikam(), 'DELETE', `/api/partnerships/${withFabrikam}`)).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(china(), withFabrikam, hasStatus('Removed', 'Failed')),
      waitForPartnership(fabrikam(), withFabrikam, hasStatus('Removed', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Removed', 'Removed']);

    const state = await stack().simulator.control.state(WORLD.china);
    // The endpoint went with the last partnership that needed it.
    expect(state.policy.allowedCloudEndpoints).toEqual([]);
    // The admin's entry stays as the admin left it.
    const entry = state.partners.find((partner) => partner.tenantId === WORLD.fabrikam);
    expect(entry?.b2bCollaborationInbound).toMatchObject(narrowed);
    const warning = a.steps.find((step: { type: string; message: string }) => step.type === 'warning' && step.message.includes(WORLD.fabrikam));
    expect(warning.message).toBe(`Partner organisation ${WORLD.fabrikam} (its settings) was changed since the product set it; it is left as it is.`);
    expect(a.steps.at(-1).data.kept).toContainEqual({
      item: { kind: 'partner', tenantId: WORLD.fabrikam },
      description: `partner organisation ${WORLD.fabrikam}`,
      why: 'an administrator changed it since the product set it',
    });
    // Everything else is as it was before either partnership (the guests aside, and that entry).
    const after = collaborationState(state);
    expect(withoutGuests({ ...after, partners: [] })).toEqual(withoutGuests({ ...chinaBefore, partners: [] }));
    // The warning row names who asked: the partner.
    const warningRow = (await storedEvents(stack(), china(), withFabrikam)).find((event) => event.type === 'warning' && event.message.includes(WORLD.fabrikam));
    expect(warningRow).toMatchObject({ actor: `partner:${WORLD.fabrikam}`, data: { code: 'ownership.changed-by-admin', items: [{ kind: 'partner', tenantId: WORLD.fabrikam }] } });
  });
});
