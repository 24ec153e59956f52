// cancelOnboarding: an offboarding that begins while the partnership is still being set up stops
// the onboarding workflow (instance id = partnership id) through the durable client. What that
// workflow still had in flight cannot configure anything any more (the partnership is Offboarding)
// and is waited for as a tenant writer; the offboarding's removal is the compensation.
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { isRunning, readInstance } from '../instances';
import { CANCEL_ONBOARDING_ACTIVITY } from '../names';

export interface CancelOnboardingInput {
  partnershipId: string;
  reason: string;
}

export interface CancelOnboardingResult {
  /** The workflow that was stopped (its orchestration name), or null when none was running. */
  cancelled: string | null;
}

const cancelOnboarding: ActivityHandler = async (input: CancelOnboardingInput, context: InvocationContext): Promise<CancelOnboardingResult> => {
  const client = df.getClient(context);
  const status = await readInstance(client, input.partnershipId);
  if (!status || !isRunning(status)) return { cancelled: null };
  try {
    await client.terminate(input.partnershipId, input.reason);
  } catch (error) {
    // It finished between the look and the terminate: nothing to stop.
    if (!isRunning(await readInstance(client, input.partnershipId))) return { cancelled: null };
    throw error;
  }
  return { cancelled: status.name ?? 'onboarding' };
};

df.app.activity(CANCEL_ONBOARDING_ACTIVITY, { handler: cancelOnboarding, extraInputs: [df.input.durableClient()] });
