// `npm run bench -- host [--json]`: the local host's durable throughput on Azurite.
// A fan-out of 1,000 activities and a chain of 100, timed end to end over HTTP (start → output),
// with the storage round trips the host made (counted by the host, per request sent to Azurite)
// per activity. Baseline, measured in the same run: one Azurite table write round trip.
import { TableClient } from '@azure/data-tables';
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startAzurite } from '../../infra/local/azurite';
import { launchHost, type RunningHost } from '../../infra/local/host';

const APP = resolve(__dirname, '../../../test/host/apps/workflows');
const FAN_OUT = 1_000;
const CHAIN = 100;
const TABLE_WRITE_SAMPLES = 25;

interface Metrics {
  storageRoundTrips: number;
}

async function metrics(host: RunningHost): Promise<Metrics> {
  const response = await fetch(`${host.baseUrl}/admin/host/metrics`, { headers: { 'x-functions-key': host.masterKey } });
  return (await response.json()) as Metrics;
}

/** Starts an orchestration and waits for its output through the management API (no polling). */
async function run(host: RunningHost, name: string, input: unknown): Promise<{ ms: number; roundTrips: number; output: unknown }> {
  const before = await metrics(host);
  const started = performance.now();
  const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/orchestrators/${name}?timeout=300&pollingInterval=1`, {
    method: 'POST',
    headers: { 'x-functions-key': host.systemKey, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const output = (await response.json()) as unknown;
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${name} did not complete: HTTP ${response.status} ${JSON.stringify(output)}`);
  const after = await metrics(host);
  return { ms, roundTrips: after.storageRoundTrips - before.storageRoundTrips, output };
}

async function tableWriteMs(connectionString: string): Promise<number> {
  const table = TableClient.fromConnectionString(connectionString, 'BenchBaseline', { allowInsecureConnection: true });
  await table.createTable();
  const samples: number[] = [];
  for (let i = 0; i < TABLE_WRITE_SAMPLES; i++) {
    const started = performance.now();
    await table.upsertEntity({ partitionKey: 'baseline', rowKey: String(i), value: i });
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const log = (line: string): void => {
    if (!json) console.log(line);
  };
  const state = mkdtempSync(join(tmpdir(), 'bench-host-'));
  const azurite = await startAzurite({ inMemory: true });
  let host: RunningHost | undefined;
  try {
    host = await launchHost({
      appDir: APP,
      storageConnectionString: azurite.connectionString,
      taskHub: 'BenchHub',
      env: { TEST_STATE_DIR: state, TICK_SCHEDULE: undefined, AzureFunctionsJobHost__logging__logLevel__default: 'Warning' },
    });
    // Warm up (module loading, JIT) outside the measurement.
    await run(host, 'chain', ['warm', 'up']);
    await run(host, 'fanOut', 20);

    const baseline = await tableWriteMs(azurite.connectionString);
    const fanOut = await run(host, 'fanOut', FAN_OUT);
    const expectedSum = FAN_OUT * (FAN_OUT + 1);
    if (fanOut.output !== expectedSum) throw new Error(`fan-out returned ${JSON.stringify(fanOut.output)}, expected ${expectedSum}`);
    const chain = await run(host, 'chain', Array.from({ length: CHAIN }, (_, i) => `n${i}`));
    if (!Array.isArray(chain.output) || chain.output.length !== CHAIN) throw new Error('the chain did not return one greeting per step');
    const perActivity = (fanOut.roundTrips + chain.roundTrips) / (FAN_OUT + CHAIN);

    const row = (cells: (string | number)[]): string => cells.map((c, i) => String(c).padStart(i === 0 ? 0 : 14)).join(' |');
    log('Local Functions host, durable throughput on Azurite (in-memory), one host process');
    log(row(['scenario    ', 'activities', 'ms', 'activities/s', 'round trips', 'trips/activity']));
    log(row(['fan-out     ', FAN_OUT, fanOut.ms.toFixed(0), (FAN_OUT / (fanOut.ms / 1000)).toFixed(0), fanOut.roundTrips, (fanOut.roundTrips / FAN_OUT).toFixed(3)]));
    log(row(['chain       ', CHAIN, chain.ms.toFixed(0), (CHAIN / (chain.ms / 1000)).toFixed(0), chain.roundTrips, (chain.roundTrips / CHAIN).toFixed(3)]));
    log(row(['both        ', FAN_OUT + CHAIN, (fanOut.ms + chain.ms).toFixed(0), '', fanOut.roundTrips + chain.roundTrips, perActivity.toFixed(3)]));
    log(`Baseline: one Azurite table write round trip (median of ${TABLE_WRITE_SAMPLES}): ${baseline.toFixed(2)} ms`);
    log(`A chain step costs ${(chain.ms / CHAIN).toFixed(1)} ms = ${(chain.ms / CHAIN / baseline).toFixed(1)} table writes; goal: at most 6 storage round trips per activity (floor about 2-3).`);
    if (json) {
      console.log(
        JSON.stringify({
          fanOut: { activities: FAN_OUT, ms: Math.round(fanOut.ms) },
          chain: { activities: CHAIN, ms: Math.round(chain.ms) },
          tableWriteMs: Number(baseline.toFixed(2)),
          storageRoundTripsPerActivity: Number(perActivity.toFixed(3)),
        }),
      );
    }
  } finally {
    await host?.stop();
    await azurite.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
