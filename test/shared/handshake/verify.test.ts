import { createSecretKey } from 'node:crypto';
import { CompactSign, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors';
import {
  HANDSHAKE_JWS_TYPE,
  MAX_CLOCK_SKEW_SECONDS,
  MAX_MESSAGE_BYTES,
  peekHandshakeMessage,
  signHandshakeMessage,
  verifyHandshakeMessage,
  type DeploymentKey,
  type InvitationMessage,
  type NonceLookup,
  type NonceRecord,
  type VerifyHandshakeContext,
} from '../../../shared/handshake';
import { confirmationDraft, invitationDraft, newKey, readyDraft, T0, TENANT_A, TENANT_B, TENANT_C } from './fixtures';

const LIFETIME = 3600;
const seconds = (n: number) => new Date(T0.getTime() + n * 1000);

let keyA: DeploymentKey;
let keyB: DeploymentKey;
let keyC: DeploymentKey;
beforeAll(async () => {
  [keyA, keyB, keyC] = await Promise.all([newKey(), newKey(), newKey()]);
});

/** B receiving A's invitation on first contact. */
function atB(overrides: Partial<VerifyHandshakeContext> = {}): VerifyHandshakeContext {
  return { ownTenantId: TENANT_B, trust: { acceptPresentedKey: true }, now: T0, ...overrides };
}

async function invitation(overrides: Record<string, unknown> = {}) {
  return signHandshakeMessage(invitationDraft(overrides), { key: keyA, now: T0, lifetimeSeconds: LIFETIME });
}

/** Signs arbitrary header + payload bytes with a key: the forger's tool. */
async function forge(header: Record<string, unknown>, payload: unknown, key: DeploymentKey = keyA): Promise<string> {
  const bytes = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return new CompactSign(new TextEncoder().encode(bytes))
    .setProtectedHeader({ alg: 'EdDSA', typ: HANDSHAKE_JWS_TYPE, kid: key.kid, jwk: key.publicJwk, ...header })
    .sign(key.privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('signHandshakeMessage', () => {
  it('signs compact EdDSA JWS with kid, and presents the key only on first-contact types', async () => {
    const signed = await invitation();
    const header = decodeProtectedHeader(signed.jws);
    expect(header).toEqual({ alg: 'EdDSA', typ: HANDSHAKE_JWS_TYPE, kid: keyA.kid, jwk: keyA.publicJwk });
    expect(signed.message).toMatchObject({ iss: TENANT_A, aud: TENANT_B, iat: T0.getTime() / 1000, exp: T0.getTime() / 1000 + LIFETIME });
    expect(signed.message.jti).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const confirmation = await signHandshakeMessage(confirmationDraft(signed.message.jti), { key: keyB, now: T0 });
    expect(decodeProtectedHeader(confirmation.jws).jwk).toEqual(keyB.publicJwk);
    const ready = await signHandshakeMessage(readyDraft(), { key: keyA, now: T0 });
    expect(decodeProtectedHeader(ready.jws)).toEqual({ alg: 'EdDSA', typ: HANDSHAKE_JWS_TYPE, kid: keyA.kid });
  });

  it('uses a fresh nonce for every message', async () => {
    const [one, two] = await Promise.all([invitation(), invitation()]);
    expect(one.message.jti).not.toBe(two.message.jti);
  });

  it('gives the invitation a 7-day default lifetime and other messages 24 h', async () => {
    const inv = await signHandshakeMessage(invitationDraft(), { key: keyA, now: T0 });
    expect(inv.message.exp - inv.message.iat).toBe(7 * 24 * 3600);
    const ready = await signHandshakeMessage(readyDraft(), { key: keyA, now: T0 });
    expect(ready.message.exp - ready.message.iat).toBe(24 * 3600);
  });

  it('refuses to sign an invalid message', async () => {
    const error = await refusal(signHandshakeMessage(invitationDraft({ aud: 'fabrikam.cn' }), { key: keyA, now: T0 }));
    expect(error.code).toBe('handshake.malformed');
    expect(error.details.issues).toEqual([expect.objectContaining({ path: 'aud' })]);
  });

  it('refuses to produce a message over 64 KB', async () => {
    const error = await refusal(invitation({ collaboration: { padding: 'x'.repeat(MAX_MESSAGE_BYTES) } }));
    expect(error.code).toBe('handshake.message-too-large');
    expect(error.status).toBe(413);
  });
});

describe('verifyHandshakeMessage accepts', () => {
  it("a valid invitation on first contact, with the key it presents", async () => {
    const signed = await invitation();
    const verified = await verifyHandshakeMessage(signed.jws, atB({ expectedIssuer: TENANT_A }));
    expect(verified.message).toEqual(signed.message);
    expect(verified.keySource).toBe('presented');
    expect(verified.key).toEqual(keyA.publicJwk);
    expect(verified.digest).toBe(signed.digest);
    expect(verified.nonceExpiresAt).toEqual(seconds(LIFETIME + MAX_CLOCK_SKEW_SECONDS));
    expect(verified.previousAnswer).toBeUndefined();
  });

  it('a message signed with the pinned key, ignoring surrounding whitespace (file delivery)', async () => {
    const signed = await signHandshakeMessage(readyDraft(), { key: keyA, now: T0 });
    const verified = await verifyHandshakeMessage(`\n${signed.jws}\n`, atB({ trust: { pinnedKey: keyA.publicJwk } }));
    expect(verified.keySource).toBe('pinned');
    expect(verified.message.type).toBe('ready');
  });

  it('tenant ids in any letter case', async () => {
    const signed = await invitation({ aud: TENANT_B.toUpperCase() });
    const verified = await verifyHandshakeMessage(signed.jws, atB({ ownTenantId: TENANT_B.toUpperCase(), expectedIssuer: TENANT_A.toUpperCase() }));
    expect(verified.message.aud).toBe(TENANT_B);
  });

  it('messages at the edges of the ±5 min skew', async () => {
    const signed = await invitation();
    await expect(verifyHandshakeMessage(signed.jws, atB({ now: seconds(-MAX_CLOCK_SKEW_SECONDS) }))).resolves.toBeDefined();
    await expect(verifyHandshakeMessage(signed.jws, atB({ now: seconds(LIFETIME + MAX_CLOCK_SKEW_SECONDS) }))).resolves.toBeDefined();
  });

  it('domain payloads through the receiver schema, using its output', async () => {
    const collaboration = z.object({ b2bCollaboration: z.boolean(), teamsFederation: z.boolean() }).transform((c) => ({ ...c, parsed: true }));
    const verified = await verifyHandshakeMessage((await invitation()).jws, atB({ payloadSchemas: { collaboration } }));
    expect(verified.message.type === 'invitation' && verified.message.collaboration).toEqual({
      b2bCollaboration: true,
      teamsFederation: true,
      parsed: true,
    });
  });
});

describe('verifyHandshakeMessage refuses', () => {
  it('a message over 64 KB before parsing it (413)', async () => {
    const error = await refusal(verifyHandshakeMessage('x'.repeat(MAX_MESSAGE_BYTES + 1), atB()));
    expect(error).toMatchObject({ code: 'handshake.message-too-large', status: 413 });
    // Exactly at the limit it is parsed (and here found malformed).
    expect((await refusal(verifyHandshakeMessage('x'.repeat(MAX_MESSAGE_BYTES), atB()))).code).toBe('handshake.malformed');
  });

  it.each([
    ['not a JWS', 'hello'],
    ['a JWS without signature', 'eyJhbGciOiJub25lIn0.eyJhIjoxfQ.'],
    ['a header that is not JSON', 'bm90IGpzb24.eyJhIjoxfQ.c2ln'],
  ])('%s (400 malformed)', async (_name, text) => {
    expect(await refusal(verifyHandshakeMessage(text, atB()))).toMatchObject({ code: 'handshake.malformed', status: 400 });
  });

  it('a signed payload that is not JSON, or claims that break the schema (400)', async () => {
    expect((await refusal(verifyHandshakeMessage(await forge({}, 'not json'), atB()))).code).toBe('handshake.malformed');
    const { jti: _jti, ...claims } = (await invitation()).message;
    const missingJti = await refusal(verifyHandshakeMessage(await forge({}, claims), atB()));
    expect(missingJti.code).toBe('handshake.malformed');
    expect(missingJti.details.issues).toEqual([expect.objectContaining({ path: 'jti' })]);
  });

  it('a sender block that names another tenant than iss', async () => {
    const message = (await invitation()).message as InvitationMessage;
    const forged = await forge({}, { ...message, sender: { ...message.sender, tenantId: TENANT_C } });
    const error = await refusal(verifyHandshakeMessage(forged, atB()));
    expect(error.code).toBe('handshake.malformed');
    expect(error.details.issues).toEqual([expect.objectContaining({ path: 'sender.tenantId' })]);
  });

  it('a domain payload the receiver schema rejects, naming the field', async () => {
    const collaboration = z.object({ b2bCollaboration: z.literal(false) });
    const error = await refusal(verifyHandshakeMessage((await invitation()).jws, atB({ payloadSchemas: { collaboration } })));
    expect(error.code).toBe('handshake.malformed');
    expect(error.details.issues).toEqual([expect.objectContaining({ path: 'collaboration.b2bCollaboration' })]);
  });

  it('another algorithm than EdDSA (401 bad signature)', async () => {
    const claims = (await invitation()).message;
    const hmac = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'HS256', typ: HANDSHAKE_JWS_TYPE, kid: keyA.kid, jwk: keyA.publicJwk })
      .sign(createSecretKey(Buffer.alloc(32, 7)));
    expect(await refusal(verifyHandshakeMessage(hmac, atB()))).toMatchObject({ code: 'handshake.bad-signature', status: 401 });
  });

  it('another media type than a handshake message', async () => {
    const forged = await forge({ typ: 'JWT' }, (await invitation()).message);
    expect((await refusal(verifyHandshakeMessage(forged, atB()))).code).toBe('handshake.malformed');
  });

  it('a tampered payload (401 bad signature)', async () => {
    const signed = await invitation();
    const [header, , signature] = signed.jws.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...signed.message, partnershipId: 'p-other' })).toString('base64url');
    const error = await refusal(verifyHandshakeMessage(`${header}.${tampered}.${signature}`, atB()));
    expect(error).toMatchObject({ code: 'handshake.bad-signature', status: 401 });
  });

  it("a message presenting A's key but signed by another key (401 bad signature)", async () => {
    const claims = (await invitation()).message;
    const header = { alg: 'EdDSA', typ: HANDSHAKE_JWS_TYPE, kid: keyA.kid, jwk: keyA.publicJwk };
    const signedByC = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header).sign(keyC.privateKey);
    expect((await refusal(verifyHandshakeMessage(signedByC, atB()))).code).toBe('handshake.bad-signature');
  });

  it('a message naming no key (401 unknown key)', async () => {
    const forged = await forge({ kid: undefined }, (await invitation()).message);
    expect(await refusal(verifyHandshakeMessage(forged, atB()))).toMatchObject({ code: 'handshake.unknown-key', status: 401 });
  });

  it('a presented key when the context trusts no presented key and none is pinned (401 unknown key)', async () => {
    const error = await refusal(verifyHandshakeMessage((await invitation()).jws, atB({ trust: {} })));
    expect(error).toMatchObject({ code: 'handshake.unknown-key', status: 401 });
  });

  it('a first-contact message that presents no key (401 unknown key)', async () => {
    const forged = await forge({ jwk: undefined }, (await invitation()).message);
    expect((await refusal(verifyHandshakeMessage(forged, atB()))).code).toBe('handshake.unknown-key');
  });

  it('a ready or offboard that presents its own key instead of using the pinned one (401 unknown key)', async () => {
    const ready = (await signHandshakeMessage(readyDraft(), { key: keyA, now: T0 })).message;
    const forged = await forge({}, ready, keyC);
    const error = await refusal(verifyHandshakeMessage(forged, atB()));
    expect(error.code).toBe('handshake.unknown-key');
    expect(error.message).toMatch(/not trusted for this partner/);
  });

  it('a message signed with another key than the pinned one: the same refusal as with none pinned, naming no pinned key (401 unknown key)', async () => {
    const byC = await signHandshakeMessage(readyDraft(), { key: keyC, now: T0 });
    const withPin = await refusal(verifyHandshakeMessage(byC.jws, atB({ trust: { pinnedKey: keyA.publicJwk } })));
    const withoutPin = await refusal(verifyHandshakeMessage(byC.jws, atB({ trust: {} })));
    expect(withPin).toMatchObject({ code: 'handshake.unknown-key', status: 401, details: { kid: keyC.kid } });
    expect(JSON.stringify(withPin.details)).not.toContain(keyA.kid);
    expect(withPin.message).not.toContain(keyA.kid);
    expect({ code: withoutPin.code, message: withoutPin.message, details: withoutPin.details }).toEqual({
      code: withPin.code,
      message: withPin.message,
      details: withPin.details,
    });
  });

  it('an invitation presenting a new key where one is pinned, even with acceptPresentedKey (401 unknown key)', async () => {
    const byC = await signHandshakeMessage(invitationDraft(), { key: keyC, now: T0 });
    const error = await refusal(verifyHandshakeMessage(byC.jws, atB({ trust: { pinnedKey: keyA.publicJwk, acceptPresentedKey: true } })));
    expect(error.code).toBe('handshake.unknown-key');
  });

  it('a header whose kid is not the thumbprint of the presented key (401 key mismatch)', async () => {
    const forged = await forge({ kid: keyC.kid }, (await invitation()).message);
    expect((await refusal(verifyHandshakeMessage(forged, atB()))).code).toBe('handshake.key-mismatch');
  });

  it('an invitation whose answers would go elsewhere than the sender deployment, or without a pairing commitment (400)', async () => {
    const claims = (await invitation()).message as Record<string, unknown>;
    const elsewhere = await forge({}, { ...claims, callbackUrl: 'https://internal.example/api/handshake/messages' });
    const error = await refusal(verifyHandshakeMessage(elsewhere, atB()));
    expect(error).toMatchObject({ code: 'handshake.malformed', details: { issues: [expect.objectContaining({ path: 'callbackUrl' })] } });
    const { pairingCommitment: _omitted, ...uncommitted } = claims;
    expect((await refusal(verifyHandshakeMessage(await forge({}, uncommitted), atB()))).details).toMatchObject({
      issues: [expect.objectContaining({ path: 'pairingCommitment' })],
    });
  });

  it('a presented key with a private part (400)', async () => {
    const forged = await forge({ jwk: { ...keyA.publicJwk, d: 'A'.repeat(43) } }, (await invitation()).message);
    expect((await refusal(verifyHandshakeMessage(forged, atB()))).code).toBe('handshake.malformed');
  });

  it('a message addressed to another tenant (401 wrong audience)', async () => {
    const toC = await invitation({ aud: TENANT_C });
    const error = await refusal(verifyHandshakeMessage(toC.jws, atB()));
    expect(error).toMatchObject({ code: 'handshake.wrong-audience', status: 401 });
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(TENANT_B);
  });

  it('a message from another tenant than the expected partner (401 unexpected issuer)', async () => {
    const fromC = await signHandshakeMessage(
      invitationDraft({ iss: TENANT_C, sender: { ...(invitationDraft() as { sender: object }).sender, tenantId: TENANT_C } }),
      { key: keyC, now: T0 },
    );
    const error = await refusal(verifyHandshakeMessage(fromC.jws, atB({ expectedIssuer: TENANT_A })));
    expect(error).toMatchObject({ code: 'handshake.unexpected-issuer', status: 401 });
    // The partner this deployment expects is not named to the caller.
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(TENANT_A);
  });

  it('an expired message (401)', async () => {
    const signed = await invitation();
    const error = await refusal(verifyHandshakeMessage(signed.jws, atB({ now: seconds(LIFETIME + MAX_CLOCK_SKEW_SECONDS + 1) })));
    expect(error).toMatchObject({ code: 'handshake.expired', status: 401 });
  });

  it('a message issued more than 5 min in the future (401)', async () => {
    const signed = await invitation();
    const error = await refusal(verifyHandshakeMessage(signed.jws, atB({ now: seconds(-MAX_CLOCK_SKEW_SECONDS - 1) })));
    expect(error).toMatchObject({ code: 'handshake.not-yet-valid', status: 401 });
  });

  it('a narrower skew when the context asks for one', async () => {
    const signed = await invitation();
    expect((await refusal(verifyHandshakeMessage(signed.jws, atB({ now: seconds(-61), clockSkewSeconds: 60 })))).code).toBe('handshake.not-yet-valid');
  });

  it('exp not after iat, or a lifetime over 30 days', async () => {
    const claims = (await invitation()).message;
    expect((await refusal(verifyHandshakeMessage(await forge({}, { ...claims, exp: claims.iat }), atB()))).code).toBe('handshake.malformed');
    const long = { ...claims, exp: claims.iat + 31 * 24 * 3600 };
    expect((await refusal(verifyHandshakeMessage(await forge({}, long), atB()))).code).toBe('handshake.malformed');
  });

  it('a jti already used by another message (409 replay); the same message is recognised as a redelivery', async () => {
    const signed = await invitation();
    const stored = (digest: string, answered: boolean): NonceLookup => ({
      find: async (issuer, jti): Promise<NonceRecord | undefined> =>
        issuer === TENANT_A && jti === signed.message.jti
          ? {
              issuer,
              jti,
              digest,
              type: 'invitation',
              partnershipId: signed.message.partnershipId,
              expiresAt: seconds(LIFETIME),
              state: answered ? 'answered' : 'processing',
              ...(answered ? { answer: { status: 202, body: { accepted: true } } } : {}),
            }
          : undefined,
    });
    const replay = await refusal(verifyHandshakeMessage(signed.jws, atB({ nonces: stored('another-digest', true) })));
    expect(replay).toMatchObject({ code: 'handshake.replay', status: 409 });
    const again = await verifyHandshakeMessage(signed.jws, atB({ nonces: stored(signed.digest, true) }));
    expect(again.previousAnswer).toEqual({ status: 202, body: { accepted: true } });
    const inFlight = await verifyHandshakeMessage(signed.jws, atB({ nonces: stored(signed.digest, false) }));
    expect(inFlight.previousAnswer).toBeUndefined();
  });
});

describe('peekHandshakeMessage', () => {
  it('reads routing claims without verifying (to find the pinned key)', async () => {
    const signed = await invitation({ iss: TENANT_A.toUpperCase(), sender: { ...(invitationDraft() as { sender: object }).sender, tenantId: TENANT_A.toUpperCase() } });
    const peeked = peekHandshakeMessage(signed.jws);
    expect(peeked.claims).toEqual({ iss: TENANT_A, aud: TENANT_B, jti: signed.message.jti, type: 'invitation', partnershipId: signed.message.partnershipId });
    expect(peeked.header.kid).toBe(keyA.kid);
  });

  it('refuses oversize and non-JWS input like verification does', () => {
    expect(() => peekHandshakeMessage('x'.repeat(MAX_MESSAGE_BYTES + 1))).toThrow(expect.objectContaining({ code: 'handshake.message-too-large' }));
    expect(() => peekHandshakeMessage('a.b')).toThrow(expect.objectContaining({ code: 'handshake.malformed' }));
  });
});
