// The Events rows of an apply: one per partnership per operation performed, with the before and
// after the operation was planned with. Ids are derived from `idPrefix` (e.g. the orchestration
// instance and step), so appending them again after a retry stores nothing twice.
import type { NewEvent } from '../tables/events';
import type { ApplyResult } from './apply';
import type { Plan } from './operations';

export interface AuditContext {
  /** "orchestration", "reconcile", ... */
  actor: string;
  /** ISO time (an orchestration's currentUtcDateTime). */
  at: string;
  /** Makes the event ids stable, e.g. `${instanceId}:configureLocal`. */
  idPrefix: string;
  /** Number of the first row (default 0): a resumed removal numbers its rows after the interrupted one's. */
  firstIndex?: number;
}

export function auditEvents(plan: Plan, result: Pick<ApplyResult, 'applied'>, context: AuditContext): NewEvent[] {
  const byId = new Map(plan.operations.map((operation) => [operation.id, operation] as const));
  const events: NewEvent[] = [];
  result.applied.forEach((applied, index) => {
    const operation = byId.get(applied.operationId);
    if (!operation) return;
    for (const partnershipId of operation.partnershipIds) {
      events.push({
        partnershipId,
        type: applied.outcome === 'manual' ? 'operation.awaiting-administrator' : 'operation.applied',
        actor: context.actor,
        at: context.at,
        // The index keeps the events of one apply (same `at`) in the order they were applied.
        id: `${context.idPrefix}:${String(index + (context.firstIndex ?? 0)).padStart(4, '0')}:${operation.id}`.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 200),
        message: applied.outcome === 'unchanged' ? `${operation.description} (already in place)` : operation.description,
        operationId: operation.id,
        before: operation.before,
        after: operation.after,
        data: { outcome: applied.outcome, ...(applied.userId ? { userId: applied.userId } : {}), ...(applied.script ? { script: applied.script } : {}) },
      });
    }
  });
  return events;
}
