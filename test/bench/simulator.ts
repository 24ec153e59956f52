// `npm run bench -- simulator [--json] [--partners N] [--latency-ms 20]`
//
// The Graph simulator's own cost per request with N partner tenants: sequential POST, GET and
// PATCH of partners and a paged list ($top=100), first with no injected latency, then with the
// latency a benchmark injects. Baseline printed beside each figure: the injected latency alone
// (N × latency), so the simulator's overhead is the difference.
import { startSimulator, syntheticWorld } from '../../infra/local/simulator';
import { trustedOrRelaunched } from '../support/bench';

interface Figures {
  postMs: number;
  getMs: number;
  patchMs: number;
  listMs: number;
  requests: number;
}

function parse(args: string[]): { json: boolean; partners: number; latencyMs: number } {
  const options = { json: false, partners: 1000, latencyMs: 20 };
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--json') options.json = true;
    else if (args[i] === '--partners') options.partners = Number(args[++i]);
    else if (args[i] === '--latency-ms') options.latencyMs = Number(args[++i]);
    else throw new Error(`unknown option ${args[i]} (use --json, --partners N, --latency-ms N)`);
  }
  return options;
}

export async function main(args: string[]): Promise<void> {
  const options = parse(args);
  // fetch() must trust the local CA from the process's start.
  if (!(await trustedOrRelaunched('simulator', args))) return;
  const sim = await startSimulator({ port: 0, world: syntheticWorld({ partnerTenants: options.partners }), policySizeLimitBytes: 100_000_000 });
  try {
    const contoso = sim.world.tenants.find((tenant) => tenant.displayName === 'Contoso')!;
    const app = sim.world.apps.find((candidate) => candidate.tenantId === contoso.id && candidate.displayName === 'cross-cloud-handshake')!;
    const { accessToken } = await sim.control.mintToken({ tenantId: contoso.id, clientId: app.clientId });
    const headers = { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' };
    const partners = sim.world.tenants.filter((tenant) => tenant.displayName.startsWith('Partner '));
    const base = `${contoso.graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy/partners`;
    const send = async (url: string, method = 'GET', body?: unknown): Promise<unknown> => {
      const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      if (response.status >= 300) throw new Error(`${method} ${url} → ${response.status}: ${await response.text()}`);
      return response.status === 204 ? undefined : response.json();
    };
    const inbound = { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] } };

    const round = async (latencyMs: number, create: boolean): Promise<Figures> => {
      await sim.control.setFaults({ latencyMs });
      const timed = async (work: () => Promise<void>): Promise<number> => {
        const started = performance.now();
        await work();
        return Math.round(performance.now() - started);
      };
      let requests = 0;
      const postMs = await timed(async () => {
        for (const partner of partners) {
          await (create ? send(base, 'POST', { tenantId: partner.id, b2bCollaborationInbound: inbound }) : send(`${base}/${partner.id}`, 'PATCH', { b2bCollaborationInbound: inbound }));
          requests++;
        }
      });
      const getMs = await timed(async () => {
        for (const partner of partners) {
          await send(`${base}/${partner.id}`);
          requests++;
        }
      });
      const patchMs = await timed(async () => {
        for (const partner of partners) {
          await send(`${base}/${partner.id}`, 'PATCH', { inboundTrust: { isMfaAccepted: latencyMs > 0 } });
          requests++;
        }
      });
      const listMs = await timed(async () => {
        let next: string | undefined = `${base}?$top=100`;
        while (next) {
          next = ((await send(next)) as { '@odata.nextLink'?: string })['@odata.nextLink'];
          requests++;
        }
      });
      return { postMs, getMs, patchMs, listMs, requests };
    };

    const bare = await round(0, true);
    const slowed = await round(options.latencyMs, false);
    const n = options.partners;
    const floor = (count: number): number => count * options.latencyMs;
    const line = (name: string, ms0: number, ms: number, count: number): string =>
      `${name.padEnd(22)} no latency: ${String(ms0).padStart(6)} ms (${(ms0 / count).toFixed(2)} ms/request) | ${options.latencyMs} ms latency: ${String(ms).padStart(6)} ms, baseline (latency alone) ${floor(count)} ms, overhead ${((ms - floor(count)) / count).toFixed(2)} ms/request`;
    console.log(`simulator benchmark: ${n} partners, sequential requests over HTTPS from one client`);
    console.log(line(`POST/PATCH x${n}`, bare.postMs, slowed.postMs, n));
    console.log(line(`GET partner x${n}`, bare.getMs, slowed.getMs, n));
    console.log(line(`PATCH partner x${n}`, bare.patchMs, slowed.patchMs, n));
    const pages = Math.ceil(n / 100);
    console.log(line(`list ${pages} pages ($top=100)`, bare.listMs, slowed.listMs, pages));
    if (options.json) console.log(JSON.stringify({ partners: n, latencyMs: options.latencyMs, noLatency: bare, withLatency: slowed }));
  } finally {
    await sim.stop();
  }
}
