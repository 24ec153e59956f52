// `handshake setup` and `handshake doctor` against the simulator and a deployment on the local
// host: a fresh identity (no permissions, no role) → doctor fails naming what is missing → setup
// --dry-run plans it all and changes nothing → setup grants everything → a second run adds
// nothing → doctor all ok → a permission removed by an admin → doctor names it and exits 1.
import { readFileSync } from 'node:fs';
import { DEFAULT_WORLD_FILE, type World } from '../../infra/local/simulator';
import { requiredGraphPermissions } from '../../shared/deploy/permissions';
import { TEAMS_ADMINISTRATOR_ROLE_ID } from '../../shared/teams/configurations';
import { cli } from '../cli/support';
import { useStack, WORLD } from '../support/stack';

jest.setTimeout(180_000);

const IDENTITY = { clientId: 'a3c1d7e2-5b4f-4e21-9c0d-1f2e3d4c5b6a', clientSecret: 'identity-secret-value', displayName: 'contoso-handshake-identity' };
const ADMIN = { clientId: 'b4d2e8f3-6c5a-4f32-8d1e-2a3b4c5d6e7f', clientSecret: 'admin-secret-value', displayName: 'tenant-admin' };
const CHINA_IDENTITY = { clientId: 'c5e3f9a4-7d6b-4a43-9e2f-3b4c5d6e7f80', clientSecret: 'china-identity-secret', displayName: 'woodgrove-handshake-identity' };
const CHINA_ADMIN = { clientId: 'd6f4a0b5-8e7c-4b54-8f30-4c5d6e7f8091', clientSecret: 'china-admin-secret-v', displayName: 'tenant-admin' };
const ADMIN_PERMISSIONS = ['AppRoleAssignment.ReadWrite.All', 'Application.Read.All', 'RoleManagement.ReadWrite.Directory'];

function world(): World {
  const base = JSON.parse(readFileSync(DEFAULT_WORLD_FILE, 'utf8')) as World;
  base.apps = [
    ...(base.apps ?? []),
    { tenantId: WORLD.contoso, ...IDENTITY, permissions: [], directoryRoles: [] },
    { tenantId: WORLD.contoso, ...ADMIN, permissions: ADMIN_PERMISSIONS as never, directoryRoles: [] },
    { tenantId: WORLD.china, ...CHINA_IDENTITY, permissions: [], directoryRoles: [] },
    { tenantId: WORLD.china, ...CHINA_ADMIN, permissions: ADMIN_PERMISSIONS as never, directoryRoles: [] },
  ];
  return base;
}

describe('handshake setup and doctor', () => {
  const stack = useStack(() => ({
    world: world(),
    timings: 'short',
    inMemoryStorage: true,
    deployments: [{ name: 'Contoso', tenantId: WORLD.contoso, env: { CLIENT_ID: IDENTITY.clientId, CLIENT_SECRET: IDENTITY.clientSecret } }],
  }));

  const principalOf = async (tenantId: string, displayName: string): Promise<string> =>
    String((await stack().simulator.control.state(tenantId)).servicePrincipals.find((sp) => sp.displayName === displayName)!.id);
  const rolesOf = async (tenantId: string, principalId: string): Promise<string[]> =>
    (await stack().simulator.control.state(tenantId)).directoryRoleAssignments.filter((assignment) => assignment.principalId === principalId).map((assignment) => assignment.roleDefinitionId);
  const env = (admin = ADMIN) => ({ CLOUD_HOST_BASE_URL: stack().simulator.url, AZURE_CLIENT_ID: admin.clientId, AZURE_CLIENT_SECRET: admin.clientSecret });
  const setup = async (principalId: string, ...extra: string[]) =>
    cli(['setup', '--principal-id', principalId, '--tenant', WORLD.contoso, '--cloud', 'Global', '--credential', 'client-secret', ...extra], { env: env() });
  const doctor = (...extra: string[]) => {
    const contoso = stack().deployment('Contoso');
    return cli(['doctor', ...extra], { env: { HANDSHAKE_URL: contoso.baseUrl, HANDSHAKE_KEY: contoso.functionKey } });
  };
  const grantsOf = async (tenantId: string, principalId: string) => {
    const state = await stack().simulator.control.state(tenantId);
    const graph = state.servicePrincipals.find((sp) => sp.appId === '00000003-0000-0000-c000-000000000000')!;
    const roles = new Map(((graph as unknown as { appRoles: Array<{ id: string; value: string }> }).appRoles).map((role) => [role.id, role.value]));
    return graph.appRoleAssignedTo.filter((assignment) => assignment.principalId === principalId).map((assignment) => roles.get(String(assignment.appRoleId))!).sort();
  };
  const needed = requiredGraphPermissions('Global').map((need) => need.permission);

  it('a fresh identity: doctor fails naming every missing permission and the Teams role', async () => {
    const run = await doctor();
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.find((line) => line.includes('graph-permissions'))).toMatch(/^fail\s+graph-permissions\s+the identity's token lacks Policy\.ReadWrite\.CrossTenantAccess, .*— fix: run `handshake setup`/);
    for (const permission of needed) expect(run.stdout).toContain(permission);
    expect(lines.find((line) => /^\S+\s+teams\s/.test(line))).toMatch(/^fail\s+teams\s+the identity does not hold the Teams Administrator role/);
    for (const name of ['configuration', 'storage', 'signing-key', 'webhook', 'clock']) {
      expect(lines.find((line) => new RegExp(`^\\S+\\s+${name}\\s`).test(line))).toMatch(/^ok\s/);
    }
    expect(lines.at(-1)).toMatch(/^fail: 5 ok, 0 warn, 2 fail/);
  });

  it('bad input is refused with a message and exit 2; an unknown principal is "could not", nothing written', async () => {
    const principalId = await principalOf(WORLD.contoso, IDENTITY.displayName);
    const before = await grantsOf(WORLD.contoso, principalId);
    const bad = await setup('not-a-guid');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--principal-id must be the object id \(GUID\)/);
    const noCloud = await cli(['setup', '--principal-id', principalId, '--tenant', WORLD.contoso, '--cloud', 'Mars'], { env: env() });
    expect(noCloud.code).toBe(2);
    expect(noCloud.stderr).toMatch(/--cloud must be one of Global, GCC, GCCHigh, DoD, China/);
    const unknown = await setup('0f0f0f0f-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/could not\s+0f0f0f0f-0000-4000-8000-000000000000: no service principal with object id/);
    expect(await grantsOf(WORLD.contoso, principalId)).toEqual(before);
  });

  it('--dry-run plans every permission and the role, and changes nothing', async () => {
    const principalId = await principalOf(WORLD.contoso, IDENTITY.displayName);
    const run = await setup(principalId, '--dry-run');
    expect(run.code).toBe(0);
    for (const permission of needed) expect(run.stdout).toMatch(new RegExp(`would add\\s+${permission.replace(/\./g, '\\.')}: would be granted`));
    expect(run.stdout).toMatch(/would add\s+Teams Administrator: would be assigned/);
    expect(run.stdout).toContain(`${needed.length + 1} to add, 0 already there, 0 could not be checked.`);
    expect(await grantsOf(WORLD.contoso, principalId)).toEqual([]);
    expect(await rolesOf(WORLD.contoso, principalId)).toEqual([]);
  });

  it('setup grants exactly the needed permissions and the Teams role; a second run adds nothing; doctor is all ok', async () => {
    const principalId = await principalOf(WORLD.contoso, IDENTITY.displayName);
    const first = await setup(principalId, '--json');
    expect(first.code).toBe(0);
    const report = first.json<{ ok: boolean; items: Array<{ name: string; outcome: string }> }>();
    expect(report.ok).toBe(true);
    expect(report.items.filter((item) => item.outcome === 'added').map((item) => item.name).sort()).toEqual([...needed, 'Teams Administrator'].sort());
    expect(await grantsOf(WORLD.contoso, principalId)).toEqual([...needed].sort());
    expect(await rolesOf(WORLD.contoso, principalId)).toEqual([TEAMS_ADMINISTRATOR_ROLE_ID]);

    const writesBefore = (await stack().simulator.control.counters({ tenantId: WORLD.contoso, clientId: ADMIN.clientId })).filter((row) => !/(^|\.)(Get|List)[A-Z]/.test(row.operation));
    const second = await setup(principalId);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`0 added, ${needed.length + 1} already there, 0 could not be done.`);
    expect(second.stdout).not.toMatch(/^\s+added\s/m);
    const writesAfter = (await stack().simulator.control.counters({ tenantId: WORLD.contoso, clientId: ADMIN.clientId })).filter((row) => !/(^|\.)(Get|List)[A-Z]/.test(row.operation));
    expect(writesAfter).toEqual(writesBefore);

    const healthy = await doctor();
    expect(healthy.stdout).toMatch(/^ok: 7 ok, 0 warn, 0 fail/m);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/^ok\s+teams\s+the Teams admin API answered at .*configapi-sim\.api\.interfaces\.records\.teams\.microsoft\.com/m);
  });

  it('a permission removed by an admin: doctor names it and exits non-zero; GET /api/health answers 503 with the report', async () => {
    const principalId = await principalOf(WORLD.contoso, IDENTITY.displayName);
    const state = await stack().simulator.control.state(WORLD.contoso);
    const graph = state.servicePrincipals.find((sp) => sp.appId === '00000003-0000-0000-c000-000000000000')!;
    const inviteRole = (graph as unknown as { appRoles: Array<{ id: string; value: string }> }).appRoles.find((role) => role.value === 'User.Invite.All')!;
    const assignment = graph.appRoleAssignedTo.find((candidate) => candidate.principalId === principalId && candidate.appRoleId === inviteRole.id)!;
    const removed = await stack().simulator.control.admin(WORLD.contoso, { method: 'DELETE', path: `/servicePrincipals/${graph.id}/appRoleAssignedTo/${assignment.id}` });
    expect(removed.status).toBe(204);

    const run = await doctor();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^fail\s+graph-permissions\s+the identity's token lacks User\.Invite\.All \(has \d+ of \d+\)/m);

    const contoso = stack().deployment('Contoso');
    const response = await fetch(`${contoso.baseUrl}/api/health`, { headers: { 'x-functions-key': contoso.functionKey } });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; checks: Array<{ name: string; status: string }> };
    expect(body.status).toBe('fail');
    expect(body.checks.map((check) => check.name)).toEqual(['configuration', 'storage', 'signing-key', 'graph-permissions', 'teams', 'webhook', 'clock']);
    expect(JSON.stringify(body)).not.toContain(IDENTITY.clientSecret);
    const anonymous = await fetch(`${contoso.baseUrl}/api/health`);
    expect(anonymous.status).toBe(401);

    // Setup puts back exactly the missing one.
    const again = await setup(principalId);
    expect(again.stdout).toMatch(/^\s+added\s+User\.Invite\.All: granted/m);
    expect(again.stdout).toContain(`1 added, ${needed.length} already there, 0 could not be done.`);
  });

  it('China: no synchronisation permissions, and manual Teams mode by default with the reason; no role assigned', async () => {
    const principalId = await principalOf(WORLD.china, CHINA_IDENTITY.displayName);
    const run = await cli(['setup', '--principal-id', principalId, '--tenant', WORLD.china, '--cloud', 'China', '--credential', 'client-secret'], { env: env(CHINA_ADMIN) });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Microsoft Graph microsoftgraph.chinacloudapi.cn');
    expect(run.stdout).toMatch(/manual step\s+Teams Administrator: not assigned \(Teams mode manual\): app-only tokens for the Teams admin API are not documented for Azure China/);
    const chinaNeeded = requiredGraphPermissions('China').map((need) => need.permission).sort();
    expect(chinaNeeded).not.toContain('Synchronization.ReadWrite.All');
    expect(await grantsOf(WORLD.china, principalId)).toEqual(chinaNeeded);
    expect(await rolesOf(WORLD.china, principalId)).toEqual([]);
  });

  it('--help describes every option', async () => {
    const help = await cli(['setup', '--help']);
    for (const option of ['--principal-id', '--tenant', '--cloud', '--teams-mode', '--outputs', '--credential', '--client-id', '--dry-run', '--json', 'azure-cli', 'device-code', 'client-secret']) {
      expect(help.stdout).toContain(option);
    }
    const doctorHelp = await cli(['doctor', '--help']);
    for (const option of ['--url', '--key', '--json']) expect(doctorHelp.stdout).toContain(option);
    expect((await cli(['--help'])).stdout).toMatch(/handshake setup .*\n\s+handshake doctor/);
  });
});
