// Command line of `handshake`: the commands, their flags (node:util parseArgs, strict) and usage.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../config';
import { keyThumbprintSchema } from '../handshake/keys';
import { formatPairingCode, normalizePairingCode } from '../handshake/pairing';
import { PAIRING_CODE_MAX_ATTEMPTS } from '../handshake/constants';
import { CHECK_SYNOPSIS, parseCheckCommandLine, type CheckCommand } from './check';
import { UsageError } from './exitCodes';

const PAIRING_TRIES = PAIRING_CODE_MAX_ATTEMPTS;

export const COMMANDS = ['add', 'approve', 'reject', 'remove', 'status', 'plan', 'list', 'trust-key', 'domains'] as const;
export type CommandName = (typeof COMMANDS)[number];

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes. */
const COMMON_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

const WAIT_OPTIONS = {
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
} as const satisfies OptionSpec;

/** Flags of `partner add` that build the request (each replaces the same field of --file). */
export const REQUEST_OPTIONS = {
  file: { type: 'string', short: 'f' },
  'partner-tenant': { type: 'string' },
  'partner-domain': { type: 'string' },
  'partner-cloud': { type: 'string' },
  'partner-url': { type: 'string' },
  name: { type: 'string' },
  'b2b-inbound': { type: 'string' },
  'b2b-outbound': { type: 'string' },
  federation: { type: 'boolean' },
  meetings: { type: 'string' },
  'guest-access': { type: 'boolean' },
  'anonymous-join': { type: 'boolean' },
  acs: { type: 'string', multiple: true },
  guest: { type: 'string', multiple: true },
  'partner-guest': { type: 'string', multiple: true },
  sync: { type: 'string' },
  'sync-group': { type: 'string', multiple: true },
  lifetime: { type: 'string' },
  'accept-domain': { type: 'string', multiple: true },
} as const satisfies OptionSpec;

const COMMAND_OPTIONS = {
  add: { ...COMMON_OPTIONS, ...WAIT_OPTIONS, ...REQUEST_OPTIONS },
  approve: { ...COMMON_OPTIONS, ...WAIT_OPTIONS, code: { type: 'string' } },
  reject: { ...COMMON_OPTIONS, reason: { type: 'string' } },
  remove: { ...COMMON_OPTIONS, ...WAIT_OPTIONS, reason: { type: 'string' }, 'keep-guests': { type: 'boolean' }, 'delete-guests': { type: 'boolean' } },
  status: { ...COMMON_OPTIONS },
  plan: { ...COMMON_OPTIONS },
  list: { ...COMMON_OPTIONS },
  'trust-key': { ...COMMON_OPTIONS, thumbprint: { type: 'string' } },
  domains: { ...COMMON_OPTIONS, accept: { type: 'string', multiple: true } },
} as const satisfies Record<CommandName, OptionSpec>;

/** Commands that act on one partnership take its id as the one positional argument. */
const TAKES_ID: Record<CommandName, boolean> = { add: false, approve: true, reject: true, remove: true, status: true, plan: true, list: false, 'trust-key': true, domains: true };

export type RequestFlags = { [K in keyof typeof REQUEST_OPTIONS]?: (typeof REQUEST_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof REQUEST_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export interface ParsedCommand {
  command: CommandName;
  id?: string;
  url?: string;
  key?: string;
  json: boolean;
  wait: boolean;
  /** --timeout in milliseconds. */
  timeoutMs?: number;
  code?: string;
  reason?: string;
  /** `remove`: delete the guests the partnership invited (--delete-guests); kept otherwise. */
  deleteGuests?: boolean;
  /** trust-key: the partner key thumbprint read back from the partner's admin. */
  thumbprint?: string;
  /** domains: partner domains to accept (empty: only show them). */
  accept?: string[];
  request: RequestFlags;
}

export type ParsedArgs = { kind: 'help'; text: string } | { kind: 'command'; parsed: ParsedCommand } | { kind: 'check'; check: CheckCommand };

/** Parses `partner <command> [id] [flags]`; a mistake is a UsageError naming it. */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const [group, commandName, ...rest] = argv;
  if (group === undefined || group === '--help' || group === '-h' || group === 'help') return { kind: 'help', text: USAGE };
  if (group === 'check') return parseCheckCommandLine(argv.slice(1));
  if (group !== 'partner') throw new UsageError(`Unknown command "${group}": the commands are "handshake partner ${COMMANDS.join('|')}", "handshake check", "handshake setup" and "handshake doctor".`);
  if (commandName === undefined || commandName === '--help' || commandName === '-h') return { kind: 'help', text: USAGE };
  if (!(COMMANDS as readonly string[]).includes(commandName)) {
    throw new UsageError(`Unknown command "partner ${commandName}": use one of ${COMMANDS.join(', ')}.`);
  }
  const command = commandName as CommandName;

  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...rest], options: COMMAND_OPTIONS[command], strict: true, allowPositionals: true }) as {
      values: Record<string, string | boolean | string[] | undefined>;
      positionals: string[];
    });
  } catch (error) {
    throw new UsageError(`partner ${command}: ${cleanParseError(error)}`);
  }
  if (values.help) return { kind: 'help', text: COMMAND_USAGE[command] };

  let id: string | undefined;
  if (TAKES_ID[command]) {
    if (positionals.length === 0) throw new UsageError(`partner ${command}: the partnership id is missing (${COMMAND_SYNOPSIS[command]}).`);
    if (positionals.length > 1) throw new UsageError(`partner ${command}: one partnership id expected, got ${positionals.length} arguments.`);
    id = positionals[0];
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(id)) throw new UsageError(`partner ${command}: "${id}" is not a partnership id.`);
  } else if (positionals.length > 0) {
    throw new UsageError(`partner ${command}: unexpected argument "${positionals[0]}" (${COMMAND_SYNOPSIS[command]}).`);
  }

  const typedCode = values.code as string | undefined;
  let code: string | undefined;
  if (command === 'approve') {
    if (!typedCode) throw new UsageError('partner approve: --code is required (the pairing code the initiator showed, XXXX-XXXX-XXXX-XXXX).');
    // The same folding as the deployment's check (case, separators, O/0 and I/L/1 look-alikes).
    const normalized = normalizePairingCode(typedCode);
    if (!normalized) throw new UsageError(`partner approve: --code must look like XXXX-XXXX-XXXX-XXXX (got "${typedCode}").`);
    code = formatPairingCode(normalized);
  }
  const thumbprint = (values.thumbprint as string | undefined)?.trim();
  if (command === 'trust-key') {
    if (!thumbprint) throw new UsageError("partner trust-key: --thumbprint is required (the partner deployment's key thumbprint, read back from its administrator).");
    if (!keyThumbprintSchema.safeParse(thumbprint).success) {
      throw new UsageError(`partner trust-key: --thumbprint must be a key thumbprint (43 base64url characters, as the partner's status shows it; got "${thumbprint}").`);
    }
  }
  const accept = command === 'domains' ? splitValues(values.accept as string[] | undefined) : undefined;
  const reason = values.reason as string | undefined;
  if (command === 'reject' && (!reason || !reason.trim())) throw new UsageError('partner reject: --reason is required (a sentence for the partner).');
  if (command === 'remove' && reason !== undefined && !reason.trim()) throw new UsageError('partner remove: --reason must not be empty (a sentence for the audit trail and the partner).');
  if (values['keep-guests'] && values['delete-guests']) throw new UsageError('partner remove: --keep-guests and --delete-guests exclude each other.');

  const timeout = values.timeout as string | undefined;
  let timeoutMs: number | undefined;
  if (timeout !== undefined) {
    const seconds = /^\d+$/.test(timeout.trim()) ? Number(timeout.trim()) : parseDuration(timeout);
    if (seconds === undefined || seconds <= 0) throw new UsageError(`partner ${command}: --timeout must be a duration such as 90s, 10m or 1h (got "${timeout}").`);
    timeoutMs = seconds * 1_000;
  }

  const request: RequestFlags = {};
  for (const name of Object.keys(REQUEST_OPTIONS) as Array<keyof RequestFlags>) {
    if (values[name] !== undefined) (request as Record<string, unknown>)[name] = values[name];
  }

  return {
    kind: 'command',
    parsed: {
      command,
      id,
      url: values.url as string | undefined,
      key: values.key as string | undefined,
      json: Boolean(values.json),
      // A timeout only means something while waiting.
      wait: Boolean(values.wait) || timeoutMs !== undefined,
      timeoutMs,
      code,
      reason: reason?.trim(),
      ...(command === 'remove' ? { deleteGuests: Boolean(values['delete-guests']) } : {}),
      ...(command === 'trust-key' ? { thumbprint } : {}),
      ...(accept ? { accept } : {}),
      request,
    },
  };
}

/** Repeatable flags also take comma-separated lists. */
function splitValues(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

function cleanParseError(error: unknown): string {
  // Duck-typed: parseArgs' TypeError may come from another realm (e.g. under jest).
  const message = typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
  // parseArgs suggests "--" for values that start with "-"; keep its first sentence only.
  return message.split('. To specify')[0].replace(/\.$/, '') + '.';
}

const COMMAND_SYNOPSIS: Record<CommandName, string> = {
  add: 'handshake partner add [--file request.json] [request flags] [--wait [--timeout 10m]]',
  approve: 'handshake partner approve <id> --code XXXX-XXXX-XXXX-XXXX [--wait [--timeout 10m]]',
  reject: 'handshake partner reject <id> --reason "..."',
  remove: 'handshake partner remove <id> [--keep-guests|--delete-guests] [--reason "..."] [--wait [--timeout 10m]]',
  status: 'handshake partner status <id>',
  plan: 'handshake partner plan <id>',
  list: 'handshake partner list',
  'trust-key': 'handshake partner trust-key <id> --thumbprint THUMBPRINT',
  domains: 'handshake partner domains <id> [--accept DOMAIN ...]',
};

const CONNECTION_HELP = `Connection (every command):
  --url URL        the deployment, e.g. https://contoso-handshake.azurewebsites.net  (or HANDSHAKE_URL)
  --key KEY        its function key (or HANDSHAKE_KEY; prefer the variable: flags show up in ps)
  --json           one JSON document on stdout (progress goes to stderr)

Exit codes: 0 ok, 1 other failure, 2 bad input (usage, 400, unknown id, wrong pairing code),
            3 refused by the capability rules (422), 4 --wait timed out.`;

const REQUEST_HELP = `Request (flags replace the same field of --file; validated here before anything is sent):
  -f, --file FILE            the request as JSON (fields of POST /api/partnerships)
  --partner-tenant GUID      the partner's tenant ID               (partnerTenantId)
  --partner-domain DOMAIN    or its verified domain (same cloud)   (partnerDomain)
  --partner-cloud ENV        Global | GCC | GCCHigh | DoD | China  (partnerCloud)
  --partner-url URL          the partner's deployment (https)      (partnerDeploymentUrl)
  --name TEXT                display name of the partnership       (displayName)
  --b2b-inbound all|GUID,..  B2B collaboration: the partner's users (or groups) coming in
  --b2b-outbound all|GUID,.. B2B collaboration: our users (or groups) going out
  --federation               Teams external access with the partner's domains
  --meetings both|inbound|outbound   cross-cloud meetings
  --guest-access             Teams guest access
  --anonymous-join           anonymous users may join meetings (through the lobby)
  --acs GUID                 ACS resource for Teams interop (repeatable)
  --guest UPN                a partner user we invite as a guest (repeatable)
  --partner-guest UPN        one of our users the partner invites (repeatable)
  --sync inbound|outbound|both       cross-tenant synchronisation
  --sync-group GUID          a group in the sync scope (repeatable)
  --lifetime DURATION        how long to wait for the partner, e.g. 72h (invitationLifetime)
  --accept-domain DOMAIN     a partner domain you vouch for (repeatable; acceptedPartnerDomains):
                             across clouds Graph cannot check the partner's domains, and only
                             verified ones go into Teams federation`;

const COMMAND_USAGE: Record<CommandName, string> = {
  add: `${COMMAND_SYNOPSIS.add}

Asks the deployment for a partnership, prints its id, the pairing code to read to the partner's
administrator (a secret: read it only to them, over a channel you trust), and the status URL.
Before the invitation goes out the deployment fetches the partner's signing key from --partner-url
(https) and pins it. With --wait, shows progress until Active or a final status.

${REQUEST_HELP}

  --wait                     follow the onboarding until it settles
  --timeout DURATION         give up waiting after this long (exit 4), e.g. 90s, 10m (implies --wait)

${CONNECTION_HELP}`,
  approve: `${COMMAND_SYNOPSIS.approve}

Approves an invitation this deployment received, with the pairing code the initiator's
administrator read out. The code proves the invitation's key is the initiator's; only then is it
trusted. Each invitation allows ${PAIRING_TRIES} tries: the last wrong one refuses it for good.
With --wait, shows progress until Active or a final status.

${CONNECTION_HELP}`,
  reject: `${COMMAND_SYNOPSIS.reject}

Rejects an invitation this deployment received; the initiator undoes what it configured.

${CONNECTION_HELP}`,
  remove: `${COMMAND_SYNOPSIS.remove}

Ends a partnership (offboarding) on both sides: this deployment removes what the partnership added
to its tenant — nothing else; what another partnership still needs stays — and tells the partner,
which does the same. A partnership still being set up is cancelled. Asking again answers the
current status. With --wait, shows progress until Removed (exit 0) or Failed (exit 1).

  --keep-guests              keep the guests the partnership invited (the default)
  --delete-guests            delete them too (the deployment needs User.ReadWrite.All; refused, with
                             nothing changed, when it lacks it)
  --reason TEXT              why (the audit trail and the partner see it)
  --wait                     follow the offboarding until it ends
  --timeout DURATION         give up waiting after this long (exit 4), e.g. 90s, 10m (implies --wait)

${CONNECTION_HELP}`,
  status: `${COMMAND_SYNOPSIS.status}

Shows a partnership: status, partner, steps so far, last error and drift.

${CONNECTION_HELP}`,
  plan: `${COMMAND_SYNOPSIS.plan}

Shows what the deployment would write to its tenant for this partnership now (dry run).

${CONNECTION_HELP}`,
  list: `${COMMAND_SYNOPSIS.list}

Lists the partnerships of the deployment.

${CONNECTION_HELP}`,
  'trust-key': `${COMMAND_SYNOPSIS['trust-key']}

Pins the partner deployment's signing key by its thumbprint, on a partnership this deployment
requested. Needed when this deployment could not fetch the partner's key from its URL and the
partner approved without the pairing code (a pre-trust rule); useful as a double check otherwise.
Ask the partner's administrator for the thumbprint ("handshake partner status <id>" there shows it
as "Own key"), over a channel you trust. The partner's answer is then accepted under that key only.

  --thumbprint THUMBPRINT    the key's RFC 7638 thumbprint (43 characters)

${CONNECTION_HELP}`,
  domains: `${COMMAND_SYNOPSIS.domains}

Shows the partner's domains and which are verified (only verified domains go into Teams
federation), and with --accept vouches for more. Within the Global cloud a domain is verified when
Graph resolves it to the partner tenant; across clouds and in national clouds only the domains an
administrator accepts are used. On an Active partnership the next reconcile run writes them.

  --accept DOMAIN            a partner domain to accept (repeatable, or comma-separated)

${CONNECTION_HELP}`,
};

export const USAGE = `handshake — cross-cloud Teams and Entra partnerships, from the command line

Usage:
  ${COMMANDS.map((command) => COMMAND_SYNOPSIS[command]).join('\n  ')}
  ${CHECK_SYNOPSIS}

Deployment (see README "Deploy to Azure"):
  handshake setup --principal-id GUID --tenant GUID --cloud CLOUD [--dry-run]   grant the app's identity its permissions
  handshake doctor                                                             check a running deployment

Run "handshake partner <command> --help" (or "handshake setup --help", "handshake doctor --help") for a
command's flags, "handshake check --help" for the offline preflight (no deployment needed).

${CONNECTION_HELP}`;
