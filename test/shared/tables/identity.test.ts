// Identity-based table access (the Azure deployment: shared-key access is off on the account):
// with only AzureWebJobsStorage__tableServiceUri set, the repositories use the table endpoint
// with a token credential. Checked against a real Azurite that accepts only bearer tokens over
// HTTPS (its `--oauth basic`), with tokens shaped like Entra's for the storage audience (Entra
// itself is the boundary faked here).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { SignJWT } from 'jose';
import { ensureLocalCa } from '../../../infra/local/tls';
import { loadConfig } from '../../../shared/config';
import { createRepositories } from '../../../shared/deployment';
import { DomainError } from '../../../shared/errors';

jest.setTimeout(60_000);

const TENANT = '14763f8a-fb9a-451a-9f75-c33963a5b05a';

/** Entra-shaped storage tokens (Azurite's basic OAuth checks issuer, audience and lifetime). */
class StorageTokens implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...([] as string[]).concat(scopes));
    const expiresOnTimestamp = Date.now() + 3_600_000;
    const token = await new SignJWT({ tid: TENANT, oid: 'b1c2d3e4-0000-4000-8000-000000000001' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`https://sts.windows.net/${TENANT}/`)
      .setAudience('https://storage.azure.com')
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(Math.floor(expiresOnTimestamp / 1000))
      .sign(new TextEncoder().encode('not-verified-by-azurite-basic-oauth'));
    return { token, expiresOnTimestamp };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('identity-based table access', () => {
  let azurite: ChildProcess | undefined;
  let endpoint = '';
  const dir = mkdtempSync(join(tmpdir(), 'cch-oauth-azurite-'));

  beforeAll(async () => {
    const certificate = await (await ensureLocalCa()).issue(['127.0.0.1', 'localhost']);
    writeFileSync(join(dir, 'cert.pem'), certificate.cert);
    writeFileSync(join(dir, 'key.pem'), certificate.key);
    const port = await freePort();
    azurite = spawn(
      process.execPath,
      [require.resolve('azurite/dist/src/table/main.js'), '--tablePort', String(port), '--tableHost', '127.0.0.1', '--oauth', 'basic', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--loose'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`Azurite did not start: ${output}`)), 30_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (/successfully started/i.test(output)) {
          clearTimeout(deadline);
          resolve();
        }
      };
      azurite!.stdout!.on('data', onData);
      azurite!.stderr!.on('data', onData);
      azurite!.once('exit', (code) => reject(new Error(`Azurite exited (${code}): ${output}`)));
    });
    endpoint = `https://127.0.0.1:${port}/devstoreaccount1`;
  });

  afterAll(() => {
    azurite?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const settings = () => ({ TENANT_ID: TENANT, TENANT_CLOUD: 'Global', AzureWebJobsStorage__tableServiceUri: endpoint, AzureWebJobsStorage__clientId: 'c0ffee00-0000-4000-8000-000000000001', TABLE_PREFIX: 'Identity' });

  it('loads the table endpoint and the identity from the host\'s identity-based settings', () => {
    const config = loadConfig(settings());
    expect(config.storage).toEqual({ connectionString: '', tableEndpoint: endpoint, managedIdentityClientId: 'c0ffee00-0000-4000-8000-000000000001', tablePrefix: 'Identity' });
  });

  it('the repositories read and write through bearer tokens for the storage audience', async () => {
    const tokens = new StorageTokens();
    const repositories = createRepositories(loadConfig(settings()), { tableCredential: tokens });
    const table = await repositories.tables.getTable('Probe');
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 'written with a token' });
    expect((await table.getEntity<{ value: string }>('p', 'r')).value).toBe('written with a token');
    expect(tokens.scopes).toContain('https://storage.azure.com/.default');
  });

  it('without a token the same account refuses (so the path above really used the identity)', async () => {
    const refusing: TokenCredential = { getToken: async () => ({ token: 'not-a-jwt', expiresOnTimestamp: Date.now() + 60_000 }) };
    const repositories = createRepositories(loadConfig(settings()), { tableCredential: refusing });
    const failure = await repositories.tables.getTable('Refused').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DomainError);
    expect((failure as DomainError).code).toBe('storage.unavailable');
    expect((failure as DomainError).message).toMatch(/Could not create table IdentityRefused: (401|403)/);
  });

  it('no storage setting at all is a clear configuration error naming the choices', () => {
    expect(() => loadConfig({ TENANT_ID: TENANT, TENANT_CLOUD: 'Global' })).toThrow(
      /STORAGE_CONNECTION_STRING \(or AzureWebJobsStorage, or AzureWebJobsStorage__tableServiceUri with a managed identity\) is required/,
    );
  });
});
