// Offboarding when the partner is not where a finished partnership would find it: a partner
// deployment that is down (this side still removes its own configuration; the signed message is
// carried over later and accepted), a partnership still awaiting the partner's approval (the
// running onboarding is cancelled and compensated), and an invitation the partner never approved
// (it declines it, so the initiator undoes its side at once).
import { api, activePartnership, collaborationState, contosoRequest, hasStatus, useDeployments, waitForPartnership, WORLD } from '../support/stack';

jest.setTimeout(300_000);

const withoutGuests = (state: Record<string, unknown>): Record<string, unknown> => ({ ...state, guests: undefined });

describe('offboarding a partnership the partner cannot take part in right now', () => {
  const { stack, contoso, china } = useDeployments(
    { Contoso: WORLD.contoso, China: WORLD.china },
    // Contoso gives up on an unreachable partner after a few quick attempts.
    { settings: { MESSAGE_DELIVERY_MAX_ATTEMPTS: '3', MESSAGE_DELIVERY_MAX_RETRY_INTERVAL_MS: '500' } },
  );

  beforeEach(async () => {
    await stack().simulator.control.reset();
  });

  async function state(tenantId: string): Promise<Record<string, unknown>> {
    return collaborationState(await stack().simulator.control.state(tenantId));
  }

  it('partner down: this side is Removed with "partner not notified"; the message carried over later is accepted and the partner is Removed too', async () => {
    const contosoBefore = await state(WORLD.contoso);
    const chinaBefore = await state(WORLD.china);
    const id = await activePartnership(contoso(), china(), contosoRequest(stack()));
    await china().stop();
    try {
      const deleted = await api(contoso(), 'DELETE', `/api/partnerships/${id}`, { body: { reason: 'Contract ended.' } });
      expect(deleted.status).toBe(202);
      const a = await waitForPartnership(contoso(), id, hasStatus('Removed', 'Failed'));
      expect(a.status).toBe('Removed');
      const warning = a.steps.find((step: { type: string; message: string }) => step.type === 'warning' && step.message.startsWith('Partner not notified'));
      expect(warning.message).toContain(`GET /api/partnerships/${id}/offboard-message`);
      expect(a.steps.at(-1).message).toMatch(/The partner was not notified\.$/);
      expect(a.offboardMessageUrl).toBe(`${contoso().baseUrl}/api/partnerships/${id}/offboard-message`);
      expect(withoutGuests(await state(WORLD.contoso))).toEqual(withoutGuests(contosoBefore));
    } finally {
      await china().restart();
    }

    // The partner is back and knows nothing yet.
    expect((await api(china(), 'GET', `/api/partnerships/${id}`)).body.status).toBe('Active');
    // Contoso's admin fetches the signed message; Woodgrove China's admin posts it to its own deployment.
    const message = await api(contoso(), 'GET', `/api/partnerships/${id}/offboard-message`);
    expect(message.status).toBe(200);
    const accepted = await api(china(), 'POST', '/api/handshake/messages', { body: message.text, contentType: 'application/jose', key: 'none' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ id, status: 'Offboarding', accepted: 'offboard' });
    const b = await waitForPartnership(china(), id, hasStatus('Removed', 'Failed'));
    expect(b.status).toBe('Removed');
    expect(b.steps.map((step: { message: string }) => step.message)).toContain(`Offboard received from tenant ${WORLD.contoso}; reason: Contract ended.`);
    expect(withoutGuests(await state(WORLD.china))).toEqual(withoutGuests(chinaBefore));
  });

  it('during AwaitingPartner: the onboarding is cancelled and its Entra side undone; the invited partner (awaiting approval) ends Removed too', async () => {
    const contosoBefore = await state(WORLD.contoso);
    const chinaBefore = await state(WORLD.china);
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    const id = created.body.id;
    await waitForPartnership(contoso(), id, hasStatus('AwaitingPartner'));
    await waitForPartnership(china(), id, hasStatus('Draft'));
    expect(await state(WORLD.contoso)).not.toEqual(contosoBefore);

    const deleted = await api(contoso(), 'DELETE', `/api/partnerships/${id}`);
    expect(deleted.body).toMatchObject({ id, status: 'Offboarding' });
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Removed', 'Failed')),
      waitForPartnership(china(), id, hasStatus('Removed', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Removed', 'Removed']);
    expect(a.steps.map((step: { message: string }) => step.message)).toContain('The onboardPartner workflow still running was stopped; what it configured is removed below.');
    // The onboarding instance was terminated through the durable client, not left waiting for an answer.
    const instance = await api(contoso(), 'GET', `/runtime/webhooks/durabletask/instances/${id}?code=${contoso().systemKey}`, { key: 'none' });
    expect(instance.body.runtimeStatus).toBe('Terminated');
    // Nothing was left behind on either side; the partner can no longer approve it.
    expect(await state(WORLD.contoso)).toEqual(contosoBefore);
    expect(await state(WORLD.china)).toEqual(chinaBefore);
    const late = await api(china(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } });
    expect(late.status).toBe(409);
  });

  it('an invitation the partner never approved: it declines it by offboarding, and the initiator undoes its side (Rejected)', async () => {
    const contosoBefore = await state(WORLD.contoso);
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    const id = created.body.id;
    await waitForPartnership(contoso(), id, hasStatus('AwaitingPartner'));
    await waitForPartnership(china(), id, hasStatus('Draft'));

    const deleted = await api(china(), 'DELETE', `/api/partnerships/${id}`, { body: { reason: 'We do not know this organisation.' } });
    expect(deleted.body).toMatchObject({ id, status: 'Offboarding' });
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Rejected', 'Removed', 'Failed')),
      waitForPartnership(china(), id, hasStatus('Removed', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Rejected', 'Removed']);
    expect(a.steps.map((step: { message: string }) => step.message)).toContain(`Rejection received from tenant ${WORLD.china}: We do not know this organisation.`);
    expect(b.steps.map((step: { message: string }) => step.message)).toContain(
      `Told the partner: rejection (the invitation was never approved) delivered to ${contoso().baseUrl}/api/handshake/messages (HTTP 202).`,
    );
    expect(await state(WORLD.contoso)).toEqual(contosoBefore);
  });
});
