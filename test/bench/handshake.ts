// `npm run bench -- handshake [--json] [--runs N]`: one two-sided handshake on the local stack
// (Contoso, Global ↔ Woodgrove China, 21Vianet; B2B both ways, Teams federation, cross-cloud
// meetings, guest access, anonymous join, a guest each way), timed from the admin's request to
// both sides Active, with the Graph + Teams requests each tenant received. Baseline, measured in
// the same run on the same simulator: the same configuration applied directly with the domain
// layer (read → plan → apply on both sides, in this process, no workflow, no messages).
// Each at simulator latency 0 and 20 ms per request.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { ensureTrustFile } from '../../infra/local/tls';
import { ownershipAfter, type OwnedItem } from '../../shared/ownership';
import { mirrorForPartner, parseDesiredCollaboration } from '../../shared/partnership';
import { applyPlan, plan, readTenantState, type PartnershipTarget, type PlanArea } from '../../shared/plan';
import { adaptersFor } from '../support/tenant';
import { contosoRequest, WORLD } from '../support/stack';

interface Counts {
  reads: number;
  writes: number;
  /** Write operations by name (what was changed). */
  written: string[];
}

interface Sample {
  ms: number;
  contoso: Counts;
  china: Counts;
}

const ENTRA: readonly PlanArea[] = ['cloudEndpoints', 'partner', 'identitySync'];

async function counts(stack: LocalStack, tenantId: string): Promise<Counts> {
  const rows = await stack.simulator.control.counters({ tenantId });
  const isWrite = (operation: string): boolean =>
    operation.startsWith('teams.') ? operation.startsWith('teams.Put') : /^(Create|Update|Delete|Set)/.test(operation.split('.').pop() ?? '');
  const counted = rows.filter((row) => row.operation !== 'batch');
  const writes = counted.filter((row) => isWrite(row.operation));
  return {
    writes: writes.reduce((sum, row) => sum + row.count, 0),
    reads: counted.filter((row) => !isWrite(row.operation)).reduce((sum, row) => sum + row.count, 0),
    written: writes.map((row) => `${row.operation.split('.').pop()}${row.count > 1 ? ` ×${row.count}` : ''}`).sort(),
  };
}

async function call(stack: LocalStack, name: string, method: string, path: string, body?: unknown): Promise<any> {
  const deployment = stack.deployment(name);
  const response = await fetch(`${deployment.baseUrl}${path}`, {
    method,
    headers: { 'x-functions-key': deployment.functionKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`${method} ${path} on ${name}: ${response.status} ${text}`);
  return JSON.parse(text);
}

async function until(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function handshake(stack: LocalStack): Promise<Sample> {
  await stack.simulator.control.reset();
  await stack.simulator.control.setFaults({ latencyMs: currentLatency });
  const started = performance.now();
  const created = await call(stack, 'Contoso', 'POST', '/api/partnerships', contosoRequest(stack));
  await until(async () => (await fetch(`${stack.deployment('China').baseUrl}/api/partnerships/${created.id}`, { headers: { 'x-functions-key': stack.deployment('China').functionKey } })).status === 200);
  await call(stack, 'China', 'POST', `/api/partnerships/${created.id}/approve`, { pairingCode: created.pairingCode });
  await until(async () => {
    const [a, b] = await Promise.all([
      call(stack, 'Contoso', 'GET', `/api/partnerships/${created.id}`),
      call(stack, 'China', 'GET', `/api/partnerships/${created.id}`),
    ]);
    if (a.status === 'Failed' || b.status === 'Failed') throw new Error(`handshake failed: ${JSON.stringify(a.lastError ?? b.lastError)}`);
    return a.status === 'Active' && b.status === 'Active';
  });
  const ms = performance.now() - started;
  return { ms, contoso: await counts(stack, WORLD.contoso), china: await counts(stack, WORLD.china) };
}

/** The same tenant changes made directly with the domain layer: Entra both sides, then the rest. */
async function direct(stack: LocalStack): Promise<Sample> {
  await stack.simulator.control.reset();
  await stack.simulator.control.setFaults({ latencyMs: currentLatency });
  const contoso = adaptersFor(stack.simulator, 'Contoso');
  const china = adaptersFor(stack.simulator, 'Woodgrove China');
  const desired = parseDesiredCollaboration({ ...contosoRequest(stack), acceptedPartnerDomains: undefined });
  const sides: [typeof contoso, PartnershipTarget, 'Global' | 'China'][] = [
    [contoso, { partnershipId: 'p', desired, partnerDomains: ['woodgrove.cn', 'woodgrovecn.partner.onmschina.cn'] }, 'Global'],
    [
      china,
      // Woodgrove's admin vouched for no Contoso domain (cross-cloud: Graph cannot verify them), as in the handshake.
      { partnershipId: 'p', desired: mirrorForPartner(desired, { tenantId: WORLD.contoso, cloud: 'Global', deploymentUrl: stack.deployment('Contoso').baseUrl }), partnerDomains: [] },
      'China',
    ],
  ];
  const started = performance.now();
  const owned: OwnedItem[][] = [[], []];
  for (const areas of [ENTRA, undefined]) {
    for (const [index, [adapters, target, cloud]] of sides.entries()) {
      const scoped = areas ? { ...target, areas } : target;
      const result = await applyPlan(adapters, plan([scoped], await readTenantState(adapters, [scoped], { localCloud: cloud }), { localCloud: cloud }));
      owned[index] = ownershipAfter(owned[index], 'p', result);
    }
  }
  const ms = performance.now() - started;
  return { ms, contoso: await counts(stack, WORLD.contoso), china: await counts(stack, WORLD.china) };
}

let currentLatency = 0;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function summary(samples: Sample[]): { ms: number; contoso: Counts; china: Counts } {
  return { ms: Math.round(median(samples.map((sample) => sample.ms))), contoso: samples.at(-1)!.contoso, china: samples.at(-1)!.china };
}

export async function main(args: string[]): Promise<void> {
  // Calling the HTTPS deployments needs the local CA trusted from process start.
  const trust = await ensureTrustFile({ existing: process.env.NODE_EXTRA_CA_CERTS });
  if (!process.env.NODE_EXTRA_CA_CERTS || !readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8').includes(trust.ca.caCert.trim())) {
    const child = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: trust.file } });
    process.exit(child.status ?? 1);
  }
  const json = args.includes('--json');
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1])) : 3;
  const log = (line: string): void => {
    if (!json) console.log(line);
  };

  const stackStarted = performance.now();
  const stack = await startLocalStack({
    deployments: [
      { name: 'Contoso', tenantId: WORLD.contoso },
      { name: 'China', tenantId: WORLD.china },
    ],
    timings: 'short',
    inMemoryStorage: true,
    handleSigint: true,
  });
  const stackMs = Math.round(performance.now() - stackStarted);
  log(`local stack (simulator + Azurite + 2 HTTPS hosts) started in ${stackMs} ms`);
  const results: Record<string, { handshake: ReturnType<typeof summary>; direct: ReturnType<typeof summary> }> = {};
  try {
    for (const latency of [0, 20]) {
      currentLatency = latency;
      await handshake(stack); // warm-up: first tokens, first tables, code paths compiled
      const handshakes: Sample[] = [];
      const directs: Sample[] = [];
      for (let run = 0; run < runs; run += 1) {
        // Let the previous run's background work (reconcile's subscription sync) finish first.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        directs.push(await direct(stack));
        handshakes.push(await handshake(stack));
      }
      results[`latency${latency}ms`] = { handshake: summary(handshakes), direct: summary(directs) };
      const h = results[`latency${latency}ms`].handshake;
      const d = results[`latency${latency}ms`].direct;
      log(`simulator latency ${latency} ms per request (median of ${runs}):`);
      log(`  handshake, request → both Active: ${h.ms} ms; Graph+Teams requests Contoso ${h.contoso.reads} reads / ${h.contoso.writes} writes, China ${h.china.reads} reads / ${h.china.writes} writes`);
      log(`  baseline, same changes applied directly: ${d.ms} ms; Contoso ${d.contoso.reads} reads / ${d.contoso.writes} writes, China ${d.china.reads} reads / ${d.china.writes} writes`);
      log(`  writes of the handshake: Contoso ${h.contoso.written.join(', ')}; China ${h.china.written.join(', ')}`);
      log(`  writes of the baseline:  Contoso ${d.contoso.written.join(', ')}; China ${d.china.written.join(', ')}`);
    }
  } finally {
    await stack.stop();
  }
  if (json) console.log(JSON.stringify({ stackStartMs: stackMs, ...results }));
}
