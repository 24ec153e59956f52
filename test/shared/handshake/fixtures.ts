// Test data for the handshake trust tests: two tenants, their keys, and message drafts.
import { generateDeploymentKey, type DeploymentKey, type HandshakeMessageDraft } from '../../../shared/handshake';

export const TENANT_A = '11111111-1111-4111-8111-111111111111';
export const TENANT_B = '22222222-2222-4222-8222-222222222222';
export const TENANT_C = '33333333-3333-4333-8333-333333333333';
export const PARTNERSHIP = 'p-contoso-fabrikam-cn';

/** Fixed signing time so every time check is computed from it, never from the wall clock. */
export const T0 = new Date('2026-03-01T12:00:00Z');

export async function newKey(): Promise<DeploymentKey> {
  return (await generateDeploymentKey()).key;
}

export function invitationDraft(overrides: Record<string, unknown> = {}): HandshakeMessageDraft {
  return {
    type: 'invitation',
    iss: TENANT_A,
    aud: TENANT_B,
    partnershipId: PARTNERSHIP,
    sender: {
      tenantId: TENANT_A,
      cloud: 'Global',
      deploymentUrl: 'https://handshake.contoso.example',
      verifiedDomains: ['contoso.example'],
    },
    callbackUrl: 'https://handshake.contoso.example/api/handshake/messages',
    collaboration: { b2bCollaboration: true, teamsFederation: true },
    pairingCommitment: 'c'.repeat(43),
    ...overrides,
  } as HandshakeMessageDraft;
}

export function confirmationDraft(inResponseTo: string, overrides: Record<string, unknown> = {}): HandshakeMessageDraft {
  return {
    type: 'confirmation',
    iss: TENANT_B,
    aud: TENANT_A,
    partnershipId: PARTNERSHIP,
    inResponseTo,
    sender: {
      tenantId: TENANT_B,
      cloud: 'China',
      deploymentUrl: 'https://handshake.fabrikam.example.cn',
      verifiedDomains: ['fabrikam.example.cn'],
    },
    configured: { b2bCollaboration: true },
    ...overrides,
  } as HandshakeMessageDraft;
}

export function readyDraft(from = TENANT_A, to = TENANT_B): HandshakeMessageDraft {
  return { type: 'ready', iss: from, aud: to, partnershipId: PARTNERSHIP, verification: { teams: 'verified' } };
}
