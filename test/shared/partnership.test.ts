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
    [{ ...minimal, b2bCollaboration: { inbound: { users: { groupIds: [] } } } }, 'b2bCollaboration.inbound.users.groupIds'],
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

describe('mirrorForPartner', () => {
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
