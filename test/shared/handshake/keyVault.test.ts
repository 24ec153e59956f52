// The deployment key in Key Vault, through the real `@azure/keyvault-secrets` SecretClient against
// the Key Vault stand-in (infra/local/keyvault: the secrets REST API with its real shapes): created
// once, however many instances start together (the oldest enabled version wins, losers disable
// their own), read back by every later instance, a bad secret or a denied identity refused clearly.
import type { TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { startKeyVault, type RunningKeyVault } from '../../../infra/local/keyvault';
import { DomainError } from '../../../shared/errors';
import { createKeyVaultDeploymentKeyStore, KeyVaultDeploymentKeyStore } from '../../../shared/handshake';
import { useFixture } from '../../support/fixture';

const tokenOf = (token: string): TokenCredential => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });

describe('KeyVaultDeploymentKeyStore against the Key Vault stand-in', () => {
  const vault = useFixture<RunningKeyVault>({
    what: 'The Key Vault stand-in',
    helper: 'startKeyVault',
    start: () => startKeyVault({ latencyMs: 5, deniedTokens: ['no-access'] }),
    stop: (running) => running.stop(),
    startTimeoutMs: 30_000,
  });
  let secretNumber = 0;
  const freshName = (): string => `handshake-key-${++secretNumber}`;
  // One SecretClient per "instance", as separate processes would have.
  const client = (token = 'instance-token'): SecretClient => new SecretClient(vault().url, tokenOf(token), { disableChallengeResourceVerification: true });
  const store = (secretName: string, token?: string): KeyVaultDeploymentKeyStore => new KeyVaultDeploymentKeyStore({ secretName, client: client(token) });

  it('creates the key once; a later instance reads the same key; the secret is the private JWK', async () => {
    const name = freshName();
    const first = await store(name).getDeploymentKey();
    const later = await store(name).getDeploymentKey();
    expect(later.kid).toBe(first.kid);
    const versions = vault().versions(name);
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ enabled: true, contentType: 'application/jwk+json' });
    expect(JSON.parse(versions[0].value)).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: first.publicJwk.x, d: expect.any(String) });
    // It went through the real REST API: challenge, write, version listing, read of one version.
    expect(vault().requests()).toEqual(expect.arrayContaining([`PUT /secrets/${name}`, `GET /secrets/${name}/versions`, `GET /secrets/${name}/${versions[0].version}`]));
  });

  it('instances starting together end with one key: the oldest enabled version, the others disabled', async () => {
    const name = freshName();
    const keys = await Promise.all(Array.from({ length: 4 }, () => store(name).getDeploymentKey()));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    const versions = vault().versions(name);
    expect(versions.length).toBeGreaterThanOrEqual(2); // they did race: more than one was written
    const enabled = versions.filter((version) => version.enabled);
    expect(enabled).toHaveLength(1);
    expect(JSON.parse(enabled[0].value).x).toBe(keys[0].publicJwk.x);
    // A fifth instance, later, agrees.
    expect((await store(name).getDeploymentKey()).kid).toBe(keys[0].kid);
  });

  it('rotation: once the key in force is disabled, the next oldest enabled version (or a new one) is the key', async () => {
    const name = freshName();
    const original = await store(name).getDeploymentKey();
    const secrets = client();
    const [only] = vault().versions(name);
    await secrets.updateSecretProperties(name, only.version, { enabled: false });
    const rotated = await store(name).getDeploymentKey();
    expect(rotated.kid).not.toBe(original.kid);
    expect(vault().versions(name).filter((version) => version.enabled)).toHaveLength(1);
  });

  it('refuses a secret that is not a private JWK, writing nothing', async () => {
    const name = freshName();
    await client().setSecret(name, 'not json');
    await expect(store(name).getDeploymentKey()).rejects.toMatchObject({ code: 'config.invalid', message: expect.stringMatching(/not a JSON private JWK/) });
    expect(vault().versions(name)).toHaveLength(1);
  });

  it('an identity without access: tenant.permission-denied naming the secret, not the token', async () => {
    const name = freshName();
    const error = (await store(name, 'no-access').getDeploymentKey().catch((caught: unknown) => caught)) as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'tenant.permission-denied', details: { keyVaultStatus: 403 } });
    expect(error.message).toContain(name);
    expect(error.message).not.toContain('no-access');
    expect(vault().versions(name)).toEqual([]);
  });

  it('validates its configuration', () => {
    expect(() => new KeyVaultDeploymentKeyStore({ secretName: 'bad name!', client: client() })).toThrow(DomainError);
    expect(() => createKeyVaultDeploymentKeyStore({ vaultUrl: 'http://vault.example', secretName: 'k' })).toThrow(/https/);
    expect(() => createKeyVaultDeploymentKeyStore({ vaultUrl: 'not a url', secretName: 'k' })).toThrow(/not a URL/);
  });
});
