// `npm run bench -- crashes [--json] [--limit N] [--scenario handshake|offboard] [--only TEXT]`:
// the handshake (Contoso, Global ↔ Woodgrove China) once per activity boundary of both sides —
// before and after every activity invocation a clean run makes — with that side's host killed there
// (LOCAL_HOST_CRASH_AT) and restarted on the same storage. Each run's Graph/Teams writes (the
// simulator's request log), final tenant state and recorded ownership are compared with the clean
// run's. `--scenario offboard`: the handshake, then Contoso's admin ends the partnership, and the
// boundaries walked are those of the offboarding workflows of both sides; the removals each side
// recorded (one Events row each) are compared too — a removal recorded twice counts as a duplicate,
// one never recorded as lost. Baseline, measured in the same run: a second clean run (what the
// comparison reports when nothing crashes, and how long a run takes). A quick subset: `--limit N`
// runs N boundaries spread over the list; `--only TEXT` those whose name contains TEXT (e.g.
// `--only removePartnershipConfiguration`, `--only China`). Last line (--json):
// {"scenario":"…","boundaries":N,"completed":N,"duplicateWrites":0,"orphanWrites":0,"lost":0}
import { trustedOrRelaunched, parseBenchArgs } from '../support/bench';
import { boundariesOf, compareRuns, describeBoundary, runHandshake, type CrashBoundary, type CrashScenario } from '../support/crashes';

const SCENARIOS: readonly CrashScenario[] = ['handshake', 'offboard'];

export async function main(args: string[]): Promise<void> {
  if (!(await trustedOrRelaunched('crashes', args))) return;
  const { scenario, only, rest } = scenarioArgs(args);
  const options = parseBenchArgs(rest, { json: false, limit: 0 });
  const log = (line: string): void => {
    if (!options.json) console.log(line);
  };

  const clean = await withStackRetries(() => runHandshake({ scenario }), log);
  const baseline = await withStackRetries(() => runHandshake({ scenario }), log);
  const noise = compareRuns(clean, baseline);
  log(`clean run: ${Math.round(clean.ms)} ms, ${clean.writes.Contoso.length} writes to Contoso, ${clean.writes.China.length} to Woodgrove China, ended ${JSON.stringify(clean.statuses)}` +
      (scenario === 'offboard' ? `; removals recorded: ${clean.removals.Contoso.length} by Contoso, ${clean.removals.China.length} by Woodgrove China` : ''),
  );
  log(
    `baseline (a second clean run): ${Math.round(baseline.ms)} ms; against the first: ${noise.duplicateWrites} extra, ${noise.lost} missing, ${noise.orphanWrites} left behind` +
      (noise.notes.length > 0 ? ` (${noise.notes.join('; ')})` : ''),
  );
  if (!noise.completed || noise.duplicateWrites + noise.lost + noise.orphanWrites > 0) {
    throw new Error('two clean runs differ: the comparison would not mean anything');
  }

  const all = boundariesOf(clean, scenario);
  const matching = only ? all.filter((boundary) => describeBoundary(boundary).includes(only)) : all;
  if (matching.length === 0) throw new Error(`no ${scenario} boundary matches --only ${only}`);
  const boundaries: CrashBoundary[] = options.limit > 0 && options.limit < matching.length ? spread(matching, options.limit) : matching;
  const invocations = (side: 'Contoso' | 'China'): number =>
    scenario === 'offboard' ? clean.offboarding[side].filter(Boolean).length : clean.activities[side].length;
  log(
    `${all.length} ${scenario === 'offboard' ? 'offboarding ' : ''}activity boundaries (Contoso ${invocations('Contoso')} and Woodgrove China ${invocations('China')} invocations, before and after each); running ${boundaries.length}`,
  );

  const totals = { scenario, boundaries: boundaries.length, completed: 0, duplicateWrites: 0, orphanWrites: 0, lost: 0 };
  let crashes = 0;
  let crashMs = 0;
  for (const [index, boundary] of boundaries.entries()) {
    const run = await withStackRetries(() => runHandshake({ crash: boundary, log }), log);
    const result = compareRuns(clean, run);
    if (run.crashed) crashes += 1;
    crashMs += run.ms;
    if (result.completed) totals.completed += 1;
    totals.duplicateWrites += result.duplicateWrites;
    totals.orphanWrites += result.orphanWrites;
    totals.lost += result.lost;
    const verdict = result.completed && result.duplicateWrites + result.orphanWrites + result.lost === 0 ? 'same end, same writes' : result.notes.join('; ');
    log(`[${index + 1}/${boundaries.length}] ${describeBoundary(boundary)}: ${run.crashed ? 'crashed, restarted' : 'never reached'}, ${Math.round(run.ms)} ms — ${verdict}`);
  }
  log(`${crashes} of ${boundaries.length} runs crashed at their boundary; a run with a crash took ${Math.round(crashMs / Math.max(1, boundaries.length))} ms on average (clean: ${Math.round(baseline.ms)} ms)`);
  log(`completed ${totals.completed}/${totals.boundaries}; duplicate writes ${totals.duplicateWrites}, orphan writes ${totals.orphanWrites}, lost ${totals.lost}`);
  if (options.json) console.log(JSON.stringify(totals));
}

/** `--scenario NAME` and `--only TEXT` (the other options are parseBenchArgs's). */
function scenarioArgs(args: string[]): { scenario: CrashScenario; only?: string; rest: string[] } {
  let scenario: CrashScenario = 'handshake';
  let only: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--scenario') {
      const value = args[++i];
      if (!SCENARIOS.includes(value as CrashScenario)) throw new Error(`--scenario needs one of ${SCENARIOS.join(', ')}`);
      scenario = value as CrashScenario;
    } else if (args[i] === '--only') {
      only = args[++i];
      if (!only) throw new Error('--only needs a text (part of a boundary name, e.g. sendMessage)');
    } else rest.push(args[i]);
  }
  return { scenario, ...(only ? { only } : {}), rest };
}

/** A run whose local stack could not start (an overloaded machine) is run again, twice at most. */
async function withStackRetries<T>(run: () => Promise<T>, log: (line: string) => void): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= 3 || !/did not start|could not start|not start within/i.test(message)) throw error;
      log(`  the local stack did not start (${message.split('\n')[0]}); running it again`);
    }
  }
}

/** `count` items spread evenly over `items` (first and last included). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (count === 1) return [items[0]];
  return Array.from({ length: count }, (_, index) => items[Math.round((index * (items.length - 1)) / (count - 1))]);
}
