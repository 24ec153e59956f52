import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorld, SimulatorError, startSimulator, World } from '../../infra/local/simulator';
import { runCli } from '../../infra/local/simulator/cli';
import { appOf, call, graphClientFor, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

const TENANT = '0b9f3a5e-1c2d-4e6f-8a7b-9c0d1e2f3a4b';
const APP = '5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f';

function soloWorld(overrides: Partial<World['tenants'][number]> = {}): World {
  return {
    tenants: [
      {
        id: TENANT,
        cloud: 'Global',
        displayName: 'Solo',
        domains: ['solo.example', 'solo.onmicrosoft.com'],
        users: [{ id: 'f0e1d2c3-b4a5-4968-8776-655443322110', userPrincipalName: 'ann@solo.example', displayName: 'Ann' }],
        ...overrides,
      },
    ],
    apps: [{ tenantId: TENANT, clientId: APP, clientSecret: 'solo-secret-123', displayName: 'app', permissions: ['Policy.Read.All'] }],
  };
}

describe('world files', () => {
  it('the default world loads and has the environments the demo and the tests need', () => {
    const world = loadWorld();
    expect(world.tenants.map((tenant) => [tenant.displayName, tenant.cloud])).toEqual([
      ['Contoso', 'Global'],
      ['Fabrikam', 'Global'],
      ['Northwind GCC', 'GCC'],
      ['Woodgrove China', 'China'],
      ['Tailspin Gov', 'GCCHigh'],
    ]);
    for (const tenant of world.tenants) {
      const apps = world.apps.filter((app) => app.tenantId === tenant.id);
      expect(apps.map((app) => app.displayName)).toEqual(expect.arrayContaining(['cross-cloud-handshake', 'cross-cloud-handshake-readonly']));
      expect(tenant.users.length).toBeGreaterThanOrEqual(3);
      expect(tenant.groups.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('reads the earlier cloud names of a world as the environments they name', () => {
    const world = loadWorld({ tenants: [{ id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e60', cloud: 'USGov', displayName: 'Old', domains: ['old.example'] }] });
    expect(world.tenants[0].cloud).toBe('GCCHigh');
  });

  it('names every bad field, one line each', () => {
    const bad = soloWorld({
      id: 'not-a-guid',
      users: [
        { id: 'f0e1d2c3-b4a5-4968-8776-655443322110', userPrincipalName: 'ann@elsewhere.example', displayName: 'Ann' },
        { id: 'f0e1d2c3-b4a5-4968-8776-655443322111', userPrincipalName: 'no-at-sign', displayName: 'Bob' },
      ],
    });
    let error: unknown;
    try {
      loadWorld(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SimulatorError);
    expect((error as SimulatorError).code).toBe('world.invalid');
    expect((error as Error).message).toMatch(/tenants\[0\]\.id: Invalid GUID/);
    expect((error as Error).message).toMatch(/tenants\[0\]\.users\[1\]\.userPrincipalName: must look like name@domain/);
  });

  it('checks references across the world (domains of UPNs, group members, app tenants, permission names)', () => {
    const world = soloWorld({
      users: [{ id: 'f0e1d2c3-b4a5-4968-8776-655443322110', userPrincipalName: 'ann@elsewhere.example', displayName: 'Ann' }],
      groups: [{ id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', displayName: 'G', members: ['ghost@solo.example'] }],
    });
    world.apps!.push({ tenantId: '99999999-9999-4999-8999-999999999999', clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', clientSecret: 'secret-1234', displayName: 'x', permissions: [] });
    expect(() => loadWorld(world)).toThrow(/users\[0\]\.userPrincipalName: domain elsewhere\.example is not a domain of Solo/);
    expect(() => loadWorld(world)).toThrow(/groups\[0\]\.members\[0\]: ghost@solo\.example is not a user of Solo/);
    expect(() => loadWorld(world)).toThrow(/apps\[1\]\.tenantId: no tenant 99999999/);
    const typo = soloWorld();
    (typo.apps![0].permissions as string[]) = ['Policy.Read.Al'];
    expect(() => loadWorld(typo)).toThrow(/apps\[0\]\.permissions\[0\]/);
  });

  it('reports an unreadable or non-JSON world file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'world-'));
    try {
      expect(() => loadWorld(join(dir, 'missing.json'))).toThrow(/Cannot read world file/);
      writeFileSync(join(dir, 'broken.json'), '{ "tenants": [');
      expect(() => loadWorld(join(dir, 'broken.json'))).toThrow(/is not JSON/);
      writeFileSync(join(dir, 'solo.json'), JSON.stringify(soloWorld()));
      expect(loadWorld(join(dir, 'solo.json')).tenants[0].displayName).toBe('Solo');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('startSimulator refuses a bad world before listening', async () => {
    await expect(startSimulator({ world: soloWorld({ cloud: 'Mars' as 'Global' }) })).rejects.toThrow(/tenants\[0\]\.cloud/);
  });
});

describe('state folder', () => {
  it('a restarted simulator keeps its state; another world in the same folder starts fresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    try {
      const first = await startTestSimulator({ stateDir: dir });
      const contoso = tenantNamed(first, 'Contoso');
      const fabrikam = tenantNamed(first, 'Fabrikam');
      await graphClientFor(first, contoso).api('/policies/crossTenantAccessPolicy/partners').post({ tenantId: fabrikam.id });
      await first.stop();

      const second = await startTestSimulator({ stateDir: dir });
      try {
        const state = await second.control.state(contoso.id);
        expect(state.partners.map((partner) => partner.tenantId)).toEqual([fabrikam.id]);
        const policyUrl = `${tenantNamed(second, 'Contoso').graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy/partners`;
        const reply = await call(policyUrl, { token: await tokenFor(tenantNamed(second, 'Contoso'), appOf(second, contoso)) });
        expect(reply.status).toBe(200);
        expect(reply.body.value).toHaveLength(1);
      } finally {
        await second.stop();
      }
      // Another world in the same folder starts from its own file.
      const other = await startTestSimulator({ stateDir: dir, world: soloWorld() });
      try {
        expect((await other.control.state(TENANT)).partners).toEqual([]);
      } finally {
        await other.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on the same port, tokens survive the restart (the signing key is in the state folder)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    try {
      const first = await startTestSimulator({ stateDir: dir });
      const port = Number(new URL(first.url).port);
      const contoso = tenantNamed(first, 'Contoso');
      const token = await tokenFor(contoso, appOf(first, contoso));
      await first.stop();
      const second = await startTestSimulator({ stateDir: dir, port });
      try {
        const reply = await call(`${contoso.graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy`, { token });
        expect(reply.status).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('strict response validation', () => {
  const badPartnerWorld = (): World => {
    const world = soloWorld();
    world.tenants[0].policy = { allowedCloudEndpoints: [], partners: [{ tenantId: 'c0ffee00-1111-4222-8333-444455556666', b2bCollaborationInbound: 'not an object' }] };
    world.tenants.push({ id: 'c0ffee00-1111-4222-8333-444455556666', cloud: 'Global', displayName: 'Other', domains: ['other.example'] });
    return world;
  };

  it('turns a response that breaks the OpenAPI description into a 500 and records it', async () => {
    const sim = await startTestSimulator({ world: badPartnerWorld(), strict: true });
    try {
      const tenant = sim.world.tenants[0];
      const reply = await call(`${tenant.graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy/partners`, { token: await tokenFor(tenant, sim.world.apps[0]) });
      expect(reply.status).toBe(500);
      expect(reply.body.error.code).toBe('SimulatorResponseInvalid');
      expect(reply.body.error.message).toMatch(/b2bCollaborationInbound/);
      expect(await sim.control.violations()).toEqual([expect.objectContaining({ operation: 'policies.crossTenantAccessPolicy.ListPartners', status: 200 })]);
    } finally {
      await sim.stop();
    }
  });

  it('with strict off, answers anyway but still records the violation', async () => {
    const sim = await startSimulator({ world: badPartnerWorld(), strict: false });
    try {
      const tenant = sim.world.tenants[0];
      const reply = await call(`${tenant.graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy/partners`, { token: await tokenFor(tenant, sim.world.apps[0]) });
      expect(reply.status).toBe(200);
      expect(await sim.control.violations()).toHaveLength(1);
    } finally {
      await sim.stop();
    }
  });
});

describe('control API and routing', () => {
  it('answers unknown hosts, versions and control endpoints with clear errors', async () => {
    const sim = await startTestSimulator();
    try {
      const contoso = tenantNamed(sim, 'Contoso');
      const unknownHost = await call(`${sim.url}/graph.example.com/v1.0/users`);
      expect(unknownHost.status).toBe(404);
      expect(unknownHost.body.error.message).toMatch(/does not serve 'graph.example.com'/);
      const beta = await call(`${contoso.graphBaseUrl}/beta/users`, { token: await tokenFor(contoso, appOf(sim, contoso)) });
      expect(beta.status).toBe(400);
      const unknownPath = await call(`${contoso.graphBaseUrl}/v1.0/widgets`, { token: await tokenFor(contoso, appOf(sim, contoso)) });
      expect(unknownPath.status).toBe(400);
      expect(unknownPath.body.error.message).toMatch(/segment 'widgets'/);
      const wrongMethod = await call(`${contoso.graphBaseUrl}/v1.0/organization`, { method: 'PUT', token: await tokenFor(contoso, appOf(sim, contoso)), body: {} });
      expect(wrongMethod.status).toBe(405);
      await expect(sim.control.state('00000000-0000-0000-0000-000000000000')).rejects.toThrow(/404: No tenant/);
      const unknownControl = await call(`${sim.url}/_sim/nothing`);
      expect(unknownControl.status).toBe(404);
    } finally {
      await sim.stop();
    }
  });

  it('refuses a malformed admin request and changes nothing', async () => {
    const sim = await startTestSimulator();
    try {
      const contoso = tenantNamed(sim, 'Contoso');
      await expect(sim.control.admin(contoso.id, { method: 'FETCH' as 'GET', path: '/users' })).rejects.toThrow(/method/);
      await expect(sim.control.admin(contoso.id, { method: 'PATCH', path: 'users' })).rejects.toThrow(/path/);
      const invalid = await sim.control.admin(contoso.id, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['nope'] } });
      expect(invalid.status).toBe(400);
      expect((await sim.control.state(contoso.id)).policy.allowedCloudEndpoints).toEqual([]);
      await expect(sim.control.addScriptedFault({ status: 418 as 429 })).rejects.toThrow(/status/);
    } finally {
      await sim.stop();
    }
  });
});

describe('CLI', () => {
  it('starts a simulator with the options given and prints its URL and CA (no secrets)', async () => {
    let output = '';
    const sim = await runCli(['--port', '0', '--latency-ms', '7', '--throttle', '50', '--quiet'], (text) => (output += text));
    try {
      expect(sim).toBeDefined();
      expect(output).toContain(`listening at ${sim!.url}`);
      expect(output).toContain(`NODE_EXTRA_CA_CERTS=${sim!.caFile}`);
      expect(output).toMatch(/Woodgrove China \(China\)/);
      for (const app of sim!.world.apps) expect(output).not.toContain(app.clientSecret);
      expect(await sim!.control.faults()).toMatchObject({ latencyMs: 7, throttle: { limit: 50, windowSeconds: 10 } });
    } finally {
      await sim?.stop();
    }
  });

  it('refuses bad options', async () => {
    await expect(runCli(['--latency-ms', 'soon'], () => undefined)).rejects.toThrow(/--latency-ms must be a non-negative number/);
    await expect(runCli(['--colour', 'blue'], () => undefined)).rejects.toThrow(/colour/);
    let help = '';
    expect(await runCli(['--help'], (text) => (help += text))).toBeUndefined();
    expect(help).toMatch(/^Usage: npm run sim/);
  });
});
