// A forged confirmation answering the invitation's public jti: the initiator pins no key on the
// strength of a message. With the partner's key fetched from its URL, the attacker's key is
// refused; without it (partner unreachable, the out-of-band case), the confirmation must carry a
// key proof only someone told the pairing code can make. Refused, nothing changed, and the
// initiator still waits for the genuine answer.
import { generateDeploymentKey, signHandshakeMessage, type DeploymentKey } from '../../shared/handshake';
import { expectRefused, MESSAGE_ATTACKS, pick, UNAUTHENTICATED_KEY_ATTACKS, useSecurityLab } from '../support/attacks';
import { startFakePartner, stateChanges, type FakePartner } from '../support/security';
import { api, contosoRequest, waitForPartnership, WORLD } from '../support/stack';

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

describe("the evidence for the partner's key decides, not the message", () => {
  const lab = useSecurityLab();
  const partners: FakePartner[] = [];
  afterAll(async () => {
    for (const partner of partners) await partner.stop();
  });

  async function invite(partner: FakePartner): Promise<{ id: string; claims: Record<string, any>; jws: string }> {
    const created = await api(lab().contoso, 'POST', '/api/partnerships', { body: contosoRequest(lab().stack, { partnerDeploymentUrl: partner.url }) });
    expect(created.status).toBe(202);
    const invitation = await partner.waitFor('invitation');
    return { id: created.body.id, ...invitation };
  }

  it('a partner URL publishing two keys (a rotation): the answer must be signed by one of them', async () => {
    const [current, next, stranger] = await Promise.all([1, 2, 3].map(async () => (await generateDeploymentKey()).key));
    const partner = await startFakePartner([current, next]);
    partners.push(partner);
    const { id, claims, jws } = await invite(partner);
    const a = (await api(lab().contoso, 'GET', `/api/partnerships/${id}`)).body;
    expect(a.keys).toMatchObject({ partnerPublished: [current.kid, next.kid] });
    expect(a.keys.partner).toBeUndefined();
    const scene = { id, claims, invitation: jws, pairingCode: '' };
    const confirmation = (key: DeploymentKey) =>
      signHandshakeMessage(lab().confirmation(scene, { sender: { tenantId: WORLD.china, cloud: 'China', deploymentUrl: partner.url, verifiedDomains: ['woodgrove.cn'] } }), { key });
    const before = await lab().snapshot();
    const refused = await lab().deliver(lab().contoso, (await confirmation(stranger)).jws);
    expect(refused.body).toMatchObject({ status: 401, code: 'handshake.unknown-key' });
    expect(stateChanges(before, await lab().snapshot())).toEqual([]);
    const accepted = await lab().deliver(lab().contoso, (await confirmation(next)).jws);
    expect(accepted.status).toBe(202);
    expect((await api(lab().contoso, 'GET', `/api/partnerships/${id}`)).body.keys.partner).toMatchObject({ thumbprint: next.kid, source: 'jwks' });
  });

  it("the admin pinned a thumbprint the partner URL does not publish: nothing is pinned from the URL, and the URL's key is refused", async () => {
    const [published, readBack] = await Promise.all([1, 2].map(async () => (await generateDeploymentKey()).key));
    const partner = await startFakePartner(published, { holdJwks: true });
    partners.push(partner);
    const created = await api(lab().contoso, 'POST', '/api/partnerships', { body: contosoRequest(lab().stack, { partnerDeploymentUrl: partner.url }) });
    const id: string = created.body.id;
    // The admin pins the thumbprint read back from the partner's admin while the key fetch is under way.
    await waitUntil(() => partner.jwksRequests() > 0);
    expect((await api(lab().contoso, 'POST', `/api/partnerships/${id}/partner-key`, { body: { thumbprint: readBack.kid } })).status).toBe(200);
    partner.releaseJwks();
    const { claims, jws } = await partner.waitFor('invitation');
    const a = await waitForPartnership(lab().contoso, id, (p) => p.steps.some((step: { message: string }) => /do not include the thumbprint your administrator pinned/.test(step.message)));
    expect(a.keys).toEqual({ own: expect.any(String), partnerExpected: readBack.kid });
    const scene = { id, claims, invitation: jws, pairingCode: '' };
    const sender = { tenantId: WORLD.china, cloud: 'China', deploymentUrl: partner.url, verifiedDomains: ['woodgrove.cn'] };
    const before = await lab().snapshot();
    const refused = await lab().deliver(lab().contoso, (await signHandshakeMessage(lab().confirmation(scene, { sender }), { key: published })).jws);
    expect(refused.body).toMatchObject({ status: 401, code: 'handshake.unknown-key' });
    expect(stateChanges(before, await lab().snapshot())).toEqual([]);
    const accepted = await lab().deliver(lab().contoso, (await signHandshakeMessage(lab().confirmation(scene, { sender }), { key: readBack })).jws);
    expect(accepted.status).toBe(202);
    expect((await api(lab().contoso, 'GET', `/api/partnerships/${id}`)).body.keys.partner).toMatchObject({ thumbprint: readBack.kid, source: 'admin' });
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
