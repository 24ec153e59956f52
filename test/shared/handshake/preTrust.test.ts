import { findPreTrustRule, parsePreTrustRules } from '../../../shared/handshake';
import { TENANT_A, TENANT_B } from './fixtures';

const THUMB_1 = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
const THUMB_2 = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

describe('pre-trust rules', () => {
  it('reads nothing from an empty setting', () => {
    expect(parsePreTrustRules(undefined)).toEqual([]);
    expect(parsePreTrustRules('  ')).toEqual([]);
  });

  it('reads the JSON form, lower-casing tenant ids', () => {
    const rules = parsePreTrustRules(JSON.stringify([{ tenantId: TENANT_A.toUpperCase(), keyThumbprint: THUMB_1, note: 'Contoso' }]));
    expect(rules).toEqual([{ tenantId: TENANT_A, keyThumbprint: THUMB_1, note: 'Contoso' }]);
  });

  it('reads the compact form and drops exact duplicates', () => {
    const rules = parsePreTrustRules(`${TENANT_A}=${THUMB_1}; ${TENANT_B}=${THUMB_2}\n${TENANT_A}=${THUMB_1}`);
    expect(rules).toEqual([
      { tenantId: TENANT_A, keyThumbprint: THUMB_1 },
      { tenantId: TENANT_B, keyThumbprint: THUMB_2 },
    ]);
  });

  it('finds a rule only for the same tenant AND the same key', () => {
    const rules = parsePreTrustRules(`${TENANT_A}=${THUMB_1}`);
    expect(findPreTrustRule(rules, { tenantId: TENANT_A.toUpperCase(), keyThumbprint: THUMB_1 })).toEqual(rules[0]);
    expect(findPreTrustRule(rules, { tenantId: TENANT_A, keyThumbprint: THUMB_2 })).toBeUndefined();
    expect(findPreTrustRule(rules, { tenantId: TENANT_B, keyThumbprint: THUMB_1 })).toBeUndefined();
  });

  it.each([
    ['not JSON', '[{', /not valid JSON/],
    ['not an array', '{"tenantId": "x"}', /must be a JSON array of rules/],
    ['bad tenant id', `[{"tenantId": "contoso.com", "keyThumbprint": "${THUMB_1}"}]`, /rule 1: tenantId "contoso.com" is not a tenant ID/],
    ['bad thumbprint', `[{"tenantId": "${TENANT_A}", "keyThumbprint": "abc"}]`, /rule 1: keyThumbprint must be/],
    ['missing field', `[{"tenantId": "${TENANT_A}"}]`, /rule 1: keyThumbprint/],
    ['unknown field', `[{"tenantId": "${TENANT_A}", "keyThumbprint": "${THUMB_1}", "thumbprint": "x"}]`, /rule 1 has unknown field\(s\) thumbprint/],
    ['rule not an object', '[42]', /rule 1 must be an object/],
    ['compact without =', `${TENANT_A}=${THUMB_1}; ${TENANT_B}`, /rule 2 .* must be <tenantId>=<keyThumbprint>/],
    ['second rule bad', `${TENANT_A}=${THUMB_1}; ${TENANT_B}=short`, /rule 2: keyThumbprint/],
  ])('refuses %s with a clear config error', (_name, value, message) => {
    expect(() => parsePreTrustRules(value)).toThrow(expect.objectContaining({ code: 'config.invalid', message: expect.stringMatching(message) }));
  });
});
