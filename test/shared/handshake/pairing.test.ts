import fc from 'fast-check';
import { assertPairingCode, derivePairingCode, normalizePairingCode, pairingCodesMatch } from '../../../shared/handshake';

const THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
const NONCE = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXpmb29iYXJiYXo';

describe('pairing code', () => {
  it('is 8 Crockford base32 characters shown as XXXX-XXXX, stable for the same inputs', () => {
    const code = derivePairingCode({ keyThumbprint: THUMBPRINT, invitationNonce: NONCE });
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(derivePairingCode({ keyThumbprint: THUMBPRINT, invitationNonce: NONCE })).toBe(code);
  });

  it('matches an HMAC-SHA-256 computed independently', () => {
    // Reference: HMAC keyed by the nonce over label + "\n" + thumbprint; first 40 bits in base32.
    const { createHmac } = require('node:crypto') as typeof import('node:crypto');
    const mac = createHmac('sha256', NONCE).update(`cross-cloud-handshake/pairing-code/v1\n${THUMBPRINT}`).digest();
    const bits = mac.readUIntBE(0, 5);
    let expected = '';
    for (let i = 7; i >= 0; i -= 1) expected += '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[Math.floor(bits / 2 ** (i * 5)) % 32];
    expect(derivePairingCode({ keyThumbprint: THUMBPRINT, invitationNonce: NONCE }).replace('-', '')).toBe(expected);
  });

  it('changes with the key and with the nonce', () => {
    const code = derivePairingCode({ keyThumbprint: THUMBPRINT, invitationNonce: NONCE });
    expect(derivePairingCode({ keyThumbprint: THUMBPRINT.replace('k', 'K'), invitationNonce: NONCE })).not.toBe(code);
    expect(derivePairingCode({ keyThumbprint: THUMBPRINT, invitationNonce: NONCE + 'A' })).not.toBe(code);
  });

  it('compares case-insensitively, ignoring separators and folding look-alike letters', () => {
    expect(pairingCodesMatch('7K2M-0Q1P', '7k2m0q1p')).toBe(true);
    expect(pairingCodesMatch('7K2M-0Q1P', ' 7k2m - oq1p ')).toBe(true);
    expect(pairingCodesMatch('7K2M-0Q1P', '7K2M-OQIP')).toBe(true);
    expect(pairingCodesMatch('7K2M-0Q1P', '7K2M-0QLP')).toBe(true);
    expect(normalizePairingCode('ab-cd ef-gh')).toBe('ABCDEFGH');
  });

  it('refuses a wrong, short, long or non-code entry', () => {
    expect(pairingCodesMatch('7K2M-0Q1P', '7K2M-0Q1Q')).toBe(false);
    expect(pairingCodesMatch('7K2M-0Q1P', '7K2M-0Q1')).toBe(false);
    expect(pairingCodesMatch('7K2M-0Q1P', '7K2M-0Q1PP')).toBe(false);
    expect(pairingCodesMatch('7K2M-0Q1P', '7K2M-0Q1U')).toBe(false); // U is not Crockford
    expect(pairingCodesMatch('7K2M-0Q1P', '')).toBe(false);
    expect(() => assertPairingCode('7K2M-0Q1P', '7K2M-0Q1Q')).toThrow(
      expect.objectContaining({ code: 'handshake.bad-pairing-code', status: 401 }),
    );
    expect(() => assertPairingCode('7K2M-0Q1P', '7k2m 0q1p')).not.toThrow();
  });

  it('accepts every code it derives however it is typed back (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.boolean(), (thumbprint, nonce, lower) => {
        const code = derivePairingCode({ keyThumbprint: thumbprint, invitationNonce: nonce });
        const typed = lower ? code.toLowerCase().replace('-', ' ') : code.replace('-', '');
        return pairingCodesMatch(code, typed);
      }),
    );
  });
});
