// Reconcile triggers (see docs/reconciliation.md):
// - timer `reconcileTimer` (NCRONTAB from RECONCILE_SCHEDULE, default every 15 minutes): one run
//   over the whole deployment under a singleton instance id, and the subscription monitor kept alive;
// - `POST /api/partnerships/{id}/reconcile?mode=report|enforce` (function key): reconcile one
//   partnership now and answer with its drift (202 with status links when it takes longer).
import { randomUUID } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import {
  activityRetryOf,
  adminRunInstance,
  currentDeployment,
  ensureSubscriptionMonitor,
  RECONCILE_DEPLOYMENT_INSTANCE,
  RECONCILE_DEPLOYMENT_ORCHESTRATION,
  RECONCILE_MODES,
  RECONCILE_PARTNERSHIP_ORCHESTRATION,
  type ReconcileDeploymentInput,
  type ReconcileMode,
  type ReconcilePartnershipInput,
  type ReconcilePartnershipOutput,
} from '../orchestrations/reconcile';
import { startInstance, waitForInstance } from '../orchestrations/instances';
import { DEFAULTS, DomainError, reviveDomainError, SETTINGS } from '../shared';
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
  const client = df.getClient(context);
  const input: ReconcileDeploymentInput = { mode: deployment.config.reconcileMode, trigger: 'timer', retry: activityRetryOf(deployment.config) };
  const outcome = await startInstance(client, RECONCILE_DEPLOYMENT_ORCHESTRATION, RECONCILE_DEPLOYMENT_INSTANCE, input, { unless: 'running' });
  const monitor = deployment.config.publicBaseUrl ? await ensureSubscriptionMonitor(client, deployment.config) : 'no PUBLIC_BASE_URL';
  context.log(JSON.stringify({ event: 'reconcile.timer', run: outcome, mode: input.mode, isPastDue: timer.isPastDue, subscriptionMonitor: monitor }));
}

async function reconcileNow(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deployment = currentDeployment();
  const mode = parseMode(request.query.get('mode'), deployment.config.reconcileMode);
  const partnershipId = request.params.id;
  const record = await deployment.repositories.partnerships.require(partnershipId);
  if (record.status !== 'Active') {
    throw new DomainError('reconcile.not-active', `Partnership ${partnershipId} is ${record.status}; only an Active partnership can be reconciled.`, {
      details: { id: partnershipId, status: record.status },
    });
  }
  const client = df.getClient(context);
  const instanceId = adminRunInstance(partnershipId, randomUUID().slice(0, 8));
  const input: ReconcilePartnershipInput = {
    partnershipId,
    mode,
    trigger: 'admin',
    requestedBy: requestActor(request),
    debounceMs: 0,
    retry: activityRetryOf(deployment.config),
  };
  await client.startNew(RECONCILE_PARTNERSHIP_ORCHESTRATION, { instanceId, input });

  const finished = await waitForInstance<ReconcilePartnershipOutput>(client, instanceId, ADMIN_RECONCILE_WAIT_MS);
  if (!finished) return client.createCheckStatusResponse(request, instanceId);
  const output = finished.runtimeStatus === 'Completed' ? finished.output : undefined;
  if (!output?.ok) throw failureOf(output, partnershipId);
  const after = await deployment.repositories.partnerships.require(partnershipId);
  const drifted = output.drifted.find((entry) => entry.partnershipId === partnershipId);
  return jsonResponse(200, {
    id: partnershipId,
    mode,
    runId: output.runId,
    driftStatus: after.driftStatus,
    drift: drifted?.items ?? [],
    partnerDeleted: drifted?.partnerDeleted ?? false,
    repaired: drifted?.repaired ?? false,
    operations: output.operations,
    applied: output.applied,
    warnings: output.warnings,
    requests: output.requests,
  });
}

function parseMode(value: string | null, fallback: ReconcileMode): ReconcileMode {
  if (value === null || value === '') return fallback;
  if ((RECONCILE_MODES as readonly string[]).includes(value)) return value as ReconcileMode;
  throw new DomainError('request.invalid', `The request is not valid: mode: must be one of ${RECONCILE_MODES.join(', ')} (got "${value}").`, {
    details: { issues: [{ field: 'mode', message: `must be one of ${RECONCILE_MODES.join(', ')}` }] },
  });
}

/** The domain error a refused run carries; a run that ended otherwise (terminated, crashed) is a generic upstream error. */
function failureOf(output: ReconcilePartnershipOutput | undefined, partnershipId: string): DomainError {
  const carried = output && !output.ok ? reviveDomainError(output.error) : undefined;
  return carried ?? new DomainError('tenant.upstream-error', `The reconcile run of partnership ${partnershipId} failed.`, { details: { id: partnershipId } });
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
