// Offboarding end to end, initiated by either side: two deployments on the local host (Contoso in
// Global, Woodgrove China in 21Vianet), the Graph + Teams simulator and Azurite. Each side removes
// exactly what the partnership added — the tenants end as they were, except the invited guests
// (kept by default) — and every removal is an Events row naming who asked, with before and after.
import { signHandshakeMessage, FileDeploymentKeyStore } from '../../shared/handshake';
import {
  activePartnership,
  api,
  collaborationState,
  contosoRequest,
  hasStatus,
  storedEvents,
  useDeployments,
  waitForPartnership,
  WORLD,
  type LocalStackDeployment,
} from '../support/stack';

jest.setTimeout(300_000);

const withoutGuests = (state: Record<string, unknown>): Record<string, unknown> => ({ ...state, guests: undefined });

describe('offboarding between Contoso (Global) and Woodgrove China (21Vianet)', () => {
  const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china });

  beforeEach(async () => {
    await stack().simulator.control.reset();
    // An admin's own settings in Contoso, there before the product: they must survive offboarding.
    await stack().simulator.control.admin(WORLD.contoso, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: WORLD.fabrikam } });
    await stack().simulator.control.admin(WORLD.contoso, {
      service: 'teams',
      method: 'PUT',
      path: '/Skype.Policy/configurations/TenantFederationSettings/configuration/Global',
      body: { Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: ['adatum.com'], BlockedDomains: [], AllowTeamsConsumer: false },
    });
  });

  async function states(): Promise<{ contoso: Record<string, unknown>; china: Record<string, unknown> }> {
    return {
      contoso: collaborationState(await stack().simulator.control.state(WORLD.contoso)),
      china: collaborationState(await stack().simulator.control.state(WORLD.china)),
    };
  }

  async function removalRows(deployment: LocalStackDeployment, id: string) {
    return (await storedEvents(stack(), deployment, id)).filter((event) => event.type === 'operation.applied' && event.id.includes(':offboard-'));
  }

  it('initiated by A: both sides end Removed, both tenants as they were except the guests kept; asking again changes nothing', async () => {
    const before = await states();
    const id = await activePartnership(contoso(), china(), contosoRequest(stack()));
    const active = await states();
    expect(active.contoso).not.toEqual(before.contoso);
    expect((await stack().simulator.control.state(WORLD.contoso)).subscriptions.length).toBeGreaterThan(0);

    const deleted = await api(contoso(), 'DELETE', `/api/partnerships/${id}`, { body: { reason: 'The joint project is finished.' } });
    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual({ id, status: 'Offboarding', statusUrl: `${contoso().baseUrl}/api/partnerships/${id}` });
    expect(deleted.headers.get('location')).toBe(deleted.body.statusUrl);

    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Removed', 'Failed')),
      waitForPartnership(china(), id, hasStatus('Removed', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Removed', 'Removed']);
    expect(a.lastError).toBeUndefined();
    expect([a.owned, b.owned]).toEqual([[], []]);

    // The tenants are as they were (the admin's own partner and federation domain included), except the guests.
    const after = await states();
    expect(withoutGuests(after.contoso)).toEqual(withoutGuests(before.contoso));
    expect(withoutGuests(after.china)).toEqual(withoutGuests(before.china));
    expect(after.contoso.guests).toEqual([expect.stringMatching(/^li\.wei_woodgrove\.cn#EXT#@/)]);
    expect(after.china.guests).toEqual([expect.stringMatching(/^adele\.vance_contoso\.com#EXT#@/)]);
    // ... and the guests kept are listed, with why.
    const removedStep = a.steps.at(-1);
    expect(removedStep).toMatchObject({ type: 'status.changed', status: 'Removed', data: { partnerNotified: true } });
    expect(removedStep.data.kept).toEqual([
      { item: expect.objectContaining({ kind: 'guest', upn: 'li.wei@woodgrove.cn' }), description: 'guest li.wei@woodgrove.cn', why: expect.stringContaining('User.ReadWrite.All') },
    ]);
    // Its change notifications are gone too.
    expect((await stack().simulator.control.state(WORLD.contoso)).subscriptions).toEqual([]);

    // The sequence on A: asked, reconciliation stopped, subscriptions, partner told, removal, Removed.
    const steps = a.steps.map((step: { type: string; message: string }) => step.message);
    const order = [/^Offboarding asked by admin:function-key: The joint project is finished\./, /^Reconciliation stopped/, /^Change-notification subscriptions: \d+ removed/, /^Told the partner: offboard message delivered/, /^Removed what this partnership had added/];
    const positions = order.map((pattern) => steps.findIndex((message: string) => pattern.test(message)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    // B: who asked and why, then the same removal without its admin.
    expect(b.steps.map((step: { message: string }) => step.message)).toEqual(
      expect.arrayContaining([
        `Offboard received from tenant ${WORLD.contoso}; reason: The joint project is finished.`,
        `Offboarding asked by partner:${WORLD.contoso}: The joint project is finished. (the invited guests are kept).`,
      ]),
    );

    // Every removal is an Events row: who asked, before and after.
    const contosoRemovals = await removalRows(contoso(), id);
    expect(contosoRemovals.length).toBeGreaterThanOrEqual(4);
    for (const row of contosoRemovals) expect(row).toMatchObject({ actor: 'admin:function-key', before: expect.anything() });
    expect(contosoRemovals.map((row) => row.operationId)).toEqual(expect.arrayContaining([`partner.delete:${WORLD.china}`, 'cloudEndpoints.update']));
    expect(contosoRemovals.find((row) => row.operationId === 'cloudEndpoints.update')).toMatchObject({
      before: { allowedCloudEndpoints: ['partner.microsoftonline.cn'] },
      after: { allowedCloudEndpoints: [] },
    });
    const chinaRemovals = await removalRows(china(), id);
    expect(chinaRemovals.length).toBeGreaterThanOrEqual(3);
    for (const row of chinaRemovals) expect(row.actor).toBe(`partner:${WORLD.contoso}`);
    const requested = (await storedEvents(stack(), contoso(), id)).find((event) => event.type === 'offboarding.requested');
    expect(requested).toMatchObject({ actor: 'admin:function-key', before: { status: 'Active' }, after: { status: 'Offboarding' } });

    // Asking again is answered with the current state and changes nothing, on either side.
    const again = await api(contoso(), 'DELETE', `/api/partnerships/${id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id, status: 'Removed', statusUrl: `${contoso().baseUrl}/api/partnerships/${id}` });
    expect((await api(china(), 'DELETE', `/api/partnerships/${id}`)).body.status).toBe('Removed');
    expect((await api(contoso(), 'GET', `/api/partnerships/${id}`)).body.steps).toHaveLength(a.steps.length);

    // The offboard message stays available on the side that sent it (not on the other).
    const message = await api(contoso(), 'GET', `/api/partnerships/${id}/offboard-message`);
    expect(message.status).toBe(200);
    expect(message.headers.get('content-type')).toBe('application/jose');
    expect(JSON.parse(Buffer.from(message.text.split('.')[1], 'base64url').toString())).toMatchObject({
      type: 'offboard',
      iss: WORLD.contoso,
      aud: WORLD.china,
      partnershipId: id,
      reason: 'The joint project is finished.',
    });
    expect((await api(china(), 'GET', `/api/partnerships/${id}/offboard-message`)).status).toBe(409);

    // Delivered again, the same message gets its first answer and does nothing more.
    const chinaSteps = (await api(china(), 'GET', `/api/partnerships/${id}`)).body.steps.length;
    const redelivered = await api(china(), 'POST', '/api/handshake/messages', { body: message.text, contentType: 'application/jose', key: 'none' });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toEqual({ id, status: 'Offboarding', accepted: 'offboard' });
    // Its nonce with other content is a replay: refused.
    const contosoKey = await new FileDeploymentKeyStore({ path: contoso().keyFile }).getDeploymentKey();
    const jti = JSON.parse(Buffer.from(message.text.split('.')[1], 'base64url').toString()).jti;
    const replay = await signHandshakeMessage({ type: 'offboard', iss: WORLD.contoso, aud: WORLD.china, partnershipId: id, reason: 'again' }, { key: contosoKey, jti });
    const refused = await api(china(), 'POST', '/api/handshake/messages', { body: replay.jws, contentType: 'application/jose', key: 'none' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('handshake.replay');
    expect((await api(china(), 'GET', `/api/partnerships/${id}`)).body.steps).toHaveLength(chinaSteps);
    expect(withoutGuests(await states().then((s) => s.china))).toEqual(withoutGuests(before.china));
  });

  it('a removal the tenant keeps refusing ends Failed with the reason; offboarding again finishes it (the partner told once)', async () => {
    const before = await states();
    const id = await activePartnership(contoso(), china(), contosoRequest(stack()));
    // Contoso's Teams admin API keeps failing while its removal runs.
    await stack().simulator.control.addScriptedFault({ status: 503, count: 10_000, tenantId: WORLD.contoso, operation: 'teams.PutTenantFederationSettings' });
    expect((await api(contoso(), 'DELETE', `/api/partnerships/${id}`)).status).toBe(202);
    const failed = await waitForPartnership(contoso(), id, hasStatus('Removed', 'Failed'));
    expect(failed.status).toBe('Failed');
    expect(failed.lastError).toMatchObject({ message: expect.stringContaining('Removing the configuration kept failing') });
    expect(failed.steps.at(-1)).toMatchObject({ status: 'Failed', message: expect.stringContaining('Offboard again to finish.') });
    // The partner was told before the removal began, and removed its side.
    expect((await waitForPartnership(china(), id, hasStatus('Removed', 'Failed'))).status).toBe('Removed');

    await stack().simulator.control.setFaults({ scripted: [] });
    const again = await api(contoso(), 'DELETE', `/api/partnerships/${id}`);
    expect(again.status).toBe(202);
    expect(again.body.status).toBe('Offboarding');
    const a = await waitForPartnership(contoso(), id, hasStatus('Removed'));
    expect(a.lastError).toBeUndefined();
    expect(a.owned).toEqual([]);
    expect(withoutGuests((await states()).contoso)).toEqual(withoutGuests(before.contoso));
    // The second attempt redelivered the same signed message: the partner answered it without acting again.
    const received = (await api(china(), 'GET', `/api/partnerships/${id}`)).body.steps.filter((step: { message: string }) => step.message.startsWith('Offboard received'));
    expect(received).toHaveLength(1);
    expect(a.steps.filter((step: { message: string }) => step.message.startsWith('Told the partner: offboard message delivered'))).toHaveLength(2);
  });

  it('initiated by B (options as query parameters): the same on both sides, the initiator told by the partner', async () => {
    const before = await states();
    const id = await activePartnership(contoso(), china(), contosoRequest(stack()));
    const deleted = await api(china(), 'DELETE', `/api/partnerships/${id}?deleteGuests=false&reason=${encodeURIComponent('Merger undone.')}`);
    expect(deleted.status).toBe(202);
    expect(deleted.body).toMatchObject({ id, status: 'Offboarding' });
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Removed', 'Failed')),
      waitForPartnership(china(), id, hasStatus('Removed', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Removed', 'Removed']);
    expect(a.steps.map((step: { message: string }) => step.message)).toContain(`Offboard received from tenant ${WORLD.china}; reason: Merger undone.`);
    // The initiator did not send an offboard back: the partner asked.
    expect(a.steps.map((step: { message: string }) => step.message).some((message: string) => message.startsWith('Told the partner: offboard'))).toBe(false);
    expect((await api(contoso(), 'GET', `/api/partnerships/${id}/offboard-message`)).status).toBe(409);
    const after = await states();
    expect(withoutGuests(after.contoso)).toEqual(withoutGuests(before.contoso));
    expect(withoutGuests(after.china)).toEqual(withoutGuests(before.china));
    for (const row of await removalRows(contoso(), id)) expect(row.actor).toBe(`partner:${WORLD.china}`);
  });
});
