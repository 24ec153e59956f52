// The handshake's settings in shared/config (key location, delivery retry, timeouts), the
// settings an orchestration is started with, and the partnership data helpers.
import { DEFAULTS, loadConfig } from '../../shared/config';
import { NONCE_PROCESSING_LEASE_SECONDS } from '../../shared/handshake';
import { orchestrationSettings } from '../../orchestrations/names';
import { messagesUrl, withHandshakeData } from '../../orchestrations/records';
import { createHandshakeDeployment } from '../../orchestrations/deployment';

const BASE = {
  TENANT_ID: '14763f8a-fb9a-451a-9f75-c33963a5b05a',
  TENANT_CLOUD: 'Global',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
};

describe('handshake settings', () => {
  it('default to the named constants', () => {
    const config = loadConfig(BASE);
    expect(config.deploymentKey).toBeUndefined();
    expect(config.partnerReadyTimeoutSeconds).toBe(24 * 3600);
    expect(config.nonceProcessingLeaseSeconds).toBe(NONCE_PROCESSING_LEASE_SECONDS);
    expect(config.messageDelivery).toEqual({
      maxAttempts: DEFAULTS.messageDeliveryMaxAttempts,
      firstRetryIntervalMs: DEFAULTS.messageDeliveryFirstRetryIntervalMs,
      maxRetryIntervalMs: DEFAULTS.messageDeliveryMaxRetryIntervalMs,
      backoffCoefficient: DEFAULTS.messageDeliveryBackoffCoefficient,
      requestTimeoutMs: DEFAULTS.messageDeliveryRequestTimeoutMs,
    });
    // A sender with the defaults keeps retrying well past a receiver's processing lease.
    const { firstRetryIntervalMs, maxRetryIntervalMs, maxAttempts, backoffCoefficient } = config.messageDelivery;
    let total = 0;
    for (let attempt = 1; attempt < maxAttempts; attempt += 1) total += Math.min(maxRetryIntervalMs, firstRetryIntervalMs * backoffCoefficient ** (attempt - 1));
    expect(total / 1000).toBeGreaterThan(NONCE_PROCESSING_LEASE_SECONDS * 2);
  });

  it('are read from app settings', () => {
    const config = loadConfig({
      ...BASE,
      HANDSHAKE_KEY_FILE: '/keys/deployment.json',
      PARTNER_READY_TIMEOUT: '90s',
      MESSAGE_DELIVERY_MAX_ATTEMPTS: '3',
      MESSAGE_DELIVERY_FIRST_RETRY_INTERVAL_MS: '100',
      MESSAGE_DELIVERY_MAX_RETRY_INTERVAL_MS: '1000',
      MESSAGE_DELIVERY_REQUEST_TIMEOUT_MS: '2000',
      NONCE_PROCESSING_LEASE_SECONDS: '5',
    });
    expect(config).toMatchObject({
      deploymentKey: { kind: 'file', path: '/keys/deployment.json' },
      partnerReadyTimeoutSeconds: 90,
      nonceProcessingLeaseSeconds: 5,
      messageDelivery: { maxAttempts: 3, firstRetryIntervalMs: 100, maxRetryIntervalMs: 1000, requestTimeoutMs: 2000 },
    });
    expect(loadConfig({ ...BASE, KEY_VAULT_URL: 'https://contoso.vault.azure.net' }).deploymentKey).toEqual({
      kind: 'keyVault',
      vaultUrl: 'https://contoso.vault.azure.net',
      secretName: DEFAULTS.deploymentKeySecretName,
    });
    expect(orchestrationSettings(config)).toEqual({
      messageDelivery: config.messageDelivery,
      activityRetry: config.activityRetry,
      partnerReadyTimeoutSeconds: 90,
      teamsManual: { recheckIntervalSeconds: 300, deadlineSeconds: 24 * 3600 },
    });
  });

  it('manual Teams mode: re-verify interval and deadline default to the named constants and are read from app settings', () => {
    expect(loadConfig(BASE).teamsManual).toEqual({ recheckIntervalSeconds: 5 * 60, deadlineSeconds: 24 * 3600 });
    expect(DEFAULTS).toMatchObject({ teamsManualRecheckInterval: '5m', teamsManualDeadline: '24h' });
    const config = loadConfig({ ...BASE, TEAMS_ADAPTER: 'manual', TEAMS_MANUAL_RECHECK_INTERVAL: '30s', TEAMS_MANUAL_DEADLINE: '2h' });
    expect(config).toMatchObject({ teamsAdapter: 'manual', teamsManual: { recheckIntervalSeconds: 30, deadlineSeconds: 7200 } });
    expect(orchestrationSettings(config).teamsManual).toEqual({ recheckIntervalSeconds: 30, deadlineSeconds: 7200 });
  });

  it('manual Teams mode: refuses a bad interval or deadline, and an interval longer than the deadline', () => {
    expect(() => loadConfig({ ...BASE, TEAMS_MANUAL_RECHECK_INTERVAL: 'often', TEAMS_MANUAL_DEADLINE: '0s' })).toThrow(
      expect.objectContaining({ code: 'config.invalid', message: expect.stringMatching(/TEAMS_MANUAL_RECHECK_INTERVAL.*TEAMS_MANUAL_DEADLINE/) }),
    );
    expect(() => loadConfig({ ...BASE, TEAMS_MANUAL_RECHECK_INTERVAL: '2h', TEAMS_MANUAL_DEADLINE: '1h' })).toThrow(/TEAMS_MANUAL_RECHECK_INTERVAL must not be longer than TEAMS_MANUAL_DEADLINE/);
  });

  it('refuses bad values, naming each setting', () => {
    let message = '';
    try {
      loadConfig({
        ...BASE,
        PARTNER_READY_TIMEOUT: 'a while',
        MESSAGE_DELIVERY_MAX_ATTEMPTS: '0',
        KEY_VAULT_URL: 'http://vault',
        NONCE_PROCESSING_LEASE_SECONDS: '0',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const setting of ['PARTNER_READY_TIMEOUT', 'MESSAGE_DELIVERY_MAX_ATTEMPTS', 'KEY_VAULT_URL', 'NONCE_PROCESSING_LEASE_SECONDS']) expect(message).toContain(setting);
    expect(() => loadConfig({ ...BASE, HANDSHAKE_KEY_FILE: '/k.json', KEY_VAULT_URL: 'https://contoso.vault.azure.net' })).toThrow(/must not both be set/);
  });

  it('a deployment without a signing key or public URL says which setting is missing, on first use', async () => {
    const deployment = createHandshakeDeployment(BASE);
    await expect(deployment.keyStore.getDeploymentKey()).rejects.toMatchObject({ code: 'config.invalid', message: expect.stringContaining('HANDSHAKE_KEY_FILE') });
    expect(() => deployment.publicBaseUrl()).toThrow(/PUBLIC_BASE_URL/);
    expect(createHandshakeDeployment({ ...BASE, PUBLIC_BASE_URL: 'https://contoso.example/' }).publicBaseUrl()).toBe('https://contoso.example');
    expect(() => createHandshakeDeployment({ ...BASE, HANDSHAKE_PRETRUST_RULES: 'nonsense' })).toThrow(/HANDSHAKE_PRETRUST_RULES/);
  });
});

describe('offboarding settings', () => {
  it('default to the named constants and are read from app settings', () => {
    const defaults = loadConfig(BASE);
    expect(defaults.offboardMessageLifetimeSeconds).toBe(30 * 86_400);
    expect(defaults.tenantWriterLeaseSeconds).toBe(DEFAULTS.tenantWriterLeaseSeconds);
    expect(defaults.offboardWriterPollIntervalMs).toBe(DEFAULTS.offboardWriterPollIntervalMs);
    const set = loadConfig({ ...BASE, OFFBOARD_MESSAGE_LIFETIME: '7d', TENANT_WRITER_LEASE_SECONDS: '90', OFFBOARD_WRITER_POLL_INTERVAL_MS: '500' });
    expect([set.offboardMessageLifetimeSeconds, set.tenantWriterLeaseSeconds, set.offboardWriterPollIntervalMs]).toEqual([7 * 86_400, 90, 500]);
  });

  it('refuses an offboard message a partner would not accept (over 30 days) and bad numbers, naming each setting', () => {
    expect(() => loadConfig({ ...BASE, OFFBOARD_MESSAGE_LIFETIME: '31d' })).toThrow(/OFFBOARD_MESSAGE_LIFETIME must not be longer than 30d/);
    expect(() => loadConfig({ ...BASE, OFFBOARD_MESSAGE_LIFETIME: 'forever' })).toThrow(/OFFBOARD_MESSAGE_LIFETIME must be a duration/);
    expect(() => loadConfig({ ...BASE, TENANT_WRITER_LEASE_SECONDS: '1' })).toThrow(/TENANT_WRITER_LEASE_SECONDS must be an integer from 5/);
    expect(() => loadConfig({ ...BASE, OFFBOARD_WRITER_POLL_INTERVAL_MS: 'soon' })).toThrow(/OFFBOARD_WRITER_POLL_INTERVAL_MS must be an integer/);
  });
});

describe('partnership data helpers', () => {
  it('builds the partner message endpoint from a deployment URL', () => {
    expect(messagesUrl('https://handshake.woodgrove.cn')).toBe('https://handshake.woodgrove.cn/api/handshake/messages');
    expect(messagesUrl('https://handshake.woodgrove.cn/')).toBe('https://handshake.woodgrove.cn/api/handshake/messages');
    expect(messagesUrl('https://handshake.woodgrove.cn/api/')).toBe('https://handshake.woodgrove.cn/api/handshake/messages');
  });

  it('merges data, outbox entries included', () => {
    const stored = { jti: 'j'.repeat(20), exp: 1, jws: 'a.b.c', url: 'https://x/api/handshake/messages' };
    const record = { data: { pairingCode: 'AAAA-BBBB', outbox: { invitation: stored } } };
    expect(withHandshakeData(record, { outbox: { ready: { ...stored, jti: 'r'.repeat(20) } } })).toEqual({
      pairingCode: 'AAAA-BBBB',
      outbox: { invitation: stored, ready: { ...stored, jti: 'r'.repeat(20) } },
    });
  });
});
