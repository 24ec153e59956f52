// Which received invitations take room under the invitation caps (orchestrations/usecases/invitationLimits):
// a waiting one until it expires, and any one for at least the hold after it arrived — unless an
// administrator answered it.
import { takesRoom } from '../../orchestrations/usecases/invitationLimits';
import type { PartnershipRecord } from '../../shared/tables';
import { desired } from '../support/domain';

const NOW = new Date('2026-06-01T12:00:00Z');
const HOLD = 3_600;
const seconds = (offset: number): number => Math.floor(NOW.getTime() / 1000) + offset;

function received(status: PartnershipRecord['status'], exp: number, receivedAt: Date, role: PartnershipRecord['role'] = 'responder'): PartnershipRecord {
  const collaboration = desired();
  return {
    id: 'p',
    role,
    status,
    driftStatus: null,
    partnerTenantId: collaboration.partnerTenantId,
    partnerCloud: collaboration.partnerCloud,
    desired: collaboration,
    partnerDomains: [],
    ownership: [],
    intents: [],
    lastError: null,
    data: role === 'responder' ? { invitation: { jti: 'j', exp, callbackUrl: 'https://x.example', keyThumbprint: 'k', receivedAt: receivedAt.toISOString() } } : {},
    createdAt: receivedAt.toISOString(),
    updatedAt: receivedAt.toISOString(),
    version: 1,
    etag: '',
  };
}

describe('takesRoom', () => {
  const longAgo = new Date(NOW.getTime() - 2 * HOLD * 1000);
  const justNow = new Date(NOW.getTime() - 10_000);

  it('a waiting invitation takes room until it expires', () => {
    expect(takesRoom(received('Draft', seconds(60), longAgo), NOW, HOLD)).toBe(true);
    expect(takesRoom(received('Draft', seconds(-1), longAgo), NOW, HOLD)).toBe(false);
  });

  it('a short-lived one takes room for the hold after it arrived, even once expired or closed by housekeeping', () => {
    expect(takesRoom(received('Draft', seconds(-5), justNow), NOW, HOLD)).toBe(true);
    expect(takesRoom(received('Expired', seconds(-5), justNow), NOW, HOLD)).toBe(true);
    expect(takesRoom(received('Expired', seconds(-5), longAgo), NOW, HOLD)).toBe(false);
  });

  it('an answered invitation, or one this side sent, takes none', () => {
    expect(takesRoom(received('Rejected', seconds(60), justNow), NOW, HOLD)).toBe(false);
    expect(takesRoom(received('ConfiguringLocal', seconds(60), justNow), NOW, HOLD)).toBe(false);
    expect(takesRoom(received('Draft', seconds(60), justNow, 'initiator'), NOW, HOLD)).toBe(false);
  });
});
