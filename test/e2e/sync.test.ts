// Cross-tenant synchronisation across clouds, end to end: Contoso (Global) syncs its "Cross-cloud
// Collaborators" into Tailspin Gov (GCC High). Tailspin allows inbound sync before it confirms;
// Contoso then creates the configuration, job, credentials and scope, starts it and verifies it;
// both reach Active, and provisioning a user in scope on demand creates the B2B member in Tailspin.
// The direction the clouds forbid (China → Global) is refused at once, with nothing written; the
// allowed Global → China cannot be configured on the China side (no identitySynchronization there,
// *unconfirmed*): Contoso's rules know the partner's side and refuse it before writing anything.
import { graphClientFor, tenantNamed } from '../support/simulator';
import { api, collaborationState, contosoRequest, hasStatus, useDeployments, waitForPartnership, WORLD, writeCount } from '../support/stack';

jest.setTimeout(240_000);

const COLLABORATORS = '2fda2898-91b5-4a9f-a23b-7ec7fb25509b';

describe('cross-tenant sync Global → US Gov through the handshake', () => {
  const { stack, contoso, tailspin, china } = useDeployments({ Contoso: WORLD.contoso, Tailspin: WORLD.usgov, China: WORLD.china });

  it('configures both sides, reaches Active with the job running and scoped, and provisions a user in scope', async () => {
    const created = await api(contoso(), 'POST', '/api/partnerships', {
      body: {
        partnerTenantId: WORLD.usgov,
        partnerCloud: 'GCCHigh',
        partnerDeploymentUrl: tailspin().baseUrl,
        displayName: 'Tailspin Gov',
        b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
        teams: { federation: true },
        crossTenantSync: { direction: 'outbound', scopingGroupIds: [COLLABORATORS] },
      },
    });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await waitForPartnership(tailspin(), id, hasStatus('Draft'));
    expect((await api(tailspin(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Active', 'Failed')),
      waitForPartnership(tailspin(), id, hasStatus('Active', 'Failed')),
    ]);
    expect([a.status, b.status, a.lastError, b.lastError]).toEqual(['Active', 'Active', undefined, undefined]);

    // Contoso's steps: sync configured after the partner confirmed, before verification.
    const messages: string[] = a.steps.map((step: { message: string }) => step.message);
    const confirmed = messages.findIndex((message) => message.startsWith('The partner confirmed'));
    const synced = messages.findIndex((message) => message.startsWith('Cross-tenant synchronisation configured and started'));
    const verified = messages.findIndex((message) => message.startsWith('Configuration read back'));
    expect(confirmed).toBeGreaterThan(-1);
    expect(synced).toBeGreaterThan(confirmed);
    expect(verified).toBeGreaterThan(synced);
    expect(a.owned).toContainEqual({ kind: 'syncConfiguration', targetTenantId: WORLD.usgov });

    // Tailspin (target) allows inbound sync and automatic redemption from Contoso.
    const tailspinState = await stack().simulator.control.state(WORLD.usgov);
    const contosoInTailspin = tailspinState.partners.find((partner) => partner.tenantId === WORLD.contoso)!;
    expect(contosoInTailspin).toMatchObject({
      identitySynchronization: { userSyncInbound: { isSyncAllowed: true } },
      automaticUserConsentSettings: { inboundAllowed: true },
    });

    // Contoso (source): the job exists, runs, is scoped to the group, with the target's credentials.
    const contosoState = await stack().simulator.control.state(WORLD.contoso);
    const configuration = contosoState.servicePrincipals.find((sp) => sp.displayName === `cross-cloud-handshake sync to ${WORLD.usgov}`)!;
    const [job] = configuration.synchronization.jobs as Array<{ id: string; templateId: string; schedule: { state: string } }>;
    expect(job).toMatchObject({ templateId: 'Azure2Azure', schedule: { state: 'Active' } });
    expect(configuration.synchronization.secrets).toEqual(expect.arrayContaining([{ key: 'CompanyId', value: WORLD.usgov }, { key: 'AuthenticationType', value: 'SyncPolicy' }]));
    expect(configuration.appRoleAssignedTo.map((assignment) => assignment.principalId)).toEqual([COLLABORATORS]);

    // The job works: a user in scope is provisioned into Tailspin as a B2B member.
    const sim = stack().simulator;
    const contosoTenant = tenantNamed(sim, 'Contoso');
    const adele = contosoTenant.users.find((user) => user.userPrincipalName === 'adele.vance@contoso.com')!;
    const result = await graphClientFor(sim, contosoTenant)
      .api(`/servicePrincipals/${configuration.id}/synchronization/jobs/${job.id}/provisionOnDemand`)
      .post({ parameters: [{ ruleId: 'rule', subjects: [{ objectId: adele.id, objectTypeName: 'User' }] }] });
    expect(JSON.parse(result.key)).toMatchObject({ result: 'Success' });
    const member = (await sim.control.state(WORLD.usgov)).users.find((user) => String(user.userPrincipalName).startsWith('adele.vance_contoso.com#EXT#'));
    expect(member).toMatchObject({ userType: 'Member', externalUserState: 'Accepted' });

    // Nothing left to do on either side.
    expect((await api(contoso(), 'GET', `/api/partnerships/${id}/plan`)).body).toMatchObject({ empty: true });
    expect((await api(tailspin(), 'GET', `/api/partnerships/${id}/plan`)).body).toMatchObject({ empty: true });
  });

  it('refuses the direction the clouds forbid (China → Global) with 422 and writes nothing', async () => {
    const before = (await api(contoso(), 'GET', '/api/partnerships')).body.partnerships.length;
    const writesBefore = await writeCount(stack(), WORLD.contoso);
    const refused = await api(contoso(), 'POST', '/api/partnerships', {
      body: contosoRequest(stack(), { partnerDeploymentUrl: 'https://handshake.woodgrove.cn', crossTenantSync: { direction: 'inbound', scopingGroupIds: [] } }),
    });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'capability.violation',
      violations: expect.arrayContaining([
        expect.objectContaining({ code: 'sync.direction-not-allowed', side: 'partner', field: 'crossTenantSync.direction', message: expect.stringContaining('use direction "outbound"') }),
      ]),
    });
    expect((await api(contoso(), 'GET', '/api/partnerships')).body.partnerships).toHaveLength(before);
    expect(await writeCount(stack(), WORLD.contoso)).toBe(writesBefore);
  });

  it('Global → China: refused by Contoso for the China side before Contoso writes anything', async () => {
    const before = collaborationState(await stack().simulator.control.state(WORLD.contoso));
    const writesBefore = await writeCount(stack(), WORLD.contoso);
    const partnershipsBefore = (await api(contoso(), 'GET', '/api/partnerships')).body.partnerships.length;
    const refused = await api(contoso(), 'POST', '/api/partnerships', {
      body: contosoRequest(stack(), { crossTenantSync: { direction: 'outbound', scopingGroupIds: [COLLABORATORS] } }),
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'capability.violation',
      violations: [
        expect.objectContaining({
          code: 'sync.china-unsupported',
          side: 'partner',
          message: expect.stringMatching(/The partner is a China \(21Vianet\) tenant/),
        }),
      ],
    });
    expect(await writeCount(stack(), WORLD.contoso)).toBe(writesBefore);
    expect(collaborationState(await stack().simulator.control.state(WORLD.contoso))).toEqual(before);
    expect((await api(contoso(), 'GET', '/api/partnerships')).body.partnerships).toHaveLength(partnershipsBefore);
    expect((await api(china(), 'GET', '/api/partnerships')).body.partnerships).toEqual([]);
  });
});
