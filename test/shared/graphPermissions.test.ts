// The deployment's granted Graph application permissions, read from its own token as the simulator
// issues it (the `roles` claim): what guest deletion is checked against before anything is written.
import type { RunningSimulator } from '../../infra/local/simulator';
import { grantedApplicationPermissions } from '../../shared/graph';
import { assertCanDeleteGuests } from '../../shared/offboarding';
import { appOf, credentialFor, startTestSimulator, tenantNamed } from '../support/simulator';
import { adaptersFor } from '../support/tenant';

jest.setTimeout(60_000);

describe('grantedApplicationPermissions against the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('reads the permissions granted to the app, and guest deletion is refused exactly when the tenant would refuse it', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const product = await grantedApplicationPermissions(credentialFor(contoso, appOf(sim, contoso)), contoso.graphScope);
    expect(product).toEqual(expect.arrayContaining(['Policy.ReadWrite.CrossTenantAccess', 'User.Invite.All', 'User.Read.All']));
    expect(product).not.toContain('User.ReadWrite.All');
    expect(() => assertCanDeleteGuests(product)).toThrow(expect.objectContaining({ code: 'tenant.permission-denied' }));

    const admin = await grantedApplicationPermissions(credentialFor(contoso, appOf(sim, contoso, 'directory-admin')), contoso.graphScope);
    expect(admin).toContain('User.ReadWrite.All');
    expect(() => assertCanDeleteGuests(admin)).not.toThrow();

    // The tenant agrees: the product app may not delete a user, the directory admin app may.
    const victim = (await sim.control.state(contoso.id)).users.find((user) => user.userPrincipalName === 'lee.gu@contoso.com')!;
    await expect(adaptersFor(sim, 'Contoso').graph.request('DELETE', `/users/${victim.id}`)).rejects.toMatchObject({ code: 'tenant.permission-denied' });
    await adaptersFor(sim, 'Contoso', { appName: 'directory-admin' }).graph.request('DELETE', `/users/${victim.id}`);
    expect((await sim.control.state(contoso.id)).users.some((user) => user.id === victim.id)).toBe(false);
  });

  it('a credential that cannot get a token is an authentication failure, not "no permission"', async () => {
    const contoso = tenantNamed(sim, 'Contoso');
    const app = { ...appOf(sim, contoso), clientSecret: 'wrong-secret' };
    await expect(grantedApplicationPermissions(credentialFor(contoso, app), contoso.graphScope)).rejects.toMatchObject({ code: 'tenant.authentication-failed' });
  });
});
