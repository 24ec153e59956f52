// One reconcile run (see docs/reconciliation.md): read the tenant ONCE for every partnership in question, diff
// each partnership's desired state in memory, then per mode:
// - report: record the drift (Events row, drift status, `data.reconcile`, one log line per item);
// - enforce: apply the merged plan (the domain batches it) and record what was repaired.
// Writes merge (the plan never removes what the product does not own), so a run can never take
// away another partnership's or an admin's settings. Plain async code: the reconcileTenant
// activity calls it, and tests call it directly against the simulator and Azurite.
import {
  applyPlan,
  auditEvents,
  driftByPartnership,
  driftStatusAfterRun,
  isDomainError,
  ownershipAfter,
  plan,
  readTenantState,
  type AppliedOperation,
  type CloudName,
  type DriftItem,
  type DriftStatus,
  type EventRepository,
  type NewEvent,
  type PartialFailureDetails,
  type PartnershipChanges,
  type PartnershipRecord,
  type PartnershipRepository,
  type Plan,
  type PlanWarning,
  type SerializedDomainError,
  type TenantAdapters,
} from '..';
import { FUNCTION_KEY_ACTOR } from '../console/principal';
import type { ReconcileMode, ReconcileTrigger } from './modes';

export interface ReconcileRunInput {
  /** Unique per run and stable across activity retries (makes Events ids idempotent). */
  runId: string;
  /** ISO time of the run (the orchestration's currentUtcDateTime). */
  at: string;
  mode: ReconcileMode;
  trigger: ReconcileTrigger;
  /** Admin runs: who asked (the Events actor, `admin:<name>`). */
  requestedBy?: string;
  /** Only these partnerships (default: every Active one). */
  partnershipIds?: string[];
}

export interface ReconcileRunDependencies {
  adapters: TenantAdapters;
  partnerships: PartnershipRepository;
  events: EventRepository;
  localCloud: CloudName;
  guestInviteRedirectUrl?: string;
  /** One structured line per drifted item and per run (no secrets: ids and descriptions only). */
  log?: (entry: Record<string, unknown>) => void;
}

export interface DriftedPartnership {
  partnershipId: string;
  items: DriftItem[];
  /** The partner entry is gone from the policy (deleted by an admin): flagged in report mode, recreated in enforce mode. */
  partnerDeleted: boolean;
  /** Every item was written back (enforce mode). */
  repaired: boolean;
}

export interface ReconcileRunResult {
  runId: string;
  at: string;
  mode: ReconcileMode;
  trigger: ReconcileTrigger;
  /** Active partnerships diffed. */
  examined: number;
  /** Requested partnerships that were not diffed (not Active, or unknown). */
  skipped: { partnershipId: string; reason: string }[];
  drifted: DriftedPartnership[];
  /** Partnerships whose drift status this run changed, with the new value. */
  driftStatus: Record<string, DriftStatus>;
  operations: number;
  applied: number;
  warnings: PlanWarning[];
  /**
   * Graph and Teams requests of the run (retries included), and the Graph item operations they
   * carried (each $batch item counts as one: the unit Graph throttles by).
   */
  requests: { graph: number; teams: number; graphOperations: number };
  /** Enforce mode: the write that failed (the run is retried; what was applied is recorded). */
  error?: SerializedDomainError;
}

/** What `data.reconcile` of a partnership holds after a run that concerned it. */
export interface PartnershipReconcileRecord {
  runId: string;
  at: string;
  mode: ReconcileMode;
  trigger: ReconcileTrigger;
  items: DriftItem[];
  partnerDeleted: boolean;
  repaired: boolean;
}

/**
 * Who a run's Events rows name (the audit's "who"): what started it — the timer, a Graph
 * notification (a change or a `missed` lifecycle event), or the administrator who asked.
 */
export function reconcileActor(input: Pick<ReconcileRunInput, 'trigger' | 'requestedBy'>): string {
  switch (input.trigger) {
    case 'timer':
      return 'timer';
    case 'notification':
    case 'missed':
      return 'graph-notification';
    case 'admin':
      return input.requestedBy ?? FUNCTION_KEY_ACTOR;
  }
}
/** Partnership rows written at once after a run (Table storage round trips dominate a large run). */
const RECORD_CONCURRENCY = 16;

export async function runReconcile(deps: ReconcileRunDependencies, input: ReconcileRunInput): Promise<ReconcileRunResult> {
  const log = deps.log ?? (() => undefined);
  const graphBefore = deps.adapters.graph.counter.total;
  const graphOperationsBefore = deps.adapters.graph.counter.operations;
  const teamsBefore = teamsRequests(deps.adapters);
  // How long each phase took (ms), for the run's log line.
  const phases: Record<string, number> = {};
  let phaseStart = Date.now();
  const phaseDone = (name: string): void => {
    const now = Date.now();
    phases[name] = now - phaseStart;
    phaseStart = now;
  };
  const { records, skipped } = await partnershipsInQuestion(deps.partnerships, input.partnershipIds);
  phaseDone('list');
  const result: ReconcileRunResult = {
    runId: input.runId,
    at: input.at,
    mode: input.mode,
    trigger: input.trigger,
    examined: records.length,
    skipped,
    drifted: [],
    driftStatus: {},
    operations: 0,
    applied: 0,
    warnings: [],
    requests: { graph: 0, teams: 0, graphOperations: 0 },
  };
  if (records.length > 0) {
    const targets = records.map((record) => ({ partnershipId: record.id, desired: record.desired, partnerDomains: record.partnerDomains }));
    const actual = await readTenantState(deps.adapters, targets, { localCloud: deps.localCloud });
    phaseDone('read');
    const planned = plan(targets, actual, { localCloud: deps.localCloud, guestInviteRedirectUrl: deps.guestInviteRedirectUrl });
    phaseDone('plan');
    const drift = driftByPartnership(planned);
    result.operations = planned.operations.length;
    result.warnings = planned.warnings;

    let applied: AppliedOperation[] = [];
    let ownershipChange: { claims: PartialFailureDetails['claims']; releases: PartialFailureDetails['releases'] } = { claims: [], releases: [] };
    if (input.mode === 'enforce' && planned.operations.length > 0) {
      try {
        const outcome = await applyPlan(deps.adapters, planned);
        applied = outcome.applied;
        ownershipChange = outcome;
      } catch (error) {
        // Record what was written before the failure; the activity fails afterwards and is retried.
        if (!isDomainError(error, 'apply.partial-failure')) throw error;
        const details = error.details as PartialFailureDetails;
        applied = details.applied;
        ownershipChange = details;
        result.error = error.toJSON();
      }
    }
    phaseDone('apply');
    result.applied = applied.length;
    const done = new Set(applied.filter((operation) => operation.outcome !== 'manual').map((operation) => operation.operationId));

    const findings = records.map((record) => {
      const items = drift[record.id] ?? [];
      const repaired = items.length > 0 && items.every((item) => done.has(item.operationId));
      return { record, items, repaired };
    });
    for (const { record, items, repaired } of findings) {
      if (items.length === 0) continue;
      result.drifted.push({ partnershipId: record.id, items, partnerDeleted: items.some((item) => item.kind === 'partner.create'), repaired });
      for (const item of items) {
        log({
          event: 'reconcile.drift',
          runId: input.runId,
          mode: input.mode,
          trigger: input.trigger,
          partnershipId: record.id,
          partnerTenantId: record.partnerTenantId,
          item: item.operationId,
          kind: item.kind,
          description: item.description,
          partnerDeleted: item.kind === 'partner.create',
          repaired: done.has(item.operationId),
        });
      }
    }
    // Rows are written only for partnerships whose drift or status changed: their Events first (a
    // few partnerships at a time), then the partnership rows together (transactions of up to 100).
    const toWrite = findings.flatMap(({ record, items, repaired }) => {
      const status = driftStatusAfterRun({ driftedItems: items.length, repairedItems: items.filter((item) => done.has(item.operationId)).length });
      const found = recordOf(input, record, {
        items,
        repaired,
        status,
        planned,
        applied: applied.filter((operation) => items.some((item) => item.operationId === operation.operationId)),
        ownershipChange,
      });
      return found ? [{ record, status, ...found }] : [];
    });
    // Events first: a crash after them and before the record re-runs idempotently (same ids).
    await forEachConcurrently(toWrite.filter((entry) => entry.events.length > 0), RECORD_CONCURRENCY, async (entry) => void (await deps.events.appendMany(entry.events)));
    phaseDone('events');
    await deps.partnerships.updateMany(toWrite.map((entry) => ({ expected: entry.record, change: entry.change })));
    phaseDone('record');
    for (const entry of toWrite) result.driftStatus[entry.record.id] = entry.status;
  }
  result.requests = {
    graph: deps.adapters.graph.counter.total - graphBefore,
    teams: teamsRequests(deps.adapters) - teamsBefore,
    graphOperations: deps.adapters.graph.counter.operations - graphOperationsBefore,
  };
  log({
    event: 'reconcile.run',
    runId: input.runId,
    mode: input.mode,
    trigger: input.trigger,
    examined: result.examined,
    drifted: result.drifted.length,
    operations: result.operations,
    applied: result.applied,
    graphRequests: result.requests.graph,
    graphOperations: result.requests.graphOperations,
    teamsRequests: result.requests.teams,
    phasesMs: phases,
    ...(result.error ? { error: result.error.code } : {}),
  });
  return result;
}

async function partnershipsInQuestion(
  repository: PartnershipRepository,
  ids: string[] | undefined,
): Promise<{ records: PartnershipRecord[]; skipped: ReconcileRunResult['skipped'] }> {
  if (!ids) return { records: await repository.list({ statuses: ['Active'] }), skipped: [] };
  const records: PartnershipRecord[] = [];
  const skipped: ReconcileRunResult['skipped'] = [];
  for (const id of [...new Set(ids)]) {
    const record = await repository.get(id);
    if (!record) skipped.push({ partnershipId: id, reason: 'unknown partnership' });
    else if (record.status !== 'Active') skipped.push({ partnershipId: id, reason: `status ${record.status}` });
    else records.push(record);
  }
  return { records, skipped };
}

/**
 * What the run found for one partnership, to be written: its drift status (only when it changes),
 * the drift record and an Events row (only when the drift differs from what was recorded last, so
 * a persistent drift in report mode is not re-recorded every 15 minutes), and in enforce mode the
 * applied operations with before/after and the ownership they add. Undefined when nothing is to
 * be written.
 */
function recordOf(
  input: ReconcileRunInput,
  record: PartnershipRecord,
  found: {
    items: DriftItem[];
    repaired: boolean;
    status: DriftStatus;
    planned: Plan;
    applied: AppliedOperation[];
    ownershipChange: { claims: PartialFailureDetails['claims']; releases: PartialFailureDetails['releases'] };
  },
): { events: NewEvent[]; change: (current: PartnershipRecord) => PartnershipChanges | undefined } | undefined {
  const previous = record.data.reconcile as PartnershipReconcileRecord | undefined;
  const sameDrift =
    previous !== undefined &&
    !previous.repaired &&
    !found.repaired &&
    driftKey(previous.items) === driftKey(found.items);
  const events: NewEvent[] = [];
  if (found.items.length > 0 && !sameDrift) {
    const partnerDeleted = found.items.some((item) => item.kind === 'partner.create');
    events.push({
      partnershipId: record.id,
      type: 'drift.detected',
      actor: reconcileActor(input),
      at: input.at,
      id: eventId(input.runId, 'a-drift'),
      message:
        `${input.trigger} reconcile (${input.mode}) found ${found.items.length} item(s) not as desired` +
        (partnerDeleted ? ', including the partner entry, which was deleted' : '') +
        `: ${found.items.map((item) => item.description).join(' ')}`,
      data: { runId: input.runId, mode: input.mode, trigger: input.trigger, items: found.items, partnerDeleted },
    });
  }
  if (found.applied.length > 0) {
    events.push(
      ...auditEvents(found.planned, { applied: found.applied }, { actor: reconcileActor(input), at: input.at, idPrefix: `${input.runId}:b` }).filter(
        (event) => event.partnershipId === record.id,
      ),
    );
  }
  if (found.repaired) {
    events.push({
      partnershipId: record.id,
      type: 'drift.repaired',
      actor: reconcileActor(input),
      at: input.at,
      id: eventId(input.runId, 'c-repaired'),
      message: `${input.trigger} reconcile repaired ${found.items.length} item(s).`,
      data: { runId: input.runId, trigger: input.trigger, items: found.items },
    });
  }
  const statusChanged = record.driftStatus !== found.status;
  const recordChanged = found.items.length > 0 ? !sameDrift || found.repaired : previous !== undefined && (previous.items.length > 0 || previous.repaired);
  if (!statusChanged && !recordChanged && events.length === 0) return undefined;

  const reconcileRecord: PartnershipReconcileRecord | undefined =
    found.items.length > 0
      ? { runId: input.runId, at: input.at, mode: input.mode, trigger: input.trigger, items: found.items, partnerDeleted: found.items.some((item) => item.kind === 'partner.create'), repaired: found.repaired }
      : undefined;
  const change = (current: PartnershipRecord): PartnershipChanges | undefined => {
    // Offboarding (or anything else) took it out of Active meanwhile: not ours to touch.
    if (current.status !== 'Active') return undefined;
    const data = { ...current.data };
    if (reconcileRecord) data.reconcile = reconcileRecord;
    else delete data.reconcile;
    return {
      driftStatus: found.status,
      data,
      ...(found.applied.length > 0 ? { ownership: ownershipAfter(current.ownership, record.id, found.ownershipChange) } : {}),
    };
  };
  return { events, change };
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, action: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await action(items[next++]);
    }),
  );
}

/** The REST adapter counts its requests; the manual one sends none of its own. */
function teamsRequests(adapters: TenantAdapters): number {
  const counter = (adapters.teams as { counter?: { total: number } }).counter;
  return counter?.total ?? 0;
}

function driftKey(items: readonly DriftItem[]): string {
  return items
    .map((item) => item.operationId)
    .sort()
    .join('|');
}

/** Events of one run share its `at`; their ids order them (drift, then repairs, then the summary). */
function eventId(runId: string, step: string): string {
  return `${runId}:${step}`.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 200);
}
