// Keys the host generates are kept in the storage account as Azure keeps them
// (azure-webjobs-secrets/{hostId}/host.json) and read back when a host starts again on the same
// storage: a client holding a statusQueryGetUri (its `code=` is the system key) or a function key
// from before a crash still gets in afterwards.
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../infra/local/azurite';
import { HostLaunchError, WORKFLOWS_APP, launchHost, raiseEvent, request, startOrchestration, waitForStatus, type RunningHost } from '../support/host';

const HUB = 'KeysHub';
const SECRETS_BLOB = `${HUB.toLowerCase()}/host.json`;

async function storedSecrets(azurite: RunningAzurite): Promise<any> {
  const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('azure-webjobs-secrets').getBlockBlobClient(SECRETS_BLOB);
  return JSON.parse((await blob.downloadToBuffer()).toString('utf8'));
}

describe('host keys kept in storage', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true });
  }, 60_000);
  afterAll(async () => azurite?.stop());

  const launch = (options: { port?: number; masterKey?: string } = {}): Promise<RunningHost> =>
    launchHost({ appDir: WORKFLOWS_APP, storageConnectionString: azurite.connectionString, taskHub: HUB, keysFromHost: true, ...options });

  it('are generated once, stored in Azure\'s format, and still open what was handed out before a kill', async () => {
    let host = await launch();
    let links;
    const first = { master: host.masterKey, function: host.functionKey, system: host.systemKey };
    try {
      expect(host.output()).toMatch(/Generated keys, kept in azure-webjobs-secrets\/keyshub\/host\.json for later runs/);
      expect(await storedSecrets(azurite)).toMatchObject({
        masterKey: { name: 'master', value: first.master, encrypted: false },
        functionKeys: [{ name: 'default', value: first.function, encrypted: false }],
        systemKeys: [{ name: 'durabletask_extension', value: first.system, encrypted: false }],
      });
      links = await startOrchestration(host, 'eventCollector', 2);
      expect(links.statusQueryGetUri).toContain(`code=${first.system}`);
      expect(await raiseEvent(links, 'item', 'before the crash')).toBe(202);
    } finally {
      await host.kill('SIGKILL');
    }

    // Same storage, same port: the URLs and keys of the first life work unchanged.
    host = await launch({ port: host.port });
    try {
      expect(host.output()).toMatch(/Keys read from azure-webjobs-secrets\/keyshub\/host\.json/);
      expect({ master: host.masterKey, function: host.functionKey, system: host.systemKey }).toEqual(first);
      expect((await fetch(links.statusQueryGetUri)).status).toBe(202);
      expect(await raiseEvent(links, 'item', 'after the crash')).toBe(202);
      expect(await waitForStatus(links.statusQueryGetUri)).toMatchObject({ runtimeStatus: 'Completed', output: ['before the crash', 'after the crash'] });
      expect((await request(host, 'GET', '/api/secure', { key: { key: first.function } })).status).toBe(200);
      expect((await request(host, 'GET', '/api/secure', { key: { key: 'not-the-stored-function-key' } })).status).toBe(401);
    } finally {
      await host.stop();
    }
  }, 180_000);

  it('lets a key given as a setting win without storing it', async () => {
    const before = await storedSecrets(azurite);
    const host = await launch({ masterKey: 'a-master-key-given-as-a-setting' });
    try {
      expect(host.output()).toMatch(/Keys read from azure-webjobs-secrets\/keyshub\/host\.json \(set FUNCTIONS_DEFAULT_KEY, FUNCTIONS_DURABLE_SYSTEM_KEY to choose others\)/);
      expect((await request(host, 'GET', '/admin/host/status', { key: 'master' })).status).toBe(200);
      expect((await request(host, 'GET', '/admin/host/status', { key: { key: before.masterKey.value } })).status).toBe(401);
      expect(host.functionKey).toBe(before.functionKeys[0].value);
      expect(await storedSecrets(azurite)).toEqual(before);
    } finally {
      await host.stop();
    }
  }, 120_000);

  it('refuses stored keys it cannot use, naming the blob, and leaves them as they are', async () => {
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('azure-webjobs-secrets').getBlockBlobClient(SECRETS_BLOB);
    const encrypted = { ...(await storedSecrets(azurite)), masterKey: { name: 'master', value: 'CfDJ8AAAAAAAAAAAAAAAAAAAAA', encrypted: true } };
    const text = JSON.stringify(encrypted);
    await blob.upload(text, Buffer.byteLength(text));
    const failure = await launch().then(
      (host) => host.stop().then(() => undefined),
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(HostLaunchError);
    expect((failure as Error).message).toMatch(/host keys in azure-webjobs-secrets\/keyshub\/host\.json are not usable: the master key is encrypted/);
    expect(await storedSecrets(azurite)).toEqual(encrypted);
  }, 120_000);
});
