// Housekeeping of what anonymous callers leave in storage (the housekeeping timer runs it): nonces
// whose messages can no longer be accepted are deleted, and invitations that expired while waiting
// for approval are closed (Draft → Expired), so neither table grows without bound.
import { MAX_CLOCK_SKEW_SECONDS } from '../../shared/handshake';
import type { HandshakeDeployment } from '../deployment';
import { handshakeData } from '../records';

export interface HousekeepingResult {
  noncesPurged: number;
  invitationsExpired: string[];
}

export async function runHousekeeping(deployment: Pick<HandshakeDeployment, 'repositories'>, now = new Date()): Promise<HousekeepingResult> {
  const { nonces, partnerships, events } = deployment.repositories;
  const noncesPurged = await nonces.purgeExpired(now);
  const invitationsExpired: string[] = [];
  // The skew a partner's clock may have: an invitation is closed only once no receiver would accept it.
  const closedBefore = now.getTime() - MAX_CLOCK_SKEW_SECONDS * 1000;
  for (const record of await partnerships.list({ statuses: ['Draft'] })) {
    const invitation = handshakeData(record).invitation;
    if (record.role !== 'responder' || !invitation || invitation.exp * 1000 > closedBefore) continue;
    try {
      await partnerships.updateIfUnchanged(record, { status: 'Expired' });
    } catch {
      continue; // approved, rejected or changed meanwhile: the next run looks again
    }
    invitationsExpired.push(record.id);
    await events.append({
      partnershipId: record.id,
      id: `${record.id}:invitation-expired`,
      at: now.toISOString(),
      type: 'status.changed',
      actor: 'timer',
      message: `The invitation expired at ${new Date(invitation.exp * 1000).toISOString()} without an answer.`,
      after: { status: 'Expired' },
    });
  }
  return { noncesPurged, invitationsExpired };
}
