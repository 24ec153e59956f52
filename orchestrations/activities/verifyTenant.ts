// verifyTenant: read the own tenant back and say whether it holds everything the partnership needs.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { verifyTenantState } from '../../shared/plan';
import { handshakeDeployment } from '../deployment';
import { VERIFY_TENANT_ACTIVITY } from '../names';
import { outcomeOf, type Outcome } from './outcome';

export interface VerifyTenantInput {
  partnershipId: string;
}

export type VerifyTenantOutcome = Outcome<{
  inSync: boolean;
  /** What is still missing (descriptions), empty when in sync. */
  remaining: string[];
  /** Teams in manual mode: the remaining changes wait for an administrator's script. */
  awaitingAdministrator: boolean;
}>;

export async function verifyTenant(input: VerifyTenantInput): Promise<VerifyTenantOutcome> {
  return outcomeOf(async () => {
    const deployment = handshakeDeployment();
    const record = await deployment.repositories.partnerships.require(input.partnershipId);
    const verification = await verifyTenantState(deployment.adapters(), [{ partnershipId: record.id, desired: record.desired, partnerDomains: record.partnerDomains }], {
      localCloud: deployment.config.cloud,
      guestInviteRedirectUrl: deployment.config.guestInviteRedirectUrl,
    });
    return {
      inSync: verification.inSync,
      remaining: verification.remaining.map((operation) => operation.description),
      awaitingAdministrator: verification.awaitingAdministrator,
    };
  });
}

const handler: ActivityHandler = (input: unknown) => verifyTenant(input as VerifyTenantInput);
df.app.activity(VERIFY_TENANT_ACTIVITY, { handler });
