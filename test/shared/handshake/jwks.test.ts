import { buildJwks, keyThumbprint, toPublicJwk, type PublicJwk } from '../../../shared/handshake';
import { newKey } from './fixtures';

describe('JWKS document', () => {
  it('computes kid as the RFC 7638 thumbprint (RFC 8037 appendix A.3 test vector)', async () => {
    const x = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
    expect(await keyThumbprint({ kty: 'OKP', crv: 'Ed25519', x })).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expect(await toPublicJwk({ kty: 'OKP', crv: 'Ed25519', x })).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x,
      kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
      alg: 'EdDSA',
      use: 'sig',
    });
  });

  it('publishes the public members only, once per kid', async () => {
    const key = await newKey();
    const other = await newKey();
    const leaky = { ...key.publicJwk, d: 'secret-private-part' } as PublicJwk;
    const document = buildJwks([leaky, key.publicJwk, other.publicJwk]);
    expect(document).toEqual({ keys: [key.publicJwk, other.publicJwk] });
    expect(JSON.stringify(document)).not.toContain('secret-private-part');
  });

  it('refuses to treat a JWK with a private part as a public key', async () => {
    const key = await newKey();
    await expect(toPublicJwk({ ...key.publicJwk, d: 'x'.repeat(43) })).rejects.toThrow(/private part/);
    await expect(toPublicJwk({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' })).rejects.toThrow();
  });
});
