import { mergeOwnership, claimsFor, type OwnedItem } from '../../shared/ownership';
import { plan, removePlan, simulateApply, driftByPartnership, type Plan } from '../../shared/plan';
import type { TenantState } from '../../shared/tenant';
import { desired, freshTenant, target, TENANTS } from '../support/domain';

const options = { localCloud: 'Global' as const };
const kinds = (result: Plan): string[] => result.operations.map((operation) => operation.kind);

const fullCollaboration = {
  b2bCollaboration: { inbound: { users: 'all' as const }, outbound: { users: { groupIds: ['11111111-1111-1111-1111-111111111111'] }, applications: 'office365' as const } },
  teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: true }, guestAccess: true, anonymousJoin: true, acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] } },
  guests: ['bob@woodgrove.cn'],
};

function tenantWithTeamsClosed(): TenantState {
  const tenant = freshTenant();
  tenant.teams.TenantFederationSettings = { ...tenant.teams.TenantFederationSettings!, AllowFederatedUsers: false };
  tenant.teams.TeamsClientConfiguration = { Identity: 'Global', AllowGuestUser: false };
  tenant.teams.TeamsMeetingPolicy = { Identity: 'Global', AllowAnonymousUsersToJoinMeeting: false, AutoAdmittedUsers: 'Everyone' };
  tenant.teams.TeamsMeetingConfiguration = { Identity: 'Global', DisableAnonymousJoin: true };
  return tenant;
}

/** Applies a plan and records its claims, as the orchestration does. */
function applyAndOwn(state: TenantState, result: Plan, ownership: Record<string, OwnedItem[]>): TenantState {
  const after = simulateApply(state, result);
  for (const operation of result.operations) {
    for (const claim of operation.claims) ownership[claim.partnershipId] = mergeOwnership(ownership[claim.partnershipId] ?? [], [claim.item]);
  }
  return after;
}

describe('plan', () => {
  it('configures an empty tenant in dependency order and says what each operation adds', () => {
    const tenant = tenantWithTeamsClosed();
    const result = plan([target('p1', fullCollaboration, ['woodgrove.cn'])], tenant, options);
    expect(kinds(result)).toEqual([
      'cloudEndpoints.update',
      'partner.create',
      'teams.update', // TenantFederationSettings
      'teams.update', // TeamsClientConfiguration
      'teams.update', // TeamsMeetingPolicy
      'teams.update', // TeamsMeetingConfiguration
      'teams.update', // TeamsAcsFederationConfiguration
      'teams.update', // TeamsCrossCloudMeetingConfiguration
      'guest.invite',
    ]);
    const [endpoints, partner] = result.operations;
    expect(endpoints).toMatchObject({ add: ['partner.microsoftonline.cn'], claims: [{ partnershipId: 'p1', item: { kind: 'cloudEndpoint', value: 'partner.microsoftonline.cn' } }] });
    expect(partner).toMatchObject({
      tenantId: TENANTS.woodgrove,
      settings: {
        b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] } },
        b2bCollaborationOutbound: {
          usersAndGroups: { targets: [{ target: '11111111-1111-1111-1111-111111111111', targetType: 'group' }] },
          applications: { targets: [{ target: 'Office365', targetType: 'application' }] },
        },
      },
    });
    const federation = result.operations.find((op) => op.id === 'teams.update:TenantFederationSettings')!;
    expect(federation).toMatchObject({ update: { set: { AllowFederatedUsers: true }, addToLists: { AllowedDomains: ['woodgrove.cn'] } } });
    expect(claimsFor('p1', federation.claims)).toEqual([
      { kind: 'teamsSetting', configurationType: 'TenantFederationSettings', property: 'AllowFederatedUsers', previous: false },
      { kind: 'teamsListEntry', configurationType: 'TenantFederationSettings', property: 'AllowedDomains', value: 'woodgrove.cn' },
    ]);
    const lobby = result.operations.find((op) => op.id === 'teams.update:TeamsMeetingPolicy')!;
    expect(lobby).toMatchObject({ update: { set: { AllowAnonymousUsersToJoinMeeting: true, AutoAdmittedUsers: 'EveryoneInSameAndFederatedCompany' } } });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('yields an empty plan for an already-correct tenant', () => {
    const targets = [target('p1', fullCollaboration, ['woodgrove.cn'])];
    const first = plan(targets, tenantWithTeamsClosed(), options);
    const configured = simulateApply(tenantWithTeamsClosed(), first);
    expect(plan(targets, configured, options).operations).toEqual([]);
  });

  it('takes the union of cloud endpoints, never dropping the admin’s', () => {
    const tenant = freshTenant();
    tenant.allowedCloudEndpoints = ['microsoftonline.us'];
    const result = plan([target('p1')], tenant, options);
    expect(result.operations[0]).toMatchObject({ kind: 'cloudEndpoints.update', add: ['partner.microsoftonline.cn'], remove: [] });
    expect(simulateApply(tenant, result).allowedCloudEndpoints).toEqual(['microsoftonline.us', 'partner.microsoftonline.cn']);
  });

  it('needs no cloud endpoint for a partner in the same environment', () => {
    const result = plan([target('p1', { partnerCloud: 'Global', partnerTenantId: TENANTS.fabrikam })], freshTenant(), options);
    expect(kinds(result)).toEqual(['partner.create']);
    const gov = plan([target('p1', { partnerCloud: 'USGovDoD' })], freshTenant(), { localCloud: 'GCCHigh' });
    expect(kinds(gov)).toEqual(['partner.create']);
  });

  it('PATCHes only the settings that differ on an existing partner, recording what they were', () => {
    const tenant = freshTenant();
    tenant.allowedCloudEndpoints = ['partner.microsoftonline.cn'];
    tenant.partners[TENANTS.woodgrove] = {
      tenantId: TENANTS.woodgrove,
      b2bCollaborationInbound: {
        applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] },
        usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] },
      },
      b2bCollaborationOutbound: null,
      automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: true },
    };
    // The Entra areas (the sync job of an outbound sync comes later, once the partner allows it).
    const entra = { ...target('p1', { b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } }, crossTenantSync: { direction: 'outbound' } }), areas: ['cloudEndpoints', 'partner', 'identitySync'] as const };
    const result = plan([entra], tenant, options);
    expect(result.operations).toHaveLength(1);
    expect(result.operations[0]).toMatchObject({ kind: 'partner.update', settings: { b2bCollaborationOutbound: expect.any(Object) } });
    expect(Object.keys((result.operations[0] as { settings: object }).settings)).toEqual(['b2bCollaborationOutbound']);
    expect(result.operations[0].claims).toEqual([
      { partnershipId: 'p1', item: { kind: 'partnerSetting', tenantId: TENANTS.woodgrove, setting: 'b2bCollaborationOutbound', previous: null } },
    ]);
  });

  it('keeps the other consent flag when it turns one on', () => {
    const tenant = freshTenant();
    tenant.partners[TENANTS.fabrikam] = { tenantId: TENANTS.fabrikam, automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: true } };
    tenant.coverage.identitySyncFor = [TENANTS.fabrikam];
    tenant.identitySync[TENANTS.fabrikam] = null;
    const result = plan([target('p1', { partnerTenantId: TENANTS.fabrikam, partnerCloud: 'Global', crossTenantSync: { direction: 'inbound' } })], tenant, options);
    expect(result.operations.map((op) => op.id)).toEqual([`partner.update:${TENANTS.fabrikam}`, `identitySync.put:${TENANTS.fabrikam}`]);
    expect(result.operations[0]).toMatchObject({ settings: { automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: true } } });
    expect(result.operations[1]).toMatchObject({ settings: { userSyncInbound: { isSyncAllowed: true } } });
  });

  it('does not add domains to open federation (that would restrict it), and never removes admin domains', () => {
    const open = freshTenant(); // AllowFederatedUsers true, AllowedDomains [] = every domain
    expect(plan([target('p1', { teams: { federation: true } }, ['woodgrove.cn'])], open, options).operations.filter((op) => op.kind === 'teams.update')).toEqual([]);

    const closed = freshTenant();
    closed.teams.TenantFederationSettings = { ...closed.teams.TenantFederationSettings!, AllowedDomains: ['adatum.com'] };
    const result = plan([target('p1', { teams: { federation: true } }, ['woodgrove.cn', 'Adatum.com'])], closed, options);
    const federation = result.operations.find((op) => op.kind === 'teams.update')!;
    expect(federation).toMatchObject({ update: { addToLists: { AllowedDomains: ['woodgrove.cn'] }, removeFromLists: {} } });
    expect(simulateApply(closed, result).teams.TenantFederationSettings!.AllowedDomains).toEqual(['adatum.com', 'woodgrove.cn']);
  });

  it('never turns federation on before the partner’s domains are known', () => {
    const result = plan([target('p1', { teams: { federation: true } }, [])], tenantWithTeamsClosed(), options);
    expect(result.operations.some((op) => op.kind === 'teams.update')).toBe(false);
  });

  it('warns when the admin blocked a partner domain and leaves the block alone', () => {
    const tenant = freshTenant();
    tenant.teams.TenantFederationSettings = { ...tenant.teams.TenantFederationSettings!, AllowedDomains: ['adatum.com'], BlockedDomains: ['woodgrove.cn'] };
    const result = plan([target('p1', { teams: { federation: true } }, ['woodgrove.cn'])], tenant, options);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'teams.domain-blocked', partnershipIds: ['p1'] })]);
    const updates = result.operations.flatMap((op) => (op.kind === 'teams.update' ? [op.update] : []));
    expect(JSON.stringify(updates)).not.toContain('BlockedDomains');
    expect(simulateApply(tenant, result).teams.TenantFederationSettings!.BlockedDomains).toEqual(['woodgrove.cn']);
  });

  it('merges many partnerships into one write per resource', () => {
    const targets = ['a', 'b', 'c'].map((id, index) =>
      target(id, { partnerTenantId: `00000000-0000-4000-8000-00000000000${index}`, teams: { federation: true, guestAccess: true } }, [`partner${index}.cn`]),
    );
    const tenant = tenantWithTeamsClosed();
    tenant.teams.TenantFederationSettings = { ...tenant.teams.TenantFederationSettings!, AllowedDomains: ['adatum.com'] };
    const result = plan(targets, tenant, options);
    expect(kinds(result)).toEqual(['cloudEndpoints.update', 'partner.create', 'partner.create', 'partner.create', 'teams.update', 'teams.update']);
    expect(result.operations[0].partnershipIds).toEqual(['a', 'b', 'c']);
    expect(result.operations[4]).toMatchObject({ update: { addToLists: { AllowedDomains: ['partner0.cn', 'partner1.cn', 'partner2.cn'] } } });
    expect(Object.keys(driftByPartnership(result)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('plans only the areas that are due', () => {
    const result = plan([{ ...target('p1', fullCollaboration, ['woodgrove.cn']), areas: ['cloudEndpoints', 'partner'] }], tenantWithTeamsClosed(), options);
    expect(kinds(result)).toEqual(['cloudEndpoints.update', 'partner.create']);
  });

  it('refuses to guess what it did not read', () => {
    const tenant = freshTenant();
    tenant.coverage.teams = [];
    expect(() => plan([target('p1', { teams: { guestAccess: true } })], tenant, options)).toThrow(/does not include the Teams configuration TeamsClientConfiguration/);
    const noGuests = freshTenant();
    noGuests.coverage.guests = false;
    expect(() => plan([target('p1', { guests: ['bob@woodgrove.cn'] })], noGuests, options)).toThrow(/guests/);
  });

  it('invites only guests not yet invited', () => {
    const tenant = freshTenant();
    tenant.guests['bob@woodgrove.cn'] = { id: 'u1', invitedAs: 'bob@woodgrove.cn' };
    const result = plan([target('p1', { guests: ['bob@woodgrove.cn', 'carol@woodgrove.cn'] })], tenant, options);
    expect(result.operations.filter((op) => op.kind === 'guest.invite').map((op) => (op as { upn: string }).upn)).toEqual(['carol@woodgrove.cn']);
  });
});

describe('removePlan', () => {
  function onboard(targets: ReturnType<typeof target>[], start: TenantState): { tenant: TenantState; ownership: Record<string, OwnedItem[]> } {
    const ownership: Record<string, OwnedItem[]> = {};
    let tenant = start;
    for (const one of targets) tenant = applyAndOwn(tenant, plan([one], tenant, options), ownership);
    return { tenant, ownership };
  }

  it('undoes what the partnership added, in dependency order, and nothing else', () => {
    const start = tenantWithTeamsClosed();
    start.allowedCloudEndpoints = ['microsoftonline.us'];
    start.partners[TENANTS.adminsOwn] = { tenantId: TENANTS.adminsOwn };
    start.teams.TenantFederationSettings = { ...start.teams.TenantFederationSettings!, AllowedDomains: ['adatum.com'] };
    start.guests['eve@adatum.com'] = { id: 'admin-guest', invitedAs: 'eve@adatum.com' };
    const p1 = target('p1', { ...fullCollaboration, partnerCloud: 'Global', partnerTenantId: TENANTS.fabrikam, crossTenantSync: { direction: 'inbound' }, teams: { ...fullCollaboration.teams, crossCloudMeetings: undefined } }, ['fabrikam.com']);
    const p1China = { ...p1, desired: { ...p1.desired, partnerCloud: 'China' as const } };
    const { tenant, ownership } = onboard([p1China], start);
    const removal = removePlan(p1China, ownership.p1, [], tenant, { ...options, deleteGuests: true });
    expect(removal.operations.map((op) => op.id)).toEqual([
      'teams.update:TenantFederationSettings',
      'teams.update:TeamsClientConfiguration',
      'teams.update:TeamsMeetingPolicy',
      'teams.update:TeamsMeetingConfiguration',
      'teams.update:TeamsAcsFederationConfiguration',
      `identitySync.delete:${TENANTS.fabrikam}`,
      `partner.delete:${TENANTS.fabrikam}`,
      'cloudEndpoints.update',
      'guest.delete:bob@woodgrove.cn',
    ]);
    const after = simulateApply(tenant, removal);
    expect(after).toEqual({ ...start, coverage: after.coverage, identitySync: after.identitySync });
    const released = [...removal.operations.flatMap((op) => op.releases), ...removal.released].map((claim) => claim.item);
    expect(released).toHaveLength(ownership.p1.length);
  });

  it('keeps a cloud endpoint and shared settings another partnership needs, and hands them over', () => {
    const a = target('a', { partnerTenantId: TENANTS.woodgrove, teams: { guestAccess: true, federation: true } }, ['woodgrove.cn']);
    const b = target('b', { partnerTenantId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', teams: { guestAccess: true, federation: true } }, ['contoso.cn']);
    const { tenant, ownership } = onboard([a, b], tenantWithTeamsClosed());
    const removal = removePlan(a, ownership.a, [b], tenant, options);
    expect(removal.operations.map((op) => op.id)).toEqual(['teams.update:TenantFederationSettings', `partner.delete:${TENANTS.woodgrove}`]);
    expect(removal.operations[0]).toMatchObject({ update: { removeFromLists: { AllowedDomains: ['woodgrove.cn'] }, set: {} } });
    expect(removal.handOvers.map((handOver) => [handOver.item.kind, handOver.toPartnershipId])).toEqual(
      expect.arrayContaining([
        ['cloudEndpoint', 'b'],
        ['teamsSetting', 'b'],
      ]),
    );
    const after = simulateApply(tenant, removal);
    expect(plan([b], after, options).operations).toEqual([]);
    // b can now remove what was handed over to it.
    const bOwnership = mergeOwnership(ownership.b ?? [], removal.handOvers.map((handOver) => handOver.item));
    const final = simulateApply(after, removePlan(b, bOwnership, [], after, options));
    expect(final.allowedCloudEndpoints).toEqual([]);
    expect(final.teams.TeamsClientConfiguration!.AllowGuestUser).toBe(false);
  });

  it('restores the settings it changed on a partner the admin created, and keeps the partner', () => {
    const start = freshTenant();
    start.allowedCloudEndpoints = ['partner.microsoftonline.cn'];
    start.partners[TENANTS.woodgrove] = { tenantId: TENANTS.woodgrove, b2bCollaborationInbound: null };
    const p = target('p', { b2bCollaboration: { inbound: { users: 'all' } } });
    const { tenant, ownership } = onboard([p], start);
    expect(ownership.p).toEqual([{ kind: 'partnerSetting', tenantId: TENANTS.woodgrove, setting: 'b2bCollaborationInbound', previous: null }]);
    const removal = removePlan(p, ownership.p, [], tenant, options);
    expect(removal.operations).toEqual([expect.objectContaining({ kind: 'partner.update', settings: { b2bCollaborationInbound: null } })]);
    expect(simulateApply(tenant, removal)).toEqual(start);
  });

  it('leaves alone what an admin changed after the product set it', () => {
    const p = target('p', { teams: { guestAccess: true } });
    const { tenant, ownership } = onboard([p], tenantWithTeamsClosed());
    tenant.partners[TENANTS.woodgrove] = { tenantId: TENANTS.woodgrove };
    const removal = removePlan(p, [...ownership.p, { kind: 'partnerSetting', tenantId: TENANTS.adminsOwn, setting: 'b2bCollaborationInbound', previous: null }], [], tenant, options);
    expect(removal.operations.some((op) => 'tenantId' in op && op.tenantId === TENANTS.adminsOwn)).toBe(false);
  });

  it('turns federation off rather than opening it when it removes the last allowed domain', () => {
    const start = freshTenant();
    start.teams.TenantFederationSettings = { ...start.teams.TenantFederationSettings!, AllowFederatedUsers: true, AllowedDomains: [] };
    // An admin had closed federation to a list that the product then filled.
    start.teams.TenantFederationSettings.AllowFederatedUsers = false;
    const p = target('p', { teams: { federation: true } }, ['woodgrove.cn']);
    const { tenant, ownership } = onboard([p], start);
    // The admin later turned federation on themselves (the product no longer owns the switch's value).
    tenant.teams.TenantFederationSettings!.AllowFederatedUsers = true;
    const removal = removePlan(p, ownership.p.filter((item) => item.kind !== 'teamsSetting'), [], tenant, options);
    expect(removal.operations[0]).toMatchObject({ update: { set: { AllowFederatedUsers: false }, removeFromLists: { AllowedDomains: ['woodgrove.cn'] } } });
    expect(removal.warnings.map((warning) => warning.code)).toContain('teams.federation-closed');
  });

  it('leaves invited guests in place by default, saying so', () => {
    const p = target('p', { guests: ['bob@woodgrove.cn'] });
    const { tenant, ownership } = onboard([p], freshTenant());
    const removal = removePlan(p, ownership.p, [], tenant, options);
    expect(removal.operations.some((op) => op.kind === 'guest.delete')).toBe(false);
    expect(removal.warnings).toEqual([expect.objectContaining({ code: 'guests.left-in-place', message: expect.stringContaining('bob@woodgrove.cn') })]);
    expect(removal.released.map((claim) => claim.item.kind)).toContain('guest');
  });

  it('leaves alone a partner entry it created that an admin changed since (its identity sync too), and names it', () => {
    const p = target('p', { partnerCloud: 'Global', partnerTenantId: TENANTS.fabrikam, b2bCollaboration: { inbound: { users: 'all' } }, crossTenantSync: { direction: 'inbound' } });
    const { tenant, ownership } = onboard([p], freshTenant());
    expect(ownership.p.map((item) => item.kind)).toEqual(expect.arrayContaining(['partner', 'identitySync']));
    // An admin narrows inbound B2B to one group on the entry the product created.
    tenant.partners[TENANTS.fabrikam].b2bCollaborationInbound = {
      usersAndGroups: { accessType: 'allowed', targets: [{ target: '22222222-2222-2222-2222-222222222222', targetType: 'group' }] },
      applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] },
    };
    const removal = removePlan(p, ownership.p, [], tenant, options);
    // Same cloud: no endpoint either; the entry and its identity sync stay, so nothing is written.
    expect(removal.operations).toEqual([]);
    expect(removal.warnings).toEqual([
      expect.objectContaining({
        code: 'ownership.changed-by-admin',
        message: `Partner organisation ${TENANTS.fabrikam} (its settings) was changed since the product set it; it is left as it is.`,
        items: [{ kind: 'partner', tenantId: TENANTS.fabrikam }],
      }),
    ]);
    // Everything it owned there ends (nothing is left to undo later).
    expect(removal.released.map((claim) => claim.item.kind).sort()).toEqual(['identitySync', 'partner']);
    const after = simulateApply(tenant, removal);
    expect(after.partners[TENANTS.fabrikam]).toEqual(tenant.partners[TENANTS.fabrikam]);
  });

  it('deletes a partner entry it created while its settings are still as the product set them', () => {
    const p = target('p', { partnerCloud: 'Global', partnerTenantId: TENANTS.fabrikam, b2bCollaboration: { inbound: { users: 'all' } } });
    const { tenant, ownership } = onboard([p], freshTenant());
    const removal = removePlan(p, ownership.p, [], tenant, options);
    expect(removal.operations.map((op) => op.kind)).toEqual(['partner.delete']);
    expect(removal.warnings).toEqual([]);
  });

  it('names the items its warnings are about: guests left in place, settings an admin changed', () => {
    const p = target('p', { guests: ['bob@woodgrove.cn', 'carol@woodgrove.cn'], teams: { anonymousJoin: true } });
    const { tenant, ownership } = onboard([p], tenantWithTeamsClosed());
    // The lobby was "Everyone"; the product set a lobby; an admin then chose another one.
    tenant.teams.TeamsMeetingPolicy = { ...tenant.teams.TeamsMeetingPolicy!, AutoAdmittedUsers: 'OrganizerOnly' };
    const removal = removePlan(p, ownership.p, [], tenant, options);
    const byCode = Object.fromEntries(removal.warnings.map((warning) => [warning.code, warning.items]));
    expect(byCode['guests.left-in-place']).toEqual([
      { kind: 'guest', upn: 'bob@woodgrove.cn' },
      { kind: 'guest', upn: 'carol@woodgrove.cn' },
    ]);
    expect(byCode['ownership.changed-by-admin']).toEqual([{ kind: 'teamsSetting', configurationType: 'TeamsMeetingPolicy', property: 'AutoAdmittedUsers', previous: 'Everyone' }]);
    // The admin's lobby stays; the rest of what the partnership turned is undone.
    const after = simulateApply(tenant, removal);
    expect(after.teams.TeamsMeetingPolicy).toMatchObject({ AutoAdmittedUsers: 'OrganizerOnly', AllowAnonymousUsersToJoinMeeting: false });
  });

  it('releases items that are already gone without writing', () => {
    const p = target('p', { guests: ['bob@woodgrove.cn'] });
    const { tenant, ownership } = onboard([p], freshTenant());
    delete tenant.guests['bob@woodgrove.cn'];
    delete tenant.partners[TENANTS.woodgrove];
    tenant.allowedCloudEndpoints = [];
    const removal = removePlan(p, ownership.p, [], tenant, options);
    expect(removal.operations).toEqual([]);
    expect(removal.released.map((claim) => claim.item.kind).sort()).toEqual(['cloudEndpoint', 'guest', 'partner']);
  });
});

describe('desired helpers', () => {
  it('builds valid desired collaborations', () => {
    expect(desired().partnerCloud).toBe('China');
  });
});
