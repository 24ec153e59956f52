// What a partner writes in free text (why it rejects or ends a partnership) is kept and shown only
// without control or format characters: no terminal escapes, no bidi overrides in a log or a page.
import { handshakeMessageSchema } from '../../../shared/handshake';
import { T0, TENANT_A, TENANT_B } from './fixtures';

const claims = {
  iss: TENANT_B,
  aud: TENANT_A,
  jti: 'aaaaaaaaaaaaaaaaaaaaaa',
  iat: T0.getTime() / 1000,
  exp: T0.getTime() / 1000 + 3_600,
  partnershipId: 'contoso-woodgrove',
};
const HOSTILE = 'Project\u001b[2J ended\u202e.\n\nBye';

describe('partner reasons', () => {
  it('an offboard reason loses its control and format characters', () => {
    const message = handshakeMessageSchema.parse({ ...claims, type: 'offboard', reason: HOSTILE });
    expect(message).toMatchObject({ type: 'offboard', reason: 'Project [2J ended . Bye' });
  });

  it('a rejection reason too, and a reason over 1,000 characters is refused, not cut', () => {
    const sender = { tenantId: TENANT_B, cloud: 'China', deploymentUrl: 'https://woodgrove.example', verifiedDomains: [] };
    const rejection = handshakeMessageSchema.parse({ ...claims, type: 'rejection', inResponseTo: 'bbbbbbbbbbbbbbbbbbbbbb', sender, reason: HOSTILE });
    expect(rejection).toMatchObject({ reason: 'Project [2J ended . Bye' });
    expect(handshakeMessageSchema.safeParse({ ...claims, type: 'offboard', reason: 'x'.repeat(1001) }).success).toBe(false);
  });
});
