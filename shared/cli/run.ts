// `handshake partner add|approve|reject|remove|status|plan|list|trust-key|domains`: runs one command against a deployment
// and returns the exit code. All I/O comes in through CliIo so tests run it in process.
import { readFileSync } from 'node:fs';
import { HandshakeClient, WaitTimeoutError, type PartnershipDetails } from '../client';
import { parseCommandLine, type ParsedCommand } from './args';
import { DEPLOY_COMMANDS, runDeployCommand } from './deploy';
import { EXIT, exitCodeFor, UsageError, type ExitCode } from './exitCodes';
import { errorDocument, renderCreated, renderDetails, renderDomains, renderError, renderKeyTrust, renderList, renderOffboarding, renderPlan, renderProgress } from './output';
import { buildPartnershipRequest } from './request';
import { runCheck } from './check';

/** Environment variables read when --url / --key are not given. */
export const ENV = { url: 'HANDSHAKE_URL', key: 'HANDSHAKE_KEY' } as const;

/** How long --wait waits without --timeout (an approval may take a phone call). */
export const DEFAULT_CLI_WAIT_MS = 60 * 60_000;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  readFile?: (path: string) => string;
  /** Poll interval of --wait (default 1 s). */
  pollIntervalMs?: number;
  now?: () => number;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let json = argv.includes('--json');
  try {
    if ((DEPLOY_COMMANDS as readonly string[]).includes(argv[0] ?? '')) return await runDeployCommand(argv, io);
    const parsedArgs = parseCommandLine(argv);
    if (parsedArgs.kind === 'help') {
      io.stdout.write(`${parsedArgs.text}\n`);
      return EXIT.ok;
    }
    if (parsedArgs.kind === 'check') {
      json = parsedArgs.check.json;
      return runCheck(parsedArgs.check, { stdout: io.stdout, readFile: io.readFile ?? ((path) => readFileSync(path, 'utf8')) });
    }
    const command = parsedArgs.parsed;
    json = command.json;
    return await execute(command, io);
  } catch (error) {
    if (json) {
      const document: Record<string, unknown> = errorDocument(error);
      if (error instanceof WaitTimeoutError && error.last) document.partnership = error.last;
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    }
    io.stderr.write(`${renderError(error)}\n`);
    return exitCodeFor(error);
  }
}

async function execute(command: ParsedCommand, io: CliIo): Promise<ExitCode> {
  // Validate the request before anything else needs a deployment: a bad request never leaves here.
  const body = command.command === 'add' ? buildPartnershipRequest(command.request, { readFile: io.readFile ?? ((path) => readFileSync(path, 'utf8')) }) : undefined;
  const client = connect(command, io);
  const out = (text: string): void => void io.stdout.write(`${text}\n`);
  const emit = (human: string, document: unknown): void => out(command.json ? JSON.stringify(document, null, 2) : human);
  // Progress goes to stderr under --json so stdout stays one JSON document.
  const progress = (text: string): void => void (command.json ? io.stderr : io.stdout).write(`${text}\n`);

  switch (command.command) {
    case 'add': {
      const created = await client.createPartnership(body!);
      if (!command.wait) {
        emit(renderCreated(created), created);
        return EXIT.ok;
      }
      if (!command.json) out(renderCreated(created));
      else progress(`Partnership ${created.id} requested; pairing code ${created.pairingCode}`);
      const final = await waitVerbosely(client, created.id, command, io, progress);
      if (command.json) out(JSON.stringify({ ...created, status: final.status, partnership: final }, null, 2));
      return settled(final, progress);
    }
    case 'approve': {
      const action = await client.approve(command.id!, command.code!);
      if (!command.wait) {
        emit(`Partnership ${action.id} approved (status ${action.status}).`, action);
        return EXIT.ok;
      }
      progress(`Partnership ${action.id} approved (status ${action.status}).`);
      const final = await waitVerbosely(client, action.id, command, io, progress);
      if (command.json) out(JSON.stringify({ ...action, status: final.status, partnership: final }, null, 2));
      return settled(final, progress);
    }
    case 'reject': {
      const action = await client.reject(command.id!, command.reason!);
      emit(`Partnership ${action.id} rejected (status ${action.status}); the partner is told.`, action);
      return EXIT.ok;
    }
    case 'remove': {
      const accepted = await client.offboard(command.id!, { deleteGuests: command.deleteGuests, ...(command.reason ? { reason: command.reason } : {}) });
      if (!command.wait) {
        emit(renderOffboarding(accepted), accepted);
        return EXIT.ok;
      }
      progress(renderOffboarding(accepted));
      const final = await waitVerbosely(client, accepted.id, command, io, progress);
      if (command.json) out(JSON.stringify({ ...accepted, status: final.status, partnership: final }, null, 2));
      return settled(final, progress, 'Removed');
    }
    case 'status': {
      const partnership = await client.getPartnership(command.id!);
      emit(renderDetails(partnership), partnership);
      return EXIT.ok;
    }
    case 'plan': {
      const plan = await client.getPlan(command.id!);
      emit(renderPlan(plan), plan);
      return EXIT.ok;
    }
    case 'list': {
      const partnerships = await client.listPartnerships();
      emit(renderList(partnerships), { partnerships });
      return EXIT.ok;
    }
    case 'trust-key': {
      const trusted = await client.trustPartnerKey(command.id!, command.thumbprint!);
      emit(renderKeyTrust(trusted.id, trusted.keys), trusted);
      return EXIT.ok;
    }
    case 'domains': {
      const domains = command.accept?.length
        ? await client.acceptPartnerDomains(command.id!, command.accept)
        : { id: command.id!, partnerDomains: (await client.getPartnership(command.id!)).partnerDomains };
      emit(renderDomains(domains.id, domains.partnerDomains ?? []), domains);
      return EXIT.ok;
    }
  }
}

function connect(command: ParsedCommand, io: CliIo): HandshakeClient {
  const url = command.url ?? io.env[ENV.url];
  const key = command.key ?? io.env[ENV.key];
  if (!url) throw new UsageError(`partner ${command.command}: the deployment URL is missing (--url or ${ENV.url}).`);
  if (!/^https?:\/\/[^\s/]+/i.test(url)) throw new UsageError(`partner ${command.command}: --url must be an http(s) URL (got "${url}").`);
  if (!key) throw new UsageError(`partner ${command.command}: the function key is missing (--key or ${ENV.key}).`);
  return new HandshakeClient({ baseUrl: url, functionKey: key, fetch: io.fetch });
}

async function waitVerbosely(
  client: HandshakeClient,
  id: string,
  command: ParsedCommand,
  io: CliIo,
  progress: (text: string) => void,
): Promise<PartnershipDetails> {
  const now = io.now ?? Date.now;
  const start = now();
  return client.waitForPartnership(id, {
    timeoutMs: command.timeoutMs ?? DEFAULT_CLI_WAIT_MS,
    intervalMs: io.pollIntervalMs ?? 1_000,
    onChange: (current, previous) => renderProgress(current, previous, now() - start).forEach(progress),
  });
}

function settled(final: PartnershipDetails, progress: (text: string) => void, expected: 'Active' | 'Removed' = 'Active'): ExitCode {
  if (final.status === expected) {
    progress(`Partnership ${final.id} is ${expected}.`);
    return EXIT.ok;
  }
  const reason = final.lastError?.message ? `: ${final.lastError.message}` : '';
  progress(`Partnership ${final.id} ended ${final.status}${reason}`);
  return EXIT.other;
}
