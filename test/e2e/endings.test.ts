// The other endings of a handshake: the partner rejects, the invitation expires (short lifetime),
// and a pair of clouds that may not collaborate at all. Rejection and expiry undo exactly what the
// partnership added — the tenant is as it was, the admin's own settings included.
import { api, collaborationState, contosoRequest, hasStatus, requestCount, useDeployments, waitForPartnership, WORLD, writeCount } from '../support/stack';

jest.setTimeout(240_000);

describe('handshake endings', () => {
  const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china });

  beforeEach(async () => {
    await stack().simulator.control.reset();
    // An admin's own partner entry and cloud setting, there before the product.
    await stack().simulator.control.admin(WORLD.contoso, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['microsoftonline.us'] } });
    await stack().simulator.control.admin(WORLD.contoso, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: WORLD.fabrikam } });
  });

  it('rejection: B declines, A undoes its side and ends Rejected; both tenants are as they were', async () => {
    const contosoBefore = collaborationState(await stack().simulator.control.state(WORLD.contoso));
    const chinaBefore = collaborationState(await stack().simulator.control.state(WORLD.china));
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await waitForPartnership(contoso(), id, hasStatus('AwaitingPartner'));
    await waitForPartnership(china(), id, hasStatus('Draft'));
    // A's Entra side is configured while it waits.
    expect((await stack().simulator.control.state(WORLD.contoso)).policy.allowedCloudEndpoints.sort()).toEqual(['microsoftonline.us', 'partner.microsoftonline.cn']);

    const missingReason = await api(china(), 'POST', `/api/partnerships/${id}/reject`, { body: {} });
    expect(missingReason.status).toBe(400);
    expect(missingReason.body.issues).toEqual([{ field: 'reason', message: expect.stringContaining('required') }]);

    const rejected = await api(china(), 'POST', `/api/partnerships/${id}/reject`, { body: { reason: 'Not this quarter.' } });
    expect(rejected.status).toBe(202);
    expect(rejected.body).toEqual({ id, status: 'Rejected' });
    const a = await waitForPartnership(contoso(), id, hasStatus('Rejected', 'Failed', 'Active'));
    expect(a.status).toBe('Rejected');
    expect(a.steps.map((step: { type: string; message: string }) => step.message)).toEqual(
      expect.arrayContaining([
        'Rejection received from tenant 7e8be59e-c071-47fb-ab9c-d694c21edb87: Not this quarter.',
        expect.stringMatching(/^Undid what this partnership had added to the tenant \(2 change\(s\)\)/),
      ]),
    );
    expect(a.owned).toEqual([]);
    const b = await waitForPartnership(china(), id, (partnership) => partnership.steps.some((step: { type: string }) => step.type === 'message.sent'));
    expect(b.status).toBe('Rejected');

    expect(collaborationState(await stack().simulator.control.state(WORLD.contoso))).toEqual(contosoBefore);
    expect(collaborationState(await stack().simulator.control.state(WORLD.china))).toEqual(chinaBefore);
    // B can no longer approve it.
    const late = await api(china(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('partnership.illegal-transition');
  });

  it('timeout: nobody approves within the lifetime, A undoes its side and ends Expired; a late approval is refused', async () => {
    const contosoBefore = collaborationState(await stack().simulator.control.state(WORLD.contoso));
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack(), { invitationLifetime: '10s' }) });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await waitForPartnership(china(), id, hasStatus('Draft'));
    const a = await waitForPartnership(contoso(), id, hasStatus('Expired', 'Failed', 'Active'), 90_000);
    expect(a.status).toBe('Expired');
    expect(a.steps.map((step: { type: string }) => step.type)).toEqual(expect.arrayContaining(['invitation.expired', 'compensated']));
    expect(collaborationState(await stack().simulator.control.state(WORLD.contoso))).toEqual(contosoBefore);

    const late = await api(china(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } });
    expect(late.body).toMatchObject({ status: 409, code: 'handshake.expired' });
    expect((await api(china(), 'GET', `/api/partnerships/${id}`)).body.status).toBe('Draft');
  });

  it('USGov ↔ China is refused before anything is written: no row, no orchestration, no Graph call', async () => {
    await stack().simulator.control.resetCounters();
    const before = (await api(china(), 'GET', '/api/partnerships')).body.partnerships.length;
    const refused = await api(china(), 'POST', '/api/partnerships', {
      body: {
        partnerTenantId: WORLD.usgov,
        partnerCloud: 'USGov',
        partnerDeploymentUrl: 'https://handshake.tailspin.us',
        b2bCollaboration: { inbound: { users: 'all' } },
        b2bDirectConnect: { outbound: { users: 'all' } },
        teams: { federation: true },
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      type: 'https://cross-cloud-handshake.dev/problems/capability.violation',
      status: 422,
      code: 'capability.violation',
      violations: expect.arrayContaining([
        expect.objectContaining({ code: 'clouds.usgov-china', message: expect.any(String) }),
        expect.objectContaining({ code: 'b2b-direct-connect.cross-cloud' }),
      ]),
    });
    expect((await api(china(), 'GET', '/api/partnerships')).body.partnerships).toHaveLength(before);
    expect(await requestCount(stack(), WORLD.china)).toBe(0);
    expect(await writeCount(stack(), WORLD.china)).toBe(0);
    const instances = await api(china(), 'GET', `/runtime/webhooks/durabletask/instances?code=${china().systemKey}`, { key: 'none' });
    expect(instances.body.filter((instance: { name: string }) => instance.name === 'onboardPartner')).toHaveLength(0);
  });
});
