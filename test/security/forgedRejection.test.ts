// A forged rejection must not cancel a genuine onboarding: a rejection is accepted only under a key
// already authenticated (fetched from the partner's URL, or pinned by the admin). Refused, nothing
// changed; the genuine approval then completes the handshake.
import { expectRefused, MESSAGE_ATTACKS, pick, UNAUTHENTICATED_KEY_ATTACKS, useSecurityLab } from '../support/attacks';
import { api, hasStatus, waitForPartnership } from '../support/stack';

jest.setTimeout(180_000);

describe('forged rejection', () => {
  const lab = useSecurityLab();

  it('partner unreachable (no key trusted yet): refused', async () => {
    const [attack] = pick(UNAUTHENTICATED_KEY_ATTACKS, 'forged rejection without a trusted key');
    expectRefused(await lab().attempt(attack), attack);
    expect((await api(lab().contoso, 'GET', `/api/partnerships/${(await lab().unreachable()).id}`)).body.status).toBe('AwaitingPartner');
  });

  it("partner key pinned from its URL: refused, and the genuine onboarding goes on to Active", async () => {
    const [attack] = pick(MESSAGE_ATTACKS, 'forged rejection');
    expectRefused(await lab().attempt(attack), attack);
    const scene = await lab().awaiting();
    expect((await api(lab().china, 'POST', `/api/partnerships/${scene.id}/approve`, { body: { pairingCode: scene.pairingCode } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(lab().contoso, scene.id, hasStatus('Active', 'Failed', 'Rejected')),
      waitForPartnership(lab().china, scene.id, hasStatus('Active', 'Failed', 'Rejected')),
    ]);
    expect([a.status, b.status]).toEqual(['Active', 'Active']);
  });
});
