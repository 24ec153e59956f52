// removePartnershipConfiguration: the offboarding's removal — what this partnership added to the
// own tenant, nothing else (see removal.ts), each removal an Events row naming who asked. Running
// it again (a retry, a crash) removes only what is left; a partnership that owns nothing is done.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { handshakeDeployment } from '../deployment';
import { REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY } from '../names';
import { outcomeOf, type Outcome } from './outcome';
import { removeOwnedConfiguration, type RemovalResult } from './removal';

export interface RemovePartnershipConfigurationInput {
  partnershipId: string;
  step: string;
  /** The orchestration's time (ISO). */
  at: string;
  /** Who asked for the offboarding (the removal rows name them). */
  actor: string;
  deleteGuests: boolean;
}

export type RemovePartnershipConfigurationOutcome = Outcome<RemovalResult>;

export async function removePartnershipConfiguration(input: RemovePartnershipConfigurationInput): Promise<RemovePartnershipConfigurationOutcome> {
  return outcomeOf(async () => {
    const deployment = handshakeDeployment();
    const record = await deployment.repositories.partnerships.require(input.partnershipId);
    return removeOwnedConfiguration(deployment, record, { step: input.step, at: input.at, actor: input.actor, deleteGuests: input.deleteGuests });
  });
}

const handler: ActivityHandler = (input: unknown) => removePartnershipConfiguration(input as RemovePartnershipConfigurationInput);
df.app.activity(REMOVE_PARTNERSHIP_CONFIGURATION_ACTIVITY, { handler });
