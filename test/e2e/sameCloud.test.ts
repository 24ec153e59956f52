// A handshake within one cloud (Contoso ↔ Fabrikam, Global): the partner named by its verified
// domain, B2B direct connect (allowed within a cloud), and cross-tenant synchronisation from
// Contoso into Fabrikam — the target side (inbound sync allowed) configured at Fabrikam, the source
// side (configuration, job, credentials, scope, started) at Contoso.
import { api, hasStatus, useDeployments, waitForPartnership, WORLD } from '../support/stack';

jest.setTimeout(240_000);

describe('a same-cloud handshake with B2B direct connect and cross-tenant sync', () => {
  const { stack, contoso, fabrikam } = useDeployments({ Contoso: WORLD.contoso, Fabrikam: WORLD.fabrikam });

  it('ends Active on both sides with both sides of sync configured', async () => {
    const created = await api(contoso(), 'POST', '/api/partnerships', {
      body: {
        partnerDomain: 'fabrikam.com',
        partnerCloud: 'Global',
        partnerDeploymentUrl: fabrikam().baseUrl,
        b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
        b2bDirectConnect: { inbound: { users: 'all' }, outbound: { users: 'all' } },
        teams: { federation: true },
        crossTenantSync: { direction: 'outbound', scopingGroupIds: ['2fda2898-91b5-4a9f-a23b-7ec7fb25509b'] },
      },
    });
    expect(created.status).toBe(202);
    const id = created.body.id;
    const initiator = await api(contoso(), 'GET', `/api/partnerships/${id}`);
    // Named by domain, stored by tenant id (looked up in the same cloud).
    expect(initiator.body).toMatchObject({ partnerTenantId: WORLD.fabrikam, desired: { partnerTenantId: WORLD.fabrikam } });

    await waitForPartnership(fabrikam(), id, hasStatus('Draft'));
    expect((await api(fabrikam(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Active', 'Failed')),
      waitForPartnership(fabrikam(), id, hasStatus('Active', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Active', 'Active']);

    // Contoso is the sync source: it configured the job; Fabrikam (the target) has nothing of it.
    expect(a.steps).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/^Cross-tenant synchronisation configured and started/) }));
    expect(b.steps.some((step: { message: string }) => /synchronisation configured/.test(step.message))).toBe(false);
    expect(a.owned).toContainEqual({ kind: 'syncConfiguration', targetTenantId: WORLD.fabrikam });

    const contosoState = await stack().simulator.control.state(WORLD.contoso);
    const fabrikamState = await stack().simulator.control.state(WORLD.fabrikam);
    // Same cloud: no cloud endpoint to enable.
    expect(contosoState.policy.allowedCloudEndpoints).toEqual([]);
    const fabrikamInContoso = contosoState.partners.find((partner) => partner.tenantId === WORLD.fabrikam)!;
    expect(fabrikamInContoso.b2bDirectConnectOutbound).toMatchObject({ usersAndGroups: { accessType: 'allowed' } });
    const contosoInFabrikam = fabrikamState.partners.find((partner) => partner.tenantId === WORLD.contoso)!;
    expect(contosoInFabrikam.b2bDirectConnectInbound).toMatchObject({ usersAndGroups: { accessType: 'allowed' } });
    // Fabrikam is the target: it lets Contoso provision users into it.
    expect(contosoInFabrikam.identitySynchronization).toMatchObject({ userSyncInbound: { isSyncAllowed: true } });
    expect(fabrikamState.teams.TenantFederationSettings).toMatchObject({ AllowFederatedUsers: true });
    const configuration = contosoState.servicePrincipals.find((sp) => sp.displayName === `cross-cloud-handshake sync to ${WORLD.fabrikam}`)!;
    expect(configuration.synchronization.jobs).toEqual([expect.objectContaining({ templateId: 'Azure2Azure', schedule: expect.objectContaining({ state: 'Active' }) })]);
    expect(configuration.appRoleAssignedTo.map((assignment) => assignment.principalId)).toEqual(['2fda2898-91b5-4a9f-a23b-7ec7fb25509b']);
    expect(fabrikamState.servicePrincipals.some((sp) => String(sp.displayName).startsWith('cross-cloud-handshake sync'))).toBe(false);
  });
});
