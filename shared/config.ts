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

/**
 * Reads the configuration from app settings (process.env by default). Every problem is reported
 * at once, naming the setting; secrets are never echoed.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const required = (name: string): string => {
    const value = get(name);
    if (value === undefined) problems.push(`${name} is required`);
    return value ?? '';
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    const parsed = z.url().safeParse(raw);
    if (!parsed.success || !protocols.includes(new URL(raw).protocol)) {
      problems.push(`${name} must be an ${protocols.join(' or ')} URL (got "${raw}")`);
      return undefined;
    }
    return raw;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback?: T): T => {
    const raw = get(name);
    if (raw === undefined) {
      if (fallback === undefined) problems.push(`${name} is required (one of ${values.join(', ')})`);
      return (fallback ?? values[0]) as T;
    }
    if (!(values as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
      return (fallback ?? values[0]) as T;
    }
    return raw as T;
  };

  const tenantId = required(SETTINGS.tenantId).toLowerCase();
  if (tenantId && !GUID.test(tenantId)) problems.push(`${SETTINGS.tenantId} must be a tenant ID (GUID)`);
  // Earlier names (USGov, USGovDoD) keep working: they name GCCHigh and DoD.
  const cloudText = get(SETTINGS.cloud);
  const cloud = parseEnvironment(cloudText) ?? 'Global';
  if (!parseEnvironment(cloudText)) problems.push(`${SETTINGS.cloud} ${cloudText === undefined ? 'is required' : `${ENVIRONMENT_NAME_MESSAGE} (got "${cloudText}")`}`);

  const endpointOverrides: CloudEndpointOverrides = {
    hostBaseUrl: url(SETTINGS.cloudHostBaseUrl, ['https:']),
    graphBaseUrl: url(SETTINGS.graphBaseUrl, ['https:']),
    loginBaseUrl: url(SETTINGS.loginBaseUrl, ['https:']),
    teamsAdminBaseUrl: url(SETTINGS.teamsAdminBaseUrl, ['https:']),
  };

  const credentialKind = oneOf(SETTINGS.credentialKind, ['managedIdentity', 'clientSecret', 'certificate'] as const, 'managedIdentity');
  let credential: CredentialConfig;
  if (credentialKind === 'clientSecret') {
    credential = { kind: 'clientSecret', clientId: required(SETTINGS.clientId), clientSecret: required(SETTINGS.clientSecret) };
  } else if (credentialKind === 'certificate') {
    credential = { kind: 'certificate', clientId: required(SETTINGS.clientId), certificatePath: required(SETTINGS.clientCertificatePath) };
  } else {
    credential = { kind: 'managedIdentity', clientId: get(SETTINGS.managedIdentityClientId) };
  }

  const connectionString = get(SETTINGS.storageConnectionString) ?? get(SETTINGS.webJobsStorage);
  const tableEndpoint = connectionString ? undefined : url(SETTINGS.webJobsStorageTableServiceUri, ['https:', 'http:']);
  if (!connectionString && !tableEndpoint) {
    problems.push(`${SETTINGS.storageConnectionString} (or ${SETTINGS.webJobsStorage}, or ${SETTINGS.webJobsStorageTableServiceUri} with a managed identity) is required`);
  }
  const tablePrefix = get(SETTINGS.tablePrefix) ?? '';
  if (!/^([A-Za-z][A-Za-z0-9]*)?$/.test(tablePrefix)) problems.push(`${SETTINGS.tablePrefix} must be letters and digits, starting with a letter`);

  const lifetimeText = get(SETTINGS.invitationLifetime) ?? DEFAULTS.invitationLifetime;
  const invitationLifetimeSeconds = parseDuration(lifetimeText);
  if (invitationLifetimeSeconds === undefined) {
    problems.push(`${SETTINGS.invitationLifetime} must be a duration such as 72h, 30m or 90s (got "${lifetimeText}")`);
  }

  const readyTimeoutText = get(SETTINGS.partnerReadyTimeout) ?? DEFAULTS.partnerReadyTimeout;
  const partnerReadyTimeoutSeconds = parseDuration(readyTimeoutText);
  if (partnerReadyTimeoutSeconds === undefined || partnerReadyTimeoutSeconds < 1) {
    problems.push(`${SETTINGS.partnerReadyTimeout} must be a duration such as 24h, 30m or 90s (got "${readyTimeoutText}")`);
  }
  const duration = (name: string, fallback: string): number => {
    const text = get(name) ?? fallback;
    const seconds = parseDuration(text);
    if (seconds === undefined || seconds < 1) {
      problems.push(`${name} must be a duration such as 24h, 30m or 90s (got "${text}")`);
      return parseDuration(fallback)!;
    }
    return seconds;
  };
  const teamsManual = {
    recheckIntervalSeconds: duration(SETTINGS.teamsManualRecheckInterval, DEFAULTS.teamsManualRecheckInterval),
    deadlineSeconds: duration(SETTINGS.teamsManualDeadline, DEFAULTS.teamsManualDeadline),
  };
  if (teamsManual.recheckIntervalSeconds > teamsManual.deadlineSeconds) {
    problems.push(`${SETTINGS.teamsManualRecheckInterval} must not be longer than ${SETTINGS.teamsManualDeadline}`);
  }
  const keyFile = get(SETTINGS.deploymentKeyFile);
  const keyVaultUrl = url(SETTINGS.keyVaultUrl, ['https:']);
  if (keyFile && keyVaultUrl) problems.push(`${SETTINGS.deploymentKeyFile} and ${SETTINGS.keyVaultUrl} must not both be set (one place holds the signing key)`);
  const deploymentKey: AppConfig['deploymentKey'] = keyFile
    ? { kind: 'file', path: keyFile }
    : keyVaultUrl
      ? { kind: 'keyVault', vaultUrl: keyVaultUrl, secretName: get(SETTINGS.deploymentKeySecretName) ?? DEFAULTS.deploymentKeySecretName }
      : undefined;

  const retry: RetryPolicy = {
    maxRetries: integer(SETTINGS.graphMaxRetries, DEFAULT_RETRY_POLICY.maxRetries, 0, 20),
    baseDelayMs: integer(SETTINGS.graphRetryBaseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs, 0, 60_000),
    maxDelayMs: integer(SETTINGS.graphRetryMaxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, 0, 600_000),
    maxRetryAfterMs: integer(SETTINGS.graphMaxRetryAfterMs, DEFAULT_RETRY_POLICY.maxRetryAfterMs, 0, 3_600_000),
  };

  const config: AppConfig = {
    tenantId,
    cloud,
    endpoints: resolveCloudEndpoints(cloud, endpointOverrides),
    endpointOverrides,
    credential,
    teamsAdapter: oneOf(SETTINGS.teamsAdapter, ['rest', 'manual'] as const, DEFAULTS.teamsAdapter),
    teamsManual,
    storage: {
      connectionString: connectionString ?? '',
      ...(tableEndpoint ? { tableEndpoint, managedIdentityClientId: get(SETTINGS.webJobsStorageClientId) ?? get(SETTINGS.managedIdentityClientId) } : {}),
      tablePrefix,
    },
    teamsDiscovery: oneOf(SETTINGS.teamsAdminDiscovery, ['on', 'off'] as const, DEFAULTS.teamsAdminDiscovery) === 'on',
    publicBaseUrl: url(SETTINGS.publicBaseUrl, ['https:', 'http:']),
    retry,
    graphBatchSize: integer(SETTINGS.graphBatchSize, DEFAULTS.graphBatchSize, 1, 20),
    graphPageSize: integer(SETTINGS.graphPageSize, DEFAULTS.graphPageSize, 1, 999),
    graphRequestTimeoutMs: integer(SETTINGS.graphRequestTimeoutMs, DEFAULTS.graphRequestTimeoutMs, 1_000, 600_000),
    tableConflictRetries: integer(SETTINGS.tableConflictRetries, DEFAULTS.tableConflictRetries, 0, 50),
    invitationLifetimeSeconds: invitationLifetimeSeconds ?? 0,
    reconcileSchedule: get(SETTINGS.reconcileSchedule) ?? DEFAULTS.reconcileSchedule,
    reconcileMode: oneOf(SETTINGS.reconcileMode, ['report', 'enforce'] as const, DEFAULTS.reconcileMode),
    subscriptionLifetimeMinutes: integer(SETTINGS.subscriptionLifetimeMinutes, DEFAULTS.subscriptionLifetimeMinutes, 5, 41_760),
    subscriptionRenewBeforeMinutes: integer(SETTINGS.subscriptionRenewBeforeMinutes, DEFAULTS.subscriptionRenewBeforeMinutes, 1, 41_760),
    reconcileDebounceMs: integer(SETTINGS.reconcileDebounceMs, DEFAULTS.reconcileDebounceMs, 0, 600_000),
    reconcileClaimLeaseSeconds: integer(SETTINGS.reconcileClaimLeaseSeconds, DEFAULTS.reconcileClaimLeaseSeconds, 10, 86_400),
    subscriptionMonitorMaxSleepMinutes: integer(SETTINGS.subscriptionMonitorMaxSleepMinutes, DEFAULTS.subscriptionMonitorMaxSleepMinutes, 1, 10_080),
    activityRetry: {
      maxAttempts: integer(SETTINGS.activityMaxAttempts, DEFAULTS.activityMaxAttempts, 1, 100),
      firstRetryIntervalMs: integer(SETTINGS.activityFirstRetryIntervalMs, DEFAULTS.activityFirstRetryIntervalMs, 100, 3_600_000),
      backoffCoefficient: DEFAULTS.activityBackoffCoefficient,
    },
    maxMessageBytes: integer(SETTINGS.maxMessageBytes, DEFAULTS.maxMessageBytes, 1_024, 1_048_576),
    guestInviteRedirectUrl: url(SETTINGS.guestInviteRedirectUrl, ['https:']) ?? ENVIRONMENTS[cloud].myAppsUrl,
    deploymentKey,
    partnerReadyTimeoutSeconds: partnerReadyTimeoutSeconds ?? 0,
    nonceProcessingLeaseSeconds: integer(SETTINGS.nonceProcessingLeaseSeconds, DEFAULTS.nonceProcessingLeaseSeconds, 1, 3_600),
    messageDelivery: {
      maxAttempts: integer(SETTINGS.messageDeliveryMaxAttempts, DEFAULTS.messageDeliveryMaxAttempts, 1, 100),
      firstRetryIntervalMs: integer(SETTINGS.messageDeliveryFirstRetryIntervalMs, DEFAULTS.messageDeliveryFirstRetryIntervalMs, 100, 3_600_000),
      maxRetryIntervalMs: integer(SETTINGS.messageDeliveryMaxRetryIntervalMs, DEFAULTS.messageDeliveryMaxRetryIntervalMs, 100, 86_400_000),
      backoffCoefficient: DEFAULTS.messageDeliveryBackoffCoefficient,
      requestTimeoutMs: integer(SETTINGS.messageDeliveryRequestTimeoutMs, DEFAULTS.messageDeliveryRequestTimeoutMs, 1_000, 600_000),
    },
    offboardMessageLifetimeSeconds: duration(SETTINGS.offboardMessageLifetime, DEFAULTS.offboardMessageLifetime),
    tenantWriterLeaseSeconds: integer(SETTINGS.tenantWriterLeaseSeconds, DEFAULTS.tenantWriterLeaseSeconds, 5, 86_400),
    offboardWriterPollIntervalMs: integer(SETTINGS.offboardWriterPollIntervalMs, DEFAULTS.offboardWriterPollIntervalMs, 100, 600_000),
    outbound: {
      allowHttpLoopback: oneOf(SETTINGS.outboundAllowHttpLoopback, ['true', 'false'] as const, String(DEFAULTS.outboundAllowHttpLoopback) as 'true' | 'false') === 'true',
      maxResponseBytes: DEFAULTS.outboundMaxResponseBytes,
    },
    partnerKeyFetchTimeoutMs: integer(SETTINGS.partnerKeyFetchTimeoutMs, DEFAULTS.partnerKeyFetchTimeoutMs, 500, 120_000),
    partnerDomainLookupLimit: integer(SETTINGS.partnerDomainLookupLimit, DEFAULTS.partnerDomainLookupLimit, 0, 1_000),
    invitationDrafts: {
      perPartnerMax: integer(SETTINGS.invitationDraftsPerPartnerMax, DEFAULTS.invitationDraftsPerPartnerMax, 1, 10_000),
      max: integer(SETTINGS.invitationDraftsMax, DEFAULTS.invitationDraftsMax, 1, 100_000),
      retryAfterSeconds: integer(SETTINGS.invitationDraftsRetryAfterSeconds, DEFAULTS.invitationDraftsRetryAfterSeconds, 1, 86_400),
    },
    housekeepingSchedule: get(SETTINGS.housekeepingSchedule) ?? DEFAULTS.housekeepingSchedule,
    notifications: {
      maxBodyBytes: integer(SETTINGS.notificationMaxBodyBytes, DEFAULTS.notificationMaxBodyBytes, 1_024, 10_000_000),
      lookupConcurrency: integer(SETTINGS.notificationLookupConcurrency, DEFAULTS.notificationLookupConcurrency, 1, 100),
      pointReadLimit: integer(SETTINGS.notificationPointReadLimit, DEFAULTS.notificationPointReadLimit, 0, 1_000),
    },
  };
  if (config.offboardMessageLifetimeSeconds > MAX_MESSAGE_LIFETIME_SECONDS) {
    problems.push(`${SETTINGS.offboardMessageLifetime} must not be longer than ${MAX_MESSAGE_LIFETIME_SECONDS / 86_400}d (what a partner accepts)`);
  }
  if (config.subscriptionRenewBeforeMinutes >= config.subscriptionLifetimeMinutes) {
    problems.push(`${SETTINGS.subscriptionRenewBeforeMinutes} must be shorter than ${SETTINGS.subscriptionLifetimeMinutes}`);
  }
  if (problems.length > 0) {
    throw new DomainError('config.invalid', `The app settings are not valid: ${problems.join('; ')}.`, { details: { problems } });
  }
  return config;
}
