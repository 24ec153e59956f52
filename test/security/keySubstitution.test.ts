// Key substitution: messages signed with a key the receiver has no reason to trust — the attacker's
// own key in place of the partner's (with the partner's tenant as issuer), a re-signed invitation,
// the partner's real key before its admin approved — are refused, change nothing, and name no
// trusted key. An invitation re-signed by the attacker and delivered first is held, but the
// genuine pairing code does not open it: nothing is trusted, approved or written.
import { expectRefused, MESSAGE_ATTACKS, pick, UNAUTHENTICATED_KEY_ATTACKS, useSecurityLab } from '../support/attacks';

jest.setTimeout(120_000);

describe('key substitution', () => {
  const lab = useSecurityLab();

  it.each(
    pick(MESSAGE_ATTACKS, 'key substitution', "stranger's key with the right issuer", 'message under a presented, unapproved key', 'forged offboarding').map(
      (attack) => [attack.name, attack] as const,
    ),
  )('%s', async (_name, attack) => {
    expectRefused(await lab().attempt(attack), attack);
  });

  it('key substitution before delivery: the genuine code does not open an invitation re-signed with another key', async () => {
    const [attack] = pick(UNAUTHENTICATED_KEY_ATTACKS, 'key substitution before delivery');
    expectRefused(await lab().attempt(attack), attack);
  });
});
