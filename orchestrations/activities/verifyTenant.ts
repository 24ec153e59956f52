// verifyTenant: read the own tenant back and say whether it holds everything the partnership needs.
// In manual Teams mode it also gives the script still to run, and once the administrator's changes
// are found in place it records what they added as owned by the partnership.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { mergeOwnership, claimsFor } from '../../shared/ownership';
import { verifyTenantState } from '../../shared/plan';
import { manualScript } from '../../shared/teams';
import { handshakeDeployment } from '../deployment';
import { VERIFY_TENANT_ACTIVITY } from '../names';
import { handshakeData, withHandshakeData } from '../records';
import { outcomeOf, type Outcome } from './outcome';

export interface VerifyTenantInput {
  partnershipId: string;
  /** The orchestration's time (ISO), for the Events row of administrator changes found in place. */
  at?: string;
}

export type VerifyTenantOutcome = Outcome<{
  inSync: boolean;
  /** What is still missing (descriptions), empty when in sync. */
  remaining: string[];
  /** Teams in manual mode: the remaining changes wait for an administrator's script. */
  awaitingAdministrator: boolean;
  /** Manual mode: the MicrosoftTeams PowerShell for what is still missing. */
  script?: string;
}>;

export async function verifyTenant(input: VerifyTenantInput): Promise<VerifyTenantOutcome> {
  return outcomeOf(async () => {
    const deployment = handshakeDeployment();
    const { partnerships, events } = deployment.repositories;
    const record = await partnerships.require(input.partnershipId);
    const verification = await verifyTenantState(deployment.adapters(), [{ partnershipId: record.id, desired: record.desired, partnerDomains: record.partnerDomains }], {
      localCloud: deployment.config.cloud,
      guestInviteRedirectUrl: deployment.config.guestInviteRedirectUrl,
    });
    const pending = handshakeData(record).manualTeams;
    if (verification.inSync && pending) {
      // The administrator ran the script: what it added is this partnership's from now on.
      await partnerships.update(record.id, (current) => ({
        ownership: mergeOwnership(current.ownership, claimsFor(record.id, pending.claims)),
        data: withHandshakeData(current, { manualTeams: null }),
      }));
      await events.append({
        partnershipId: record.id,
        id: `${record.id}:manual-teams-verified:${pending.at}`,
        at: input.at ?? new Date().toISOString(),
        type: 'operation.applied',
        // Written by the workflow that read the administrator's script's result back.
        actor: 'orchestration',
        message: 'The Teams settings of the administrator’s script are in place (verified by reading them back).',
        data: { script: pending.script },
      });
    }
    const updates = verification.remaining.flatMap((operation) => (operation.kind === 'teams.update' ? [operation.update] : []));
    return {
      inSync: verification.inSync,
      remaining: verification.remaining.map((operation) => operation.description),
      awaitingAdministrator: verification.awaitingAdministrator,
      ...(verification.awaitingAdministrator ? { script: manualScript(updates) } : {}),
    };
  });
}

const handler: ActivityHandler = (input: unknown) => verifyTenant(input as VerifyTenantInput);
df.app.activity(VERIFY_TENANT_ACTIVITY, { handler });
