// Activity: a notification-driven run ended; release its claim, or keep it when a change arrived
// while the run was reading ('again': the orchestration reads once more).
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import type { ClaimReleaseOutcome } from '../../../shared/tables/reconcileClaims';
import { currentDeployment } from '../deployment';
import { RELEASE_RECONCILE_CLAIM_ACTIVITY } from '../names';

export const releaseReconcileClaim: ActivityHandler = async (input: { scope: string; run: number }): Promise<ClaimReleaseOutcome> =>
  currentDeployment().claims.release(input.scope, input.run);

df.app.activity(RELEASE_RECONCILE_CLAIM_ACTIVITY, { handler: releaseReconcileClaim });
