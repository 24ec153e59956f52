// Ending a partnership one is not part of: a replayed, expired or unsigned `offboard`, and one sent
// by a third tenant for a partnership between two others — each refused, nothing changed, nothing
// revealed (the same catalogue `npm run bench -- attacks` runs).
import { expectRefused, MESSAGE_ATTACKS, OFFBOARD_ATTACKS, pick, useSecurityLab } from '../support/attacks';
import { api } from '../support/stack';

jest.setTimeout(240_000);

describe('forged offboard messages', () => {
  const lab = useSecurityLab();

  it.each([...pick(MESSAGE_ATTACKS, 'forged offboarding'), ...OFFBOARD_ATTACKS].map((attack) => [attack.name, attack] as const))('%s: refused, nothing changed', async (_name, attack) => {
    expectRefused(await lab().attempt(attack), attack);
  });

  it('the invitation the attacks aimed at is still held by China, waiting for its admin', async () => {
    const scene = await lab().awaiting();
    expect((await api(lab().china, 'GET', `/api/partnerships/${scene.id}`)).body.status).toBe('Draft');
  });
});
