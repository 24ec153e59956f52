// The simulator's resources added from the Graph documentation (Microsoft 365 capabilities on
// partners, team members), invitation e-mails, named meeting policies and the GCC environment:
// raw HTTPS calls with real tokens; every response checked against the described shapes.
import type { RunningSimulator } from '../../infra/local/simulator';
import { appOf, call, READONLY_APP, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

jest.setTimeout(60_000);

describe('simulator: collaboration resources', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.control.reset();
  });

  const contoso = () => tenantNamed(sim, 'Contoso');
  const fabrikamId = () => tenantNamed(sim, 'Fabrikam').id;
  const graph = (path: string) => `${contoso().graphBaseUrl}/v1.0${path}`;
  const capability = (type: string, isAllowed = true) => ({
    '@odata.type': `#microsoft.graph.${type}`,
    inboundAccess: { isAllowed, resourceScopes: { included: [{ resourceId: 'All', resourceType: 'user' }], excluded: [] } },
  });

  describe('Microsoft 365 capabilities of a partner', () => {
    it('creates one capability per type, named after it; a second is a 409; PATCH and DELETE by name', async () => {
      const token = await tokenFor(contoso(), appOf(sim, contoso()));
      const partners = graph('/policies/crossTenantAccessPolicy/partners');
      const capabilities = `${partners}/${fabrikamId()}/m365Capabilities`;
      expect((await call(capabilities, { method: 'POST', token, body: capability('crossTenantMailTipsLimited') })).status).toBe(404);
      expect((await call(partners, { method: 'POST', token, body: { tenantId: fabrikamId() } })).status).toBe(201);
      const created = await call(capabilities, { method: 'POST', token, body: capability('crossTenantMailTipsLimited') });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ '@odata.type': '#microsoft.graph.crossTenantMailTipsLimited', name: 'crossTenantMailTipsLimited', inboundAccess: { isAllowed: true } });
      expect((await call(capabilities, { method: 'POST', token, body: capability('crossTenantMailTipsLimited') })).status).toBe(409);
      expect((await call(capabilities, { method: 'POST', token, body: capability('crossTenantTeleport') })).body.error.message).toMatch(/not a Microsoft 365 capability type/);
      expect((await call(capabilities, { method: 'POST', token, body: { inboundAccess: { isAllowed: true } } })).body.error.message).toMatch(/@odata.type property is required/);
      expect((await call(`${capabilities}/crossTenantMailTipsLimited`, { method: 'PATCH', token, body: { inboundAccess: { isAllowed: false } } })).status).toBe(204);
      const listed = await call(capabilities, { token });
      expect(listed.body.value).toEqual([expect.objectContaining({ name: 'crossTenantMailTipsLimited', inboundAccess: { isAllowed: false, resourceScopes: { included: [], excluded: [] } } })]);
      expect((await call(`${capabilities}/crossTenantMailTipsLimited`, { method: 'DELETE', token })).status).toBe(204);
      expect((await call(`${capabilities}/crossTenantMailTipsLimited`, { token })).status).toBe(404);
      // Deleting the partner entry takes its capabilities with it.
      await call(capabilities, { method: 'POST', token, body: capability('crossTenantOpenProfileCard') });
      expect((await call(`${partners}/${fabrikamId()}`, { method: 'DELETE', token })).status).toBe(204);
      expect((await sim.control.state(contoso().id)).partners).toEqual([]);
      expect(await sim.control.violations()).toEqual([]);
    });

    it('writing needs Policy.ReadWrite.CrossTenantCapability; reading Policy.Read.All is enough', async () => {
      await sim.control.admin(contoso().id, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: fabrikamId() } });
      const readonly = await tokenFor(contoso(), appOf(sim, contoso(), READONLY_APP));
      const capabilities = graph(`/policies/crossTenantAccessPolicy/partners/${fabrikamId()}/m365Capabilities`);
      expect((await call(capabilities, { token: readonly })).status).toBe(200);
      const denied = await call(capabilities, { method: 'POST', token: readonly, body: capability('crossTenantMailTipsAll') });
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('Authorization_RequestDenied');
    });

    it('exist in the global Graph service only: a GCC tenant has them on graph.microsoft.com, a GCC High tenant does not', async () => {
      const northwind = tenantNamed(sim, 'Northwind GCC');
      expect(northwind.graphBaseUrl.endsWith('/graph.microsoft.com')).toBe(true);
      const token = await tokenFor(northwind, appOf(sim, northwind));
      const partners = `${northwind.graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy/partners`;
      expect((await call(partners, { method: 'POST', token, body: { tenantId: contoso().id } })).status).toBe(201);
      expect((await call(`${partners}/${contoso().id}/m365Capabilities`, { method: 'POST', token, body: capability('crossTenantCalendarAvailabilityBasic') })).status).toBe(201);

      const tailspin = tenantNamed(sim, 'Tailspin Gov');
      const govToken = await tokenFor(tailspin, appOf(sim, tailspin));
      const gov = await call(`${tailspin.graphBaseUrl}/v1.0/policies/crossTenantAccessPolicy/partners/${contoso().id}/m365Capabilities`, { token: govToken });
      expect(gov.status).toBe(400);
      expect(gov.body.error.message).toMatch(/global Graph service only/);
    });
  });

  describe('team members', () => {
    const TEAM = '5f0e6c1a-3b7d-4e2a-9c4f-8a1b2c3d4e5f';

    it('lists members with their roles, adds a guest as a member, refuses a guest as owner and a second add', async () => {
      const token = await tokenFor(contoso(), appOf(sim, contoso()));
      const invited = await call(graph('/invitations'), {
        method: 'POST',
        token,
        body: { invitedUserEmailAddress: 'alex.wilber@fabrikam.com', inviteRedirectUrl: 'https://myapplications.microsoft.com', sendInvitationMessage: true, invitedUserMessageInfo: { customizedMessageBody: 'Hello' } },
      });
      expect(invited.status).toBe(201);
      const guestId = invited.body.invitedUser.id;
      const members = graph(`/teams/${TEAM}/members`);
      const bind = { 'user@odata.bind': `${contoso().graphBaseUrl}/v1.0/users('${guestId}')`, '@odata.type': '#microsoft.graph.aadUserConversationMember' };
      const owner = await call(members, { method: 'POST', token, body: { ...bind, roles: ['owner'] } });
      expect(owner.status).toBe(400);
      expect(owner.body.error.message).toMatch(/guest cannot be given the role of owner/);
      const added = await call(members, { method: 'POST', token, body: { ...bind, roles: [] } });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ userId: guestId, roles: ['guest'] });
      expect((await call(members, { method: 'POST', token, body: { ...bind, roles: [] } })).status).toBe(409);
      const listed = await call(members, { token });
      expect(listed.body.value.map((member: { userId: string }) => member.userId)).toContain(guestId);
      expect((await call(`${members}/${added.body.id}`, { method: 'DELETE', token })).status).toBe(204);
      expect((await call(`${graph('/teams/d305f7e8-07c2-4e28-8541-20774ac76e7f/members')}`, { token })).status).toBe(404);
      // The invitation e-mail, with its redeem link and message.
      expect((await sim.control.state(contoso().id)).invitationMessages).toEqual([
        expect.objectContaining({ to: 'alex.wilber@fabrikam.com', customizedMessageBody: 'Hello', inviteRedeemUrl: invited.body.inviteRedeemUrl }),
      ]);
      expect(await sim.control.violations()).toEqual([]);
    });
  });

  describe('meeting policies other than Global', () => {
    it('are read and replaced by name; an app cannot create one', async () => {
      const token = await tokenFor(contoso(), appOf(sim, contoso()), contoso().teamsScope);
      const url = `${contoso().teamsAdminBaseUrl}/Skype.Policy/configurations/TeamsMeetingPolicy/configuration/${encodeURIComponent('Tag:Partners')}`;
      const policy = { Identity: 'Tag:Partners', AllowAnonymousUsersToJoinMeeting: true, AutoAdmittedUsers: 'EveryoneInCompany' };
      expect((await call(url, { token })).status).toBe(404);
      expect((await call(url, { method: 'PUT', token, body: policy })).status).toBe(404);
      await sim.control.admin(contoso().id, { service: 'teams', method: 'PUT', path: '/Skype.Policy/configurations/TeamsMeetingPolicy/configuration/Tag:Partners', body: { ...policy, AllowAnonymousUsersToJoinMeeting: false } });
      expect((await call(url, { token })).body).toMatchObject({ Identity: 'Tag:Partners', AllowAnonymousUsersToJoinMeeting: false });
      expect((await call(url, { method: 'PUT', token, body: policy })).status).toBe(200);
      const other = `${contoso().teamsAdminBaseUrl}/Skype.Policy/configurations/TenantFederationSettings/configuration/${encodeURIComponent('Tag:Partners')}`;
      expect((await call(other, { token })).status).toBe(404);
    });

    it('ACS interop cannot be enabled in GCC', async () => {
      const northwind = tenantNamed(sim, 'Northwind GCC');
      const token = await tokenFor(northwind, appOf(sim, northwind), northwind.teamsScope);
      const url = `${northwind.teamsAdminBaseUrl}/Skype.Policy/configurations/TeamsAcsFederationConfiguration/configuration/Global`;
      const refused = await call(url, { method: 'PUT', token, body: { Identity: 'Global', EnableAcsUsers: true, AllowedAcsResources: [] } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/not available for GCC, GCC High and DoD/);
    });
  });
});
