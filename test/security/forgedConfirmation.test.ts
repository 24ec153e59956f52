// A forged confirmation answering the invitation's public jti: the initiator pins no key on the
// strength of a message. With the partner's key fetched from its URL, the attacker's key is
// refused; without it (partner unreachable, the out-of-band case), the confirmation must carry a
// key proof only someone told the pairing code can make. Refused, nothing changed, and the
// initiator still waits for the genuine answer.
import { expectRefused, MESSAGE_ATTACKS, pick, UNAUTHENTICATED_KEY_ATTACKS, useSecurityLab } from '../support/attacks';
import { api } from '../support/stack';

jest.setTimeout(120_000);

describe('forged confirmation', () => {
  const lab = useSecurityLab();

  it("with the partner's key pinned from its URL: the attacker's key is refused", async () => {
    const [attack] = pick(MESSAGE_ATTACKS, "stranger's key with the right issuer");
    expectRefused(await lab().attempt(attack), attack);
  });

  it.each(
    pick(UNAUTHENTICATED_KEY_ATTACKS, 'forged confirmation with the public jti', 'forged confirmation with a made-up key proof').map((attack) => [attack.name, attack] as const),
  )('partner unreachable, %s', async (_name, attack) => {
    expectRefused(await lab().attempt(attack), attack);
    const scene = await lab().unreachable();
    const a = (await api(lab().contoso, 'GET', `/api/partnerships/${scene.id}`)).body;
    expect(a).toMatchObject({ status: 'AwaitingPartner' });
    expect(a.keys.partner).toBeUndefined();
  });
});
