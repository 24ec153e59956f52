// `partner add`: the partnership request from --file and flags, validated with the domain schema
// before anything is sent (the same field messages as the API's 400).
import type { PartnershipRequestBody } from '../client';
import { fieldIssues, partnershipRequestSchema } from '../partnership';
import type { RequestFlags } from './args';
import { UsageError } from './exitCodes';

type Json = Record<string, unknown>;

/** The flag that sets each top-level field, to point the admin at what to fix. */
const FLAG_OF_FIELD: Record<string, string> = {
  partnerTenantId: '--partner-tenant',
  partnerDomain: '--partner-domain',
  partnerCloud: '--partner-cloud',
  partnerDeploymentUrl: '--partner-url',
  displayName: '--name',
  'b2bCollaboration.inbound': '--b2b-inbound',
  'b2bCollaboration.outbound': '--b2b-outbound',
  'teams.federation': '--federation',
  'teams.crossCloudMeetings': '--meetings',
  'teams.guestAccess': '--guest-access',
  'teams.anonymousJoin': '--anonymous-join',
  'teams.acsInterop': '--acs',
  guests: '--guest',
  partnerGuests: '--partner-guest',
  'crossTenantSync.direction': '--sync',
  'crossTenantSync.scopingGroupIds': '--sync-group',
  invitationLifetime: '--lifetime',
  acceptedPartnerDomains: '--accept-domain',
};

export interface BuildRequestOptions {
  /** Reads --file (injected for tests; default: fs). */
  readFile: (path: string) => string;
}

/** The JSON body to POST. Throws a UsageError listing every bad field (nothing is sent). */
export function buildPartnershipRequest(flags: RequestFlags, options: BuildRequestOptions): PartnershipRequestBody {
  const body: Json = flags.file === undefined ? {} : readRequestFile(flags.file, options.readFile);

  const set = (path: string[], value: unknown): void => {
    let target = body;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      target = target[key] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Json) } : {};
    }
    target[path[path.length - 1]] = value;
  };

  if (flags['partner-tenant'] !== undefined) set(['partnerTenantId'], flags['partner-tenant']);
  if (flags['partner-domain'] !== undefined) set(['partnerDomain'], flags['partner-domain']);
  if (flags['partner-cloud'] !== undefined) set(['partnerCloud'], flags['partner-cloud']);
  if (flags['partner-url'] !== undefined) set(['partnerDeploymentUrl'], flags['partner-url']);
  if (flags.name !== undefined) set(['displayName'], flags.name);
  if (flags['b2b-inbound'] !== undefined) set(['b2bCollaboration', 'inbound'], accessFrom('--b2b-inbound', flags['b2b-inbound'], body, 'inbound'));
  if (flags['b2b-outbound'] !== undefined) set(['b2bCollaboration', 'outbound'], accessFrom('--b2b-outbound', flags['b2b-outbound'], body, 'outbound'));
  if (flags.federation) set(['teams', 'federation'], true);
  if (flags.meetings !== undefined) set(['teams', 'crossCloudMeetings'], meetingsFrom(flags.meetings));
  if (flags['guest-access']) set(['teams', 'guestAccess'], true);
  if (flags['anonymous-join']) set(['teams', 'anonymousJoin'], true);
  if (flags.acs !== undefined) set(['teams', 'acsInterop'], { resourceIds: splitList(flags.acs) });
  if (flags.guest !== undefined) set(['guests'], splitList(flags.guest));
  if (flags['partner-guest'] !== undefined) set(['partnerGuests'], splitList(flags['partner-guest']));
  if (flags.sync !== undefined) set(['crossTenantSync', 'direction'], flags.sync);
  if (flags['sync-group'] !== undefined) set(['crossTenantSync', 'scopingGroupIds'], splitList(flags['sync-group']));
  if (flags.lifetime !== undefined) set(['invitationLifetime'], flags.lifetime);
  if (flags['accept-domain'] !== undefined) set(['acceptedPartnerDomains'], splitList(flags['accept-domain']));

  const result = partnershipRequestSchema.safeParse(body);
  if (!result.success) {
    const issues = fieldIssues(result.error).map((issue) => ({ field: issue.field, message: issue.message, flag: flagOf(issue.field) }));
    throw new UsageError(
      `The partnership request is not valid (nothing was sent):\n` +
        issues.map((issue) => `  ${issue.field}${issue.flag ? ` (${issue.flag})` : ''}: ${issue.message}`).join('\n'),
      issues.map(({ field, message }) => ({ field, message })),
    );
  }
  // Sent as composed (the API applies the defaults); the schema has just accepted it.
  return body as PartnershipRequestBody;
}

function readRequestFile(path: string, readFile: (path: string) => string): Json {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--file ${path}: cannot read it (${code ?? (error instanceof Error ? error.message : String(error))}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--file ${path}: not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--file ${path}: must hold one JSON object (the fields of a partnership request).`);
  }
  return parsed as Json;
}

/** "all" or a comma-separated list of group ids; keeps `applications` given in the file. */
function accessFrom(flag: string, value: string, body: Json, direction: 'inbound' | 'outbound'): Json {
  const existing = ((body.b2bCollaboration as Json | undefined)?.[direction] as Json | undefined) ?? {};
  const trimmed = value.trim();
  if (!trimmed) throw new UsageError(`${flag} must be "all" or a comma-separated list of group ids.`);
  return { ...existing, users: trimmed.toLowerCase() === 'all' ? 'all' : { groupIds: splitList([trimmed]) } };
}

function meetingsFrom(value: string): { inbound: boolean; outbound: boolean } {
  switch (value.trim().toLowerCase()) {
    case 'both':
      return { inbound: true, outbound: true };
    case 'inbound':
      return { inbound: true, outbound: false };
    case 'outbound':
      return { inbound: false, outbound: true };
    default:
      throw new UsageError(`--meetings must be both, inbound or outbound (got "${value}").`);
  }
}

/** Repeated flags and comma-separated values alike. */
function splitList(values: string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value.length > 0);
}

function flagOf(field: string): string | undefined {
  for (let path = field; path; path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '') {
    if (FLAG_OF_FIELD[path]) return FLAG_OF_FIELD[path];
  }
  return undefined;
}
