// A partner's messages are signed by the partner: they prove what the partner claims, not that the
// domains it declares are its own. Declared domains are written to Teams federation only when
// verified — Graph resolves them to the partner (same cloud) or the admin vouched for them (in the
// request, or later through the API) — and the others are listed as unverified, never written.
import { CROSS_CLOUD_DOMAINS, expectRefused, SAME_CLOUD_DOMAINS, untrustedDomainsAttack, useSecurityLab } from '../support/attacks';
import { api } from '../support/stack';

jest.setTimeout(240_000);

describe('untrusted partner domains', () => {
  const lab = useSecurityLab();
  const crossCloud = untrustedDomainsAttack(CROSS_CLOUD_DOMAINS);
  const sameCloud = untrustedDomainsAttack(SAME_CLOUD_DOMAINS);
  afterAll(async () => {
    await crossCloud.stop();
    await sameCloud.stop();
  });

  it('across clouds: only the domains the admin vouched for are written', async () => {
    expectRefused(await lab().attempt(crossCloud.attack), crossCloud.attack);
  });

  it('within Global: only the domains that resolve to the partner tenant are written', async () => {
    expectRefused(await lab().attempt(sameCloud.attack), sameCloud.attack);
    const details = (await api(lab().contoso, 'GET', `/api/partnerships/${sameCloud.partnershipId()}`)).body;
    expect(details.partnerDomains).toEqual([
      { domain: 'fabrikam.com', status: 'verified', source: 'graph', declared: true },
      { domain: 'contoso.com', status: 'unverified', declared: true },
      { domain: 'woodgrove.cn', status: 'unverified', declared: true },
    ]);
  });

  it("an admin can accept a declared domain later; a bad body is refused and changes nothing", async () => {
    const id = crossCloud.partnershipId();
    const before = (await api(lab().contoso, 'GET', `/api/partnerships/${id}`)).body;
    const bad = await api(lab().contoso, 'POST', `/api/partnerships/${id}/partner-domains`, { body: { accept: ['not a domain'] } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'request.invalid', issues: [{ field: 'accept.0' }] } });
    expect((await api(lab().contoso, 'GET', `/api/partnerships/${id}`)).body.updatedAt).toBe(before.updatedAt);

    const accepted = await api(lab().contoso, 'POST', `/api/partnerships/${id}/partner-domains`, { body: { accept: ['fabrikam.com'] } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.partnerDomains).toContainEqual({ domain: 'fabrikam.com', status: 'verified', source: 'admin', declared: true });
    // The next reconcile run writes it (here: now, enforced).
    const reconciled = await api(lab().contoso, 'POST', `/api/partnerships/${id}/reconcile?mode=enforce`);
    expect(reconciled.status).toBeLessThan(300);
    const federation = (await lab().stack.simulator.control.state(lab().contoso.tenantId)).teams.TenantFederationSettings;
    expect(federation.AllowedDomains).toEqual(expect.arrayContaining(['woodgrove.cn', 'fabrikam.com']));
    expect(federation.AllowedDomains).not.toContain('contoso.com');
  });
});
