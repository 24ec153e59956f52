// Guessing the pairing code: every try is counted before it is checked (concurrent tries included),
// the fifth wrong one refuses the invitation for good, and the initiator's admin sees why (a signed
// rejection, accepted under the responder's pinned key). No key is trusted, nothing is approved,
// and both tenants end as they were.
import { BRUTE_FORCE_ATTACK, expectRefused, useSecurityLab } from '../support/attacks';
import { api, hasStatus, waitForPartnership, wrongPairingCode } from '../support/stack';

jest.setTimeout(180_000);

describe('brute-forced pairing code', () => {
  const lab = useSecurityLab();

  it('5 wrong tries, then refused for good; the initiator is told and undoes its side', async () => {
    expectRefused(await lab().attempt(BRUTE_FORCE_ATTACK), BRUTE_FORCE_ATTACK);
  });

  it('tries made at once are each counted: never more than 5 are checked', async () => {
    const scene = await lab().fresh();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        api(lab().china, 'POST', `/api/partnerships/${scene.id}/approve`, { body: { pairingCode: wrongPairingCode(scene.pairingCode, index) } }),
      ),
    );
    const checked = answers.filter((answer) => answer.status === 401);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(answers.every((answer) => [401, 409].includes(answer.status))).toBe(true);
    const b = await waitForPartnership(lab().china, scene.id, hasStatus('Rejected'));
    expect(b.pairingAttempts).toEqual({ used: 5, max: 5 });
    expect(b.keys.partner).toBeUndefined();
    // The right code comes too late.
    expect((await api(lab().china, 'POST', `/api/partnerships/${scene.id}/approve`, { body: { pairingCode: scene.pairingCode } })).status).toBe(409);
  });
});
