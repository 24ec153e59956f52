// Forged, replayed, mis-addressed, stale and malformed handshake messages against two running
// deployments: each is refused with problem+json, changes nothing on either deployment (Partnerships,
// Keys, Events, Nonces rows) or either tenant, and names nothing the deployment holds.
import { expectRefused, MESSAGE_ATTACKS, pick, useSecurityLab } from '../support/attacks';

jest.setTimeout(120_000);

describe('forged and replayed messages', () => {
  const lab = useSecurityLab();

  it.each(
    pick(MESSAGE_ATTACKS, 'forged signature', 'replayed nonce', 'wrong audience', 'expired message', 'message from the future', 'wrong issuer', 'answer to an unknown partnership', 'plain-http callback', 'oversized message', 'malformed message').map((attack) => [attack.name, attack] as const),
  )('%s', async (_name, attack) => {
    expectRefused(await lab().attempt(attack), attack);
  });

  it('a refused message left no trace: the genuine invitation is still answered as delivered, and approval completes', async () => {
    const scene = await lab().awaiting();
    const again = await lab().deliver(lab().china, scene.invitation);
    expect(again).toMatchObject({ status: 202, body: { id: scene.id, status: 'Draft', approval: 'pairing-code' } });
  });
});
