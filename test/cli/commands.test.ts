// The `handshake` commands against real deployments on the local stack (HTTPS hosts running this
// app, the Graph + Teams simulator, Azurite): the whole flow once (add → list → status → approve
// → Active → plan), a rejection, a timed-out wait, a 422 and an unknown id.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { EXIT } from '../../shared/cli';
import { HandshakeClient, type PartnershipDetails, type PartnershipSummary } from '../../shared/client';
import { wrongPairingCode } from '../support/stack';
import { cli } from './support';

const CONTOSO = '14763f8a-fb9a-451a-9f75-c33963a5b05a';
const FABRIKAM = 'db942a83-feba-4352-8377-e4783b8b9015';
const WOODGROVE = '7e8be59e-c071-47fb-ab9c-d694c21edb87';
const BIN = join(__dirname, '../../dist/shared/cli/handshake.js');

let stack: LocalStack;
let dir: string;
/** The partnership the first test brings to Active (the remove test ends it). */
let activeId = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-commands-'));
  stack = await startLocalStack({
    deployments: [
      { name: 'Contoso', tenantId: CONTOSO },
      { name: 'WoodgroveChina', tenantId: WOODGROVE },
      { name: 'Fabrikam', tenantId: FABRIKAM },
    ],
    timings: 'short',
    inMemoryStorage: true,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const on = (name: string): string[] => ['--url', stack.deployment(name).baseUrl, '--key', stack.deployment(name).functionKey];

/** Polls `partner list --json` on a deployment until the partnership shows up. */
async function waitUntilListed(name: string, id: string): Promise<PartnershipSummary> {
  for (let attempt = 0; attempt < 240; attempt++) {
    const run = await cli(['partner', 'list', '--json', ...on(name)]);
    expect(run.code).toBe(EXIT.ok);
    const found = run.json<{ partnerships: PartnershipSummary[] }>().partnerships.find((p) => p.id === id);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${id} never showed up on ${name}`);
}

async function waitForStatus(name: string, id: string, status: string): Promise<PartnershipDetails> {
  let last: PartnershipDetails | undefined;
  for (let attempt = 0; attempt < 480; attempt++) {
    const run = await cli(['partner', 'status', id, '--json', ...on(name)]);
    if (run.code === EXIT.ok) {
      last = run.json<PartnershipDetails>();
      if (last.status === status) return last;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${id} on ${name} never reached ${status}; last: ${last?.status}`);
}

it('both deployments start with no partnerships', async () => {
  const contoso = await cli(['partner', 'list', '--json', ...on('Contoso')]);
  expect(contoso.code).toBe(EXIT.ok);
  expect(contoso.json()).toEqual({ partnerships: [] });
  const human = await cli(['partner', 'list', ...on('WoodgroveChina')]);
  expect(human.stdout.trim()).toBe('No partnerships.');
});

it('add --wait (the bin) → the partner lists it → a wrong code is refused → approve --wait → both Active → plan is empty', async () => {
  // The initiator's admin runs the real bin, with the connection in the environment.
  const add = spawn(
    process.execPath,
    [BIN, 'partner', 'add', '--partner-tenant', WOODGROVE, '--partner-cloud', 'China', '--partner-url', stack.deployment('WoodgroveChina').baseUrl,
      '--name', 'Contoso ↔ Woodgrove China', '--b2b-inbound', 'all', '--b2b-outbound', 'all', '--federation', '--meetings', 'both', '--guest-access',
      '--guest', 'li.wei@woodgrove.cn', '--partner-guest', 'adele.vance@contoso.com', '--wait', '--timeout', '4m'],
    { env: { ...process.env, HANDSHAKE_URL: stack.deployment('Contoso').baseUrl, HANDSHAKE_KEY: stack.deployment('Contoso').functionKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let addOutput = '';
  add.stdout!.on('data', (chunk: Buffer) => (addOutput += chunk.toString()));
  add.stderr!.on('data', (chunk: Buffer) => (addOutput += chunk.toString()));
  const addExit = new Promise<number | null>((resolve) => add.once('exit', resolve));
  try {
    let match: RegExpExecArray | null = null;
    for (let i = 0; i < 400 && !(match = /Partnership (\S+) requested[\s\S]*Pairing code: ([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})/.exec(addOutput)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!match) throw new Error(`partner add printed no pairing code:\n${addOutput}`);
    const [, id, pairingCode] = match;
    activeId = id;

    const listed = await waitUntilListed('WoodgroveChina', id);
    expect(listed).toMatchObject({ id, role: 'responder', partnerTenantId: CONTOSO, partnerCloud: 'Global' });

    // While A awaits the answer, its signed invitation is there for out-of-band delivery, and its key is public.
    const contosoClient = new HandshakeClient({ baseUrl: stack.deployment('Contoso').baseUrl, functionKey: stack.deployment('Contoso').functionKey });
    expect(await contosoClient.getInvitation(id)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await new HandshakeClient({ baseUrl: stack.deployment('Contoso').baseUrl }).jwks()).keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' })]);

    const status = await cli(['partner', 'status', id, ...on('WoodgroveChina')]);
    expect(status.code).toBe(EXIT.ok);
    expect(status.stdout).toContain(`Partnership ${id} (responder)`);
    expect(status.stdout).toContain(`Partner       ${CONTOSO} (Global)`);

    const refused = await cli(['partner', 'approve', id, '--code', wrongPairingCode(pairingCode), ...on('WoodgroveChina')]);
    expect(refused.stderr).toMatch(/\(401 handshake\.bad-pairing-code\)/);
    expect(refused.stderr).toMatch(/4 attempt\(s\) left/);
    expect(refused.code).toBe(EXIT.badInput);
    const unchanged = await cli(['partner', 'status', id, '--json', ...on('WoodgroveChina')]);
    expect(unchanged.json<PartnershipDetails>().status).toBe(listed.status);
    // B's admin sees its own key (to read to A's admin if asked) and A's key as presented, not trusted.
    const heldText = await cli(['partner', 'status', id, ...on('WoodgroveChina')]);
    expect(heldText.stdout).toMatch(/Own key {7}\S{43}/);
    expect(heldText.stdout).toMatch(/Partner key {3}\S{43} {2}\(presented, not trusted until approved with the pairing code\)/);
    expect(heldText.stdout).toContain('Code tries    1 of 5');

    const approved = await cli(['partner', 'approve', id, '--code', pairingCode.toLowerCase(), '--wait', '--timeout', '4m', '--json', ...on('WoodgroveChina')]);
    expect(approved.code).toBe(EXIT.ok);
    expect(approved.json()).toMatchObject({ id, status: 'Active', partnership: { id, status: 'Active', role: 'responder' } });
    // Progress went to stderr, so stdout stayed one JSON document.
    expect(approved.stderr).toMatch(/Active/);

    expect(await addExit).toBe(EXIT.ok);
    expect(addOutput).toMatch(/\[\+\s*[\d.]+s\] AwaitingPartner/);
    expect(addOutput).toContain(`Partnership ${id} is Active.`);

    const plan = await cli(['partner', 'plan', id, '--json', ...on('Contoso')]);
    expect(plan.code).toBe(EXIT.ok);
    expect(plan.json()).toMatchObject({ id, empty: true, operations: [] });
    const planText = await cli(['partner', 'plan', id, ...on('WoodgroveChina')]);
    expect(planText.stdout).toContain('nothing to write');

    const list = await cli(['partner', 'list', ...on('Contoso')]);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+initiator\\s+Active\\s`, 'm'));
    const details = await cli(['partner', 'status', id, ...on('Contoso')]);
    expect(details.stdout).toContain(`Pairing code  ${pairingCode}`);
    expect(details.stdout).toMatch(/Steps \(\d+\):/);
    expect(details.stdout).toMatch(/Partner key {3}\S{43} {2}\(trusted: jwks\)/);

    // trust-key: the thumbprint Woodgrove's admin reads out matches the key fetched from its URL; another one is refused.
    const chinaKey = unchanged.json<PartnershipDetails>().keys!.own!;
    const trusted = await cli(['partner', 'trust-key', id, '--thumbprint', chinaKey, ...on('Contoso')]);
    expect(trusted.code).toBe(EXIT.ok);
    expect(trusted.stdout).toContain(`${chinaKey}  (trusted: jwks)`);
    const conflicting = await cli(['partner', 'trust-key', id, '--thumbprint', 'A'.repeat(43), ...on('Contoso')]);
    expect(conflicting.stderr).toMatch(/\(409 handshake\.partner-key-conflict\)/);
    expect(conflicting.code).toBe(EXIT.other);

    // domains: Woodgrove's admin sees Contoso's domains unverified (no cross-cloud lookup) and accepts one.
    const domains = await cli(['partner', 'domains', id, ...on('WoodgroveChina')]);
    expect(domains.stdout).toMatch(/^contoso\.com\s+unverified\s+-\s+yes$/m);
    const accepted = await cli(['partner', 'domains', id, '--accept', 'contoso.com', '--json', ...on('WoodgroveChina')]);
    expect(accepted.code).toBe(EXIT.ok);
    expect(accepted.json()).toMatchObject({ id, partnerDomains: expect.arrayContaining([{ domain: 'contoso.com', status: 'verified', source: 'admin', declared: true }]) });
  } finally {
    add.kill();
  }
}, 300_000);

it('remove: --delete-guests is refused without User.ReadWrite.All (nothing changed); remove --wait ends Removed on both sides; again is a no-op', async () => {
  expect(activeId).not.toBe('');
  const id = activeId;
  const refused = await cli(['partner', 'remove', id, '--delete-guests', ...on('Contoso')]);
  expect(refused.stderr).toMatch(/User\.ReadWrite\.All[\s\S]*\(403 tenant\.permission-denied\)/);
  expect(refused.code).toBe(EXIT.other);
  const untouched = (await cli(['partner', 'status', id, '--json', ...on('Contoso')])).json<PartnershipDetails>();
  expect(untouched.status).toBe('Active');
  expect(untouched.steps.map((step) => step.type)).not.toContain('offboarding.requested');

  const removed = await cli(['partner', 'remove', id, '--keep-guests', '--reason', 'The joint project is finished.', '--wait', '--timeout', '4m', ...on('Contoso')]);
  expect(removed.stdout).toContain(`Partnership ${id} is being removed (status Offboarding); the partner is told.`);
  expect(removed.stdout).toMatch(/\[\+\s*[\d.]+s\] Removed/);
  expect(removed.stdout).toContain(`Partnership ${id} is Removed.`);
  expect(removed.code).toBe(EXIT.ok);
  const partner = await waitForStatus('WoodgroveChina', id, 'Removed');
  expect(partner.steps.map((step) => step.message)).toContain(`Offboard received from tenant ${CONTOSO}; reason: The joint project is finished.`);

  const again = await cli(['partner', 'remove', id, '--json', ...on('Contoso')]);
  expect(again.code).toBe(EXIT.ok);
  expect(again.json()).toEqual({ id, status: 'Removed', statusUrl: `${stack.deployment('Contoso').baseUrl}/api/partnerships/${id}` });
  const human = await cli(['partner', 'remove', id, ...on('WoodgroveChina')]);
  expect(human.stdout).toContain(`Partnership ${id} is Removed: nothing to do.`);
}, 300_000);

it('a wait that runs out exits 4; the partner rejects and the initiator ends Rejected', async () => {
  const run = await cli([
    'partner', 'add', '--partner-tenant', FABRIKAM, '--partner-cloud', 'Global', '--partner-url', stack.deployment('Fabrikam').baseUrl,
    '--b2b-inbound', 'all', '--wait', '--timeout', '2s', ...on('Contoso'),
  ]);
  expect(run.code).toBe(EXIT.timedOut);
  const id = /Partnership (\S+) requested/.exec(run.stdout)?.[1];
  expect(id).toBeDefined();
  expect(run.stderr).toMatch(/did not get there within 2 s/);

  await waitUntilListed('Fabrikam', id!);
  const rejected = await cli(['partner', 'reject', id!, '--reason', 'Not this quarter.', ...on('Fabrikam')]);
  expect(rejected.code).toBe(EXIT.ok);
  expect(rejected.stdout).toContain(`Partnership ${id} rejected`);
  const final = await waitForStatus('Contoso', id!, 'Rejected');
  expect(final.role).toBe('initiator');
}, 180_000);

it('a request the capability rules refuse exits 3, lists every violation and records nothing', async () => {
  const file = join(dir, 'direct-connect.json');
  writeFileSync(
    file,
    JSON.stringify({
      partnerTenantId: WOODGROVE,
      partnerCloud: 'China',
      partnerDeploymentUrl: stack.deployment('WoodgroveChina').baseUrl,
      b2bDirectConnect: { inbound: { users: 'all' } },
      crossTenantSync: { direction: 'inbound' },
    }),
  );
  const before = (await cli(['partner', 'list', '--json', ...on('Contoso')])).json<{ partnerships: unknown[] }>().partnerships.length;
  const run = await cli(['partner', 'add', '--file', file, ...on('Contoso')]);
  expect(run.code).toBe(EXIT.refused);
  expect(run.stderr).toMatch(/\(422 capability\.violation\)/);
  expect(run.stderr).toMatch(/- b2b-direct-connect\.cross-cloud/);
  expect(run.stderr).toMatch(/- sync\.direction-not-allowed/);
  const after = (await cli(['partner', 'list', '--json', ...on('Contoso')])).json<{ partnerships: unknown[] }>().partnerships.length;
  expect(after).toBe(before);
});

it('an unknown partnership is bad input (exit 2); a wrong key is refused (exit 1)', async () => {
  const unknown = await cli(['partner', 'status', 'no-such-partnership', ...on('Contoso')]);
  expect(unknown.code).toBe(EXIT.badInput);
  expect(unknown.stderr).toMatch(/404 partnership\.not-found/);

  const wrongKey = await cli(['partner', 'list', '--url', stack.deployment('Contoso').baseUrl, '--key', 'not-the-key-0123456789']);
  expect(wrongKey.code).toBe(EXIT.other);
  expect(wrongKey.stderr).toMatch(/401/);
  expect(wrongKey.stderr).not.toContain('not-the-key-0123456789');
});
