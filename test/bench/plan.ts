// `npm run bench -- plan [--json] [--partnerships N] [--drift 0.05] [--latency-ms 20]`
//
// One tenant (Contoso) with N partnerships already configured, 5 % of them drifted by an admin
// (partner settings changed, or the partner entry deleted), against the simulator with 20 ms
// latency per request. Measured in the same run, from the same drifted state:
//   naive — per partnership: GET the partner, then PATCH it (POST when it is gone);
//   ours  — readTenantState (one paged read) + plan (in memory) + applyPlan ($batch).
// Prints Graph requests and wall time of both; with --json the last line is
// {"naive":{"requests":…,"ms":…},"ours":{"requests":…,"ms":…}}.
import { startSimulator } from '../../infra/local/simulator';
import { configuredWorld, driftedSet, driftPartners, naivePartnerRepair, parseBenchArgs, partnerCloudOf, trustedOrRelaunched } from '../support/bench';
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
    policySizeLimitBytes: 50_000_000,
    strict: false,
  });
  try {
    const contoso = sim.world.tenants.find((tenant) => tenant.id === WORLD.contoso)!;
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
    await driftPartners(sim.control, contoso.id, drifted);
    await sim.control.setFaults({ latencyMs: options.latencyMs });
    const naiveCounter = new RequestCounter();
    const naiveAdapters = adapter(naiveCounter);
    let started = performance.now();
    for (const target of all) await naivePartnerRepair(naiveAdapters.graph, target.desired);
    const naive = { requests: naiveCounter.total, ms: Math.round(performance.now() - started) };
    log(`naive  GET+PATCH loop : ${naive.requests} Graph requests, ${naive.ms} ms`);

    // Ours, from the same drifted state.
    await sim.control.setFaults({ latencyMs: 0 });
    await driftPartners(sim.control, contoso.id, drifted);
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
    log(`ours   read+plan+apply: ${ours.requests} Graph requests, ${ours.ms} ms (${planned.operations.length} operations for ${drifted.length} drifted partnerships, ${result.applied.length} applied)`);
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
