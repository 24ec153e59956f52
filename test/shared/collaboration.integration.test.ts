// The settings beyond the partner entry, read → plan → apply → remove against the simulator over
// real HTTPS: Microsoft 365 capabilities and their trust, guests added to teams and told by
// e-mail, external access to every domain and its block list, anonymous join in a named meeting
// policy, and the coexistence-mode warning. Removal undoes exactly what a partnership added.
import type { RunningSimulator } from '../../infra/local/simulator';
import { ownershipAfter, type OwnedItem } from '../../shared/ownership';
import { parseDesiredCollaboration, type DesiredCollaborationInput } from '../../shared/partnership';
import { applyPlan, plan, readTenantState, removePlan, type PartnershipTarget } from '../../shared/plan';
import { startTestSimulator, tenantNamed } from '../support/simulator';
import { adaptersFor, type SimTenantAdapters } from '../support/tenant';

jest.setTimeout(120_000);

const JOINT_PROJECT_TEAM = '5f0e6c1a-3b7d-4e2a-9c4f-8a1b2c3d4e5f';

describe('collaboration settings against the simulator', () => {
  let sim: RunningSimulator;
  let fabrikamId: string;

  beforeAll(async () => {
    sim = await startTestSimulator();
    fabrikamId = tenantNamed(sim, 'Fabrikam').id;
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.control.reset();
  });

  const target = (partnershipId: string, fields: Partial<DesiredCollaborationInput>): PartnershipTarget => ({
    partnershipId,
    partnerDomains: ['fabrikam.com'],
    desired: parseDesiredCollaboration({
      partnerTenantId: fabrikamId,
      partnerCloud: 'Global',
      partnerDeploymentUrl: 'https://handshake.fabrikam.com',
      b2bCollaboration: { inbound: { users: 'all' } },
      ...fields,
    }),
  });

  /** Onboards the targets, then checks a second plan is empty; returns each partnership's ownership. */
  async function onboard(adapters: SimTenantAdapters, targets: PartnershipTarget[]): Promise<Record<string, OwnedItem[]>> {
    const localCloud = adapters.cloud;
    const first = plan(targets, await readTenantState(adapters, targets, { localCloud }), { localCloud });
    const result = await applyPlan(adapters, first);
    const again = plan(targets, await readTenantState(adapters, targets, { localCloud }), { localCloud });
    expect(again.operations.map((operation) => operation.id)).toEqual([]);
    return Object.fromEntries(targets.map((t) => [t.partnershipId, ownershipAfter([], t.partnershipId, result)]));
  }

  async function remove(adapters: SimTenantAdapters, partnership: PartnershipTarget, owned: OwnedItem[], others: PartnershipTarget[] = []) {
    const localCloud = adapters.cloud;
    const actual = await readTenantState(adapters, [], { localCloud, ownership: owned });
    const removal = removePlan(partnership, owned, others, actual, { localCloud });
    await applyPlan(adapters, removal);
    return removal;
  }

  it('authorises free/busy and MailTips for a partner, over the Microsoft 365 collaboration trust, and removes only what it added', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    // Before the product, an admin had authorised the profile card and, blocked, free/busy for Fabrikam.
    await sim.control.admin(contoso.tenant.id, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: fabrikamId } });
    for (const [type, isAllowed] of [['crossTenantOpenProfileCard', true], ['crossTenantCalendarAvailabilityBasic', false]] as const) {
      const created = await sim.control.admin(contoso.tenant.id, {
        method: 'POST',
        path: `/policies/crossTenantAccessPolicy/partners/${fabrikamId}/m365Capabilities`,
        body: { '@odata.type': `#microsoft.graph.${type}`, inboundAccess: { isAllowed, resourceScopes: { included: [{ resourceId: 'All', resourceType: 'user' }], excluded: [] } } },
      });
      expect(created.status).toBe(201);
    }
    const partnership = target('p-m365', { m365Capabilities: { inbound: { calendarAvailability: 'basic', mailTips: 'all' } } });
    const owned = await onboard(contoso, [partnership]);

    const state = await sim.control.state(contoso.tenant.id);
    const partner = state.partners.find((entry) => entry.tenantId === fabrikamId)!;
    expect(partner.m365CollaborationInbound).toEqual({ users: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] } });
    expect(Object.fromEntries(partner.m365Capabilities.map((c) => [c.name, (c.inboundAccess as { isAllowed: boolean }).isAllowed]))).toEqual({
      crossTenantOpenProfileCard: true,
      crossTenantCalendarAvailabilityBasic: true,
      crossTenantMailTipsAll: true,
    });
    expect(owned['p-m365'].filter((item) => item.kind === 'm365Capability').map((item) => (item as { name: string }).name).sort()).toEqual([
      'crossTenantCalendarAvailabilityBasic',
      'crossTenantMailTipsAll',
    ]);

    await remove(contoso, partnership, owned['p-m365']);
    const after = (await sim.control.state(contoso.tenant.id)).partners.find((entry) => entry.tenantId === fabrikamId)!;
    // The admin's partner entry and profile card stay; free/busy is blocked again as the admin had it; MailTips is gone.
    expect(Object.fromEntries(after.m365Capabilities.map((c) => [c.name, (c.inboundAccess as { isAllowed: boolean }).isAllowed]))).toEqual({
      crossTenantOpenProfileCard: true,
      crossTenantCalendarAvailabilityBasic: false,
    });
    expect(after.m365CollaborationInbound ?? null).toBeNull();
    expect((await sim.control.violations()).length).toBe(0);
  });

  it('finds a capability an admin removed as drift and writes it back, leaving the others alone', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const partnership = target('p-drift', { m365Capabilities: { inbound: { calendarAvailability: 'basic', mailTips: 'limited' } } });
    await onboard(contoso, [partnership]);
    await sim.control.admin(contoso.tenant.id, { method: 'DELETE', path: `/policies/crossTenantAccessPolicy/partners/${fabrikamId}/m365Capabilities/crossTenantMailTipsLimited` });
    const drift = plan([partnership], await readTenantState(contoso, [partnership], { localCloud: 'Global' }), { localCloud: 'Global' });
    expect(drift.operations.map((operation) => operation.id)).toEqual([`m365Capability.create:${fabrikamId}:crossTenantMailTipsLimited`]);
    await applyPlan(contoso, drift);
    const partner = (await sim.control.state(contoso.tenant.id)).partners.find((entry) => entry.tenantId === fabrikamId)!;
    expect(partner.m365Capabilities.map((c) => c.name).sort()).toEqual(['crossTenantCalendarAvailabilityBasic', 'crossTenantMailTipsLimited']);
  });

  it('a GCC tenant authorises Microsoft 365 capabilities through the global Graph service', async () => {
    const northwind = adaptersFor(sim, 'Northwind GCC');
    expect(northwind.cloud).toBe('GCC');
    const partnership: PartnershipTarget = {
      partnershipId: 'p-gcc',
      desired: parseDesiredCollaboration({
        partnerTenantId: tenantNamed(sim, 'Contoso').id,
        partnerCloud: 'Global',
        partnerDeploymentUrl: 'https://handshake.contoso.com',
        m365Capabilities: { inbound: { calendarAvailability: 'limitedDetails', calendarSharing: 'freeBusySimple', places: ['rooms'] } },
      }),
    };
    await onboard(northwind, [partnership]);
    const partner = (await sim.control.state(northwind.tenant.id)).partners[0];
    expect(partner.m365Capabilities.map((c) => c.name).sort()).toEqual([
      'crossTenantCalendarAvailabilityLimitedDetails',
      'crossTenantCalendarSharingFreeBusySimple',
      'crossTenantPlacesRoomBooking',
    ]);
    // Calendar sharing is granted to groups ("All" of them).
    expect(partner.m365Capabilities.find((c) => c.name === 'crossTenantCalendarSharingFreeBusySimple')!.inboundAccess).toMatchObject({
      resourceScopes: { included: [{ resourceId: 'All', resourceType: 'group' }] },
    });
  });

  it('invites a guest with an e-mail, adds it to a team, and removes the membership (not the guest) with the partnership', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const partnership = target('p-guests', {
      guests: [{ upn: 'alex.wilber@fabrikam.com', teams: [{ teamId: JOINT_PROJECT_TEAM, role: 'member' }] }],
      guestInvitation: { message: 'Welcome to the joint project' },
    });
    const owned = await onboard(contoso, [partnership]);
    const state = await sim.control.state(contoso.tenant.id);
    const guest = state.users.find((user) => user.mail === 'alex.wilber@fabrikam.com')!;
    expect(state.invitationMessages).toEqual([
      expect.objectContaining({
        to: 'alex.wilber@fabrikam.com',
        customizedMessageBody: 'Welcome to the joint project',
        inviteRedirectUrl: 'https://myapplications.microsoft.com',
        inviteRedeemUrl: expect.stringContaining('/redeem?'),
        invitedUserId: guest.id,
      }),
    ]);
    expect(state.groups.find((group) => group.id === JOINT_PROJECT_TEAM)!.members).toContain(guest.id);
    expect(owned['p-guests']).toContainEqual({ kind: 'teamMember', teamId: JOINT_PROJECT_TEAM, upn: 'alex.wilber@fabrikam.com', userId: guest.id });

    const removal = await remove(contoso, partnership, owned['p-guests']);
    expect(removal.operations.map((operation) => operation.kind)).toContain('teamMember.remove');
    const after = await sim.control.state(contoso.tenant.id);
    expect(after.groups.find((group) => group.id === JOINT_PROJECT_TEAM)!.members).not.toContain(guest.id);
    expect(after.users.some((user) => user.id === guest.id)).toBe(true);
  });

  it('warns about a team that does not exist instead of failing', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const partnership = target('p-no-team', { guests: [{ upn: 'alex.wilber@fabrikam.com', teams: [{ teamId: '00000000-0000-4000-8000-000000000001' }] }] });
    const planned = plan([partnership], await readTenantState(contoso, [partnership], { localCloud: 'Global' }), { localCloud: 'Global' });
    expect(planned.warnings.map((warning) => warning.code)).toContain('guests.team-missing');
    expect(planned.operations.map((operation) => operation.kind)).not.toContain('teamMember.add');
  });

  it('opens external access to every domain with a block list, and restores the admin\'s list on removal', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    await sim.control.admin(contoso.tenant.id, {
      service: 'teams',
      method: 'PUT',
      path: '/Skype.Policy/configurations/TenantFederationSettings/configuration/Global',
      body: { Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: ['adatum.com'], BlockedDomains: ['old-spam.example'], AllowTeamsConsumer: false },
    });
    const partnership = target('p-open', { teams: { federation: true, externalAccess: { allowedDomains: 'all', blockedDomains: ['spam.example', 'old-spam.example'] } } });
    const owned = await onboard(contoso, [partnership]);
    expect((await sim.control.state(contoso.tenant.id)).teams.TenantFederationSettings).toMatchObject({
      AllowFederatedUsers: true,
      AllowedDomains: [],
      BlockedDomains: ['old-spam.example', 'spam.example'],
    });
    await remove(contoso, partnership, owned['p-open']);
    expect((await sim.control.state(contoso.tenant.id)).teams.TenantFederationSettings).toMatchObject({
      AllowFederatedUsers: true,
      AllowedDomains: ['adatum.com'],
      BlockedDomains: ['old-spam.example'],
    });
  });

  it('turns anonymous join on in a named meeting policy, warns about a missing one, and restores it on removal', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const policy = { Identity: 'Tag:Partner meetings', AllowAnonymousUsersToJoinMeeting: false, AutoAdmittedUsers: 'Everyone' };
    const created = await sim.control.admin(contoso.tenant.id, {
      service: 'teams',
      method: 'PUT',
      path: `/Skype.Policy/configurations/TeamsMeetingPolicy/configuration/${encodeURIComponent('Tag:Partner meetings')}`,
      body: policy,
    });
    expect(created.status).toBe(200);
    const partnership = target('p-policy', { teams: { anonymousJoin: true, meetingPolicies: ['Partner meetings', 'No such policy'] } });
    const planned = plan([partnership], await readTenantState(contoso, [partnership], { localCloud: 'Global' }), { localCloud: 'Global' });
    expect(planned.warnings).toContainEqual(expect.objectContaining({ code: 'teams.meeting-policy-missing', message: expect.stringContaining('No such policy') }));
    const result = await applyPlan(contoso, planned);
    const state = await sim.control.state(contoso.tenant.id);
    expect(state.meetingPolicies).toEqual([{ ...policy, AllowAnonymousUsersToJoinMeeting: true, AutoAdmittedUsers: 'EveryoneInSameAndFederatedCompany' }]);
    // The Global policy is not among those named: only the tenant-wide switch is needed.
    expect(planned.operations.map((operation) => operation.id)).not.toContain('teams.update:TeamsMeetingPolicy');
    await remove(contoso, partnership, ownershipAfter([], 'p-policy', result));
    expect((await sim.control.state(contoso.tenant.id)).meetingPolicies).toEqual([policy]);
  });

  it('warns, naming the setting, when the coexistence mode is not TeamsOnly — and never changes it', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    await sim.control.admin(contoso.tenant.id, {
      service: 'teams',
      method: 'PUT',
      path: '/Skype.Policy/configurations/TeamsUpgradeConfiguration/configuration/Global',
      body: { Identity: 'Global', Mode: 'Islands' },
    });
    const partnership = target('p-coexistence', { teams: { federation: true } });
    const planned = plan([partnership], await readTenantState(contoso, [partnership], { localCloud: 'Global' }), { localCloud: 'Global' });
    const warning = planned.warnings.find((candidate) => candidate.code === 'teams.coexistence-mode');
    expect(warning?.message).toMatch(/coexistence mode \(TeamsUpgradePolicy.*\) is Islands, not TeamsOnly/);
    await applyPlan(contoso, planned);
    expect((await sim.control.state(contoso.tenant.id)).teams.TeamsUpgradeConfiguration).toMatchObject({ Mode: 'Islands' });
  });

  it('targets named users and applications, allowed or blocked', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const partnership = target('p-targets', {
      b2bCollaboration: {
        inbound: { users: { userIds: ['fa67181e-3599-4b42-891a-828ae35db2a5'], groupIds: ['de2ec2bc-c090-4eed-8474-4d1a769632eb'] }, applications: { applicationIds: ['Office365'] } },
        outbound: { users: { groupIds: ['d305f7e8-07c2-4e28-8541-20774ac76e7f'], access: 'blocked' } },
      },
    });
    await onboard(contoso, [partnership]);
    const partner = (await sim.control.state(contoso.tenant.id)).partners.find((entry) => entry.tenantId === fabrikamId)!;
    expect(partner.b2bCollaborationInbound).toEqual({
      usersAndGroups: {
        accessType: 'allowed',
        targets: [
          { target: 'fa67181e-3599-4b42-891a-828ae35db2a5', targetType: 'user' },
          { target: 'de2ec2bc-c090-4eed-8474-4d1a769632eb', targetType: 'group' },
        ],
      },
      applications: { accessType: 'allowed', targets: [{ target: 'Office365', targetType: 'application' }] },
    });
    expect(partner.b2bCollaborationOutbound).toMatchObject({
      usersAndGroups: { accessType: 'blocked', targets: [{ target: 'd305f7e8-07c2-4e28-8541-20774ac76e7f', targetType: 'group' }] },
    });
  });

  it('keeps what another partnership still needs when one is removed (hand-over)', async () => {
    const contoso = adaptersFor(sim, 'Contoso');
    const first = target('p-first', { m365Capabilities: { inbound: { calendarAvailability: 'basic' } } });
    const second = target('p-second', { m365Capabilities: { inbound: { calendarAvailability: 'basic' } } });
    const owned = await onboard(contoso, [first, second]);
    const removal = await remove(contoso, first, owned['p-first'], [second]);
    expect(removal.handOvers.map((handOver) => handOver.item.kind)).toContain('m365Capability');
    const partner = (await sim.control.state(contoso.tenant.id)).partners.find((entry) => entry.tenantId === fabrikamId)!;
    expect(partner.m365Capabilities.map((c) => c.name)).toEqual(['crossTenantCalendarAvailabilityBasic']);
  });
});

describe('the simulator refuses what Microsoft refuses', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('ACS interop in a GCC tenant, Microsoft 365 capabilities outside the global service', async () => {
    const northwind = adaptersFor(sim, 'Northwind GCC');
    await expect(
      northwind.teams.apply({
        configurationType: 'TeamsAcsFederationConfiguration',
        set: { EnableAcsUsers: true },
        addToLists: {},
        removeFromLists: {},
        upsertPartners: [],
        removePartners: [],
      }),
    ).rejects.toMatchObject({ code: 'tenant.bad-request', message: expect.stringContaining('GCC') });
    const woodgrove = adaptersFor(sim, 'Woodgrove China');
    await expect(woodgrove.graph.request('GET', `/policies/crossTenantAccessPolicy/partners/${tenantNamed(sim, 'Contoso').id}/m365Capabilities`)).rejects.toMatchObject({
      status: 400,
    });
  });
});
