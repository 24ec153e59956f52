// `npm run bench -- plan [--json] [--partnerships N] [--drift 0.05] [--latency-ms 20]`
//
// One tenant (Contoso) with N partnerships already configured, 5 % of them drifted by an admin
// (partner settings changed, or the partner entry deleted), against the simulator with 20 ms
// latency per request. Measured in the same run, from the same drifted state:
//   naive — per partnership: GET the partner, then PATCH it (POST when it is gone);
//   ours  — readTenantState (one paged read) + plan (in memory) + applyPlan ($batch).
// Prints Graph requests and wall time of both; with --json the last line is
// {"naive":{"requests":…,"ms":…},"ours":{"requests":…,"ms":…}}.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ensureTrustFile } from '../../infra/local/tls';
import { startSimulator, type RunningSimulator, type World } from '../../infra/local/simulator';
import { generatedTenantId as partnerId, worldWithExtraTenants } from '../support/tenant';
import { createCredential, GraphAdapter, RequestCounter } from '../../shared/graph';
import { parseDesiredCollaboration } from '../../shared/partnership';
import { applyPlan, partnerSettingsFor, plan, readTenantState, type PartnershipTarget } from '../../shared/plan';
import { TeamsRestAdapter } from '../../shared/teams';
import type { CloudName } from '../../shared/clouds';

interface Options {
  json: boolean;
  partnerships: number;
  drift: number;
  latencyMs: number;
  seed: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { json: false, partnerships: 1000, drift: 0.05, latencyMs: 20, seed: 42 };
  for (let i = 0; i < args.length; i += 1) {
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${args[i - 1]} needs a value`);
      return next;
    };
    switch (args[i]) {
      case '--json':
        options.json = true;
        break;
      case '--partnerships':
        options.partnerships = Number(value());
        break;
      case '--drift':
        options.drift = Number(value());
        break;
      case '--latency-ms':
        options.latencyMs = Number(value());
        break;
      case '--seed':
        options.seed = Number(value());
        break;
      default:
        throw new Error(`unknown option ${args[i]} (use --json, --partnerships N, --drift F, --latency-ms N, --seed N)`);
    }
  }
  return options;
}

/** Small deterministic PRNG (mulberry32) so every run drifts the same partnerships. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cloudOf = (index: number): CloudName => (index % 20 === 0 ? 'China' : index % 10 === 0 ? 'USGov' : 'Global');

function targets(count: number): PartnershipTarget[] {
  return Array.from({ length: count }, (_, index) => ({
    partnershipId: `bench-${index}`,
    desired: parseDesiredCollaboration({
      partnerTenantId: partnerId(index),
      partnerCloud: cloudOf(index),
      partnerDeploymentUrl: `https://handshake.partner${index}.example`,
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all', applications: 'office365' } },
    }),
  }));
}

/** The default world plus N partner tenants, with Contoso already configured for all of them. */
function benchWorld(all: PartnershipTarget[]): World {
  const world = worldWithExtraTenants(all.length, cloudOf);
  const tenants = world.tenants.map((tenant) =>
    tenant.displayName === 'Contoso'
      ? {
          ...tenant,
          policy: {
            // The values of CLOUDS.USGov and CLOUDS.China.
            allowedCloudEndpoints: ['microsoftonline.us' as const, 'partner.microsoftonline.cn' as const],
            partners: all.map((target) => ({ tenantId: target.desired.partnerTenantId, ...partnerSettingsFor(target.desired) })),
          },
        }
      : tenant,
  );
  return { ...world, tenants };
}

/** 5 %: an admin blocks inbound B2B for some partners and deletes others. */
async function drift(sim: RunningSimulator, tenantId: string, all: PartnershipTarget[], share: number, seed: number): Promise<number> {
  const next = random(seed);
  const chosen = new Set<number>();
  const count = Math.round(all.length * share);
  while (chosen.size < count) chosen.add(Math.floor(next() * all.length));
  let index = 0;
  for (const position of chosen) {
    const partner = all[position].desired.partnerTenantId;
    const path = `/policies/crossTenantAccessPolicy/partners/${partner}`;
    const response =
      index++ % 3 === 0
        ? await sim.control.admin(tenantId, { method: 'DELETE', path })
        : await sim.control.admin(tenantId, {
            method: 'PATCH',
            path,
            body: {
              b2bCollaborationInbound: {
                usersAndGroups: { accessType: 'blocked', targets: [{ target: 'AllUsers', targetType: 'user' }] },
                applications: { accessType: 'blocked', targets: [{ target: 'AllApplications', targetType: 'application' }] },
              },
            },
          });
    if (response.status >= 300) throw new Error(`drift of ${partner} failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return count;
}

async function naiveLoop(graph: GraphAdapter, all: PartnershipTarget[]): Promise<void> {
  for (const target of all) {
    const tenantId = target.desired.partnerTenantId;
    const settings = partnerSettingsFor(target.desired);
    try {
      await graph.request('GET', `/policies/crossTenantAccessPolicy/partners/${tenantId}`);
      await graph.request('PATCH', `/policies/crossTenantAccessPolicy/partners/${tenantId}`, settings);
    } catch (error) {
      if ((error as { code?: string }).code !== 'tenant.object-missing') throw error;
      await graph.request('POST', '/policies/crossTenantAccessPolicy/partners', { tenantId, ...settings });
    }
  }
}

/** The process must trust the local CA from its start (MSAL insists on HTTPS): re-run if not. */
async function trustedOrRelaunched(args: string[]): Promise<boolean> {
  const { file, ca } = await ensureTrustFile({ existing: process.env.NODE_EXTRA_CA_CERTS });
  const current = process.env.NODE_EXTRA_CA_CERTS;
  if (current && readFileSync(current, 'utf8').includes(ca.caCert.trim())) return true;
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [process.argv[1], 'plan', ...args], {
      stdio: 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: file },
    });
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) throw new Error(`benchmark failed (exit ${code})`);
  return false;
}

export async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  if (!(await trustedOrRelaunched(args))) return;
  const log = (line: string): void => console.log(line);
  const all = targets(options.partnerships);
  const sim = await startSimulator({ port: 0, world: benchWorld(all), policySizeLimitBytes: 50_000_000, strict: false });
  try {
    const contoso = sim.world.tenants.find((tenant) => tenant.displayName === 'Contoso')!;
    const app = sim.world.apps.find((candidate) => candidate.tenantId === contoso.id && candidate.displayName === 'cross-cloud-handshake')!;
    const credential = createCredential({ kind: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret }, contoso.id, {
      loginBaseUrl: contoso.loginBaseUrl,
    });
    const adapter = (counter: RequestCounter) => ({
      graph: new GraphAdapter({ credential, endpoints: { graphBaseUrl: `${contoso.graphBaseUrl}/v1.0`, graphScope: contoso.graphScope }, counter }),
      teams: new TeamsRestAdapter({ credential, endpoints: { teamsAdminBaseUrl: contoso.teamsAdminBaseUrl, teamsScope: contoso.teamsScope } }),
    });
    await credential.getToken(contoso.graphScope); // token fetched once, outside both measurements

    log(`plan benchmark: ${options.partnerships} partnerships, ${options.drift * 100} % drift, simulator latency ${options.latencyMs} ms`);

    // Naive baseline.
    const drifted = await drift(sim, contoso.id, all, options.drift, options.seed);
    await sim.control.setFaults({ latencyMs: options.latencyMs });
    const naiveCounter = new RequestCounter();
    const naiveAdapters = adapter(naiveCounter);
    let started = performance.now();
    await naiveLoop(naiveAdapters.graph, all);
    const naive = { requests: naiveCounter.total, ms: Math.round(performance.now() - started) };
    log(`naive  GET+PATCH loop : ${naive.requests} Graph requests, ${naive.ms} ms`);

    // Ours, from the same drifted state.
    await sim.control.setFaults({ latencyMs: 0 });
    await drift(sim, contoso.id, all, options.drift, options.seed);
    await sim.control.setFaults({ latencyMs: options.latencyMs });
    const oursCounter = new RequestCounter();
    const ours$ = adapter(oursCounter);
    started = performance.now();
    const actual = await readTenantState(ours$, all, { localCloud: 'Global' });
    const readMs = performance.now() - started;
    const planned = plan(all, actual, { localCloud: 'Global' });
    const planMs = performance.now() - started - readMs;
    const result = await applyPlan(ours$, planned);
    const ours = { requests: oursCounter.total, ms: Math.round(performance.now() - started) };
    const phases = { readMs: Math.round(readMs), planMs: Math.round(planMs), applyMs: Math.round(ours.ms - readMs - planMs) };
    log(`ours   read+plan+apply: ${ours.requests} Graph requests, ${ours.ms} ms (${planned.operations.length} operations for ${drifted} drifted partnerships, ${result.applied.length} applied)`);
    log(`       phases: ${JSON.stringify(phases)}; requests by kind: ${JSON.stringify(oursCounter.snapshot().byKey)}`);

    // Both really repaired the tenant.
    await sim.control.setFaults({ latencyMs: 0 });
    const check = plan(all, await readTenantState(adapter(new RequestCounter()), all, { localCloud: 'Global' }), { localCloud: 'Global' });
    if (check.operations.length > 0) throw new Error(`the tenant still differs after apply: ${check.operations.length} operations`);
    log(`ratio: ${(naive.requests / ours.requests).toFixed(1)}x fewer requests, ${(naive.ms / ours.ms).toFixed(1)}x faster`);
    if (options.json) console.log(JSON.stringify({ naive, ours }));
  } finally {
    await sim.stop();
  }
}
