// The receiving sequence as POST /api/handshake/messages will run it, against real Azurite tables:
// peek → look up the pinned key → verify → claim nonce → act → store the answer.
import {
  assertAnswersOutstandingInvitation,
  peekHandshakeMessage,
  receiveHandshakeMessage,
  signHandshakeMessage,
  wrongStateError,
  type DeploymentKey,
  type HandshakeAct,
  type HandshakeAnswer,
  type OutstandingInvitation,
} from '../../../shared/handshake';
import type { TableClientFactory } from '../../../shared/tables';
import { PartnerKeyRepository, KEYS_TABLE } from '../../../shared/tables/keys';
import { NonceRepository, NONCES_TABLE } from '../../../shared/tables/nonces';
import { useAzurite } from '../../support/azurite';
import { confirmationDraft, invitationDraft, newKey, PARTNERSHIP, readyDraft, T0, TENANT_A, TENANT_B, TENANT_C } from './fixtures';

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** One deployment's receiving side: its tables and a record of the effects its act had. */
class Receiver {
  readonly nonces: NonceRepository;
  readonly keys: PartnerKeyRepository;
  readonly effects: { jti: string; type: string; resumed: boolean }[] = [];
  /** What the act decides; by default: pin a presented key, record the effect, answer 202. */
  decide: (message: { type: string; jti: string }) => Promise<void> | void = () => undefined;

  constructor(
    readonly tenantId: string,
    readonly tables: TableClientFactory,
  ) {
    this.nonces = new NonceRepository(tables);
    this.keys = new PartnerKeyRepository(tables);
  }

  readonly act: HandshakeAct = async (verified, { resumed }) => {
    const { message } = verified;
    await this.decide(message);
    if (verified.keySource === 'presented') {
      await this.keys.pin({ partnershipId: message.partnershipId, tenantId: message.iss, jwk: verified.key, source: 'pairing-code' });
    }
    this.effects.push({ jti: message.jti, type: message.type, resumed });
    return { status: 202, body: { partnershipId: message.partnershipId, received: message.type } };
  };

  async deliver(jws: string, now: Date = T0) {
    const { claims } = peekHandshakeMessage(jws);
    const pinned = claims.partnershipId && claims.iss ? await this.keys.get(claims.partnershipId, claims.iss).catch(() => undefined) : undefined;
    return receiveHandshakeMessage(
      jws,
      { ownTenantId: this.tenantId, trust: { pinnedKey: pinned?.jwk, acceptPresentedKey: true }, nonces: this.nonces, now },
      this.act,
    );
  }

  async rowCount(): Promise<number> {
    let count = 0;
    for (const name of [NONCES_TABLE, KEYS_TABLE]) {
      for await (const _ of (await this.tables.getTable(name)).listEntities()) count += 1;
    }
    return count;
  }
}

describe('receiveHandshakeMessage (Azurite)', () => {
  const env = useAzurite();
  let keyA: DeploymentKey;
  let keyB: DeploymentKey;
  let keyC: DeploymentKey;
  let b: Receiver;
  beforeAll(async () => {
    [keyA, keyB, keyC] = await Promise.all([newKey(), newKey(), newKey()]);
  });
  beforeEach(() => {
    b = new Receiver(TENANT_B, env().freshTables());
  });

  const invite = (overrides: Record<string, unknown> = {}, jti?: string) =>
    signHandshakeMessage(invitationDraft(overrides), { key: keyA, now: T0, lifetimeSeconds: 3600, jti });

  it('acts once on a new message, pins the presented key and stores the answer', async () => {
    const invitation = await invite();
    const received = await b.deliver(invitation.jws);
    expect(received.redelivered).toBe(false);
    expect(received.answer).toEqual({ status: 202, body: { partnershipId: PARTNERSHIP, received: 'invitation' } });
    expect(b.effects).toEqual([{ jti: invitation.message.jti, type: 'invitation', resumed: false }]);
    expect((await b.keys.get(PARTNERSHIP, TENANT_A))?.thumbprint).toBe(keyA.kid);
    expect(await b.nonces.find(TENANT_A, invitation.message.jti)).toMatchObject({ state: 'answered', answer: received.answer, digest: invitation.digest });
  });

  it('answers a redelivery of the same message with the stored answer and no second effect', async () => {
    const invitation = await invite();
    const first = await b.deliver(invitation.jws);
    const second = await b.deliver(invitation.jws, at(30));
    expect(second).toMatchObject({ redelivered: true, answer: first.answer });
    expect(b.effects).toHaveLength(1);
  });

  it('refuses a different message reusing a jti (409) and changes nothing', async () => {
    const invitation = await invite();
    await b.deliver(invitation.jws);
    const reuse = await invite({ collaboration: { b2bCollaboration: false } }, invitation.message.jti);
    await expect(b.deliver(reuse.jws)).rejects.toMatchObject({ code: 'handshake.replay', status: 409 });
    expect(b.effects).toHaveLength(1);
    expect(await b.nonces.find(TENANT_A, invitation.message.jti)).toMatchObject({ digest: invitation.digest });
  });

  it('acts once when the same message arrives several times at once', async () => {
    const invitation = await invite();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    b.decide = () => gate;
    let settled = 0;
    const deliveries = Array.from({ length: 4 }, () => b.deliver(invitation.jws).finally(() => (settled += 1)));
    // The winner is held inside its act; the three others meet its claim and are answered first.
    const deadline = Date.now() + 10_000;
    while (settled < 3) {
      if (Date.now() > deadline) throw new Error(`only ${settled} of the 3 concurrent deliveries were answered while the first acted`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    open();
    const results = await Promise.allSettled(deliveries);
    expect(b.effects).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'fulfilled') expect(result.value.answer.status).toBe(202);
      else expect(result.reason).toMatchObject({ code: 'handshake.in-progress', status: 409 });
    }
    expect(results.filter((r) => r.status === 'fulfilled' && !r.value.redelivered)).toHaveLength(1);
  });

  it('leaves nothing behind when the act refuses the message, so it can be delivered again later', async () => {
    const invitation = await invite();
    b.decide = (message) => {
      throw wrongStateError({ type: message.type as 'invitation', partnershipId: PARTNERSHIP });
    };
    await expect(b.deliver(invitation.jws)).rejects.toMatchObject({ code: 'handshake.wrong-state', status: 409 });
    expect(await b.rowCount()).toBe(0);
    b.decide = () => undefined;
    expect((await b.deliver(invitation.jws)).redelivered).toBe(false);
    expect(b.effects).toHaveLength(1);
  });

  it.each([
    ['addressed to another tenant', () => invite({ aud: TENANT_C }), T0, 'handshake.wrong-audience'],
    ['expired', () => invite(), at(3600 + 301), 'handshake.expired'],
    ['from the future', () => invite(), at(-301), 'handshake.not-yet-valid'],
  ])('refuses a message %s and writes nothing', async (_name, make, now, code) => {
    const message = await make();
    await expect(b.deliver(message.jws, now)).rejects.toMatchObject({ code });
    expect(await b.rowCount()).toBe(0);
    expect(b.effects).toEqual([]);
  });

  it('refuses a forged signature and writes nothing', async () => {
    const invitation = await invite();
    const [header, payload] = invitation.jws.split('.');
    const forged = `${header}.${payload}.${(await invite()).jws.split('.')[2]}`;
    await expect(b.deliver(forged)).rejects.toMatchObject({ code: 'handshake.bad-signature', status: 401 });
    expect(await b.rowCount()).toBe(0);
  });

  it('resumes a message whose first receiver crashed between claiming and answering', async () => {
    const invitation = await invite();
    // The crashed receiver got as far as the claim.
    await b.nonces.claim({
      issuer: TENANT_A,
      jti: invitation.message.jti,
      digest: invitation.digest,
      type: 'invitation',
      partnershipId: PARTNERSHIP,
      expiresAt: at(3900),
      now: T0,
      leaseSeconds: 120,
    });
    await expect(b.deliver(invitation.jws, at(60))).rejects.toMatchObject({ code: 'handshake.in-progress', details: { retryAfterSeconds: 60 } });
    const received = await b.deliver(invitation.jws, at(121));
    expect(received.redelivered).toBe(false);
    expect(b.effects).toEqual([{ jti: invitation.message.jti, type: 'invitation', resumed: true }]);
    expect((await b.deliver(invitation.jws, at(200))).redelivered).toBe(true);
  });

  it('after first contact, holds the partner to its pinned key', async () => {
    await b.deliver((await invite()).jws);
    const byC = await signHandshakeMessage(invitationDraft(), { key: keyC, now: T0 });
    await expect(b.deliver(byC.jws)).rejects.toMatchObject({ code: 'handshake.unknown-key' });
    const readyByC = await signHandshakeMessage(readyDraft(), { key: keyC, now: T0 });
    await expect(b.deliver(readyByC.jws)).rejects.toMatchObject({ code: 'handshake.unknown-key' });
    const ready = await signHandshakeMessage(readyDraft(), { key: keyA, now: T0 });
    expect((await b.deliver(ready.jws)).verified.keySource).toBe('pinned');
    expect(b.effects.map((e) => e.type)).toEqual(['invitation', 'ready']);
  });

  it('refuses a ready from a partner whose key was never pinned', async () => {
    const ready = await signHandshakeMessage(readyDraft(), { key: keyA, now: T0 });
    await expect(b.deliver(ready.jws)).rejects.toMatchObject({ code: 'handshake.unknown-key', status: 401 });
    expect(await b.rowCount()).toBe(0);
  });

  describe('at the initiator (A), a confirmation', () => {
    let a: Receiver;
    let outstanding: OutstandingInvitation | undefined;
    beforeEach(() => {
      a = new Receiver(TENANT_A, env().freshTables());
      a.decide = (message) => {
        if (message.type === 'confirmation') assertAnswersOutstandingInvitation(message as never, outstanding);
      };
    });

    it('is accepted only when it answers the outstanding invitation; its redelivery still gets the answer', async () => {
      const invitation = await invite();
      outstanding = { partnershipId: PARTNERSHIP, jti: invitation.message.jti, partnerTenantId: TENANT_B };

      const stray = await signHandshakeMessage(confirmationDraft('x'.repeat(43)), { key: keyB, now: T0 });
      await expect(a.deliver(stray.jws)).rejects.toMatchObject({ code: 'handshake.no-outstanding-invitation', status: 409 });
      expect(await a.rowCount()).toBe(0);

      const confirmation = await signHandshakeMessage(confirmationDraft(invitation.message.jti), { key: keyB, now: T0 });
      const first: { answer: HandshakeAnswer } = await a.deliver(confirmation.jws);
      expect((await a.keys.get(PARTNERSHIP, TENANT_B))?.thumbprint).toBe(keyB.kid);

      // The partnership moved on: nothing is outstanding, yet the redelivery gets the same answer.
      outstanding = undefined;
      expect(await a.deliver(confirmation.jws, at(10))).toMatchObject({ redelivered: true, answer: first.answer });
      expect(a.effects).toHaveLength(1);
    });
  });
});
