// `npm start [-- --scenario reject|timeout|usgov-china|offboard] [--report FILE] [--verbose]`: the handshake
// between two deployments of this app on the embedded local stack, driven through the real API.
// Last line: `handshake: <final status>`; exit 0 only when the scenario ended as expected.
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ensureTrustFile } from '../tls';
import { runDemo } from './run';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios';

const USAGE = `npm start [-- [--scenario ${SCENARIO_NAMES.join('|')}] [--report FILE] [--console] [--screenshots DIR] [--verbose]]

  --scenario NAME   approve (default): Contoso (Global) and Woodgrove China (21Vianet) reach Active
                    reject: Woodgrove China's admin rejects; Contoso undoes its side
                    timeout: nobody answers within a short invitation lifetime; Contoso undoes its side
                    usgov-china: Tailspin Gov (US Government) → Woodgrove China is refused, nothing written
                    gcc: Contoso (commercial) and Northwind (GCC) authorise free/busy and MailTips both ways
                    offboard: both reach Active, then Woodgrove China's admin ends it; both sides Removed
  --report FILE     also write what happened as JSON (partnerships, tenants before/after, graphRequests, drift, kept, elapsedMs)
  --console         keep both deployments, the simulator and Azurite running at the end and print
                    each admin console's URL with a sign-in link (Ctrl-C stops everything)
  --screenshots DIR save PNGs of both consoles' pages (list, new partnership with plan preview,
                    invitation, detail timeline, audit) in DIR, taken in headless Chromium
  --verbose         echo the deployments' host logs`;

export const EXIT_INTERRUPTED = 130;

interface MainOptions {
  scenario: ScenarioName;
  reportFile?: string;
  verbose: boolean;
  console: boolean;
  screenshotsDir?: string;
}

function parseOptions(argv: string[]): MainOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      report: { type: 'string' },
      verbose: { type: 'boolean' },
      console: { type: 'boolean' },
      screenshots: { type: 'string' },
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
  if (values.screenshots === '') throw new Error('--screenshots needs a folder');
  return {
    scenario: scenario as ScenarioName,
    reportFile: values.report,
    verbose: Boolean(values.verbose),
    console: Boolean(values.console),
    screenshotsDir: values.screenshots,
  };
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

  // Every HTTPS call of this process (the API clients, and the simulator running in it, which
  // validates and delivers Graph notifications to the deployments) must trust the local CA. Node
  // reads NODE_EXTRA_CA_CERTS only at start, so without it the demo runs itself again with it.
  const trust = await ensureTrustFile({ existing: process.env.NODE_EXTRA_CA_CERTS });
  if (process.env.NODE_EXTRA_CA_CERTS !== trust.file) return relaunchWithTrust(trust.file);

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
  // Started by relaunchWithTrust: a launcher that goes away (killed) counts as Ctrl-C.
  if (process.send) process.on('disconnect', () => onSignal('SIGHUP'));

  const { outcome } = await runDemo({ ...options, signal: interrupt.signal });
  // With --console, Ctrl-C is how the demo ends: the outcome was judged, not interrupted.
  if (outcome.finalStatus === 'Interrupted') return EXIT_INTERRUPTED;
  return outcome.asExpected ? 0 : 1;
}

/**
 * Runs this program again with NODE_EXTRA_CA_CERTS and waits for it. The child has its own process
 * group, so a terminal's Ctrl-C reaches it once, forwarded from here (not twice, which would mean
 * "leave at once"); it watches the IPC channel to stop when this launcher is killed.
 */
function relaunchWithTrust(trustFile: string): Promise<number> {
  const child = fork(__filename, process.argv.slice(2), {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: trustFile },
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`npm start failed: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? EXIT_INTERRUPTED : 1)));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stdout.write('handshake: Error\n');
    process.exit(1);
  },
);
