import { authenticatePresentedKey, buildJwks, pairingCommitment, pairingKeyProof, partnerKeyFromJwks, type PairingContext } from '../../../shared/handshake';
import { newKey } from './fixtures';

describe('authenticating a partner key', () => {
  const context: Omit<PairingContext, 'keyThumbprint'> = {
    partnershipId: 'p-1',
    invitationJti: 'Zm9vYmFyYmF6cXV4cXV1eHF1dXpmb29iYXJiYXo',
    initiatorTenantId: '14763f8a-fb9a-451a-9f75-c33963a5b05a',
    responderTenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87',
  };
  const code = 'K7QF-2M9D-X4WA-8HNE';

  it('reads the Ed25519 keys of a JWKS and refuses a document without one', async () => {
    const [a, b] = await Promise.all([newKey(), newKey()]);
    expect(await partnerKeyFromJwks(buildJwks([a.publicJwk, b.publicJwk]))).toEqual([a.publicJwk, b.publicJwk]);
    expect(await partnerKeyFromJwks({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }, a.publicJwk, a.publicJwk] })).toEqual([a.publicJwk]);
    await expect(partnerKeyFromJwks({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] })).rejects.toMatchObject({ code: 'handshake.malformed' });
    await expect(partnerKeyFromJwks({ keys: [] })).rejects.toMatchObject({ code: 'handshake.malformed' });
    await expect(partnerKeyFromJwks('<html>')).rejects.toMatchObject({ code: 'handshake.malformed' });
    await expect(partnerKeyFromJwks({ keys: [{ ...a.publicJwk, d: 'A'.repeat(43) }] })).rejects.toMatchObject({ code: 'handshake.malformed' });
  });

  it('trusts a presented key only on evidence from outside the message', async () => {
    const [partner, stranger] = await Promise.all([newKey(), newKey()]);
    const proof = pairingKeyProof(code, { ...context, keyThumbprint: partner.kid });
    const pairing = { code, context };
    // Nothing vouches: refused, with or without a proof made by someone without the code.
    expect(authenticatePresentedKey(partner.publicJwk, undefined, { pairing })).toBeUndefined();
    expect(authenticatePresentedKey(stranger.publicJwk, pairingKeyProof('AAAA-AAAA-AAAA-AAAA', { ...context, keyThumbprint: stranger.kid }), { pairing })).toBeUndefined();
    // A proof made for another key does not transfer (the stranger replays the partner's proof).
    expect(authenticatePresentedKey(stranger.publicJwk, proof, { pairing })).toBeUndefined();
    // The commitment an interceptor saw in the invitation is no proof.
    expect(authenticatePresentedKey(stranger.publicJwk, pairingCommitment(code, { ...context, keyThumbprint: stranger.kid }), { pairing })).toBeUndefined();
    expect(authenticatePresentedKey(partner.publicJwk, proof, { pairing })).toBe('key-proof');
    // The admin's pinned thumbprint and the keys the partner's URL published rule out any other key, proof or not.
    expect(authenticatePresentedKey(partner.publicJwk, undefined, { adminThumbprint: partner.kid })).toBe('admin');
    expect(authenticatePresentedKey(partner.publicJwk, proof, { adminThumbprint: stranger.kid, pairing })).toBeUndefined();
    expect(authenticatePresentedKey(partner.publicJwk, undefined, { jwksThumbprints: [stranger.kid, partner.kid] })).toBe('jwks');
    expect(authenticatePresentedKey(partner.publicJwk, proof, { jwksThumbprints: [stranger.kid], pairing })).toBeUndefined();
  });
});
