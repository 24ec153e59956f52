// `handshake check --local <env> --partner <env> [--file request.json] [--json]`: the offline
// preflight. No deployment is called: the capability rules (shared/capabilities.ts, both sides)
// judge the pair of environments — every capability, or exactly what a request asks.
import { parseArgs } from 'node:util';
import { CAPABILITY_KEYS, type CapabilityVerdict } from '../capabilities';
import { ENVIRONMENT_NAMES } from '../clouds';
import { isDomainError } from '../errors';
import { preflight, type PreflightResult } from '../preflight';
import { EXIT, UsageError, type ExitCode } from './exitCodes';

export interface CheckCommand {
  local: string;
  partner: string;
  file?: string;
  json: boolean;
}

export const CHECK_SYNOPSIS = 'handshake check --local ENV --partner ENV [--file request.json] [--json]';

export const CHECK_USAGE = `${CHECK_SYNOPSIS}

Checks, offline, what two Microsoft 365 environments allow before anyone is asked for anything:
the capability rules of both sides (this tenant's and the partner's). Without --file every
capability is judged for the pair; with it, exactly what the request asks (the same JSON as
"partner add --file"; the partner's tenant id and deployment may be left out).

  --local ENV        this tenant's environment: ${ENVIRONMENT_NAMES.join(' | ')}
  --partner ENV      the partner's environment (USGov and USGovDoD are accepted for GCCHigh and DoD)
  -f, --file FILE    the partnership request as JSON
  --json             one JSON object on the last line of stdout:
                     {"local","partner","capabilities":{"<key>":{"allowed","code","message","side","requested"}},"violations":[...]}

Exit codes: 0 everything asked is allowed, 3 something is refused, 2 bad input (an unknown
environment, an unreadable or invalid request).`;

/** Parses the flags after `check`; a mistake is a UsageError naming it. */
export function parseCheckCommandLine(args: readonly string[]): { kind: 'help'; text: string } | { kind: 'check'; check: CheckCommand } {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: {
        local: { type: 'string' },
        partner: { type: 'string' },
        file: { type: 'string', short: 'f' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (error) {
    const message = typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
    throw new UsageError(`check: ${message.split('. To specify')[0].replace(/\.$/, '')}.`);
  }
  if (values.help) return { kind: 'help', text: CHECK_USAGE };
  if (positionals.length > 0) throw new UsageError(`check: unexpected argument "${positionals[0]}" (${CHECK_SYNOPSIS}).`);
  if (!values.local) throw new UsageError(`check: --local is required (this tenant's environment: ${ENVIRONMENT_NAMES.join(', ')}).`);
  if (!values.partner) throw new UsageError(`check: --partner is required (the partner's environment: ${ENVIRONMENT_NAMES.join(', ')}).`);
  return {
    kind: 'check',
    check: { local: String(values.local), partner: String(values.partner), file: values.file as string | undefined, json: Boolean(values.json) },
  };
}

/** Runs the preflight and prints it; the exit code says whether everything asked is allowed. */
export function runCheck(command: CheckCommand, io: { stdout: { write(text: string): unknown }; readFile: (path: string) => string }): ExitCode {
  let request: unknown;
  if (command.file !== undefined) {
    let text: string;
    try {
      text = io.readFile(command.file);
    } catch (error) {
      throw new UsageError(`check: cannot read --file ${command.file}: ${(error as Error).message}`);
    }
    try {
      request = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`check: --file ${command.file} is not JSON: ${(error as Error).message}`);
    }
  }
  let result: PreflightResult;
  try {
    result = preflight(command.local, command.partner, request);
  } catch (error) {
    if (isDomainError(error, 'request.invalid')) {
      throw new UsageError(`check: ${error.message}`, (error.details.issues as { field: string; message: string }[] | undefined) ?? []);
    }
    throw error;
  }
  io.stdout.write(`${command.json ? JSON.stringify(result) : renderCheck(result)}\n`);
  const refused = CAPABILITY_KEYS.some((key) => result.capabilities[key].requested && !result.capabilities[key].allowed);
  return refused || result.violations.length > 0 ? EXIT.refused : EXIT.ok;
}

const SIDE_LABEL = { local: 'this tenant', partner: 'the partner', both: 'both sides' } as const;

export function renderCheck(result: PreflightResult): string {
  const lines = [`${result.local} (this tenant) with ${result.partner} (the partner):`];
  const width = Math.max(...CAPABILITY_KEYS.map((key) => key.length));
  for (const key of CAPABILITY_KEYS) {
    const verdict: CapabilityVerdict = result.capabilities[key];
    if (!verdict.requested && verdict.allowed) continue;
    const mark = verdict.allowed ? 'allowed ' : 'REFUSED ';
    const note = verdict.allowed ? verdict.message : `${verdict.code} (${SIDE_LABEL[verdict.side]}): ${verdict.message}`;
    lines.push(`  ${key.padEnd(width)}  ${verdict.requested ? mark : 'not asked, refused '}${note}`);
  }
  const refused = result.violations.length;
  lines.push(refused === 0 ? 'Everything asked is allowed on both sides.' : `${refused} rule(s) refuse what is asked: nothing would be written.`);
  return lines.join('\n');
}
