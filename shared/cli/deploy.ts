// `handshake setup` (grant the deployment's identity what it needs in the tenant) and
// `handshake doctor` (the deployment's health checks, printed one line each). See
// shared/deploy/ and README "Deploy to Azure".
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TokenCredential } from '@azure/core-auth';
import { AzureCliCredential, ClientSecretCredential, DeviceCodeCredential } from '@azure/identity';
import { CLOUD_NAMES, isCloudName, resolveCloudEndpoints, type CloudEndpoints, type CloudName } from '../clouds';
import { SETTINGS } from '../config';
import type { CheckResult, DoctorReport } from '../deploy/doctor';
import { recommendedTeamsMode, requiredGraphPermissions, type TeamsMode } from '../deploy/permissions';
import { runSetup, type SetupItem, type SetupReport } from '../deploy/setup';
import { GraphAdapter } from '../graph/client';
import { realHostOf } from '../teams/discovery';
import { EXIT, UsageError, type ExitCode } from './exitCodes';
import type { CliIo } from './run';

export const DEPLOY_COMMANDS = ['setup', 'doctor'] as const;

/** Environment variables of `setup` (standard @azure/identity names for an app credential). */
export const SETUP_ENV = { clientId: 'AZURE_CLIENT_ID', clientSecret: 'AZURE_CLIENT_SECRET' } as const;

const CREDENTIAL_KINDS = ['azure-cli', 'device-code', 'client-secret'] as const;
type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const SETUP_USAGE = `handshake setup --principal-id GUID --tenant GUID --cloud CLOUD [options]

Gives the deployment's managed identity what the product needs in your tenant, and only that:
the Microsoft Graph application permissions (app role assignments on your cloud's Microsoft
Graph service principal) and, in Teams mode "rest", the Teams Administrator directory role.
Safe to run again: it adds only what is missing and says what it added, what was already there,
and what it could not do and why. Run it as a Privileged Role Administrator (or Global
Administrator), or with an app that holds AppRoleAssignment.ReadWrite.All, Application.Read.All
and RoleManagement.ReadWrite.Directory.

Options:
  --principal-id GUID    object id of the identity's service principal (deployment output identityPrincipalId)
  --tenant GUID          your tenant ID (deployment output tenantId)
  --cloud CLOUD          your tenant's cloud: ${CLOUD_NAMES.join(' | ')} (deployment output tenantCloud);
                         chooses the sign-in authority and the Microsoft Graph host
  --teams-mode MODE      rest | manual (deployment output teamsMode; default: manual for China, else rest).
                         manual assigns no Teams role and prints the manual step instead
  --outputs FILE         the deployment's outputs as JSON, e.g. from
                         az deployment group show -g RG -n azuredeploy --query properties.outputs > outputs.json
                         (fills the four values above; flags win)
  --credential KIND      how you sign in (default azure-cli):
                           azure-cli      your \`az login\` session (az cloud set --name <your Azure cloud> first)
                           device-code    a code to enter at the sign-in page, printed here
                           client-secret  an app: --client-id (or ${SETUP_ENV.clientId}) and the secret in ${SETUP_ENV.clientSecret}
  --client-id GUID       the app of --credential client-secret (or device-code: the public client to sign in with)
  --dry-run              read what is there and print what would be added; change nothing
  --json                 one JSON document on stdout
  -h, --help             this text

Exit codes: 0 everything is in place (or planned, with --dry-run), 1 something could not be done,
            2 bad input.`;

export const DOCTOR_USAGE = `handshake doctor [--url URL] [--key KEY] [--json]

Checks a running deployment (its GET /api/health) and prints one line per check with ok, warn or
fail and the fix: the configuration loads, storage and tables answer, the signing key is
readable, the identity's token carries every Microsoft Graph permission the product needs, the
Teams admin API answers (or manual mode is set, with why), the public webhook URL answers the
Graph validation handshake, and the clock is within 5 minutes of the sign-in service.

Options:
  --url URL        the deployment, e.g. https://contoso-handshake.azurewebsites.net  (or HANDSHAKE_URL)
  --key KEY        its function key (or HANDSHAKE_KEY; prefer the variable: flags show up in ps)
  --json           the report as JSON on stdout
  -h, --help       this text

Exit codes: 0 no check failed (warnings allowed), 1 a check failed or the deployment did not answer,
            2 bad input.`;

/** Runs `setup` or `doctor` (argv starts with the command name). */
export async function runDeployCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  return command === 'setup' ? setupCommand(rest, io) : doctorCommand(rest, io);
}

// --- setup ----------------------------------------------------------------------------------

interface SetupArgs {
  principalId: string;
  tenantId: string;
  cloud: CloudName;
  teamsMode: TeamsMode;
  credential: CredentialKind;
  clientId?: string;
  dryRun: boolean;
  json: boolean;
}

async function setupCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const values = parse(argv, 'setup', {
    'principal-id': { type: 'string' },
    tenant: { type: 'string' },
    cloud: { type: 'string' },
    'teams-mode': { type: 'string' },
    outputs: { type: 'string' },
    credential: { type: 'string' },
    'client-id': { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${SETUP_USAGE}\n`);
    return EXIT.ok;
  }
  const args = setupArgs(values, io);
  const endpoints = resolveCloudEndpoints(args.cloud, { hostBaseUrl: io.env[SETTINGS.cloudHostBaseUrl] });
  const graph = new GraphAdapter({ credential: adminCredential(args, endpoints, io), endpoints });
  const report = await runSetup(graph, { cloud: args.cloud, principalId: args.principalId, teamsMode: args.teamsMode, dryRun: args.dryRun });
  io.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : renderSetup(report, endpoints)}\n`);
  return report.ok ? EXIT.ok : EXIT.other;
}

function setupArgs(values: Record<string, unknown>, io: CliIo): SetupArgs {
  const outputs = values.outputs ? readOutputs(String(values.outputs), io) : {};
  const principalId = String(values['principal-id'] ?? outputs.identityPrincipalId ?? '');
  const tenantId = String(values.tenant ?? outputs.tenantId ?? '');
  const cloudText = String(values.cloud ?? outputs.tenantCloud ?? '');
  if (!GUID.test(principalId)) throw new UsageError(`setup: --principal-id must be the object id (GUID) of the identity's service principal (got "${principalId}").`);
  if (!GUID.test(tenantId)) throw new UsageError(`setup: --tenant must be your tenant ID (GUID) (got "${tenantId}").`);
  if (!isCloudName(cloudText)) throw new UsageError(`setup: --cloud must be one of ${CLOUD_NAMES.join(', ')} (got "${cloudText}").`);
  const modeText = String(values['teams-mode'] ?? outputs.teamsMode ?? recommendedTeamsMode(cloudText).mode);
  if (modeText !== 'rest' && modeText !== 'manual') throw new UsageError(`setup: --teams-mode must be rest or manual (got "${modeText}").`);
  const credential = String(values.credential ?? 'azure-cli');
  if (!(CREDENTIAL_KINDS as readonly string[]).includes(credential)) {
    throw new UsageError(`setup: --credential must be one of ${CREDENTIAL_KINDS.join(', ')} (got "${credential}").`);
  }
  const clientId = (values['client-id'] as string | undefined) ?? (credential === 'client-secret' ? io.env[SETUP_ENV.clientId] : undefined);
  if (clientId !== undefined && !GUID.test(clientId)) throw new UsageError(`setup: --client-id must be an application (client) ID (got "${clientId}").`);
  if (credential === 'client-secret') {
    if (!clientId) throw new UsageError(`setup: --credential client-secret needs --client-id (or ${SETUP_ENV.clientId}).`);
    if (!io.env[SETUP_ENV.clientSecret]) throw new UsageError(`setup: --credential client-secret reads the secret from ${SETUP_ENV.clientSecret}, which is not set.`);
  }
  return {
    principalId: principalId.toLowerCase(),
    tenantId: tenantId.toLowerCase(),
    cloud: cloudText,
    teamsMode: modeText,
    credential: credential as CredentialKind,
    clientId,
    dryRun: Boolean(values['dry-run']),
    json: Boolean(values.json),
  };
}

/** Deployment outputs: `{name: {type, value}}` (az / PowerShell) or `{name: value}`. */
function readOutputs(path: string, io: CliIo): Record<string, string | undefined> {
  let document: unknown;
  try {
    document = JSON.parse((io.readFile ?? ((file) => readFileSync(file, 'utf8')))(path));
  } catch (error) {
    throw new UsageError(`setup: --outputs ${path} is not a readable JSON file (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!document || typeof document !== 'object') throw new UsageError(`setup: --outputs ${path} must be a JSON object of deployment outputs.`);
  const values: Record<string, string | undefined> = {};
  for (const [name, entry] of Object.entries(document as Record<string, unknown>)) {
    const value = entry && typeof entry === 'object' && 'value' in entry ? (entry as { value: unknown }).value : entry;
    if (typeof value === 'string') values[name] = value;
  }
  return values;
}

function adminCredential(args: SetupArgs, endpoints: CloudEndpoints, io: CliIo): TokenCredential {
  const authority = { authorityHost: endpoints.loginBaseUrl, disableInstanceDiscovery: Boolean(io.env[SETTINGS.cloudHostBaseUrl]) };
  switch (args.credential) {
    case 'client-secret':
      return new ClientSecretCredential(args.tenantId, args.clientId!, io.env[SETUP_ENV.clientSecret]!, authority);
    case 'device-code':
      return new DeviceCodeCredential({
        tenantId: args.tenantId,
        ...(args.clientId ? { clientId: args.clientId } : {}),
        ...authority,
        userPromptCallback: (info) => void io.stderr.write(`${info.message}\n`),
      });
    case 'azure-cli':
      return new AzureCliCredential({ tenantId: args.tenantId });
  }
}

const OUTCOME_LABEL: Record<SetupItem['outcome'], string> = {
  added: 'added',
  present: 'already there',
  planned: 'would add',
  manual: 'manual step',
  failed: 'could not',
};

function renderSetup(report: SetupReport, endpoints: CloudEndpoints): string {
  const why = new Map(requiredGraphPermissions(report.cloud).map((need) => [need.permission, need.why]));
  const lines = [
    `${report.dryRun ? 'Plan for' : 'Setup of'} identity ${report.principalId} in the ${report.cloud} cloud (Microsoft Graph ${realHostOf(endpoints.graphBaseUrl)}):`,
    ...report.items.map((item) => {
      const purpose = why.get(item.name);
      return `  ${OUTCOME_LABEL[item.outcome].padEnd(13)} ${item.name}: ${item.detail}${purpose && item.outcome !== 'present' ? ` — to ${purpose}` : ''}`;
    }),
  ];
  const count = (outcome: SetupItem['outcome']): number => report.items.filter((item) => item.outcome === outcome && item.kind !== 'identity').length;
  lines.push(
    report.dryRun
      ? `${count('planned')} to add, ${count('present')} already there, ${count('failed')} could not be checked${count('manual') ? `, ${count('manual')} manual step` : ''}.`
      : `${count('added')} added, ${count('present')} already there, ${count('failed')} could not be done${count('manual') ? `, ${count('manual')} manual step` : ''}.`,
  );
  if (!report.ok) lines.push('Not everything is in place: see "could not" above, fix it, and run setup again.');
  else if (!report.dryRun) lines.push('Next: handshake doctor --url <the deployment> (new permissions reach the app with its next token, within about an hour; restart the app to hurry it).');
  return lines.join('\n');
}

// --- doctor ---------------------------------------------------------------------------------

async function doctorCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const values = parse(argv, 'doctor', {
    url: { type: 'string' },
    key: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${DOCTOR_USAGE}\n`);
    return EXIT.ok;
  }
  const url = (values.url as string | undefined) ?? io.env.HANDSHAKE_URL;
  const key = (values.key as string | undefined) ?? io.env.HANDSHAKE_KEY;
  if (!url) throw new UsageError('doctor: the deployment URL is missing (--url or HANDSHAKE_URL).');
  if (!/^https?:\/\/[^\s/]+/i.test(url)) throw new UsageError(`doctor: --url must be an http(s) URL (got "${url}").`);
  if (!key) throw new UsageError('doctor: the function key is missing (--key or HANDSHAKE_KEY).');
  const base = url.replace(/\/+$/, '').replace(/\/api$/i, '');
  let response: Response;
  try {
    response = await (io.fetch ?? fetch)(`${base}/api/health`, { headers: { 'x-functions-key': key, accept: 'application/json' }, signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    io.stderr.write(`fail  deployment         ${base} did not answer (${error instanceof Error ? error.message : String(error)}) — fix: check --url and that the app is running\n`);
    return EXIT.other;
  }
  const text = await response.text();
  let report: DoctorReport | undefined;
  try {
    const parsed = JSON.parse(text) as DoctorReport;
    if (Array.isArray(parsed.checks)) report = parsed;
  } catch {
    // not a report: answered below
  }
  if (!report) {
    const hint = response.status === 401 || response.status === 403 ? 'check the function key' : response.status === 404 ? 'the deployment has no /api/health: deploy the current package' : 'see the app\'s logs';
    io.stderr.write(`fail  deployment         ${base}/api/health answered ${response.status} without a report — fix: ${hint}\n`);
    return EXIT.other;
  }
  io.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : renderDoctor(report)}\n`);
  return report.status === 'fail' ? EXIT.other : EXIT.ok;
}

export function renderDoctor(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const line = (check: CheckResult): string => `${check.status.padEnd(4)}  ${check.name.padEnd(width)}  ${check.message}${check.fix ? ` — fix: ${check.fix}` : ''}`;
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const warned = report.checks.filter((check) => check.status === 'warn').length;
  return [...report.checks.map(line), `${report.status}: ${report.checks.length - failed - warned} ok, ${warned} warn, ${failed} fail (checked ${report.checkedAt})`].join('\n');
}

// --- shared ---------------------------------------------------------------------------------

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse(argv: readonly string[], command: string, options: Options): Record<string, unknown> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new UsageError(`${command}: unexpected argument "${positionals[0]}" (see handshake ${command} --help).`);
    return values as Record<string, unknown>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
    throw new UsageError(`${command}: ${message.split('. To specify')[0].replace(/\.$/, '')}.`);
  }
}
