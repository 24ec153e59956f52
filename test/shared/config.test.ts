import { DEFAULTS, DEFAULT_RETRY_POLICY, loadConfig, parseDuration } from '../../shared/config';
import { CLOUDS, CLOUD_NAMES, isCrossCloud, isCrossEnvironment, parseEnvironment, resolveCloudEndpoints } from '../../shared/clouds';
import { DomainError } from '../../shared/errors';

const base = {
  TENANT_ID: '72F988BF-86F1-41AF-91AB-2D7CD011DB47',
  TENANT_CLOUD: 'Global',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
};

describe('environments', () => {
  it('knows the five environments and their cloud endpoint values', () => {
    expect(CLOUD_NAMES).toEqual(['Global', 'GCC', 'GCCHigh', 'DoD', 'China']);
    expect(CLOUDS.China.allowedCloudEndpoint).toBe('partner.microsoftonline.cn');
    expect(CLOUDS.DoD.allowedCloudEndpoint).toBe('microsoftonline.us');
    expect(CLOUDS.DoD.graphHost).toBe('dod-graph.microsoft.us');
  });

  it('GCC is a commercial Entra tenant with a government Teams environment', () => {
    expect(CLOUDS.GCC).toMatchObject({ entraCloud: 'Global', teamsEnvironment: 'GCC', graphHost: 'graph.microsoft.com', allowedCloudEndpoint: 'microsoftonline.com', globalGraphService: true });
    expect(isCrossCloud('GCC', 'Global')).toBe(false);
    expect(isCrossEnvironment('GCC', 'Global')).toBe(true);
    expect(resolveCloudEndpoints('GCC').graphBaseUrl).toBe('https://graph.microsoft.com/v1.0');
  });

  it('accepts the earlier names as aliases', () => {
    expect(parseEnvironment('USGov')).toBe('GCCHigh');
    expect(parseEnvironment('usgovdod')).toBe('DoD');
    expect(parseEnvironment('gcc')).toBe('GCC');
    expect(parseEnvironment('Germany')).toBeUndefined();
  });

  it('marks the national Teams admin hosts and My Apps hosts as unconfirmed', () => {
    expect(CLOUDS.Global.teamsAdminHostConfirmed).toBe(true);
    expect((['GCCHigh', 'DoD', 'China'] as const).map((c) => CLOUDS[c].teamsAdminHostConfirmed)).toEqual([false, false, false]);
    expect(CLOUDS.Global.myAppsUrlConfirmed).toBe(true);
    expect(CLOUDS.China.myAppsUrl).toBe('https://myapps.azure.cn');
  });

  it('treats GCC High and DoD as one Entra cloud but two Teams environments', () => {
    expect(isCrossCloud('GCCHigh', 'DoD')).toBe(false);
    expect(isCrossEnvironment('GCCHigh', 'DoD')).toBe(true);
    expect(isCrossCloud('Global', 'China')).toBe(true);
  });

  it('resolves real endpoints, and simulator paths with a host base URL', () => {
    expect(resolveCloudEndpoints('China')).toMatchObject({
      graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn/v1.0',
      loginBaseUrl: 'https://login.chinacloudapi.cn',
      graphScope: 'https://microsoftgraph.chinacloudapi.cn/.default',
      teamsScope: '48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default',
    });
    const simulated = resolveCloudEndpoints('Global', { hostBaseUrl: 'https://127.0.0.1:4443/', teamsAdminBaseUrl: 'https://teams.test' });
    expect(simulated).toMatchObject({
      graphBaseUrl: 'https://127.0.0.1:4443/graph.microsoft.com/v1.0',
      loginBaseUrl: 'https://127.0.0.1:4443/login.microsoftonline.com',
      teamsAdminBaseUrl: 'https://teams.test',
      graphScope: 'https://graph.microsoft.com/.default',
    });
  });
});

describe('loadConfig', () => {
  it('reads a minimal configuration with defaults', () => {
    const config = loadConfig(base);
    expect(config.tenantId).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(config.credential).toEqual({ kind: 'managedIdentity', clientId: undefined });
    expect(config.retry).toEqual(DEFAULT_RETRY_POLICY);
    expect(config.graphBatchSize).toBe(20);
    expect(config.invitationLifetimeSeconds).toBe(72 * 3600);
    expect(config.reconcileSchedule).toBe(DEFAULTS.reconcileSchedule);
    expect(config.storage.connectionString).toBe('UseDevelopmentStorage=true');
  });

  it('takes overrides, a client secret and simulator URLs', () => {
    const config = loadConfig({
      ...base,
      TENANT_CLOUD: 'China',
      CREDENTIAL_KIND: 'clientSecret',
      CLIENT_ID: 'app',
      CLIENT_SECRET: 's3cret',
      CLOUD_HOST_BASE_URL: 'https://127.0.0.1:9999',
      GRAPH_MAX_RETRIES: '2',
      INVITATION_LIFETIME_DEFAULT: '90s',
      TEAMS_ADAPTER: 'manual',
      TABLE_PREFIX: 'contoso',
    });
    expect(config.credential).toEqual({ kind: 'clientSecret', clientId: 'app', clientSecret: 's3cret' });
    expect(config.endpoints.graphBaseUrl).toBe('https://127.0.0.1:9999/microsoftgraph.chinacloudapi.cn/v1.0');
    expect(config.retry.maxRetries).toBe(2);
    expect(config.invitationLifetimeSeconds).toBe(90);
    expect(config.teamsAdapter).toBe('manual');
    expect(config.storage.tablePrefix).toBe('contoso');
  });

  it('reports every bad setting at once, naming them, without echoing secrets', () => {
    let error: DomainError | undefined;
    try {
      loadConfig({
        TENANT_ID: 'contoso.com',
        TENANT_CLOUD: 'Mars',
        CREDENTIAL_KIND: 'clientSecret',
        CLIENT_SECRET: 'do-not-print-me',
        GRAPH_BATCH_SIZE: '50',
        CLOUD_HOST_BASE_URL: 'http://insecure',
        TABLE_PREFIX: 'bad-prefix',
      });
    } catch (caught) {
      error = caught as DomainError;
    }
    expect(error?.code).toBe('config.invalid');
    for (const name of ['TENANT_ID', 'TENANT_CLOUD', 'CLIENT_ID', 'GRAPH_BATCH_SIZE', 'CLOUD_HOST_BASE_URL', 'TABLE_PREFIX', 'STORAGE_CONNECTION_STRING']) {
      expect(error?.message).toContain(name);
    }
    expect(error?.message).not.toContain('do-not-print-me');
  });

  it('keeps the earlier cloud names working and defaults the guest redirect to the environment\'s My Apps portal', () => {
    expect(loadConfig({ ...base, TENANT_CLOUD: 'USGov' }).cloud).toBe('GCCHigh');
    const dod = loadConfig({ ...base, TENANT_CLOUD: 'USGovDoD' });
    expect(dod.cloud).toBe('DoD');
    expect(dod.endpoints.graphBaseUrl).toBe('https://dod-graph.microsoft.us/v1.0');
    expect(dod.guestInviteRedirectUrl).toBe('https://myapps.microsoft.us');
    expect(loadConfig({ ...base, TENANT_CLOUD: 'China' }).guestInviteRedirectUrl).toBe('https://myapps.azure.cn');
    expect(loadConfig({ ...base, TENANT_CLOUD: 'GCC' }).guestInviteRedirectUrl).toBe(DEFAULTS.guestInviteRedirectUrl);
    expect(loadConfig({ ...base, TENANT_CLOUD: 'China', GUEST_INVITE_REDIRECT_URL: 'https://portal.woodgrove.cn' }).guestInviteRedirectUrl).toBe('https://portal.woodgrove.cn');
  });

  it('calls partners over https only unless the development switch allows http to loopback', () => {
    const config = loadConfig(base);
    expect(config.outbound).toEqual({ allowHttpLoopback: false, maxResponseBytes: 64 * 1024 });
    expect(config.partnerKeyFetchTimeoutMs).toBe(DEFAULTS.partnerKeyFetchTimeoutMs);
    expect(config.partnerDomainLookupLimit).toBe(DEFAULTS.partnerDomainLookupLimit);
    expect(loadConfig({ ...base, OUTBOUND_ALLOW_HTTP_LOOPBACK: 'true', PARTNER_DOMAIN_LOOKUP_LIMIT: '0' })).toMatchObject({
      outbound: { allowHttpLoopback: true },
      partnerDomainLookupLimit: 0,
    });
    expect(() => loadConfig({ ...base, OUTBOUND_ALLOW_HTTP_LOOPBACK: 'yes' })).toThrow(/OUTBOUND_ALLOW_HTTP_LOOPBACK must be one of true, false/);
    expect(() => loadConfig({ ...base, PARTNER_KEY_FETCH_TIMEOUT_MS: '5' })).toThrow(/PARTNER_KEY_FETCH_TIMEOUT_MS must be an integer/);
  });

  it('checks the settings that go together, and never repeats a storage key', () => {
    const env = {
      TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      TENANT_CLOUD: 'China',
      AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=do-not-print-me',
      HANDSHAKE_KEY_FILE: '/keys/deployment.jwk',
      KEY_VAULT_URL: 'https://contoso.vault.azure.cn',
      TEAMS_MANUAL_RECHECK_INTERVAL: '2d',
      OFFBOARD_MESSAGE_LIFETIME: '60d',
      SUBSCRIPTION_LIFETIME_MINUTES: '60',
      SUBSCRIPTION_RENEW_BEFORE_MINUTES: '60',
      GRAPH_PAGE_SIZE: 'many',
    };
    let error: DomainError | undefined;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught as DomainError;
    }
    expect(error?.details?.problems).toEqual([
      'GRAPH_PAGE_SIZE must be an integer from 1 to 999 (got "many")',
      'TEAMS_MANUAL_RECHECK_INTERVAL must not be longer than TEAMS_MANUAL_DEADLINE (got "2d")',
      'HANDSHAKE_KEY_FILE and KEY_VAULT_URL must not both be set (one place holds the signing key) (got "/keys/deployment.jwk")',
      'OFFBOARD_MESSAGE_LIFETIME must not be longer than 30d (what a partner accepts) (got "60d")',
      'SUBSCRIPTION_RENEW_BEFORE_MINUTES must be shorter than SUBSCRIPTION_LIFETIME_MINUTES (got "60")',
    ]);
    expect(error?.message).not.toContain('do-not-print-me');
    expect(loadConfig({ ...env, HANDSHAKE_KEY_FILE: '', TEAMS_MANUAL_RECHECK_INTERVAL: ' ', OFFBOARD_MESSAGE_LIFETIME: '', SUBSCRIPTION_RENEW_BEFORE_MINUTES: '30', GRAPH_PAGE_SIZE: '' })).toMatchObject({
      deploymentKey: { kind: 'keyVault', vaultUrl: 'https://contoso.vault.azure.cn', secretName: DEFAULTS.deploymentKeySecretName },
      graphPageSize: DEFAULTS.graphPageSize,
      storage: { connectionString: env.AzureWebJobsStorage },
    });
  });

  it('parses durations', () => {
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('2d')).toBe(172800);
    expect(parseDuration('soon')).toBeUndefined();
  });
});
