import {
  canTransition,
  driftStatusAfterRun,
  mirrorForPartner,
  parseDesiredCollaboration,
  parsePartnershipRequest,
  PARTNERSHIP_STATUSES,
  TERMINAL_STATUSES,
  toDesiredCollaboration,
  transition,
  TRANSITIONS,
  invitationLifetimeSeconds,
} from '../../shared/partnership';
import { DomainError } from '../../shared/errors';

const PARTNER = '9b1c6e0e-1b5a-4f8e-9a7e-2a7b3c4d5e6f';
const minimal = {
  partnerTenantId: PARTNER,
  partnerCloud: 'China',
  partnerDeploymentUrl: 'https://handshake.woodgrove.cn',
};

function refusal(input: unknown): DomainError {
  try {
    parsePartnershipRequest(input);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('partnership request schema', () => {
  it('accepts a minimal request and fills the defaults', () => {
    const request = parsePartnershipRequest(minimal);
    expect(request).toMatchObject({
      partnerTenantId: PARTNER,
      b2bCollaboration: {},
      teams: { federation: false, guestAccess: false, anonymousJoin: false },
      guests: [],
      partnerGuests: [],
      invitationLifetime: '72h',
    });
  });

  it('normalises GUIDs and UPNs to lower case', () => {
    const request = parsePartnershipRequest({ ...minimal, partnerTenantId: PARTNER.toUpperCase(), guests: ['Alice@Woodgrove.CN'] });
    expect(request.partnerTenantId).toBe(PARTNER);
    expect(request.guests).toEqual(['alice@woodgrove.cn']);
  });

  it('accepts a full request', () => {
    const request = parsePartnershipRequest({
      ...minimal,
      displayName: 'Woodgrove 21V',
      b2bCollaboration: {
        inbound: { users: { groupIds: ['11111111-1111-1111-1111-111111111111'] }, applications: 'office365' },
        outbound: { users: 'all' },
      },
      teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: false }, guestAccess: true, anonymousJoin: true },
      guests: ['bob@woodgrove.cn'],
      crossTenantSync: { direction: 'outbound', scopingGroupIds: ['22222222-2222-2222-2222-222222222222'] },
      invitationLifetime: '30m',
    });
    expect(request.b2bCollaboration.outbound).toEqual({ users: 'all', applications: 'all' });
    expect(invitationLifetimeSeconds(request)).toBe(1800);
  });

  it('refuses unknown fields, naming each one', () => {
    const error = refusal({ ...minimal, colour: 'blue', teams: { federation: true, chat: true } });
    expect(error.code).toBe('request.invalid');
    expect(error.message).toContain('colour: is not a known field');
    expect(error.message).toContain('teams.chat: is not a known field');
  });

  it.each([
    [{ ...minimal, partnerTenantId: 'contoso' }, 'partnerTenantId'],
    [{ ...minimal, partnerCloud: 'Mars' }, 'partnerCloud'],
    [{ ...minimal, partnerDeploymentUrl: 'http://insecure.example' }, 'partnerDeploymentUrl'],
    [{ ...minimal, guests: ['not a upn'] }, 'guests.0'],
    [{ ...minimal, invitationLifetime: '3 weeks' }, 'invitationLifetime'],
    [{ ...minimal, invitationLifetime: '1s' }, 'invitationLifetime'],
    [{ ...minimal, invitationLifetime: '400d' }, 'invitationLifetime'],
    [{ ...minimal, b2bCollaboration: { inbound: { users: 'some' } } }, 'b2bCollaboration.inbound.users'],
    [{ ...minimal, b2bCollaboration: { inbound: { users: { groupIds: [] } } } }, 'b2bCollaboration.inbound.users'],
    [{ ...minimal, b2bCollaboration: { inbound: { users: 'all', applications: { applicationIds: ['x'] } } } }, 'b2bCollaboration.inbound.applications'],
    [{ ...minimal, teams: { meetingPolicies: ['Partners'] } }, 'teams.meetingPolicies'],
    [{ ...minimal, teams: { externalAccess: { allowedDomains: 'all' } } }, 'teams.externalAccess'],
    [{ ...minimal, teams: { federation: true, externalAccess: { blockedDomains: ['not a domain'] } } }, 'teams.externalAccess.blockedDomains.0'],
    [{ ...minimal, guests: [{ upn: 'bob@woodgrove.cn', teams: [{ teamId: 'x' }] }] }, 'guests.0.teams.0.teamId'],
    [{ ...minimal, guestInvitation: { redirectUrls: { Global: 'http://insecure.example' } } }, 'guestInvitation.redirectUrls.Global'],
    [{ ...minimal, m365Capabilities: { inbound: {} } }, 'm365Capabilities.inbound'],
    [{ ...minimal, m365Capabilities: { inbound: { calendarAvailability: 'everything' } } }, 'm365Capabilities.inbound.calendarAvailability'],
    [{ ...minimal, teams: { acsInterop: { resourceIds: ['x'] } } }, 'teams.acsInterop.resourceIds.0'],
    [{ ...minimal, crossTenantSync: { direction: 'sideways' } }, 'crossTenantSync.direction'],
    [{ partnerCloud: 'Global', partnerDeploymentUrl: 'https://x.example' }, 'partnerTenantId'],
    [{ ...minimal, partnerDomain: 'woodgrove.cn' }, 'partnerDomain'],
  ])('refuses a bad value and names the field (%#)', (input, field) => {
    const error = refusal(input);
    expect(error.code).toBe('request.invalid');
    expect(error.status).toBe(400);
    const fields = (error.details.issues as { field: string }[]).map((issue) => issue.field);
    expect(fields).toContain(field);
    expect(error.message).toContain(`${field}:`);
  });

  it('names a missing partner tenant together with the other bad fields (every problem at once)', () => {
    const error = refusal({ partnerCloud: 'Mars', partnerDeploymentUrl: 'https://x.example' });
    expect((error.details.issues as { field: string }[]).map((issue) => issue.field).sort()).toEqual(['partnerCloud', 'partnerTenantId']);
    expect(refusal([]).details.issues).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });

  it('accepts a partner named by domain, and needs a tenant id before planning', () => {
    const { partnerTenantId: _ignored, ...rest } = minimal;
    const request = parsePartnershipRequest({ ...rest, partnerCloud: 'Global', partnerDomain: 'Fabrikam.com' });
    expect(request.partnerDomain).toBe('fabrikam.com');
    expect(() => toDesiredCollaboration(request)).toThrow(/resolve the partner domain/);
    expect(toDesiredCollaboration(request, PARTNER).partnerTenantId).toBe(PARTNER);
  });

  it('refuses a domain where the desired collaboration needs a tenant id', () => {
    expect(() => parseDesiredCollaboration({ ...minimal, partnerDomain: 'x.com' })).toThrow(/partnerDomain: is not a known field/);
  });
});

describe('the request schema of environments and the new settings', () => {
  it('accepts the earlier cloud names and names the environment', () => {
    expect(parsePartnershipRequest({ ...minimal, partnerCloud: 'USGov' }).partnerCloud).toBe('GCCHigh');
    expect(parsePartnershipRequest({ ...minimal, partnerCloud: 'USGovDoD' }).partnerCloud).toBe('DoD');
    expect(parsePartnershipRequest({ ...minimal, partnerCloud: 'GCC' }).partnerCloud).toBe('GCC');
  });

  it('reads targeting, guests with teams, invitations, external access, meeting policies and Microsoft 365 capabilities', () => {
    const request = parsePartnershipRequest({
      ...minimal,
      b2bCollaboration: {
        inbound: { users: { userIds: ['11111111-1111-1111-1111-111111111111'], access: 'blocked' }, applications: { applicationIds: ['Office365'] } },
      },
      teams: { federation: true, anonymousJoin: true, meetingPolicies: ['Global', 'Partner meetings'], externalAccess: { allowedDomains: 'all', blockedDomains: ['Spam.example'] } },
      guests: ['bob@woodgrove.cn', { upn: 'Li.Wei@woodgrove.cn', teams: [{ teamId: '5F0E6C1A-3B7D-4E2A-9C4F-8A1B2C3D4E5F' }] }],
      guestInvitation: { message: 'Welcome to the joint project', redirectUrls: { China: 'https://portal.woodgrove.cn' } },
      m365Capabilities: { inbound: { calendarAvailability: 'basic', mailTips: 'all' } },
    });
    expect(request.b2bCollaboration.inbound).toEqual({
      users: { userIds: ['11111111-1111-1111-1111-111111111111'], access: 'blocked' },
      applications: { applicationIds: ['Office365'], access: 'allowed' },
    });
    expect(request.teams.meetingPolicies).toEqual(['Global', 'Tag:Partner meetings']);
    expect(request.teams.externalAccess).toEqual({ allowedDomains: 'all', blockedDomains: ['spam.example'] });
    expect(request.guests[1]).toEqual({ upn: 'li.wei@woodgrove.cn', teams: [{ teamId: '5f0e6c1a-3b7d-4e2a-9c4f-8a1b2c3d4e5f', role: 'member' }] });
    expect(request.guestInvitation).toEqual({ sendInvitationMessage: true, message: 'Welcome to the joint project', redirectUrls: { China: 'https://portal.woodgrove.cn' } });
    expect(request.m365Capabilities?.inbound).toEqual({ calendarAvailability: 'basic', mailTips: 'all', scope: 'all' });
  });
});

describe('mirrorForPartner', () => {
  it('keeps this tenant\'s own Teams settings (ACS, meeting policies, external access) and swaps Microsoft 365 capabilities', () => {
    const desired = parseDesiredCollaboration({
      ...minimal,
      teams: {
        federation: true,
        anonymousJoin: true,
        meetingPolicies: ['Partners'],
        externalAccess: { allowedDomains: 'all', blockedDomains: ['spam.example'] },
        acsInterop: { resourceIds: ['33333333-3333-3333-3333-333333333333'] },
      },
      guestInvitation: { sendInvitationMessage: false },
      m365Capabilities: { inbound: { calendarAvailability: 'basic' }, outbound: { mailTips: 'limited' } },
    });
    const mirrored = mirrorForPartner(desired, { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', cloud: 'Global', deploymentUrl: 'https://handshake.contoso.com' });
    expect(mirrored.teams).toEqual({ federation: true, guestAccess: false, anonymousJoin: true });
    expect(mirrored.m365Capabilities).toEqual({ inbound: { mailTips: 'limited', scope: 'all' }, outbound: { calendarAvailability: 'basic', scope: 'all' } });
    expect(mirrored.guestInvitation).toEqual({ sendInvitationMessage: false });
  });

  it('swaps directions and guest lists, and names the initiator as the partner', () => {
    const desired = parseDesiredCollaboration({
      ...minimal,
      b2bCollaboration: { inbound: { users: 'all' } },
      teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: false } },
      guests: ['bob@woodgrove.cn'],
      partnerGuests: ['alice@contoso.com'],
      crossTenantSync: { direction: 'outbound' },
    });
    const mirrored = mirrorForPartner(desired, {
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      cloud: 'Global',
      deploymentUrl: 'https://handshake.contoso.com',
    });
    expect(mirrored.partnerTenantId).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(mirrored.partnerCloud).toBe('Global');
    expect(mirrored.b2bCollaboration).toEqual({ outbound: { users: 'all', applications: 'all' } });
    expect(mirrored.teams.crossCloudMeetings).toEqual({ inbound: false, outbound: true });
    expect(mirrored.guests).toEqual(['alice@contoso.com']);
    expect(mirrored.partnerGuests).toEqual(['bob@woodgrove.cn']);
    expect(mirrored.crossTenantSync?.direction).toBe('inbound');
  });
});

describe('partnership state machine', () => {
  it('walks the initiator and responder happy paths', () => {
    let status = transition('Draft', 'ConfiguringLocal');
    status = transition(status, 'AwaitingPartner');
    status = transition(status, 'ConfiguringTeams');
    status = transition(status, 'Verifying');
    expect(transition(status, 'Active')).toBe('Active');
    expect(transition('ConfiguringLocal', 'ConfiguringTeams')).toBe('ConfiguringTeams');
    expect(transition('Active', 'Offboarding')).toBe('Offboarding');
    expect(transition('Offboarding', 'Removed')).toBe('Removed');
  });

  it('allows rejection, expiry and failure while waiting', () => {
    expect(canTransition('AwaitingPartner', 'Rejected')).toBe(true);
    expect(canTransition('AwaitingPartner', 'Expired')).toBe(true);
    expect(canTransition('Failed', 'RolledBack')).toBe(true);
  });

  it('refuses every transition that is not in the table, with a typed error', () => {
    for (const from of PARTNERSHIP_STATUSES) {
      for (const to of PARTNERSHIP_STATUSES) {
        if (TRANSITIONS[from].includes(to)) continue;
        expect(() => transition(from, to)).toThrow(expect.objectContaining({ code: 'partnership.illegal-transition' }));
      }
    }
  });

  it('treats a repeated status as illegal, not as a no-op', () => {
    expect(() => transition('Active', 'Active')).toThrow(/cannot move to Active/);
  });

  it('says a final status is final', () => {
    expect(TERMINAL_STATUSES).toEqual(['Rejected', 'Expired', 'RolledBack', 'Removed']);
    expect(() => transition('Removed', 'Active')).toThrow(/Removed is final/);
  });

  it('refuses an unknown status', () => {
    expect(() => transition('Draft', 'Paused' as never)).toThrow(/Unknown partnership status "Paused"/);
  });
});

describe('drift status', () => {
  it.each([
    [{ driftedItems: 0, repairedItems: 0 }, 'InSync'],
    [{ driftedItems: 3, repairedItems: 0 }, 'Drifted'],
    [{ driftedItems: 3, repairedItems: 2 }, 'Drifted'],
    [{ driftedItems: 3, repairedItems: 3 }, 'Repaired'],
  ])('%j → %s', (run, expected) => {
    expect(driftStatusAfterRun(run)).toBe(expected);
  });
});
