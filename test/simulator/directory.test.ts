import type { Client } from '@microsoft/microsoft-graph-client';
import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { appOf, call, DIRECTORY_ADMIN_APP, graphClientFor, READONLY_APP, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

describe('simulator: users, groups, organization', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantView;
  let graph: Client;

  beforeAll(async () => {
    sim = await startTestSimulator();
    contoso = tenantNamed(sim, 'Contoso');
    graph = graphClientFor(sim, contoso, { app: appOf(sim, contoso, DIRECTORY_ADMIN_APP) });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim?.stop());

  describe('users', () => {
    it('lists with the default property set, $select, $filter and $top paging', async () => {
      const all = await graph.api('/users').get();
      expect(all.value).toHaveLength(contoso.users.length);
      expect(Object.keys(all.value[0]).sort()).toEqual(
        ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
      );
      const adele = contoso.users.find((user) => user.displayName === 'Adele Vance')!;
      const filtered = await graph.api('/users').filter(`userPrincipalName eq '${adele.userPrincipalName.toUpperCase()}'`).select(['id', 'userType']).get();
      expect(filtered.value).toEqual([{ id: adele.id, userType: 'Member' }]);
      const page = await graph.api('/users').top(2).get();
      expect(page.value).toHaveLength(2);
      const rest = await graph.api(page['@odata.nextLink']).get();
      expect(rest.value.length).toBeGreaterThan(0);
    });

    it('needs ConsistencyLevel: eventual for advanced queries', async () => {
      await expect(graph.api('/users').filter("endswith(mail,'@contoso.com')").get()).rejects.toMatchObject({ statusCode: 400, code: 'Request_UnsupportedQuery' });
      const found = await graph.api('/users').header('ConsistencyLevel', 'eventual').filter("endswith(mail,'@contoso.com')").count(true).get();
      expect(found['@odata.count']).toBe(contoso.users.length);
      const searched = await graph.api('/users').header('ConsistencyLevel', 'eventual').search('"displayName:adel"').get();
      expect(searched.value.map((u: { displayName: string }) => u.displayName)).toEqual(['Adele Vance']);
    });

    it('refuses unknown properties and options with a 400 naming them', async () => {
      await expect(graph.api('/users').select('favouriteColour').get()).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('favouriteColour') });
      await expect(graph.api('/users').filter("shoeSize eq 'x'").get()).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('shoeSize') });
      await expect(graph.api('/users').filter("displayName eq 'unterminated").get()).rejects.toMatchObject({ statusCode: 400 });
      await expect(graph.api('/users').query({ $bogus: '1' }).get()).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('$bogus') });
      await expect(graph.api('/users').top(1000).get()).rejects.toMatchObject({ statusCode: 400 });
    });

    it('gets by id or UPN, 404 when absent', async () => {
      const adele = contoso.users.find((user) => user.displayName === 'Adele Vance')!;
      expect((await graph.api(`/users/${adele.id}`).get()).displayName).toBe('Adele Vance');
      expect((await graph.api(`/users/${adele.userPrincipalName}`).get()).id).toBe(adele.id);
      await expect(graph.api('/users/00000000-0000-0000-0000-000000000000').get()).rejects.toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    });

    it('creates (verified domain, unique UPN), updates and deletes', async () => {
      const body = { accountEnabled: true, displayName: 'Pat Doe', mailNickname: 'pat', userPrincipalName: 'pat@contoso.com', passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' } };
      const createdUser = await graph.api('/users').post(body);
      expect(createdUser).toMatchObject({ displayName: 'Pat Doe', userPrincipalName: 'pat@contoso.com', id: expect.any(String) });
      expect(createdUser.passwordProfile).toBeUndefined();
      await expect(graph.api('/users').post(body)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/already exists/) });
      await expect(graph.api('/users').post({ ...body, userPrincipalName: 'pat@example.org' })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/verified domain/) });
      await expect(graph.api('/users').post({ displayName: 'No UPN' })).rejects.toMatchObject({ statusCode: 400 });
      await graph.api(`/users/${createdUser.id}`).patch({ jobTitle: 'Tester' });
      expect((await graph.api(`/users/${createdUser.id}`).select('jobTitle').get()).jobTitle).toBe('Tester');
      await graph.api(`/users/${createdUser.id}`).delete();
      await expect(graph.api(`/users/${createdUser.id}`).get()).rejects.toMatchObject({ statusCode: 404 });
    });

    it('delta: everything first, then only what changed (deleted as @removed)', async () => {
      let round = await graph.api('/users/delta').get();
      const seen = [...round.value];
      while (round['@odata.nextLink']) {
        round = await graph.api(round['@odata.nextLink']).get();
        seen.push(...round.value);
      }
      expect(seen).toHaveLength(contoso.users.length);
      const deltaLink = round['@odata.deltaLink'];
      expect(deltaLink).toContain('$deltatoken=');
      const lee = contoso.users.find((user) => user.displayName === 'Lee Gu')!;
      const megan = contoso.users.find((user) => user.displayName === 'Megan Bowen')!;
      await graph.api(`/users/${lee.id}`).patch({ jobTitle: 'Principal Engineer' });
      await graph.api(`/users/${megan.id}`).delete();
      const changes = await graph.api(deltaLink).get();
      expect(changes.value).toEqual([
        expect.objectContaining({ id: lee.id, jobTitle: 'Principal Engineer' }),
        { id: megan.id, '@removed': { reason: 'changed' } },
      ]);
      const none = await graph.api(changes['@odata.deltaLink']).get();
      expect(none.value).toEqual([]);
    });

    it('403 for a write without User.ReadWrite.All', async () => {
      const readonly = graphClientFor(sim, contoso, { app: appOf(sim, contoso, READONLY_APP) });
      await expect(readonly.api('/users').post({ displayName: 'x', accountEnabled: true, mailNickname: 'x', userPrincipalName: 'x@contoso.com', passwordProfile: { password: 'p@ssw0rd!' } })).rejects.toMatchObject({ statusCode: 403 });
    });
  });

  describe('groups and members', () => {
    const groupNamed = (name: string) => contoso.groups.find((group) => group.displayName === name)!;

    it('lists members (as users with @odata.type) and adds/removes them with $ref', async () => {
      const group = groupNamed('Engineering');
      const members = await graph.api(`/groups/${group.id}/members`).get();
      expect(members.value.map((m: { id: string }) => m.id)).toEqual(group.members);
      expect(members.value[0]['@odata.type']).toBe('#microsoft.graph.user');
      const adele = contoso.users.find((user) => user.displayName === 'Adele Vance')!;
      await graph.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${adele.id}` });
      await expect(graph.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${adele.id}` })).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/already exist/),
      });
      await expect(graph.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-0000-0000-000000000001' })).rejects.toMatchObject({
        statusCode: 404,
      });
      expect((await sim.control.state(contoso.id)).groups.find((g) => g.id === group.id)!.members).toEqual([...group.members, adele.id]);
      await graph.api(`/groups/${group.id}/members/${adele.id}/$ref`).delete();
      await expect(graph.api(`/groups/${group.id}/members/${adele.id}/$ref`).delete()).rejects.toMatchObject({ statusCode: 404 });
      const refs = await graph.api(`/groups/${group.id}/members/$ref`).get();
      expect(refs.value).toHaveLength(group.members.length);
    });

    it('creates a group with members@odata.bind (at most 20, all or none)', async () => {
      const ids = contoso.users.slice(0, 2).map((user) => user.id);
      const group = await graph.api('/groups').post({
        displayName: 'Partners Pilot',
        mailEnabled: false,
        mailNickname: 'partnerspilot',
        securityEnabled: true,
        'members@odata.bind': ids.map((id) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`),
      });
      const members = await graph.api(`/groups/${group.id}/members`).get();
      expect(members.value.map((m: { id: string }) => m.id)).toEqual(ids);
      const tooMany = Array.from({ length: 21 }, (_, i) => `https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
      await expect(graph.api(`/groups/${group.id}`).patch({ 'members@odata.bind': tooMany })).rejects.toMatchObject({ statusCode: 400 });
      const withUnknown = [`https://graph.microsoft.com/v1.0/directoryObjects/${contoso.users[3].id}`, 'https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-0000-0000-00000000abcd'];
      await expect(graph.api(`/groups/${group.id}`).patch({ 'members@odata.bind': withUnknown })).rejects.toMatchObject({ statusCode: 404 });
      expect((await graph.api(`/groups/${group.id}/members`).get()).value).toHaveLength(2);
    });

    it('group delta reports membership changes as members@delta', async () => {
      let round = await graph.api('/groups/delta').get();
      while (round['@odata.nextLink']) round = await graph.api(round['@odata.nextLink']).get();
      const group = groupNamed('Engineering');
      const adele = contoso.users.find((user) => user.displayName === 'Adele Vance')!;
      await sim.control.admin(contoso.id, { method: 'POST', path: `/groups/${group.id}/members/$ref`, body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${adele.id}` } });
      await sim.control.admin(contoso.id, { method: 'DELETE', path: `/groups/${group.id}/members/${group.members[0]}/$ref` });
      const changes = await graph.api(round['@odata.deltaLink']).get();
      expect(changes.value).toHaveLength(1);
      expect(changes.value[0]).toMatchObject({
        id: group.id,
        'members@delta': [
          { '@odata.type': '#microsoft.graph.user', id: adele.id },
          { '@odata.type': '#microsoft.graph.user', id: group.members[0], '@removed': { reason: 'deleted' } },
        ],
      });
    });
  });

  describe('organization and tenant information', () => {
    it('returns the own organization with its verified domains', async () => {
      const list = await graph.api('/organization').get();
      expect(list.value).toHaveLength(1);
      expect(list.value[0]).toMatchObject({ id: contoso.id, displayName: 'Contoso' });
      expect(list.value[0].verifiedDomains.map((d: { name: string }) => d.name)).toEqual(contoso.domains);
      await expect(graph.api(`/organization/${tenantNamed(sim, 'Fabrikam').id}`).get()).rejects.toMatchObject({ statusCode: 404 });
    });

    it('findTenantInformationByTenantId finds same-cloud tenants only, and only in Global', async () => {
      const fabrikam = tenantNamed(sim, 'Fabrikam');
      const china = tenantNamed(sim, 'Woodgrove China');
      const product = graphClientFor(sim, contoso);
      const info = await product.api(`/tenantRelationships/findTenantInformationByTenantId(tenantId='${fabrikam.id}')`).get();
      expect(info).toMatchObject({ tenantId: fabrikam.id, displayName: 'Fabrikam', defaultDomainName: 'fabrikam.onmicrosoft.com' });
      await expect(product.api(`/tenantRelationships/findTenantInformationByTenantId(tenantId='${china.id}')`).get()).rejects.toMatchObject({ statusCode: 404 });
      const chinaGraph = graphClientFor(sim, china);
      await expect(chinaGraph.api(`/tenantRelationships/findTenantInformationByTenantId(tenantId='${fabrikam.id}')`).get()).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/Global cloud only/),
      });
    });
  });

  it('produced no response that breaks the OpenAPI description', async () => {
    const token = await tokenFor(contoso, appOf(sim, contoso));
    await call(`${contoso.graphBaseUrl}/v1.0/users?$select=id,identities,userType,createdDateTime`, { token });
    expect(await sim.control.violations()).toEqual([]);
  });
});

describe('simulator: invitations', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantView;
  let fabrikam: SimTenantView;
  let china: SimTenantView;
  let gov: SimTenantView;

  beforeAll(async () => {
    sim = await startTestSimulator();
    contoso = tenantNamed(sim, 'Contoso');
    fabrikam = tenantNamed(sim, 'Fabrikam');
    china = tenantNamed(sim, 'Woodgrove China');
    gov = tenantNamed(sim, 'Tailspin Gov');
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim?.stop());

  const invite = (client: Client, address: string) =>
    client.api('/invitations').post({ invitedUserEmailAddress: address, inviteRedirectUrl: 'https://myapps.microsoft.com', sendInvitationMessage: false });

  it('creates a #EXT# guest for a same-cloud user, and returns the same guest when invited again', async () => {
    const alex = fabrikam.users.find((user) => user.displayName === 'Alex Wilber')!;
    const graph = graphClientFor(sim, contoso);
    const first = await invite(graph, alex.userPrincipalName);
    expect(first).toMatchObject({ invitedUserEmailAddress: alex.userPrincipalName, status: 'PendingAcceptance', invitedUserType: 'Guest', invitedUser: { id: expect.any(String) } });
    const guest = await graph.api(`/users/${first.invitedUser.id}`).select(['userPrincipalName', 'userType', 'externalUserState', 'mail']).get();
    expect(guest).toMatchObject({ userPrincipalName: 'alex.wilber_fabrikam.com#EXT#@contoso.onmicrosoft.com', userType: 'Guest', externalUserState: 'PendingAcceptance', mail: alex.userPrincipalName });
    const again = await invite(graph, alex.userPrincipalName);
    expect(again.invitedUser.id).toBe(first.invitedUser.id);
    // Redeeming the invitation accepts it.
    const redeemed = await call(first.inviteRedeemUrl);
    expect(redeemed.status).toBe(200);
    expect((await graph.api(`/users/${first.invitedUser.id}`).select('externalUserState').get()).externalUserState).toBe('Accepted');
  });

  it('refuses an invitee that exists nowhere, or is blocked by cross-tenant access settings', async () => {
    const graph = graphClientFor(sim, contoso);
    await expect(invite(graph, 'nobody@nowhere.example')).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/not found in any organization/) });
    const alex = fabrikam.users.find((user) => user.displayName === 'Alex Wilber')!;
    await sim.control.admin(fabrikam.id, {
      method: 'POST',
      path: '/policies/crossTenantAccessPolicy/partners',
      body: { tenantId: contoso.id, b2bCollaborationOutbound: { usersAndGroups: { accessType: 'blocked', targets: [{ target: 'AllUsers', targetType: 'user' }] } } },
    });
    await expect(invite(graph, alex.userPrincipalName)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/blocked by cross-tenant access settings/) });
    expect((await sim.control.state(contoso.id)).users.filter((user) => user.userType === 'Guest')).toEqual([]);
  });

  it('across clouds, needs both clouds enabled and both partners, and the UPN', async () => {
    const liWei = china.users.find((user) => user.displayName === 'Li Wei')!;
    const graph = graphClientFor(sim, contoso);
    await expect(invite(graph, liWei.userPrincipalName)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/has not enabled the China cloud/) });
    await sim.control.admin(contoso.id, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['partner.microsoftonline.cn'] } });
    await sim.control.admin(contoso.id, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: china.id } });
    await expect(invite(graph, liWei.userPrincipalName)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/organization has not enabled the Global cloud/) });
    await sim.control.admin(china.id, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['microsoftonline.com'] } });
    await sim.control.admin(china.id, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: contoso.id } });
    const invitation = await invite(graph, liWei.userPrincipalName);
    expect(invitation.invitedUser.id).toEqual(expect.any(String));
  });

  it('never between USGov and China', async () => {
    const liWei = china.users.find((user) => user.displayName === 'Li Wei')!;
    await expect(invite(graphClientFor(sim, gov), liWei.userPrincipalName)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/not supported/) });
  });

  it('needs User.Invite.All', async () => {
    const alex = fabrikam.users.find((user) => user.displayName === 'Alex Wilber')!;
    const readonly = graphClientFor(sim, contoso, { app: appOf(sim, contoso, READONLY_APP) });
    await expect(invite(readonly, alex.userPrincipalName)).rejects.toMatchObject({ statusCode: 403, code: 'Authorization_RequestDenied' });
  });

  it('produced no response that breaks the OpenAPI description', async () => {
    expect(await sim.control.violations()).toEqual([]);
  });
});
