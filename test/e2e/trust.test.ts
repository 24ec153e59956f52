// Forged and replayed handshake messages against real deployments: each is refused (401/409/413)
// with problem+json and changes nothing on either side; the genuine handshake still completes.
import { FileDeploymentKeyStore, newNonce, signHandshakeMessage, type DeploymentKey, type HandshakeMessageDraft } from '../../shared/handshake';
import { generateDeploymentKey } from '../../shared/handshake';
import { api, contosoRequest, hasStatus, useDeployments, waitForPartnership, WORLD, type LocalStackDeployment } from '../support/stack';

jest.setTimeout(240_000);

describe('forged and replayed handshake messages', () => {
  const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china });

  let id = '';
  let pairingCode = '';
  let invitation = '';
  let contosoKey: DeploymentKey;
  let chinaKey: DeploymentKey;
  let strangerKey: DeploymentKey;

  beforeAll(async () => {
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    expect(created.status).toBe(202);
    id = created.body.id;
    pairingCode = created.body.pairingCode;
    await waitForPartnership(contoso(), id, hasStatus('AwaitingPartner'));
    await waitForPartnership(china(), id, hasStatus('Draft'));
    invitation = (await api(contoso(), 'GET', `/api/partnerships/${id}/invitation`)).text;
    // The deployments' own keys (the test plays a partner that holds them) and a stranger's.
    contosoKey = await new FileDeploymentKeyStore({ path: contoso().keyFile }).getDeploymentKey();
    chinaKey = await new FileDeploymentKeyStore({ path: china().keyFile }).getDeploymentKey();
    strangerKey = (await generateDeploymentKey()).key;
  }, 120_000);

  /** Both sides' view of the partnership: any change shows here. */
  async function snapshot(): Promise<unknown> {
    const [a, b, listA, listB] = await Promise.all([
      api(contoso(), 'GET', `/api/partnerships/${id}`),
      api(china(), 'GET', `/api/partnerships/${id}`),
      api(contoso(), 'GET', '/api/partnerships'),
      api(china(), 'GET', '/api/partnerships'),
    ]);
    const view = (body: any) => ({ status: body.status, updatedAt: body.updatedAt, steps: body.steps.length, owned: body.owned.length });
    return { a: view(a.body), b: view(b.body), partnerships: [listA.body.partnerships.length, listB.body.partnerships.length] };
  }

  async function expectRefused(to: LocalStackDeployment, jws: string, status: number, code: string): Promise<void> {
    const before = await snapshot();
    const answer = await api(to, 'POST', '/api/handshake/messages', { body: jws, contentType: 'application/jose', key: 'none' });
    expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body.type).toBe(`https://cross-cloud-handshake.dev/problems/${code}`);
    expect(await snapshot()).toEqual(before);
  }

  const party = (tenantId: string, cloud: string, deployment: LocalStackDeployment, domains: string[]) => ({
    tenantId,
    cloud,
    deploymentUrl: deployment.baseUrl,
    verifiedDomains: domains,
  });
  const confirmation = (overrides: Partial<HandshakeMessageDraft> & Record<string, unknown> = {}): HandshakeMessageDraft =>
    ({
      type: 'confirmation',
      iss: WORLD.china,
      aud: WORLD.contoso,
      partnershipId: id,
      inResponseTo: JSON.parse(Buffer.from(invitation.split('.')[1], 'base64url').toString()).jti,
      sender: party(WORLD.china, 'China', china(), ['woodgrove.cn']),
      configured: { partnerTenantId: WORLD.contoso, partnerCloud: 'Global', partnerDeploymentUrl: contoso().baseUrl },
      ...overrides,
    }) as HandshakeMessageDraft;
  const sign = async (draft: HandshakeMessageDraft, key: DeploymentKey, options: { now?: number; lifetimeSeconds?: number; jti?: string } = {}) =>
    (await signHandshakeMessage(draft, { key, ...options })).jws;

  it('a bad signature (the invitation with its payload changed)', async () => {
    const [header, payload, signature] = invitation.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.collaboration.guests = ['zhang.min@woodgrove.cn'];
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    await expectRefused(china(), forged, 401, 'handshake.bad-signature');
  });

  it('a wrong audience (addressed to another tenant)', async () => {
    const misdirected = await sign(
      {
        type: 'invitation',
        iss: WORLD.contoso,
        aud: WORLD.fabrikam,
        partnershipId: `p-${newNonce().slice(0, 12)}`,
        sender: party(WORLD.contoso, 'Global', contoso(), ['contoso.com']),
        callbackUrl: `${contoso().baseUrl}/api/handshake/messages`,
        collaboration: { ...contosoRequest(stack()), acceptedPartnerDomains: undefined },
        pairingCommitment: 'c'.repeat(43),
      },
      contosoKey,
    );
    await expectRefused(china(), misdirected, 401, 'handshake.wrong-audience');
  });

  it('an unexpected issuer (a confirmation from a tenant the invitation did not go to)', async () => {
    const impostor = await sign(confirmation({ iss: WORLD.fabrikam, sender: party(WORLD.fabrikam, 'Global', china(), ['fabrikam.com']) }), strangerKey);
    await expectRefused(contoso(), impostor, 401, 'handshake.unexpected-issuer');
  });

  it('an expired message and one issued too far in the future', async () => {
    const expired = await sign(confirmation(), chinaKey, { now: Date.now() - 2 * 86_400_000, lifetimeSeconds: 3_600 });
    await expectRefused(contoso(), expired, 401, 'handshake.expired');
    const future = await sign(confirmation(), chinaKey, { now: Date.now() + 10 * 60_000 });
    await expectRefused(contoso(), future, 401, 'handshake.not-yet-valid');
  });

  it('a reused jti with different content', async () => {
    const original = JSON.parse(Buffer.from(invitation.split('.')[1], 'base64url').toString());
    const reused = await sign(
      {
        type: 'invitation',
        iss: WORLD.contoso,
        aud: WORLD.china,
        partnershipId: id,
        sender: original.sender,
        callbackUrl: original.callbackUrl,
        collaboration: { ...original.collaboration, guests: [] },
        pairingCommitment: original.pairingCommitment,
      },
      contosoKey,
      { jti: original.jti },
    );
    await expectRefused(china(), reused, 409, 'handshake.replay');
  });

  it('a confirmation that answers no outstanding invitation (refused again when resent: it left no trace)', async () => {
    const unanswerable = await sign(confirmation({ inResponseTo: newNonce() }), chinaKey);
    await expectRefused(contoso(), unanswerable, 409, 'handshake.no-outstanding-invitation');
    await expectRefused(contoso(), unanswerable, 409, 'handshake.no-outstanding-invitation');
    const unknownPartnership = await sign(confirmation({ partnershipId: 'no-such-partnership' }), chinaKey);
    await expectRefused(contoso(), unknownPartnership, 409, 'handshake.no-outstanding-invitation');
  });

  it("before approval B trusts nothing A's key signs but the invitation itself (the key is only presented)", async () => {
    // (An `offboard` under the presented key would withdraw the invitation — only its holder can
    // sign one; offboardPartner.test.ts shows it. A stranger's is refused below.)
    const early = await sign({ type: 'ready', iss: WORLD.contoso, aud: WORLD.china, partnershipId: id }, contosoKey);
    await expectRefused(china(), early, 401, 'handshake.unknown-key');
  });

  it("a message the partnership cannot take in its state (B's ready before its confirmation, under B's pinned key)", async () => {
    const early = await sign({ type: 'ready', iss: WORLD.china, aud: WORLD.contoso, partnershipId: id }, chinaKey);
    await expectRefused(contoso(), early, 409, 'handshake.wrong-state');
  });

  it("a key other than the trusted one is refused the same way as when none is trusted (naming neither)", async () => {
    const wrongKey = await sign({ type: 'ready', iss: WORLD.china, aud: WORLD.contoso, partnershipId: id }, strangerKey);
    await expectRefused(contoso(), wrongKey, 401, 'handshake.unknown-key');
    const answer = await api(contoso(), 'POST', '/api/handshake/messages', { body: wrongKey, contentType: 'application/jose', key: 'none' });
    expect(answer.text).not.toContain(chinaKey.kid);
    const forgedOffboard = await sign({ type: 'offboard', iss: WORLD.contoso, aud: WORLD.china, partnershipId: id }, strangerKey);
    await expectRefused(china(), forgedOffboard, 401, 'handshake.unknown-key');
  });

  it('garbage and oversized bodies', async () => {
    await expectRefused(china(), 'not a message', 400, 'handshake.malformed');
    await expectRefused(china(), 'x'.repeat(64 * 1024 + 1), 413, 'request.too-large');
  });

  it('the genuine handshake still completes afterwards', async () => {
    expect((await api(china(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Active', 'Failed')),
      waitForPartnership(china(), id, hasStatus('Active', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Active', 'Active']);
    // The deployment's public key is published for anyone to check signatures.
    const jwks = await api(contoso(), 'GET', '/api/handshake/jwks', { key: 'none' });
    expect(jwks.body).toEqual({ keys: [contosoKey.publicJwk] });
  });

  it('once Active, an offboard under a stranger\'s key, reusing a nonce, or expired is refused and ends nothing', async () => {
    const offboard = { type: 'offboard', iss: WORLD.contoso, aud: WORLD.china, partnershipId: id, reason: 'forged' } as const;
    const before = (await api(china(), 'GET', `/api/partnerships/${id}`)).body;
    await expectRefused(china(), await sign(offboard, strangerKey), 401, 'handshake.unknown-key');
    // Signed with the partner's real key but with the nonce of its invitation: a replay.
    const invitationJti = JSON.parse(Buffer.from(invitation.split('.')[1], 'base64url').toString()).jti;
    await expectRefused(china(), await sign(offboard, contosoKey, { jti: invitationJti }), 409, 'handshake.replay');
    await expectRefused(china(), await sign(offboard, contosoKey, { now: Date.now() - 2 * 86_400_000, lifetimeSeconds: 3_600 }), 401, 'handshake.expired');
    const after = (await api(china(), 'GET', `/api/partnerships/${id}`)).body;
    expect({ status: after.status, updatedAt: after.updatedAt, steps: after.steps.length }).toEqual({ status: 'Active', updatedAt: before.updatedAt, steps: before.steps.length });
  });
});
