// Which partner domains are used: declared by the partner AND verified — by Graph's tenant lookup
// (same cloud, Global; here the simulator over real HTTPS) or by an admin of this side.
import type { RunningSimulator } from '../../infra/local/simulator';
import {
  canResolvePartnerDomains,
  EMPTY_DOMAIN_TRUST,
  partnerDomainView,
  resolvePartnerDomains,
  verifiedPartnerDomains,
} from '../../shared/partnerDomains';
import { startTestSimulator, tenantNamed } from '../support/simulator';
import { adaptersFor } from '../support/tenant';

jest.setTimeout(60_000);

describe('partner domains', () => {
  it('uses a declared domain only when Graph resolved it or an admin accepted it', () => {
    const trust = { ...EMPTY_DOMAIN_TRUST, declared: ['fabrikam.com', 'contoso.com', 'evil.example'], resolved: ['fabrikam.com'], accepted: ['Evil.example'.toLowerCase(), 'later.example'] };
    expect(verifiedPartnerDomains(trust)).toEqual(['fabrikam.com', 'evil.example']);
    expect(partnerDomainView(trust)).toEqual([
      { domain: 'fabrikam.com', status: 'verified', source: 'graph', declared: true },
      { domain: 'contoso.com', status: 'unverified', declared: true },
      { domain: 'evil.example', status: 'verified', source: 'admin', declared: true },
      // Accepted before the partner declared it: shown, not used.
      { domain: 'later.example', status: 'unverified', declared: false },
    ]);
    expect(verifiedPartnerDomains({ ...EMPTY_DOMAIN_TRUST, declared: ['a.example'] })).toEqual([]);
  });

  it('is looked up in Graph only within the Global cloud (the lookup is Global-only and cannot see another cloud)', () => {
    expect(canResolvePartnerDomains('Global', 'Global')).toBe(true);
    expect(canResolvePartnerDomains('Global', 'China')).toBe(false);
    expect(canResolvePartnerDomains('China', 'Global')).toBe(false);
    expect(canResolvePartnerDomains('GCCHigh', 'DoD')).toBe(false);
    expect(canResolvePartnerDomains('GCCHigh', 'Global')).toBe(false);
  });

  describe('against the simulator', () => {
    let sim: RunningSimulator;
    beforeAll(async () => {
      sim = await startTestSimulator();
    });
    afterAll(async () => {
      await sim?.stop();
    });

    it("resolves the partner's own domains, not another tenant's, not unknown ones, and at most `limit` lookups", async () => {
      const contoso = adaptersFor(sim, 'Contoso');
      const fabrikam = tenantNamed(sim, 'Fabrikam').id;
      const declared = ['fabrikam.com', 'FABRIKAM.onmicrosoft.com', 'contoso.com', 'nobody.example'];
      expect(await resolvePartnerDomains(declared, fabrikam, contoso.graph, 50)).toEqual(['fabrikam.com', 'fabrikam.onmicrosoft.com']);
      expect(await resolvePartnerDomains(declared, fabrikam, contoso.graph, 1)).toEqual(['fabrikam.com']);
      expect(await resolvePartnerDomains(declared, fabrikam, contoso.graph, 0)).toEqual([]);
    });
  });
});
