// Activity: one reconcile run (see ../run.ts). A notification-driven run first marks its claim
// "reading", so a change that lands from now on makes the run read again (see ../claims.ts).
// A domain error (a write that failed, recorded by the run first) is answered as a typed outcome
// (see ../outcome.ts); the orchestration retries it when it is transient.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { ALL_PARTNERSHIPS_SCOPE, tenantWriterId } from '../../../shared';
import { ensureSubscriptionMonitor } from '../client';
import { currentDeployment } from '../deployment';
import { RECONCILE_TENANT_ACTIVITY } from '../names';
import { tenantOutcomeOf, type ReconcileTenantInput, type ReconcileTenantOutcome } from '../outcome';
import { runReconcile, type ReconcileRunResult } from '../run';

export type { ReconcileTenantInput } from '../outcome';

export const reconcileTenant: ActivityHandler = async (input: ReconcileTenantInput, context: InvocationContext): Promise<ReconcileTenantOutcome> => {
  const deployment = currentDeployment();
  let result: ReconcileRunResult;
  try {
    if (input.claim) await deployment.claims.markReading(input.claim.scope, input.claim.run);
    // A registered writer reads which partnerships are Active only after registering: an offboarding
    // waits for this run, or this run sees the partnership Offboarding (see docs/offboarding.md).
    result = await deployment.repositories.writers.whileRegistered(
      tenantWriterId('reconcile', input.runId),
      input.partnershipIds ?? ALL_PARTNERSHIPS_SCOPE,
      deployment.config.tenantWriterLeaseSeconds,
      () =>
        runReconcile(
          {
            adapters: deployment.adapters(),
            partnerships: deployment.repositories.partnerships,
            events: deployment.repositories.events,
            localCloud: deployment.config.cloud,
            guestInviteRedirectUrl: deployment.config.guestInviteRedirectUrl,
            log: (entry) => (entry.event === 'reconcile.drift' ? context.warn(JSON.stringify(entry)) : context.log(JSON.stringify(entry))),
          },
          input,
        ),
    );
  } catch (error) {
    return tenantOutcomeOf({ error });
  }
  // A re-invited guest is a new directory object: the monitor moves its subscription over now.
  const reinvited = result.drifted.some((entry) => entry.items.some((item) => item.kind === 'guest.invite'));
  if (reinvited && input.mode === 'enforce' && deployment.config.publicBaseUrl) {
    await ensureSubscriptionMonitor(df.getClient(context), deployment.config, { nudge: true }).catch((error: unknown) =>
      context.warn(`The subscription monitor could not be nudged: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  return tenantOutcomeOf({ result });
};

df.app.activity(RECONCILE_TENANT_ACTIVITY, { handler: reconcileTenant, extraInputs: [df.input.durableClient()] });
