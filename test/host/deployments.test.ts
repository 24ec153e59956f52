// Several hosts side by side (one Azurite with different task hubs, or different Azurites), and an
// app outside the project with its own copies of @azure/functions and durable-functions.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../infra/local/azurite';
import { CheckStatusLinks, OrchestrationStatus, RunningHost, WORKFLOWS_APP, copyPackages, instanceStatus, launchHost, request, startOrchestration, tempDir, waitForInstance, waitForStatus } from '../support/host';

const WEBHOOK = '/runtime/webhooks/durabletask';

async function runChain(host: RunningHost, names: string[]): Promise<{ links: CheckStatusLinks; status: OrchestrationStatus }> {
  const response = await request(host, 'POST', '/api/orchestrators/chain', { rawBody: JSON.stringify(names) });
  expect(response.status).toBe(202);
  const links = response.json<CheckStatusLinks>();
  return { links, status: await waitForStatus(links.statusQueryGetUri) };
}

describe('two deployments of one app, side by side', () => {
  let shared: RunningAzurite;
  let other: RunningAzurite;
  const state = tempDir('host-deployments');
  const hosts: RunningHost[] = [];
  beforeAll(async () => {
    [shared, other] = await Promise.all([startAzurite({ inMemory: true }), startAzurite({ inMemory: true })]);
    const base = { appDir: WORKFLOWS_APP };
    hosts.push(
      ...(await Promise.all([
        launchHost({ ...base, storageConnectionString: shared.connectionString, taskHub: 'ContosoHub', env: { TEST_STATE_DIR: state.path, GREETING_PREFIX: 'Hello from Contoso' } }),
        launchHost({ ...base, storageConnectionString: shared.connectionString, taskHub: 'FabrikamHub', env: { TEST_STATE_DIR: state.path, GREETING_PREFIX: 'Hello from Fabrikam' } }),
        // Same hub name, different storage account.
        launchHost({ ...base, storageConnectionString: other.connectionString, taskHub: 'ContosoHub', env: { TEST_STATE_DIR: state.path, GREETING_PREFIX: 'Hello from elsewhere' } }),
      ])),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await Promise.all([shared?.stop(), other?.stop()]);
    state.remove();
  });

  it('each host has its own port, settings and keys', async () => {
    const [contoso, fabrikam, elsewhere] = hosts;
    expect(new Set(hosts.map((h) => h.port)).size).toBe(3);
    expect((await request(contoso, 'GET', '/api/hello/you', { key: 'none' })).text).toBe('Hello from Contoso, you!');
    expect((await request(fabrikam, 'GET', '/api/hello/you', { key: 'none' })).text).toBe('Hello from Fabrikam, you!');
    expect((await request(elsewhere, 'GET', '/api/hello/you', { key: 'none' })).text).toBe('Hello from elsewhere, you!');
    expect((await request(contoso, 'GET', '/api/secure', { key: { key: fabrikam.functionKey } })).status).toBe(401);
  });

  it('runs orchestrations at the same time without seeing each other', async () => {
    const [contoso, fabrikam, elsewhere] = hosts;
    const [a, b, c] = await Promise.all([runChain(contoso, ['A1', 'A2']), runChain(fabrikam, ['B1']), runChain(elsewhere, ['C1'])]);
    expect(a.status.output).toEqual(['Hello, A1!', 'Hello, A2!']);
    expect(b.status.output).toEqual(['Hello, B1!']);
    expect(c.status.output).toEqual(['Hello, C1!']);
    // Contoso's instance exists only in Contoso's hub of the shared account.
    expect((await request(fabrikam, 'GET', `${WEBHOOK}/instances/${a.links.id}`, { key: 'system' })).status).toBe(404);
    expect((await request(elsewhere, 'GET', `${WEBHOOK}/instances/${a.links.id}`, { key: 'system' })).status).toBe(404);
    const listed = (await request(fabrikam, 'GET', `${WEBHOOK}/instances/`, { key: 'system' })).json<OrchestrationStatus[]>();
    expect(listed.map((s) => s.instanceId)).toContain(b.links.id);
    expect(listed.map((s) => s.instanceId)).not.toContain(a.links.id);
  });
});

describe('an app outside the project with its own packages', () => {
  let azurite: RunningAzurite;
  const app = tempDir('host-own-packages');
  const state = tempDir('host-own-packages-state');
  let host: RunningHost;
  beforeAll(async () => {
    cpSync(join(WORKFLOWS_APP, 'src'), join(app.path, 'src'), { recursive: true });
    cpSync(join(WORKFLOWS_APP, 'host.json'), join(app.path, 'host.json'));
    writeFileSync(join(app.path, 'package.json'), JSON.stringify({ name: 'outside-app', main: 'src/*.js', dependencies: { '@azure/functions': '*', 'durable-functions': '*' } }));
    writeFileSync(join(app.path, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { GREETING_PREFIX: 'Hi' } }));
    copyPackages(app.path, ['@azure/functions', 'durable-functions']);
    azurite = await startAzurite({ inMemory: true });
    host = await launchHost({ appDir: app.path, storageConnectionString: azurite.connectionString, env: { TEST_STATE_DIR: state.path, NODE_PATH: undefined } });
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
    app.remove();
    state.remove();
  });

  it('loads its own copies of the libraries', async () => {
    const settings = (await request(host, 'GET', '/api/settings', { key: 'none' })).json<{ functionsLibrary: string; durableLibrary: string }>();
    expect(settings.functionsLibrary.startsWith(join(app.path, 'node_modules', '@azure', 'functions'))).toBe(true);
    expect(settings.durableLibrary.startsWith(join(app.path, 'node_modules', 'durable-functions'))).toBe(true);
  });

  it('runs HTTP functions and orchestrations unchanged', async () => {
    expect((await request(host, 'GET', '/api/hello/there', { key: 'none' })).text).toBe('Hi, there!');
    const { status } = await runChain(host, ['X']);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello, X!'] });
    const fanOut = await request(host, 'POST', '/api/wait/fanOut', { rawBody: '20' });
    expect(fanOut.json()).toBe(420);
    const viaApi = await startOrchestration(host, 'chain', ['Y'], 'outside-1');
    expect(viaApi.id).toBe('outside-1');
    expect(await waitForInstance(host, 'outside-1')).toMatchObject({ output: ['Hello, Y!'] });
    expect(await instanceStatus(host, 'no-such-instance')).toBeUndefined();
  });
});
