import { promises as fs } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { FileDeploymentKeyStore, keyThumbprint, signHandshakeMessage } from '../../../shared/handshake';
import { invitationDraft, T0 } from './fixtures';

describe('FileDeploymentKeyStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'handshake-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key file on first use, owner-only, with an Ed25519 key whose kid is its thumbprint', async () => {
    const path = join(dir, 'nested', 'deployment-key.json');
    const key = await new FileDeploymentKeyStore({ path }).getDeploymentKey();

    const stat = await fs.stat(path);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(key.kid).toBe(await keyThumbprint(key.publicJwk));
    expect(key.publicJwk.kid).toBe(key.kid);
    const stored = JSON.parse(await fs.readFile(path, 'utf8'));
    expect(stored.privateJwk.x).toBe(key.publicJwk.x);
    expect(typeof stored.privateJwk.d).toBe('string');
    // No stray temporary file next to it.
    expect(await fs.readdir(join(dir, 'nested'))).toEqual(['deployment-key.json']);
  });

  it('reuses the same key in a later process (a new store on the same file)', async () => {
    const path = join(dir, 'key.json');
    const first = await new FileDeploymentKeyStore({ path }).getDeploymentKey();
    const before = await fs.readFile(path, 'utf8');
    const second = await new FileDeploymentKeyStore({ path }).getDeploymentKey();
    expect(second.kid).toBe(first.kid);
    expect(await fs.readFile(path, 'utf8')).toBe(before);
    // The reloaded private key signs messages the original public key verifies (same pair).
    const signed = await signHandshakeMessage(invitationDraft(), { key: second, now: T0 });
    expect(signed.jws.split('.')).toHaveLength(3);
  });

  it('gives every caller of one store the same key', async () => {
    const store = new FileDeploymentKeyStore({ path: join(dir, 'key.json') });
    const keys = await Promise.all([store.getDeploymentKey(), store.getDeploymentKey()]);
    expect(keys[0]).toBe(keys[1]);
  });

  it('lets concurrent first starts agree on one key', async () => {
    const path = join(dir, 'key.json');
    const keys = await Promise.all(Array.from({ length: 6 }, () => new FileDeploymentKeyStore({ path }).getDeploymentKey()));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    const stored = JSON.parse(await fs.readFile(path, 'utf8'));
    expect(stored.privateJwk.x).toBe(keys[0].publicJwk.x);
    expect(await fs.readdir(dir)).toEqual(['key.json']);
  });

  it('refuses a key file other users can read, and leaves it as it is', async () => {
    const path = join(dir, 'key.json');
    await new FileDeploymentKeyStore({ path }).getDeploymentKey();
    await fs.chmod(path, 0o644);
    const before = await fs.readFile(path, 'utf8');
    await expect(new FileDeploymentKeyStore({ path }).getDeploymentKey()).rejects.toMatchObject({
      code: 'config.invalid',
      message: expect.stringContaining('make it 600'),
    });
    expect(await fs.readFile(path, 'utf8')).toBe(before);
    expect((await fs.stat(path)).mode & 0o777).toBe(0o644);
  });

  it('refuses a corrupt key file without replacing it', async () => {
    const path = join(dir, 'key.json');
    await fs.writeFile(path, '{"privateJwk": {"kty": "RSA"}}', { mode: 0o600 });
    await expect(new FileDeploymentKeyStore({ path }).getDeploymentKey()).rejects.toMatchObject({ code: 'config.invalid' });
    expect(await fs.readFile(path, 'utf8')).toBe('{"privateJwk": {"kty": "RSA"}}');
  });

  it('refuses a key file whose public part does not belong to its private part', async () => {
    const path = join(dir, 'key.json');
    await new FileDeploymentKeyStore({ path }).getDeploymentKey();
    const other = await new FileDeploymentKeyStore({ path: join(dir, 'other.json') }).getDeploymentKey();
    const stored = JSON.parse(await fs.readFile(path, 'utf8'));
    stored.privateJwk.x = other.publicJwk.x;
    await fs.writeFile(path, JSON.stringify(stored), { mode: 0o600 });
    await expect(new FileDeploymentKeyStore({ path }).getDeploymentKey()).rejects.toMatchObject({
      code: 'config.invalid',
      message: expect.stringContaining('corrupt'),
    });
  });

  it('never shows the private key when the key is logged or serialised', async () => {
    const path = join(dir, 'key.json');
    const key = await new FileDeploymentKeyStore({ path }).getDeploymentKey();
    const d = JSON.parse(await fs.readFile(path, 'utf8')).privateJwk.d as string;
    expect(JSON.stringify(key)).not.toContain(d);
    expect(JSON.parse(JSON.stringify(key))).toEqual({ kid: key.kid, publicJwk: key.publicJwk });
    expect(inspect(key, { depth: 10 })).not.toContain(d);
  });
});
