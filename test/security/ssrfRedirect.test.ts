// A partner URL that redirects (to an internal address): neither the key fetch nor the message
// delivery follows it. Nothing is pinned, the redirect target is never called, and the initiator
// ends Failed with its side undone (its tenant as before).
import { expectRefused, redirectAttacks, useSecurityLab } from '../support/attacks';

jest.setTimeout(180_000);

describe('SSRF: redirects from a partner URL', () => {
  const lab = useSecurityLab();
  const { attacks, stop } = redirectAttacks();
  afterAll(stop);

  it.each(attacks.map((attack) => [attack.name, attack] as const))('%s', async (_name, attack) => {
    expectRefused(await lab().attempt(attack), attack);
  });
});
