// Runs the demo's phases for one scenario, always stops what it started, judges the ending and
// writes the report. `main.ts` is the command line around it.
import { writeFileSync } from 'node:fs';
import { formatDuration } from '../../../shared/client';
import type { DemoContext } from './context';
import { withConsolePhases } from './console';
import { DEMO_PHASES, readTenantsAfter, type DemoPhase } from './phases';
// Adds its phase to DEMO_PHASES (offboard scenario).
import './offboarding';
import { createProgressLog } from './progress';
import { buildReport, judgeOutcome, type DemoOutcome, type DemoReport } from './report';
import { SCENARIOS, type ScenarioName } from './scenarios';

export interface DemoOptions {
  scenario: ScenarioName;
  /** Write the JSON report there. */
  reportFile?: string;
  /** Echo the deployments' host logs. */
  verbose?: boolean;
  /** Where the output goes (default stdout). */
  write?: (text: string) => void;
  /** Abort (Ctrl-C): the run stops waiting, stops the stack and ends `Interrupted`. */
  signal?: AbortSignal;
  /** The phases to run (default DEMO_PHASES). */
  phases?: DemoPhase[];
  /** Save PNG screenshots of both consoles into this folder as the demo goes. */
  screenshotsDir?: string;
  /** Keep everything running at the end and print the consoles' URLs, until Ctrl-C. */
  console?: boolean;
}

export interface DemoResult {
  outcome: DemoOutcome & { error?: string };
  report: DemoReport;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const log = createProgressLog(write);
  const scenario = SCENARIOS[options.scenario];
  const signal = options.signal ?? new AbortController().signal;
  const context: DemoContext = {
    scenario,
    log,
    signal,
    verbose: options.verbose ?? false,
    sides: { initiator: { tenant: scenario.initiator }, responder: { tenant: scenario.responder } },
    tenantsBefore: {},
    tenantsAfter: {},
    graphRequests: {},
  };

  log.line(`cross-cloud-handshake demo — ${scenario.title}`);
  let failure: unknown;
  try {
    for (const phase of withConsolePhases(options.phases ?? DEMO_PHASES, options)) {
      signal.throwIfAborted();
      if (phase.when && !phase.when(context)) continue;
      if (context.verbose) log.line(`— ${phase.name}`);
      await phase.run(context);
    }
  } catch (error) {
    // Ctrl-C while the consoles are served is how `--console` ends.
    if (!context.servingConsoles) failure = error;
    // Show what the tenants look like when something went wrong (not after Ctrl-C: leave at once).
    if (!signal.aborted && context.stack && Object.keys(context.tenantsAfter).length === 0) {
      await readTenantsAfter.run(context).catch(() => undefined);
    }
  }
  const elapsedMs = log.elapsedMs();

  if (context.stack) {
    log.line('Stopping the deployments, the simulator and Azurite…');
    await context.stack.stop().catch((error: unknown) => log.line(`could not stop everything: ${messageOf(error)}`));
  }

  let outcome: DemoResult['outcome'];
  if (signal.aborted && !context.servingConsoles) {
    outcome = { asExpected: false, finalStatus: 'Interrupted', problems: ['interrupted (Ctrl-C)'] };
  } else if (failure !== undefined) {
    outcome = { asExpected: false, finalStatus: 'Error', problems: [messageOf(failure)], error: messageOf(failure) };
  } else {
    outcome = judgeOutcome(context);
  }
  const prefix = outcome.finalStatus === 'Interrupted' ? '' : outcome.finalStatus === 'Error' ? 'error: ' : 'not as expected: ';
  for (const problem of outcome.problems) log.line(`${prefix}${problem}`);
  log.line(`Elapsed: ${formatDuration(elapsedMs)} (${elapsedMs} ms)`);

  const report = buildReport(context, outcome, elapsedMs);
  if (options.reportFile) {
    writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    log.line(`Report written to ${options.reportFile}`);
  }
  write(`handshake: ${outcome.finalStatus}\n`);
  return { outcome, report };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
