// Reconcile triggers (see docs/reconciliation.md):
// - timer `reconcileTimer` (NCRONTAB from RECONCILE_SCHEDULE, default every 15 minutes): one run
//   over the whole deployment under a singleton instance id, and the subscription monitor kept alive;
// - `POST /api/partnerships/{id}/reconcile?mode=report|enforce` (function key): reconcile one
//   partnership now and answer with its drift (202 with status links when it takes longer).
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { currentDeployment, reconcilePartnershipNow, startDeploymentRun } from '../orchestrations/reconcile';
import { DEFAULTS, SETTINGS } from '../shared';
import { adminHttp, requestActor } from './adminRoutes';
import { jsonResponse, withProblemDetails } from './http';

/** How long the admin route waits for the run before answering 202 with status links. */
export const ADMIN_RECONCILE_WAIT_MS = 30_000;

async function reconcileTimer(timer: Timer, context: InvocationContext): Promise<void> {
  let deployment;
  try {
    deployment = currentDeployment();
  } catch (error) {
    // An app started without its settings (e.g. a smoke test of the host) has nothing to reconcile.
    context.warn(`Reconcile timer skipped: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const started = await startDeploymentRun(df.getClient(context), deployment);
  context.log(JSON.stringify({ event: 'reconcile.timer', ...started, isPastDue: timer.isPastDue }));
}

async function reconcileNow(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const client = df.getClient(context);
  const outcome = await reconcilePartnershipNow(
    client,
    currentDeployment(),
    { partnershipId: request.params.id, mode: request.query.get('mode'), requestedBy: requestActor(request) },
    ADMIN_RECONCILE_WAIT_MS,
  );
  return outcome.finished ? jsonResponse(200, outcome.answer) : client.createCheckStatusResponse(request, outcome.instanceId);
}

app.timer('reconcileTimer', {
  // Read when the app loads (app settings are environment variables in Azure and on the local host).
  schedule: process.env[SETTINGS.reconcileSchedule]?.trim() || DEFAULTS.reconcileSchedule,
  extraInputs: [df.input.durableClient()],
  handler: reconcileTimer,
});

adminHttp('reconcilePartnershipNow', {
  route: 'partnerships/{id}/reconcile',
  methods: ['POST'],
  extraInputs: [df.input.durableClient()],
  handler: withProblemDetails(reconcileNow),
});
