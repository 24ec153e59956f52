// `npm run package`: the zip is what runs, so it is what is tested. It is built, unzipped into a
// temporary folder (away from the project's node_modules), checked for what it must and must not
// hold, its dependencies loaded from there, and then run on the local host — two deployments of
// the unzipped app, Contoso (Global) and Woodgrove China — through a whole handshake to Active.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { buildPackage, type PackageResult } from '../../infra/azure/package';
import { api, contosoRequest, hasStatus, useDeployments, waitForPartnership, WORLD } from '../support/stack';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..');
const workDir = mkdtempSync(join(tmpdir(), 'cch-package-'));
const appDir = join(workDir, 'app');
let result: PackageResult;
let names: string[];

// Built and unzipped before the stack starts (the stack runs the unzipped app).
beforeAll(() => {
  result = buildPackage({ root: ROOT, outFile: join(workDir, 'cross-cloud-handshake.zip') });
  const files = unzipSync(new Uint8Array(readFileSync(result.path)));
  names = Object.keys(files);
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    const target = join(appDir, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
}, 120_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the deployment package', () => {
  it('holds host.json, package.json (main, production dependencies only), the compiled app and its production node_modules', () => {
    expect(result.bytes).toBe(readFileSync(result.path).length);
    // Small enough for a run-from-package mount; measured ~5 MB.
    expect(result.bytes).toBeLessThan(12 * 1024 * 1024);
    expect(names).toEqual(expect.arrayContaining(['host.json', 'package.json', 'dist/functions/index.js', 'dist/orchestrations/index.js', 'dist/shared/index.js']));
    const manifest = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'));
    const project = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(manifest).toEqual({
      name: project.name,
      version: project.version,
      description: project.description,
      private: true,
      main: 'dist/functions/index.js',
      engines: project.engines,
      dependencies: project.dependencies,
    });
    expect(JSON.parse(readFileSync(join(appDir, 'host.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(ROOT, 'host.json'), 'utf8')));
    for (const dependency of Object.keys(project.dependencies)) expect(names).toContain(`node_modules/${dependency}/package.json`);
  });

  it('holds nothing of the local stack, the tests or the dev tools', () => {
    const forbidden = names.filter((name) =>
      /^dist\/(infra|test)\/|simulator|azurite|^node_modules\/(jest|typescript|@swc|ajv|fast-check|selfsigned|fflate|glob|@types)\/|\.map$|\.ts$|^src\//i.test(name),
    );
    expect(forbidden).toEqual([]);
    const devOnly = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies);
    for (const dependency of devOnly) expect(names.some((name) => name.startsWith(`node_modules/${dependency}/`))).toBe(false);
  });

  it('loads every dependency and the Azure clients from the unzipped folder alone', () => {
    const script = `
      const deps = Object.keys(require('./package.json').dependencies);
      for (const dep of deps) require(dep);
      const { ManagedIdentityCredential, ClientSecretCredential } = require('@azure/identity');
      const { SecretClient } = require('@azure/keyvault-secrets');
      const { TableClient } = require('@azure/data-tables');
      const credential = new ManagedIdentityCredential({ clientId: '00000000-0000-4000-8000-000000000001' });
      new ClientSecretCredential('00000000-0000-4000-8000-000000000002', 'a', 'b');
      new SecretClient('https://example.vault.azure.net', credential);
      new TableClient('https://example.table.core.windows.net', 'Partnerships', credential);
      require('./dist/shared');
      process.stdout.write(String(deps.length));
    `;
    // NODE_PATH empty and the folder outside the project: only the zip's node_modules can answer.
    const loaded = execFileSync(process.execPath, ['-e', script], { cwd: appDir, env: { PATH: process.env.PATH ?? '', NODE_PATH: '' } }).toString();
    expect(Number(loaded)).toBe(Object.keys(JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')).dependencies).length);
  });

  describe('run on the local host against the simulator', () => {
    const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china }, { appDir });

    it('a whole handshake: Contoso (Global) requests, Woodgrove China approves, both Active', async () => {
      expect(stack().deployment('Contoso')).toBeDefined();
      const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
      expect(created.status).toBe(202);
      const { id, pairingCode } = created.body;
      await waitForPartnership(china(), id, hasStatus('Draft'));
      const approved = await api(china(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode } });
      expect(approved.status).toBe(202);
      const [a, b] = await Promise.all([
        waitForPartnership(contoso(), id, hasStatus('Active', 'Failed', 'Rejected', 'Expired')),
        waitForPartnership(china(), id, hasStatus('Active', 'Failed', 'Rejected', 'Expired')),
      ]);
      expect([a.status, b.status]).toEqual(['Active', 'Active']);
      const partners = (await stack().simulator.control.state(WORLD.contoso)).partners.map((partner) => partner.tenantId);
      expect(partners).toContain(WORLD.china);
      // The health route is in the package too.
      const health = await api(contoso(), 'GET', '/api/health');
      expect(health.body.checks.map((check: { name: string }) => check.name)).toContain('graph-permissions');
    });
  });
});
