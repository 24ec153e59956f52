// npm run sim -- --port <PORT> [--world <FILE>] [--latency-ms <N>] [--state-dir <DIR>]
//                [--notification-delay-ms <N>] [--throttle <requests per 10 s>] [--error-rate <0..1>]
// Starts the simulator, prints its base URL, the CA file and the tenants (secrets: GET /_sim/world).
import { parseArgs } from 'node:util';
import { RunningSimulator, startSimulator } from './index';

/** Parses the arguments, starts the simulator and prints where it is; undefined for --help. */
export async function runCli(argv: string[], out: (text: string) => void, log?: (line: string) => void): Promise<RunningSimulator | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      world: { type: 'string' },
      'latency-ms': { type: 'string' },
      'state-dir': { type: 'string' },
      'notification-delay-ms': { type: 'string' },
      throttle: { type: 'string' },
      'error-rate': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(
      'Usage: npm run sim -- --port <PORT> [--world <FILE>] [--latency-ms <N>] [--state-dir <DIR>]\n' +
        '       [--notification-delay-ms <N>] [--throttle <requests per 10 s per app per tenant>] [--error-rate <0..1>] [--quiet]\n',
    );
    return undefined;
  }
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative number (got '${value}').`);
    return parsed;
  };
  const throttle = number('throttle', values.throttle);
  const sim = await startSimulator({
    port: number('port', values.port),
    host: values.host,
    world: values.world,
    latencyMs: number('latency-ms', values['latency-ms']),
    stateDir: values['state-dir'],
    notificationDelayMs: number('notification-delay-ms', values['notification-delay-ms']),
    faults: {
      ...(throttle ? { throttle: { limit: throttle } } : {}),
      ...(values['error-rate'] !== undefined ? { transientErrorRate: number('error-rate', values['error-rate']) } : {}),
    },
    log: values.quiet ? undefined : log,
  });
  const lines = [
    `Graph + Teams simulator listening at ${sim.url}`,
    `CA (self-signed certificate generated at start, issued by the local CA): ${sim.caFile}`,
    `  clients must trust it: NODE_EXTRA_CA_CERTS=${sim.caFile}`,
    `World (apps and their secrets): GET ${sim.url}/_sim/world`,
    ...sim.world.tenants.map((tenant) => `  ${tenant.displayName} (${tenant.cloud}) ${tenant.id}  graph: ${tenant.graphBaseUrl}/v1.0  login: ${tenant.loginBaseUrl}`),
  ];
  out(`${lines.join('\n')}\n`);
  return sim;
}

if (require.main === module) {
  runCli(
    process.argv.slice(2),
    (text) => process.stdout.write(text),
    (line) => process.stderr.write(`${line}\n`),
  ).then(
    (sim) => {
      if (!sim) return;
      const shutdown = (): void => {
        sim.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
