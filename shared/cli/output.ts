// How the CLI shows things to a person (the --json output is the API's own documents).
import {
  ApiClientError,
  ApiProblemError,
  progressSince,
  type CreatedPartnership,
  type OffboardingAccepted,
  type PartnerDomainStatus,
  type PartnershipDetails,
  type PartnershipKeyTrust,
  type PartnershipPlan,
  type PartnershipStep,
  type PartnershipSummary,
} from '../client';
import { UsageError } from './exitCodes';

export function renderCreated(created: CreatedPartnership): string {
  return [
    `Partnership ${created.id} requested (status ${created.status}).`,
    `Pairing code: ${created.pairingCode}`,
    `  A secret: read it only to the partner's administrator (phone, chat you trust): their approval needs it.`,
    `Status: ${created.statusUrl}`,
  ].join('\n');
}

export function renderOffboarding(accepted: OffboardingAccepted): string {
  if (accepted.status === 'Offboarding') {
    return `Partnership ${accepted.id} is being removed (status Offboarding); the partner is told.\nStatus: ${accepted.statusUrl}`;
  }
  return `Partnership ${accepted.id} is ${accepted.status}: nothing to do.\nStatus: ${accepted.statusUrl}`;
}

export function renderDetails(partnership: PartnershipDetails): string {
  const lines = [
    `Partnership ${partnership.id} (${partnership.role})`,
    field('Status', partnership.status + (partnership.status === 'Active' ? `, drift ${partnership.driftStatus ?? 'not checked yet'}` : '')),
    field('Partner', `${partnership.partnerTenantId} (${partnership.partnerCloud})`),
  ];
  if (partnership.partnerDeploymentUrl) lines.push(field('Partner URL', partnership.partnerDeploymentUrl));
  if (partnership.desired?.displayName) lines.push(field('Name', partnership.desired.displayName));
  if (partnership.pairingCode) lines.push(field('Pairing code', partnership.pairingCode));
  if (partnership.invitationUrl) lines.push(field('Invitation', `${partnership.invitationUrl}  (for out-of-band delivery)`));
  if (partnership.offboardMessageUrl) lines.push(field('Offboard msg', `${partnership.offboardMessageUrl}  (for out-of-band delivery)`));
  if (partnership.desired) lines.push(field('Wanted', describeDesired(partnership.desired)));
  lines.push(...keyLines(partnership.keys));
  if (partnership.pairingAttempts) lines.push(field('Code tries', `${partnership.pairingAttempts.used} of ${partnership.pairingAttempts.max}`));
  if (partnership.partnerDomains?.length) lines.push(field('Domains', describeDomains(partnership.partnerDomains)));
  lines.push(field('Created', partnership.createdAt ?? '-'), field('Updated', partnership.updatedAt ?? '-'));
  const steps = partnership.steps ?? [];
  lines.push(`Steps (${steps.length}):`);
  for (const step of steps) lines.push(`  ${renderStep(step)}`);
  if (partnership.lastError) {
    const error = partnership.lastError;
    lines.push(`Last error: ${error.code ? `${error.code}: ` : ''}${error.message ?? JSON.stringify(error)}`);
  }
  return lines.join('\n');
}

/** `partner trust-key`: what is trusted now. */
export function renderKeyTrust(id: string, keys: PartnershipKeyTrust): string {
  return [`Partnership ${id}: partner key`, ...keyLines(keys)].join('\n');
}

/** `partner domains`: each domain and whether it is used. */
export function renderDomains(id: string, domains: PartnerDomainStatus[]): string {
  if (domains.length === 0) return `Partnership ${id}: no partner domain known yet (the partner declares its domains when it answers).`;
  const rows = domains.map((domain) => [
    domain.domain,
    domain.status,
    domain.source ?? '-',
    domain.declared ? 'yes' : 'not yet',
  ]);
  return [`Partnership ${id}: partner domains (only verified ones are written)`, table(['DOMAIN', 'STATUS', 'VERIFIED BY', 'DECLARED'], rows)].join('\n');
}

function keyLines(keys: PartnershipKeyTrust | undefined): string[] {
  if (!keys) return [];
  const lines: string[] = [];
  if (keys.own) lines.push(field('Own key', `${keys.own}  (read it to the partner's administrator if asked)`));
  if (keys.partner) lines.push(field('Partner key', `${keys.partner.thumbprint}  (trusted: ${keys.partner.source})`));
  else if (keys.partnerExpected) lines.push(field('Partner key', `${keys.partnerExpected}  (pinned by an administrator; not presented yet)`));
  else if (keys.partnerPresented) lines.push(field('Partner key', `${keys.partnerPresented}  (presented, not trusted until approved with the pairing code)`));
  else lines.push(field('Partner key', 'not authenticated yet'));
  return lines;
}

function describeDomains(domains: PartnerDomainStatus[]): string {
  return domains.map((domain) => `${domain.domain} (${domain.status === 'verified' ? `verified: ${domain.source}` : 'unverified, not used'})`).join(', ');
}

export function renderStep(step: PartnershipStep): string {
  return `${step.at}  ${step.type.padEnd(22)} ${step.message}`;
}

export function renderList(partnerships: PartnershipSummary[]): string {
  if (partnerships.length === 0) return 'No partnerships.';
  const rows = partnerships.map((p) => [p.id, p.role, p.status, p.driftStatus ?? '-', `${p.partnerTenantId} (${p.partnerCloud})`, p.updatedAt]);
  return table(['ID', 'ROLE', 'STATUS', 'DRIFT', 'PARTNER', 'UPDATED'], rows);
}

export function renderPlan(plan: PartnershipPlan): string {
  if (plan.empty || plan.operations.length === 0) return `Partnership ${plan.id}: nothing to write — the tenant already matches.`;
  const lines = [`Partnership ${plan.id}: ${plan.operations.length} write(s) would be made (dry run, nothing written):`];
  plan.operations.forEach((operation, index) => {
    lines.push(`  ${String(index + 1).padStart(2)}. ${operation.kind ? `[${operation.kind}] ` : ''}${operation.description ?? JSON.stringify(operation)}`);
  });
  const warnings = (plan as PartnershipPlan & { warnings?: Array<{ message?: string }> }).warnings;
  for (const warning of warnings ?? []) lines.push(`  warning: ${warning.message ?? JSON.stringify(warning)}`);
  return lines.join('\n');
}

/** The progress lines of one poll (see progressSince), and a new last error. */
export function renderProgress(current: PartnershipDetails, previous: PartnershipDetails | undefined, elapsedMs: number): string[] {
  const stamp = `[+${(elapsedMs / 1000).toFixed(1).padStart(5)}s]`;
  const lines = progressSince(current, { status: previous?.status, steps: previous?.steps ?? [] }).map((item) =>
    'status' in item ? `${stamp} ${item.status}` : `${stamp}   ${item.step.type}: ${item.step.message}`,
  );
  if (current.lastError && JSON.stringify(current.lastError) !== JSON.stringify(previous?.lastError ?? null)) {
    lines.push(`${stamp}   error: ${current.lastError.code ?? ''} ${current.lastError.message ?? ''}`.trimEnd());
  }
  return lines;
}

/** An error as a person reads it (never with a key: the client never puts one in a message). */
export function renderError(error: unknown): string {
  if (error instanceof UsageError) return `error: ${error.message}`;
  if (error instanceof ApiProblemError) {
    const lines = [`error: ${error.detail} (${error.status} ${error.code})`];
    for (const violation of error.violations) lines.push(`  - ${violation.code}${violation.field ? ` (${violation.field})` : ''}: ${violation.message}`);
    for (const issue of error.issues) lines.push(`  - ${issue.field}: ${issue.message}`);
    return lines.join('\n');
  }
  if (error instanceof ApiClientError) return `error: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

/** The same, as the JSON document of --json. */
export function errorDocument(error: unknown): { error: Record<string, unknown> } {
  if (error instanceof ApiProblemError) return { error: { kind: 'problem', ...error.toJSON() } };
  if (error instanceof UsageError) return { error: { kind: 'usage', code: 'cli.usage', detail: error.message, issues: error.issues } };
  if (error instanceof ApiClientError) return { error: { kind: 'client', code: error.code, detail: error.message } };
  return { error: { kind: 'internal', code: 'cli.internal', detail: error instanceof Error ? error.message : String(error) } };
}

function describeDesired(desired: PartnershipDetails['desired']): string {
  const parts: string[] = [];
  const b2b = desired.b2bCollaboration ?? {};
  const b2bDirections = [b2b.inbound && 'inbound', b2b.outbound && 'outbound'].filter(Boolean);
  if (b2bDirections.length) parts.push(`B2B ${b2bDirections.join('+')}`);
  const teams = desired.teams;
  if (teams?.federation) parts.push('federation');
  if (teams?.crossCloudMeetings) parts.push('cross-cloud meetings');
  if (teams?.guestAccess) parts.push('guest access');
  if (teams?.anonymousJoin) parts.push('anonymous join');
  if (teams?.acsInterop) parts.push('ACS interop');
  if (desired.crossTenantSync) parts.push(`sync ${desired.crossTenantSync.direction}`);
  if (desired.guests?.length) parts.push(`${desired.guests.length} guest(s)`);
  if (desired.partnerGuests?.length) parts.push(`${desired.partnerGuests.length} partner guest(s)`);
  return parts.join(', ') || '-';
}

function field(label: string, value: string): string {
  return `  ${label.padEnd(13)} ${value}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
