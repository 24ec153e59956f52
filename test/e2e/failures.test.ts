// A tenant write that fails for good. Before the partner took part (Entra side), the partnership
// ends Failed with the partial work listed and undone; after the partner confirmed (Teams and
// guests), it ends Failed with the partial work listed and left in place (undoing it would break
// the partner). A transient failure (500/503, throttling) is retried by the activity instead.
import { api, collaborationState, contosoRequest, hasStatus, useDeployments, waitForPartnership, WORLD } from '../support/stack';

jest.setTimeout(240_000);

describe('a failed Entra write, before the partner took part', () => {
  // Room for the cloud endpoint, not for the partner entry: creating it fails for good (400).
  const { stack, contoso } = useDeployments({ Contoso: WORLD.contoso }, { simulator: { policySizeLimitBytes: 200 } });

  it('ends Failed with the partial work listed, and undone', async () => {
    const before = collaborationState(await stack().simulator.control.state(WORLD.contoso));
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    expect(created.status).toBe(202);
    const failed = await waitForPartnership(contoso(), created.body.id, hasStatus('Failed', 'AwaitingPartner', 'Active'));
    expect(failed.status).toBe('Failed');
    expect(failed.lastError).toMatchObject({
      code: 'apply.partial-failure',
      details: {
        failedOperationId: `partner.create:${WORLD.china}`,
        error: { code: 'tenant.policy-too-large' },
        applied: [expect.objectContaining({ operationId: 'cloudEndpoints.update', outcome: 'applied' })],
        notApplied: [`partner.create:${WORLD.china}`],
      },
    });
    const messages = failed.steps.map((step: { message: string }) => step.message);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Configuring the Entra side failed: /), expect.stringMatching(/^Undid what this partnership had added to the tenant \(1 change\(s\)\)/)]),
    );
    expect(messages.at(-1)).toBe('Configuring the Entra side failed. What this partnership had added was removed.');
    expect(failed.owned).toEqual([]);
    expect(collaborationState(await stack().simulator.control.state(WORLD.contoso))).toEqual(before);
    // No invitation was signed.
    expect((await api(contoso(), 'GET', `/api/partnerships/${created.body.id}/invitation`)).status).toBe(409);
  });
});

describe('a failed write after the partner confirmed', () => {
  const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china });

  it('ends Failed with the partial work listed, nothing undone behind the partner', async () => {
    // A guest UPN with a typo: no such user in the partner tenant, the invitation is refused (400).
    const request = contosoRequest(stack(), { guests: ['li.wei@woodgrove.cn', 'li.wie@woodgrove.cn'] });
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: request });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await waitForPartnership(china(), id, hasStatus('Draft'));
    await api(china(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } });
    const failed = await waitForPartnership(contoso(), id, hasStatus('Failed', 'Active'));
    expect(failed.status).toBe('Failed');
    expect(failed.lastError).toMatchObject({
      code: 'apply.partial-failure',
      details: {
        failedOperationId: 'guest.invite:li.wie@woodgrove.cn',
        error: { code: 'tenant.bad-request' },
        applied: expect.arrayContaining([
          expect.objectContaining({ operationId: 'teams.update:TeamsCrossCloudMeetingConfiguration' }),
          expect.objectContaining({ operationId: 'guest.invite:li.wei@woodgrove.cn' }),
        ]),
        notApplied: ['guest.invite:li.wie@woodgrove.cn'],
      },
    });
    expect(failed.steps.map((step: { type: string }) => step.type)).not.toContain('compensated');
    expect(failed.steps.at(-1).message).toMatch(/^Configuring Teams and guests failed\. The changes made so far stay in place/);
    // The Entra side the partner relies on, and the Teams changes made, are still there and still owned.
    const state = await stack().simulator.control.state(WORLD.contoso);
    expect(state.partners.map((partner) => partner.tenantId)).toContain(WORLD.china);
    expect(failed.owned).toEqual(
      expect.arrayContaining([{ kind: 'partner', tenantId: WORLD.china }, expect.objectContaining({ kind: 'guest', upn: 'li.wei@woodgrove.cn' })]),
    );
    // The partner keeps waiting for a `ready` that will not come (until its own timeout).
    expect((await api(china(), 'GET', `/api/partnerships/${id}`)).body.status).not.toBe('Active');
  });
});
