// App settings → one typed configuration. Every timeout, limit and retry policy of the product
// is a named default here, overridable by an app setting of the same meaning.
import { z } from 'zod';
import { ENVIRONMENTS, ENVIRONMENT_NAME_MESSAGE, parseEnvironment, resolveCloudEndpoints, type CloudEndpointOverrides, type CloudEndpoints, type CloudName } from './clouds';
import { DomainError } from './errors';
import { MAX_CLOCK_SKEW_SECONDS as NONCE_CLOCK_SKEW_SECONDS, MAX_MESSAGE_LIFETIME_SECONDS, NONCE_PROCESSING_LEASE_SECONDS } from './handshake/constants';

/** Retry policy of calls to Graph and the Teams admin API (429, 503, 504, network errors). */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff delay; doubles each retry, with jitter. */
  baseDelayMs: number;
  /** Cap of one backoff delay. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails as throttled. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 6,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 120_000,
};

/** Named defaults. Graph allows at most 20 requests per $batch. */
export const DEFAULTS = {
  graphBatchSize: 20,
  /** $top of paged lists (partners, guests). */
  graphPageSize: 500,
  graphRequestTimeoutMs: 30_000,
  /** Times a Partnerships update is re-read and retried after an ETag conflict. */
  tableConflictRetries: 5,
  /** Default lifetime of an invitation (how long A waits for B's answer). */
  invitationLifetime: '72h',
  /** Bounds of an invitation lifetime an admin may ask for. */
  invitationLifetimeMin: '10s',
  invitationLifetimeMax: '30d',
  /** NCRONTAB (6 fields, with seconds) of the reconcile timer. */
  reconcileSchedule: '0 */15 * * * *',
  reconcileMode: 'report' as 'report' | 'enforce',
  /** Graph subscriptions on users/groups live at most 41,760 minutes; renew well before. */
  subscriptionLifetimeMinutes: 4_320,
  subscriptionRenewBeforeMinutes: 1_440,
  /** Notifications within this window after the first one are served by the same reconcile run. */
  reconcileDebounceMs: 5_000,
  /** A reconcile claim not refreshed for this long is taken over (its run crashed). */
  reconcileClaimLeaseSeconds: 600,
  /** The subscription monitor wakes at least this often, even with nothing due. */
  subscriptionMonitorMaxSleepMinutes: 360,
  /** Durable activity retry (tenant writes and message delivery). */
  activityMaxAttempts: 5,
  activityFirstRetryIntervalMs: 5_000,
  activityBackoffCoefficient: 2,
  /** Handshake messages and API request bodies. */
  maxMessageBytes: 64 * 1024,
  /** How long each side waits for the partner's `ready` after sending its own. */
  partnerReadyTimeout: '24h',
  /** Delivery of handshake messages to the partner deployment (durable activity retry). */
  messageDeliveryMaxAttempts: 10,
  messageDeliveryFirstRetryIntervalMs: 5_000,
  messageDeliveryMaxRetryIntervalMs: 300_000,
  messageDeliveryBackoffCoefficient: 2,
  /** One POST to the partner deployment. */
  messageDeliveryRequestTimeoutMs: 30_000,
  /** Key Vault secret holding the deployment's private signing key (Azure). */
  deploymentKeySecretName: 'handshake-deployment-key',
  /**
   * How long a receiver that claimed a message may take before a redelivery takes over (a crash
   * between claim and answer). Senders must keep retrying longer than this.
   */
  nonceProcessingLeaseSeconds: NONCE_PROCESSING_LEASE_SECONDS,
  /**
   * Where invited guests land after redeeming (Graph's inviteRedirectUrl) in the worldwide cloud;
   * other environments default to their own My Apps portal (shared/clouds.ts `myAppsUrl`).
   */
  guestInviteRedirectUrl: 'https://myapplications.microsoft.com',
  /** Guests receive Microsoft's invitation e-mail unless a request's guestInvitation says otherwise. */
  sendGuestInvitationMessage: true,
  teamsAdapter: 'rest' as 'rest' | 'manual',
  /**
   * Manual Teams mode: how often the workflow reads the tenant back while it waits for an
   * administrator to run the script, and how long it waits before it fails. Keep the deadline
   * within the partner's PARTNER_READY_TIMEOUT (the partner waits for this side's `ready`).
   */
  teamsManualRecheckInterval: '5m',
  teamsManualDeadline: '24h',
  /** Ask the Teams admin base host for the tenant's configuration endpoint (see shared/teams/discovery.ts). */
  teamsAdminDiscovery: 'on' as 'on' | 'off',
  /** `handshake doctor` / GET /api/health: largest clock difference accepted (the handshake's message skew). */
  healthMaxClockSkewSeconds: NONCE_CLOCK_SKEW_SECONDS,
  /** GET /api/health: timeout of each outbound request of a check. */
  healthRequestTimeoutMs: 10_000,
  /**
   * Validity of the signed `offboard` message: the window in which a partner that was unreachable
   * can still accept it out of band (at most the 30 days a receiver accepts).
   */
  offboardMessageLifetime: '30d',
  /**
   * A tenant writer (reconcile run, configure step) that registered and did not finish within
   * this long is presumed dead: offboarding stops waiting for it (see docs/offboarding.md).
   */
  tenantWriterLeaseSeconds: 600,
  /** How often offboarding looks again whether the writers in flight when it began have finished. */
  offboardWriterPollIntervalMs: 2_000,
  /**
   * Requests to partner deployments (JWKS, messages) go to https only; plain http to a loopback
   * address only when this development switch is on. Never turn it on in Azure.
   */
  outboundAllowHttpLoopback: false,
  /** Largest answer read from a partner deployment (the same bound as a handshake message). */
  outboundMaxResponseBytes: 64 * 1024,
  /** One fetch of the partner's JWKS before the invitation is sent. */
  partnerKeyFetchTimeoutMs: 10_000,
  /** Partner domains looked up in Graph (same cloud) per partnership; the rest wait for an admin. */
  partnerDomainLookupLimit: 50,
  /**
   * Invitations waiting for approval (responder Drafts whose invitation has not expired) that
   * anonymous senders may create: per sending tenant and in total. Beyond, 429 + Retry-After.
   */
  invitationDraftsPerPartnerMax: 3,
  invitationDraftsMax: 100,
  invitationDraftsRetryAfterSeconds: 3_600,
  /** NCRONTAB of the housekeeping timer (expired nonces purged, expired invitations closed). */
  housekeepingSchedule: '0 7 * * * *',
  /** Graph notification bodies: size cap, concurrent subscription reads, distinct ids read one by one. */
  notificationMaxBodyBytes: 1_000_000,
  notificationLookupConcurrency: 8,
  notificationPointReadLimit: 20,
  /** Graph's validationToken (echoed back) is short; a longer one is not Graph's. */
  validationTokenMaxBytes: 1_024,
  /** Paged lists (`$top`): default and largest page. */
  listPageSizeDefault: 50,
  listPageSizeMax: 200,
  /**
   * Trust the `x-ms-client-principal` header: only where App Service Authentication sits in
   * front of the app (it removes client-sent copies); see docs/console.md.
   */
  trustAppServicePrincipal: false,
  /** The app role a signed-in user needs for the console and the admin routes. */
  consoleAdminRole: 'Partnerships.Admin',
} as const;

export type CredentialConfig =
  | { kind: 'managedIdentity'; clientId?: string }
  | { kind: 'clientSecret'; clientId: string; clientSecret: string }
  | { kind: 'certificate'; clientId: string; certificatePath: string };

export interface AppConfig {
  /** The deployment's own tenant. */
  tenantId: string;
  cloud: CloudName;
  /** Own cloud's endpoints after overrides. */
  endpoints: CloudEndpoints;
  /** Overrides as configured (apply them to other clouds' endpoints too, e.g. in the simulator). */
  endpointOverrides: CloudEndpointOverrides;
  credential: CredentialConfig;
  teamsAdapter: 'rest' | 'manual';
  /** Manual Teams mode: re-verify every `recheckIntervalSeconds` until `deadlineSeconds` after the script was issued. */
  teamsManual: { recheckIntervalSeconds: number; deadlineSeconds: number };
  /**
   * Table storage: a connection string (local, or shared-key access), else the table endpoint
   * with the managed identity (identity-based `AzureWebJobsStorage__*` settings in Azure).
   */
  storage: { connectionString: string; tableEndpoint?: string; managedIdentityClientId?: string; tablePrefix: string };
  /** Discover the Teams admin configuration endpoint at run time (on by default). */
  teamsDiscovery: boolean;
  /** Public base URL of this deployment (callbacks, notification URL); absent until configured. */
  publicBaseUrl?: string;
  retry: RetryPolicy;
  graphBatchSize: number;
  graphPageSize: number;
  graphRequestTimeoutMs: number;
  tableConflictRetries: number;
  invitationLifetimeSeconds: number;
  reconcileSchedule: string;
  reconcileMode: 'report' | 'enforce';
  subscriptionLifetimeMinutes: number;
  subscriptionRenewBeforeMinutes: number;
  reconcileDebounceMs: number;
  reconcileClaimLeaseSeconds: number;
  subscriptionMonitorMaxSleepMinutes: number;
  activityRetry: { maxAttempts: number; firstRetryIntervalMs: number; backoffCoefficient: number };
  maxMessageBytes: number;
  guestInviteRedirectUrl: string;
  /** Where the deployment's signing key lives: a file (local stack) or a Key Vault secret (Azure); unset until configured. */
  deploymentKey?: { kind: 'file'; path: string } | { kind: 'keyVault'; vaultUrl: string; secretName: string };
  partnerReadyTimeoutSeconds: number;
  nonceProcessingLeaseSeconds: number;
  messageDelivery: {
    maxAttempts: number;
    firstRetryIntervalMs: number;
    maxRetryIntervalMs: number;
    backoffCoefficient: number;
    requestTimeoutMs: number;
  };
  /** Lifetime of the signed `offboard` message (out-of-band delivery window). */
  offboardMessageLifetimeSeconds: number;
  tenantWriterLeaseSeconds: number;
  offboardWriterPollIntervalMs: number;
  /** Requests to partner deployments (shared/outbound). */
  outbound: { allowHttpLoopback: boolean; maxResponseBytes: number };
  partnerKeyFetchTimeoutMs: number;
  partnerDomainLookupLimit: number;
  /** What anonymous callers may create (see DEFAULTS.invitationDrafts*). */
  invitationDrafts: { perPartnerMax: number; max: number; retryAfterSeconds: number };
  housekeepingSchedule: string;
  notifications: { maxBodyBytes: number; lookupConcurrency: number; pointReadLimit: number };
}

/** App setting names, in one place (docs and infra/azure use the same). */
export const SETTINGS = {
  tenantId: 'TENANT_ID',
  cloud: 'TENANT_CLOUD',
  credentialKind: 'CREDENTIAL_KIND',
  clientId: 'CLIENT_ID',
  clientSecret: 'CLIENT_SECRET',
  clientCertificatePath: 'CLIENT_CERTIFICATE_PATH',
  managedIdentityClientId: 'MANAGED_IDENTITY_CLIENT_ID',
  cloudHostBaseUrl: 'CLOUD_HOST_BASE_URL',
  graphBaseUrl: 'GRAPH_BASE_URL',
  loginBaseUrl: 'LOGIN_BASE_URL',
  teamsAdminBaseUrl: 'TEAMS_ADMIN_BASE_URL',
  teamsAdapter: 'TEAMS_ADAPTER',
  teamsManualRecheckInterval: 'TEAMS_MANUAL_RECHECK_INTERVAL',
  teamsManualDeadline: 'TEAMS_MANUAL_DEADLINE',
  storageConnectionString: 'STORAGE_CONNECTION_STRING',
  webJobsStorage: 'AzureWebJobsStorage',
  tablePrefix: 'TABLE_PREFIX',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  graphMaxRetries: 'GRAPH_MAX_RETRIES',
  graphRetryBaseDelayMs: 'GRAPH_RETRY_BASE_DELAY_MS',
  graphRetryMaxDelayMs: 'GRAPH_RETRY_MAX_DELAY_MS',
  graphMaxRetryAfterMs: 'GRAPH_MAX_RETRY_AFTER_MS',
  graphBatchSize: 'GRAPH_BATCH_SIZE',
  graphPageSize: 'GRAPH_PAGE_SIZE',
  graphRequestTimeoutMs: 'GRAPH_REQUEST_TIMEOUT_MS',
  tableConflictRetries: 'TABLE_CONFLICT_RETRIES',
  invitationLifetime: 'INVITATION_LIFETIME_DEFAULT',
  reconcileSchedule: 'RECONCILE_SCHEDULE',
  reconcileMode: 'RECONCILE_MODE',
  subscriptionLifetimeMinutes: 'SUBSCRIPTION_LIFETIME_MINUTES',
  subscriptionRenewBeforeMinutes: 'SUBSCRIPTION_RENEW_BEFORE_MINUTES',
  reconcileDebounceMs: 'RECONCILE_DEBOUNCE_MS',
  reconcileClaimLeaseSeconds: 'RECONCILE_CLAIM_LEASE_SECONDS',
  subscriptionMonitorMaxSleepMinutes: 'SUBSCRIPTION_MONITOR_MAX_SLEEP_MINUTES',
  activityMaxAttempts: 'ACTIVITY_MAX_ATTEMPTS',
  activityFirstRetryIntervalMs: 'ACTIVITY_FIRST_RETRY_INTERVAL_MS',
  maxMessageBytes: 'MAX_MESSAGE_BYTES',
  guestInviteRedirectUrl: 'GUEST_INVITE_REDIRECT_URL',
  deploymentKeyFile: 'HANDSHAKE_KEY_FILE',
  keyVaultUrl: 'KEY_VAULT_URL',
  deploymentKeySecretName: 'HANDSHAKE_KEY_SECRET_NAME',
  /** Parsed by shared/handshake/preTrust (PRE_TRUST_SETTING). */
  preTrustRules: 'HANDSHAKE_PRETRUST_RULES',
  partnerReadyTimeout: 'PARTNER_READY_TIMEOUT',
  messageDeliveryMaxAttempts: 'MESSAGE_DELIVERY_MAX_ATTEMPTS',
  messageDeliveryFirstRetryIntervalMs: 'MESSAGE_DELIVERY_FIRST_RETRY_INTERVAL_MS',
  messageDeliveryMaxRetryIntervalMs: 'MESSAGE_DELIVERY_MAX_RETRY_INTERVAL_MS',
  messageDeliveryRequestTimeoutMs: 'MESSAGE_DELIVERY_REQUEST_TIMEOUT_MS',
  nonceProcessingLeaseSeconds: 'NONCE_PROCESSING_LEASE_SECONDS',
  /** Identity-based storage (the Functions host reads the same settings): table endpoint and the identity's client id. */
  webJobsStorageTableServiceUri: 'AzureWebJobsStorage__tableServiceUri',
  webJobsStorageClientId: 'AzureWebJobsStorage__clientId',
  teamsAdminDiscovery: 'TEAMS_ADMIN_DISCOVERY',
  offboardMessageLifetime: 'OFFBOARD_MESSAGE_LIFETIME',
  tenantWriterLeaseSeconds: 'TENANT_WRITER_LEASE_SECONDS',
  offboardWriterPollIntervalMs: 'OFFBOARD_WRITER_POLL_INTERVAL_MS',
  outboundAllowHttpLoopback: 'OUTBOUND_ALLOW_HTTP_LOOPBACK',
  partnerKeyFetchTimeoutMs: 'PARTNER_KEY_FETCH_TIMEOUT_MS',
  partnerDomainLookupLimit: 'PARTNER_DOMAIN_LOOKUP_LIMIT',
  invitationDraftsPerPartnerMax: 'INVITATION_DRAFTS_PER_PARTNER_MAX',
  invitationDraftsMax: 'INVITATION_DRAFTS_MAX',
  invitationDraftsRetryAfterSeconds: 'INVITATION_DRAFTS_RETRY_AFTER_SECONDS',
  housekeepingSchedule: 'HOUSEKEEPING_SCHEDULE',
  notificationMaxBodyBytes: 'NOTIFICATION_MAX_BODY_BYTES',
  notificationLookupConcurrency: 'NOTIFICATION_LOOKUP_CONCURRENCY',
  notificationPointReadLimit: 'NOTIFICATION_POINT_READ_LIMIT',
  trustAppServicePrincipal: 'TRUST_APP_SERVICE_PRINCIPAL',
  consoleAdminRole: 'CONSOLE_ADMIN_ROLE',
} as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DURATION = /^(\d+)(s|m|h|d)$/;
const DURATION_UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** "90s", "15m", "72h", "30d" → seconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNIT_SECONDS[match[2] as keyof typeof DURATION_UNIT_SECONDS];
}

type Env = Record<string, string | undefined>;

/** Settings whose value an error never repeats: they hold credentials or account keys. */
const SECRET_SETTINGS: readonly string[] = [SETTINGS.clientSecret, SETTINGS.storageConnectionString, SETTINGS.webJobsStorage];

// One parser per kind of setting. An app setting is a string; blank means unset. Each message says
// what is expected; loadConfig prefixes the setting's name and the value it got (never a secret's).
const blankAsUnset = (value: unknown): unknown => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const unset = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUnset, schema);
const optionalText = unset(z.string().optional());
const requiredText = unset(z.string({ error: 'is required' }));

function integerSetting(fallback: number, min: number, max: number) {
  const expected = `must be an integer from ${min} to ${max}`;
  return unset(
    z
      .string()
      .regex(/^-?\d+$/, expected)
      .transform(Number)
      .pipe(z.number().min(min, expected).max(max, expected))
      .default(fallback),
  );
}

function durationSetting(fallback: string) {
  const expected = 'must be a duration such as 24h, 30m or 90s';
  return unset(
    z
      .string()
      .default(fallback)
      .transform((text) => parseDuration(text))
      .pipe(z.number({ error: expected }).min(1, expected)),
  );
}

function urlSetting(protocols: readonly ('https' | 'http')[]) {
  return unset(z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`), error: `must be an ${protocols.join(' or ')} URL` }).optional());
}

function choiceSetting<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return unset(z.enum(values, { error: `must be one of ${values.join(', ')}` }).default(fallback as never));
}

const tenantIdSetting = requiredText.pipe(z.string().regex(GUID, 'must be a tenant ID (GUID)').transform((id) => id.toLowerCase()));
// Earlier names (USGov, USGovDoD) keep working: they name GCCHigh and DoD.
const environmentSetting = requiredText.transform((text, context) => {
  const cloud = parseEnvironment(text);
  if (cloud) return cloud;
  context.addIssue({ code: 'custom', message: ENVIRONMENT_NAME_MESSAGE });
  return z.NEVER;
});
const tablePrefixSetting = unset(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be letters and digits, starting with a letter').default(''));
const booleanSetting = (fallback: boolean) => choiceSetting(['true', 'false'], String(fallback) as 'true' | 'false').transform((text) => text === 'true');

/** Every app setting the app reads, by its name, with its default and bounds. */
const settingsSchema = z
  .object({
    [SETTINGS.tenantId]: tenantIdSetting,
    [SETTINGS.cloud]: environmentSetting,
    [SETTINGS.credentialKind]: choiceSetting(['managedIdentity', 'clientSecret', 'certificate'], 'managedIdentity'),
    [SETTINGS.clientId]: optionalText,
    [SETTINGS.clientSecret]: optionalText,
    [SETTINGS.clientCertificatePath]: optionalText,
    [SETTINGS.managedIdentityClientId]: optionalText,
    [SETTINGS.cloudHostBaseUrl]: urlSetting(['https']),
    [SETTINGS.graphBaseUrl]: urlSetting(['https']),
    [SETTINGS.loginBaseUrl]: urlSetting(['https']),
    [SETTINGS.teamsAdminBaseUrl]: urlSetting(['https']),
    [SETTINGS.teamsAdapter]: choiceSetting(['rest', 'manual'], DEFAULTS.teamsAdapter),
    [SETTINGS.teamsManualRecheckInterval]: durationSetting(DEFAULTS.teamsManualRecheckInterval),
    [SETTINGS.teamsManualDeadline]: durationSetting(DEFAULTS.teamsManualDeadline),
    [SETTINGS.storageConnectionString]: optionalText,
    [SETTINGS.webJobsStorage]: optionalText,
    [SETTINGS.webJobsStorageTableServiceUri]: urlSetting(['https', 'http']),
    [SETTINGS.webJobsStorageClientId]: optionalText,
    [SETTINGS.tablePrefix]: tablePrefixSetting,
    [SETTINGS.teamsAdminDiscovery]: choiceSetting(['on', 'off'], DEFAULTS.teamsAdminDiscovery),
    [SETTINGS.publicBaseUrl]: urlSetting(['https', 'http']),
    [SETTINGS.graphMaxRetries]: integerSetting(DEFAULT_RETRY_POLICY.maxRetries, 0, 20),
    [SETTINGS.graphRetryBaseDelayMs]: integerSetting(DEFAULT_RETRY_POLICY.baseDelayMs, 0, 60_000),
    [SETTINGS.graphRetryMaxDelayMs]: integerSetting(DEFAULT_RETRY_POLICY.maxDelayMs, 0, 600_000),
    [SETTINGS.graphMaxRetryAfterMs]: integerSetting(DEFAULT_RETRY_POLICY.maxRetryAfterMs, 0, 3_600_000),
    [SETTINGS.graphBatchSize]: integerSetting(DEFAULTS.graphBatchSize, 1, 20),
    [SETTINGS.graphPageSize]: integerSetting(DEFAULTS.graphPageSize, 1, 999),
    [SETTINGS.graphRequestTimeoutMs]: integerSetting(DEFAULTS.graphRequestTimeoutMs, 1_000, 600_000),
    [SETTINGS.tableConflictRetries]: integerSetting(DEFAULTS.tableConflictRetries, 0, 50),
    [SETTINGS.invitationLifetime]: durationSetting(DEFAULTS.invitationLifetime),
    [SETTINGS.reconcileSchedule]: unset(z.string().default(DEFAULTS.reconcileSchedule)),
    [SETTINGS.reconcileMode]: choiceSetting(['report', 'enforce'], DEFAULTS.reconcileMode),
    [SETTINGS.subscriptionLifetimeMinutes]: integerSetting(DEFAULTS.subscriptionLifetimeMinutes, 5, 41_760),
    [SETTINGS.subscriptionRenewBeforeMinutes]: integerSetting(DEFAULTS.subscriptionRenewBeforeMinutes, 1, 41_760),
    [SETTINGS.reconcileDebounceMs]: integerSetting(DEFAULTS.reconcileDebounceMs, 0, 600_000),
    [SETTINGS.reconcileClaimLeaseSeconds]: integerSetting(DEFAULTS.reconcileClaimLeaseSeconds, 10, 86_400),
    [SETTINGS.subscriptionMonitorMaxSleepMinutes]: integerSetting(DEFAULTS.subscriptionMonitorMaxSleepMinutes, 1, 10_080),
    [SETTINGS.activityMaxAttempts]: integerSetting(DEFAULTS.activityMaxAttempts, 1, 100),
    [SETTINGS.activityFirstRetryIntervalMs]: integerSetting(DEFAULTS.activityFirstRetryIntervalMs, 100, 3_600_000),
    [SETTINGS.maxMessageBytes]: integerSetting(DEFAULTS.maxMessageBytes, 1_024, 1_048_576),
    [SETTINGS.guestInviteRedirectUrl]: urlSetting(['https']),
    [SETTINGS.deploymentKeyFile]: optionalText,
    [SETTINGS.keyVaultUrl]: urlSetting(['https']),
    [SETTINGS.deploymentKeySecretName]: unset(z.string().default(DEFAULTS.deploymentKeySecretName)),
    [SETTINGS.partnerReadyTimeout]: durationSetting(DEFAULTS.partnerReadyTimeout),
    [SETTINGS.nonceProcessingLeaseSeconds]: integerSetting(DEFAULTS.nonceProcessingLeaseSeconds, 1, 3_600),
    [SETTINGS.messageDeliveryMaxAttempts]: integerSetting(DEFAULTS.messageDeliveryMaxAttempts, 1, 100),
    [SETTINGS.messageDeliveryFirstRetryIntervalMs]: integerSetting(DEFAULTS.messageDeliveryFirstRetryIntervalMs, 100, 3_600_000),
    [SETTINGS.messageDeliveryMaxRetryIntervalMs]: integerSetting(DEFAULTS.messageDeliveryMaxRetryIntervalMs, 100, 86_400_000),
    [SETTINGS.messageDeliveryRequestTimeoutMs]: integerSetting(DEFAULTS.messageDeliveryRequestTimeoutMs, 1_000, 600_000),
    [SETTINGS.offboardMessageLifetime]: durationSetting(DEFAULTS.offboardMessageLifetime),
    [SETTINGS.tenantWriterLeaseSeconds]: integerSetting(DEFAULTS.tenantWriterLeaseSeconds, 5, 86_400),
    [SETTINGS.offboardWriterPollIntervalMs]: integerSetting(DEFAULTS.offboardWriterPollIntervalMs, 100, 600_000),
    [SETTINGS.outboundAllowHttpLoopback]: booleanSetting(DEFAULTS.outboundAllowHttpLoopback),
    [SETTINGS.partnerKeyFetchTimeoutMs]: integerSetting(DEFAULTS.partnerKeyFetchTimeoutMs, 500, 120_000),
    [SETTINGS.partnerDomainLookupLimit]: integerSetting(DEFAULTS.partnerDomainLookupLimit, 0, 1_000),
    [SETTINGS.invitationDraftsPerPartnerMax]: integerSetting(DEFAULTS.invitationDraftsPerPartnerMax, 1, 10_000),
    [SETTINGS.invitationDraftsMax]: integerSetting(DEFAULTS.invitationDraftsMax, 1, 100_000),
    [SETTINGS.invitationDraftsRetryAfterSeconds]: integerSetting(DEFAULTS.invitationDraftsRetryAfterSeconds, 1, 86_400),
    [SETTINGS.housekeepingSchedule]: unset(z.string().default(DEFAULTS.housekeepingSchedule)),
    [SETTINGS.notificationMaxBodyBytes]: integerSetting(DEFAULTS.notificationMaxBodyBytes, 1_024, 10_000_000),
    [SETTINGS.notificationLookupConcurrency]: integerSetting(DEFAULTS.notificationLookupConcurrency, 1, 100),
    [SETTINGS.notificationPointReadLimit]: integerSetting(DEFAULTS.notificationPointReadLimit, 0, 1_000),
  })
  .superRefine((settings, context) => {
    // Rules that tie settings together; each issue names the setting to change.
    const problem = (setting: string, message: string): void => context.addIssue({ code: 'custom', path: [setting], message });
    const kind = settings[SETTINGS.credentialKind];
    if (kind !== 'managedIdentity' && !settings[SETTINGS.clientId]) problem(SETTINGS.clientId, 'is required');
    if (kind === 'clientSecret' && !settings[SETTINGS.clientSecret]) problem(SETTINGS.clientSecret, 'is required');
    if (kind === 'certificate' && !settings[SETTINGS.clientCertificatePath]) problem(SETTINGS.clientCertificatePath, 'is required');
    if (!settings[SETTINGS.storageConnectionString] && !settings[SETTINGS.webJobsStorage] && !settings[SETTINGS.webJobsStorageTableServiceUri]) {
      problem(SETTINGS.storageConnectionString, `(or ${SETTINGS.webJobsStorage}, or ${SETTINGS.webJobsStorageTableServiceUri} with a managed identity) is required`);
    }
    if (settings[SETTINGS.teamsManualRecheckInterval] > settings[SETTINGS.teamsManualDeadline]) {
      problem(SETTINGS.teamsManualRecheckInterval, `must not be longer than ${SETTINGS.teamsManualDeadline}`);
    }
    if (settings[SETTINGS.deploymentKeyFile] && settings[SETTINGS.keyVaultUrl]) {
      problem(SETTINGS.deploymentKeyFile, `and ${SETTINGS.keyVaultUrl} must not both be set (one place holds the signing key)`);
    }
    if (settings[SETTINGS.offboardMessageLifetime] > MAX_MESSAGE_LIFETIME_SECONDS) {
      problem(SETTINGS.offboardMessageLifetime, `must not be longer than ${MAX_MESSAGE_LIFETIME_SECONDS / 86_400}d (what a partner accepts)`);
    }
    if (settings[SETTINGS.subscriptionRenewBeforeMinutes] >= settings[SETTINGS.subscriptionLifetimeMinutes]) {
      problem(SETTINGS.subscriptionRenewBeforeMinutes, `must be shorter than ${SETTINGS.subscriptionLifetimeMinutes}`);
    }
    // Run even when a setting above is bad (a bad one's value is absent here), so every problem is reported at once.
  }, { when: () => true });

type Settings = z.infer<typeof settingsSchema>;

/**
 * Reads the configuration from app settings (process.env by default). Every problem is reported
 * at once, naming the setting; secrets are never echoed.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = blankAsUnset(env[name]);
      const got = value !== undefined && !SECRET_SETTINGS.includes(name) ? ` (got "${String(value)}")` : '';
      return `${name} ${issue.message}${got}`;
    });
    throw new DomainError('config.invalid', `The app settings are not valid: ${problems.join('; ')}.`, { details: { problems } });
  }
  return appConfigOf(parsed.data);
}

/** The typed configuration the app uses, shaped from valid settings. */
function appConfigOf(settings: Settings): AppConfig {
  const cloud = settings[SETTINGS.cloud];
  const endpointOverrides: CloudEndpointOverrides = {
    hostBaseUrl: settings[SETTINGS.cloudHostBaseUrl],
    graphBaseUrl: settings[SETTINGS.graphBaseUrl],
    loginBaseUrl: settings[SETTINGS.loginBaseUrl],
    teamsAdminBaseUrl: settings[SETTINGS.teamsAdminBaseUrl],
  };
  const clientId = settings[SETTINGS.clientId] ?? '';
  const credential: CredentialConfig =
    settings[SETTINGS.credentialKind] === 'clientSecret'
      ? { kind: 'clientSecret', clientId, clientSecret: settings[SETTINGS.clientSecret] ?? '' }
      : settings[SETTINGS.credentialKind] === 'certificate'
        ? { kind: 'certificate', clientId, certificatePath: settings[SETTINGS.clientCertificatePath] ?? '' }
        : { kind: 'managedIdentity', clientId: settings[SETTINGS.managedIdentityClientId] };
  const connectionString = settings[SETTINGS.storageConnectionString] ?? settings[SETTINGS.webJobsStorage];
  const tableEndpoint = connectionString ? undefined : settings[SETTINGS.webJobsStorageTableServiceUri];
  const keyFile = settings[SETTINGS.deploymentKeyFile];
  const keyVaultUrl = settings[SETTINGS.keyVaultUrl];
  return {
    tenantId: settings[SETTINGS.tenantId],
    cloud,
    endpoints: resolveCloudEndpoints(cloud, endpointOverrides),
    endpointOverrides,
    credential,
    teamsAdapter: settings[SETTINGS.teamsAdapter],
    teamsManual: { recheckIntervalSeconds: settings[SETTINGS.teamsManualRecheckInterval], deadlineSeconds: settings[SETTINGS.teamsManualDeadline] },
    storage: {
      connectionString: connectionString ?? '',
      ...(tableEndpoint
        ? { tableEndpoint, managedIdentityClientId: settings[SETTINGS.webJobsStorageClientId] ?? settings[SETTINGS.managedIdentityClientId] }
        : {}),
      tablePrefix: settings[SETTINGS.tablePrefix],
    },
    teamsDiscovery: settings[SETTINGS.teamsAdminDiscovery] === 'on',
    publicBaseUrl: settings[SETTINGS.publicBaseUrl],
    retry: {
      maxRetries: settings[SETTINGS.graphMaxRetries],
      baseDelayMs: settings[SETTINGS.graphRetryBaseDelayMs],
      maxDelayMs: settings[SETTINGS.graphRetryMaxDelayMs],
      maxRetryAfterMs: settings[SETTINGS.graphMaxRetryAfterMs],
    },
    graphBatchSize: settings[SETTINGS.graphBatchSize],
    graphPageSize: settings[SETTINGS.graphPageSize],
    graphRequestTimeoutMs: settings[SETTINGS.graphRequestTimeoutMs],
    tableConflictRetries: settings[SETTINGS.tableConflictRetries],
    invitationLifetimeSeconds: settings[SETTINGS.invitationLifetime],
    reconcileSchedule: settings[SETTINGS.reconcileSchedule],
    reconcileMode: settings[SETTINGS.reconcileMode],
    subscriptionLifetimeMinutes: settings[SETTINGS.subscriptionLifetimeMinutes],
    subscriptionRenewBeforeMinutes: settings[SETTINGS.subscriptionRenewBeforeMinutes],
    reconcileDebounceMs: settings[SETTINGS.reconcileDebounceMs],
    reconcileClaimLeaseSeconds: settings[SETTINGS.reconcileClaimLeaseSeconds],
    subscriptionMonitorMaxSleepMinutes: settings[SETTINGS.subscriptionMonitorMaxSleepMinutes],
    activityRetry: {
      maxAttempts: settings[SETTINGS.activityMaxAttempts],
      firstRetryIntervalMs: settings[SETTINGS.activityFirstRetryIntervalMs],
      backoffCoefficient: DEFAULTS.activityBackoffCoefficient,
    },
    maxMessageBytes: settings[SETTINGS.maxMessageBytes],
    guestInviteRedirectUrl: settings[SETTINGS.guestInviteRedirectUrl] ?? ENVIRONMENTS[cloud].myAppsUrl,
    deploymentKey: keyFile
      ? { kind: 'file', path: keyFile }
      : keyVaultUrl
        ? { kind: 'keyVault', vaultUrl: keyVaultUrl, secretName: settings[SETTINGS.deploymentKeySecretName] }
        : undefined,
    partnerReadyTimeoutSeconds: settings[SETTINGS.partnerReadyTimeout],
    nonceProcessingLeaseSeconds: settings[SETTINGS.nonceProcessingLeaseSeconds],
    messageDelivery: {
      maxAttempts: settings[SETTINGS.messageDeliveryMaxAttempts],
      firstRetryIntervalMs: settings[SETTINGS.messageDeliveryFirstRetryIntervalMs],
      maxRetryIntervalMs: settings[SETTINGS.messageDeliveryMaxRetryIntervalMs],
      backoffCoefficient: DEFAULTS.messageDeliveryBackoffCoefficient,
      requestTimeoutMs: settings[SETTINGS.messageDeliveryRequestTimeoutMs],
    },
    offboardMessageLifetimeSeconds: settings[SETTINGS.offboardMessageLifetime],
    tenantWriterLeaseSeconds: settings[SETTINGS.tenantWriterLeaseSeconds],
    offboardWriterPollIntervalMs: settings[SETTINGS.offboardWriterPollIntervalMs],
    outbound: { allowHttpLoopback: settings[SETTINGS.outboundAllowHttpLoopback], maxResponseBytes: DEFAULTS.outboundMaxResponseBytes },
    partnerKeyFetchTimeoutMs: settings[SETTINGS.partnerKeyFetchTimeoutMs],
    partnerDomainLookupLimit: settings[SETTINGS.partnerDomainLookupLimit],
    invitationDrafts: {
      perPartnerMax: settings[SETTINGS.invitationDraftsPerPartnerMax],
      max: settings[SETTINGS.invitationDraftsMax],
      retryAfterSeconds: settings[SETTINGS.invitationDraftsRetryAfterSeconds],
    },
    housekeepingSchedule: settings[SETTINGS.housekeepingSchedule],
    notifications: {
      maxBodyBytes: settings[SETTINGS.notificationMaxBodyBytes],
      lookupConcurrency: settings[SETTINGS.notificationLookupConcurrency],
      pointReadLimit: settings[SETTINGS.notificationPointReadLimit],
    },
  };
}
