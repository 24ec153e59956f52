// `npm start [-- --scenario reject|timeout|usgov-china] [--report FILE] [--verbose]`: the handshake
// between two deployments of this app on the embedded local stack, driven through the real API.
// Last line: `handshake: <final status>`; exit 0 only when the scenario ended as expected.
import { parseArgs } from 'node:util';
import { runDemo } from './run';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios';

const USAGE = `npm start [-- [--scenario ${SCENARIO_NAMES.join('|')}] [--report FILE] [--verbose]]

  --scenario NAME   approve (default): Contoso (Global) and Woodgrove China (21Vianet) reach Active
                    reject: Woodgrove China's admin rejects; Contoso undoes its side
                    timeout: nobody answers within a short invitation lifetime; Contoso undoes its side
                    usgov-china: Tailspin Gov (US Government) → Woodgrove China is refused, nothing written
  --report FILE     also write what happened as JSON (partnerships, tenants before/after, graphRequests, elapsedMs)
  --verbose         echo the deployments' host logs`;

export const EXIT_INTERRUPTED = 130;

interface MainOptions {
  scenario: ScenarioName;
  reportFile?: string;
  verbose: boolean;
}

function parseOptions(argv: string[]): MainOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      report: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  const scenario = values.scenario ?? 'approve';
  if (!(SCENARIO_NAMES as readonly string[]).includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIO_NAMES.join(', ')} (got "${scenario}")`);
  if (values.report === '') throw new Error('--report needs a file name');
  return { scenario: scenario as ScenarioName, reportFile: values.report, verbose: Boolean(values.verbose) };
}

async function main(): Promise<number> {
  let options: MainOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    const message = typeof (error as { message?: unknown }).message === 'string' ? (error as Error).message : String(error);
    process.stderr.write(`error: ${message.split('. To specify')[0]}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // Ctrl-C: stop waiting, stop everything that was started, then exit. A second Ctrl-C leaves at once
  // (the stack's processes die with this one).
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stdout.write(`\n${signal}: stopping everything…\n`);
    interrupt.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const { outcome } = await runDemo({ ...options, signal: interrupt.signal });
  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  return outcome.asExpected ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stdout.write('handshake: Error\n');
    process.exit(1);
  },
);
