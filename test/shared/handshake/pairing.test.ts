import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  badPairingCode,
  checkPairingKeyProof,
  generatePairingCode,
  normalizePairingCode,
  openPairingCommitment,
  PAIRING_CODE_BITS,
  pairingCommitment,
  pairingKeyProof,
  type PairingContext,
} from '../../../shared/handshake';

const CONTEXT: PairingContext = {
  partnershipId: '0b7d2f4e-5c1a-4c39-9a49-0d8c2a6f1e11',
  invitationJti: 'Zm9vYmFyYmF6cXV4cXV1eHF1dXpmb29iYXJiYXo',
  initiatorTenantId: '14763f8a-fb9a-451a-9f75-c33963a5b05a',
  responderTenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87',
  keyThumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
};
const CROCKFORD_CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

describe('pairing code', () => {
  it('is 16 random Crockford base32 characters (80 bits), shown XXXX-XXXX-XXXX-XXXX, never the same twice', () => {
    expect(PAIRING_CODE_BITS).toBe(80);
    const codes = Array.from({ length: 200 }, () => generatePairingCode());
    for (const code of codes) expect(code).toMatch(CROCKFORD_CODE);
    expect(new Set(codes).size).toBe(codes.length);
    // Every character position takes many values: nothing is fixed or derived.
    for (let position = 0; position < 19; position += 1) {
      if (position % 5 === 4) continue;
      expect(new Set(codes.map((code) => code[position])).size).toBeGreaterThan(15);
    }
  });

  it('folds what an admin types: case, separators, O/0 and I/L/1 look-alikes', () => {
    expect(normalizePairingCode('7k2m-0q1p abcd efgh')).toBe('7K2M0Q1PABCDEFGH');
    expect(normalizePairingCode('7K2M-OQIP-ABCD-EFGH')).toBe('7K2M0Q1PABCDEFGH');
    expect(normalizePairingCode('7K2M-0QLP-ABCD-EFGH')).toBe('7K2M0Q1PABCDEFGH');
    expect(normalizePairingCode('7K2M-0Q1P')).toBeUndefined(); // the old 8-character form
    expect(normalizePairingCode('7K2M-0Q1P-ABCD-EFGU')).toBeUndefined(); // U is not Crockford
    expect(normalizePairingCode(42)).toBeUndefined();
  });
});

describe('commitment (invitation) and key proof (confirmation)', () => {
  const code = 'K7QF-2M9D-X4WA-8HNE';

  it('is HMAC-SHA-256 keyed by the code over a labelled context, as computed independently', () => {
    const expected = createHmac('sha256', 'K7QF2M9DX4WA8HNE')
      .update(['cross-cloud-handshake/pairing/v2', 'invitation', CONTEXT.partnershipId, CONTEXT.invitationJti, CONTEXT.initiatorTenantId, CONTEXT.responderTenantId, CONTEXT.keyThumbprint].join('\n'))
      .digest('base64url');
    expect(pairingCommitment(code, CONTEXT)).toBe(expected);
  });

  it('opens with the code however it is typed, and with nothing else', () => {
    const commitment = pairingCommitment(code, CONTEXT);
    expect(openPairingCommitment('k7qf 2m9d x4wa 8hne', commitment, CONTEXT)).toBe(true);
    expect(openPairingCommitment('K7QF-2M9D-X4WA-8HNF', commitment, CONTEXT)).toBe(false);
    expect(openPairingCommitment('', commitment, CONTEXT)).toBe(false);
    expect(openPairingCommitment(undefined, commitment, CONTEXT)).toBe(false);
  });

  it('binds the key, the invitation and both tenants: a commitment for another key, jti or tenant does not open', () => {
    const commitment = pairingCommitment(code, CONTEXT);
    const variants: Partial<PairingContext>[] = [
      { keyThumbprint: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { invitationJti: 'YmFyYmF6cXV4cXV1eHF1dXpmb29iYXJiYXpmb28' },
      { partnershipId: 'another-partnership' },
      { initiatorTenantId: 'db942a83-feba-4352-8377-e4783b8b9015' },
      { responderTenantId: 'db942a83-feba-4352-8377-e4783b8b9015' },
    ];
    for (const variant of variants) expect(openPairingCommitment(code, commitment, { ...CONTEXT, ...variant })).toBe(false);
  });

  it('a key proof is domain-separated from the commitment and binds the responder key', () => {
    const proof = pairingKeyProof(code, CONTEXT);
    expect(proof).not.toBe(pairingCommitment(code, CONTEXT));
    expect(checkPairingKeyProof(code, proof, CONTEXT)).toBe(true);
    expect(checkPairingKeyProof(code, proof, { ...CONTEXT, keyThumbprint: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).toBe(false);
    expect(checkPairingKeyProof('K7QF-2M9D-X4WA-8HNF', proof, CONTEXT)).toBe(false);
    // The commitment is no key proof (an interceptor cannot replay it as one).
    expect(checkPairingKeyProof(code, pairingCommitment(code, CONTEXT), CONTEXT)).toBe(false);
  });

  it('opens for every generated code however it is typed back, and not for any other code (property)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 15 }), (lower, position) => {
        const generated = generatePairingCode();
        const commitment = pairingCommitment(generated, CONTEXT);
        const typed = lower ? generated.toLowerCase().replace(/-/g, ' ') : generated.replace(/-/g, '');
        const plain = generated.replace(/-/g, '');
        const changed = plain.slice(0, position) + (plain[position] === 'A' ? 'B' : 'A') + plain.slice(position + 1);
        return openPairingCommitment(typed, commitment, CONTEXT) && !openPairingCommitment(changed, commitment, CONTEXT);
      }),
      { numRuns: 200 },
    );
  });

  it('a wrong code says how many tries are left (401)', () => {
    expect(badPairingCode(3)).toMatchObject({ code: 'handshake.bad-pairing-code', status: 401, details: { attemptsLeft: 3 } });
    expect(badPairingCode(0).message).toMatch(/refused/);
  });
});
