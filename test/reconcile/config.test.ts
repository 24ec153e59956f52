// The reconcile settings added to shared/config: defaults, overrides and refusals.
import { DEFAULTS, loadConfig } from '../../shared/config';

const BASE = {
  TENANT_ID: '14763f8a-fb9a-451a-9f75-c33963a5b05a',
  TENANT_CLOUD: 'Global',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
};

describe('reconcile settings', () => {
  it('default to the named constants', () => {
    const config = loadConfig(BASE);
    expect(config.reconcileDebounceMs).toBe(DEFAULTS.reconcileDebounceMs);
    expect(config.reconcileClaimLeaseSeconds).toBe(DEFAULTS.reconcileClaimLeaseSeconds);
    expect(config.subscriptionMonitorMaxSleepMinutes).toBe(DEFAULTS.subscriptionMonitorMaxSleepMinutes);
  });

  it('are read from app settings', () => {
    const config = loadConfig({
      ...BASE,
      RECONCILE_DEBOUNCE_MS: '0',
      RECONCILE_CLAIM_LEASE_SECONDS: '30',
      SUBSCRIPTION_MONITOR_MAX_SLEEP_MINUTES: '2',
    });
    expect(config).toMatchObject({ reconcileDebounceMs: 0, reconcileClaimLeaseSeconds: 30, subscriptionMonitorMaxSleepMinutes: 2 });
  });

  it('refuses values out of range, naming each setting', () => {
    expect(() =>
      loadConfig({ ...BASE, RECONCILE_DEBOUNCE_MS: '-1', RECONCILE_CLAIM_LEASE_SECONDS: 'soon', SUBSCRIPTION_MONITOR_MAX_SLEEP_MINUTES: '0' }),
    ).toThrow(/RECONCILE_DEBOUNCE_MS must be an integer.*RECONCILE_CLAIM_LEASE_SECONDS must be an integer.*SUBSCRIPTION_MONITOR_MAX_SLEEP_MINUTES must be an integer/);
  });
});
