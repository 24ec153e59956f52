// The local stack launcher: simulator + Azurite + one HTTPS host per deployment, configured
// through the environment; restart keeps URL, keys and state; stop leaves nothing behind.
import { existsSync } from 'node:fs';
import { LocalStackError, startLocalStack } from '../../infra/local/stack';
import { api, tenantId, useStack, WORLD } from '../support/stack';

jest.setTimeout(180_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startLocalStack', () => {
  const stack = useStack(() => ({
    deployments: [
      { name: 'Contoso', tenantId: WORLD.contoso },
      { name: 'China', tenantId: WORLD.china },
    ],
    timings: 'short',
    settings: { STACK_TEST_SETTING: 'everywhere' },
  }));

  it('runs one HTTPS host per deployment, each configured through its environment', async () => {
    const contoso = stack().deployment('Contoso');
    const china = stack().deployment('China');
    expect(contoso.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(china.baseUrl).not.toBe(contoso.baseUrl);
    const status = await api(contoso, 'GET', '/admin/host/status', { key: 'master' });
    expect(status.body).toMatchObject({ state: 'Running' });
    expect(contoso.settings).toMatchObject({
      TENANT_ID: WORLD.contoso,
      TENANT_CLOUD: 'Global',
      CREDENTIAL_KIND: 'clientSecret',
      CLOUD_HOST_BASE_URL: stack().simulator.url,
      TABLE_PREFIX: 'Contoso',
      PUBLIC_BASE_URL: contoso.baseUrl,
      HANDSHAKE_KEY_FILE: contoso.keyFile,
      AzureWebJobsStorage: stack().azurite.connectionString,
      MESSAGE_DELIVERY_FIRST_RETRY_INTERVAL_MS: '250',
      STACK_TEST_SETTING: 'everywhere',
    });
    expect(china.settings).toMatchObject({ TENANT_CLOUD: 'China', TABLE_PREFIX: 'China' });
    expect(china.taskHub).not.toBe(contoso.taskHub);
    // Keys are the deployment's: a wrong one is refused.
    expect((await api(contoso, 'GET', '/admin/host/status', { key: { key: china.masterKey } })).status).toBe(401);
    // The secret never shows in what the host printed.
    expect(contoso.output()).not.toContain(contoso.settings.CLIENT_SECRET);
    expect(contoso.output()).not.toContain(contoso.functionKey);
  });

  it('restarts a killed deployment on the same URL with the same keys', async () => {
    const china = stack().deployment('China');
    const url = china.baseUrl;
    const pid = china.host().pid;
    await china.kill();
    expect(china.running).toBe(false);
    expect(alive(pid)).toBe(false);
    await expect(fetch(`${url}/admin/host/ping`)).rejects.toThrow();
    await china.restart();
    expect(china.baseUrl).toBe(url);
    expect(china.host().pid).not.toBe(pid);
    expect((await api(china, 'GET', '/admin/host/status', { key: 'master' })).body).toMatchObject({ state: 'Running' });
  });
});

describe('startLocalStack lifecycle', () => {
  it('refuses bad options before starting anything', async () => {
    await expect(startLocalStack({ deployments: [] })).rejects.toThrow(LocalStackError);
    await expect(startLocalStack({ deployments: [{ name: 'bad name', tenantId: WORLD.contoso }] })).rejects.toThrow(/letters and digits/);
    await expect(
      startLocalStack({ deployments: [{ name: 'A', tenantId: WORLD.contoso }, { name: 'a', tenantId: WORLD.fabrikam }] }),
    ).rejects.toThrow(/Two deployments/);
  });

  it('refuses a tenant that is not in the world, and leaves nothing running', async () => {
    await expect(startLocalStack({ deployments: [{ name: 'Nobody', tenantId: '00000000-0000-4000-8000-000000000001' }] })).rejects.toThrow(
      /not in the simulator's world/,
    );
  });

  it('stops every process and removes its temporary folder', async () => {
    const stack = await startLocalStack({ deployments: [{ name: 'Fabrikam', tenantId: WORLD.fabrikam }], inMemoryStorage: true });
    const hostPid = stack.deployment('Fabrikam').host().pid;
    const azuritePid = stack.azurite.pid;
    expect(tenantId(stack, 'Fabrikam')).toBe(WORLD.fabrikam);
    expect(() => stack.deployment('Contoso')).toThrow(/known: Fabrikam/);
    await stack.stop();
    expect(alive(hostPid)).toBe(false);
    expect(alive(azuritePid)).toBe(false);
    expect(existsSync(stack.stateDir)).toBe(false);
  });
});
