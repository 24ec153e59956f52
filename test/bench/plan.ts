// `npm run bench -- plan [--json] [--partnerships N] [--drift 0.05] [--latency-ms 20] [--seed N]`
//
// One tenant (Contoso) with N partnerships already configured, 5 % of them drifted by an admin
// (partner settings changed, or the partner entry deleted), against the simulator with 20 ms
// latency per request. Measured in the same run, from the same drifted state:
//   baseline — the desired-state loop (see test/support/bench.ts): policy once, then per
//              partnership GET its partner entry, compare, PATCH/POST only when it differs;
//   ours     — readTenantState (one paged read) + plan (in memory) + applyPlan ($batch).
// The headline figure is item operations (each $batch item counts as one: Graph throttles by
// item), with HTTP requests and wall time beside. With --json the last line is
// {"baseline":{"name":"desired-state loop","operations":…,"requests":…,"ms":…},"ours":{"operations":…,"requests":…,"ms":…}}.
import { startSimulator } from '../../infra/local/simulator';
import { BASELINE_NAME, configuredWorld, countedBy, desiredStateLoop, driftedSet, driftPartners, parseBenchArgs, partnerCloudOf, ratios, trustedOrRelaunched, type BenchFigures } from '../support/bench';
import { WORLD } from '../support/stack';
import { generatedTenantId as partnerId } from '../support/tenant';
import { createCredential, GraphAdapter, RequestCounter } from '../../shared/graph';
import { parseDesiredCollaboration } from '../../shared/partnership';
import { applyPlan, plan, readTenantState, type PartnershipTarget } from '../../shared/plan';
import { TeamsRestAdapter } from '../../shared/teams';

function targets(count: number): PartnershipTarget[] {
  return Array.from({ length: count }, (_, index) => ({
    partnershipId: `bench-${index}`,
    desired: parseDesiredCollaboration({
      partnerTenantId: partnerId(index),
      partnerCloud: partnerCloudOf(index),
      partnerDeploymentUrl: `https://handshake.partner${index}.example`,
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all', applications: 'office365' } },
    }),
  }));
}

export async function main(args: string[]): Promise<void> {
  const options = parseBenchArgs(args, { json: false, partnerships: 1000, drift: 0.05, latencyMs: 20, seed: 42 });
  if (!(await trustedOrRelaunched('plan', args))) return;
  const log = (line: string): void => console.log(line);
  const all = targets(options.partnerships);
  const drifted = driftedSet(all.length, options.drift, options.seed).map((position) => all[position].desired.partnerTenantId);
  const sim = await startSimulator({
    port: 0,
    world: configuredWorld(WORLD.contoso, all.map((target) => target.desired)),
    policySizeLimitBytes: 500_000_000,
    strict: false,
  });
  try {
    const contoso = sim.world.tenants.find((tenant) => tenant.id === WORLD.contoso)!;
    const app = sim.world.apps.find((candidate) => candidate.tenantId === contoso.id && candidate.displayName === 'cross-cloud-handshake')!;
    const credential = createCredential({ kind: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret }, contoso.id, {
      loginBaseUrl: contoso.loginBaseUrl,
    });
    const adapters = (graphCounter: RequestCounter, teamsCounter: RequestCounter) => ({
      graph: new GraphAdapter({ credential, endpoints: { graphBaseUrl: `${contoso.graphBaseUrl}/v1.0`, graphScope: contoso.graphScope }, counter: graphCounter }),
      teams: new TeamsRestAdapter({ credential, endpoints: { teamsAdminBaseUrl: contoso.teamsAdminBaseUrl, teamsScope: contoso.teamsScope }, counter: teamsCounter }),
    });
    await credential.getToken(contoso.graphScope); // token fetched once, outside both measurements
    const simulatorOperations = async (): Promise<number> =>
      (await sim.control.counters({ tenantId: contoso.id })).filter((row) => row.operation !== 'batch').reduce((sum, row) => sum + row.count, 0);

    log(`plan benchmark: ${options.partnerships} partnerships, ${options.drift * 100} % drift, simulator latency ${options.latencyMs} ms`);

    // Baseline: the desired-state loop.
    await driftPartners(sim.control, contoso.id, drifted);
    await sim.control.resetCounters();
    await sim.control.setFaults({ latencyMs: options.latencyMs });
    const baselineGraph = new RequestCounter();
    const baselineTeams = new RequestCounter();
    let started = performance.now();
    const loop = await desiredStateLoop(adapters(baselineGraph, baselineTeams), all, 'Global');
    const baseline: BenchFigures = { ...countedBy(baselineGraph, baselineTeams), ms: Math.round(performance.now() - started) };
    await sim.control.setFaults({ latencyMs: 0 });
    log(`${BASELINE_NAME}: ${baseline.operations} item operations in ${baseline.requests} requests, ${baseline.ms} ms (${loop.writes} writes; the simulator counted ${await simulatorOperations()} operations)`);

    // Ours, from the same drifted state.
    await driftPartners(sim.control, contoso.id, drifted);
    await sim.control.resetCounters();
    await sim.control.setFaults({ latencyMs: options.latencyMs });
    const oursGraph = new RequestCounter();
    const oursTeams = new RequestCounter();
    const ours$ = adapters(oursGraph, oursTeams);
    started = performance.now();
    const actual = await readTenantState(ours$, all, { localCloud: 'Global' });
    const readMs = performance.now() - started;
    const planned = plan(all, actual, { localCloud: 'Global' });
    const planMs = performance.now() - started - readMs;
    const result = await applyPlan(ours$, planned);
    const ours: BenchFigures = { ...countedBy(oursGraph, oursTeams), ms: Math.round(performance.now() - started) };
    await sim.control.setFaults({ latencyMs: 0 });
    const phases = { readMs: Math.round(readMs), planMs: Math.round(planMs), applyMs: Math.round(ours.ms - readMs - planMs) };
    log(
      `ours (read + plan + $batch apply): ${ours.operations} item operations in ${ours.requests} requests, ${ours.ms} ms ` +
        `(${planned.operations.length} operations for ${drifted.length} drifted partnerships, ${result.applied.length} applied; the simulator counted ${await simulatorOperations()} operations)`,
    );
    log(`       phases: ${JSON.stringify(phases)}; requests by kind: ${JSON.stringify(oursGraph.snapshot().byKey)}`);

    // Both really repaired the tenant.
    const check = plan(all, await readTenantState(adapters(new RequestCounter(), new RequestCounter()), all, { localCloud: 'Global' }), { localCloud: 'Global' });
    if (check.operations.length > 0) throw new Error(`the tenant still differs after apply: ${check.operations.length} operations`);
    const { fewerOperations, faster } = ratios(baseline, ours);
    log(`ratio: ${fewerOperations.toFixed(1)}x fewer item operations, ${faster.toFixed(1)}x faster than the ${BASELINE_NAME}`);
    if (options.json) console.log(JSON.stringify({ baseline: { name: BASELINE_NAME, ...baseline }, ours }));
  } finally {
    await sim.stop();
  }
}
