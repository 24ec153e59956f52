// Ownership intents kept with a partnership (see shared/plan/intents and docs/robustness.md): the
// activities that write to the tenant record what they are about to add before writing, and settle
// what an interrupted run left behind before they plan or remove anything.
import { mergeOwnership, type OwnedItem } from '../shared/ownership';
import { settleIntents } from '../shared/plan';
import type { PartnershipRecord } from '../shared/tables';
import type { TenantState } from '../shared/tenant';
import type { HandshakeDeployment } from './deployment';

export interface IntentContext {
  /** Events row time and id prefix (e.g. `${id}:entra`). */
  at: string;
  idPrefix: string;
  actor?: string;
}

/**
 * Adopts the intents of an interrupted run whose writes are visible in `actual` (read with
 * `ownership: record.intents`), drops the others, and records both in one write; returns the
 * record as stored. A record without intents is returned as it is.
 */
export async function settleRecordedIntents(
  deployment: Pick<HandshakeDeployment, 'repositories'>,
  record: PartnershipRecord,
  actual: TenantState,
  context: IntentContext,
): Promise<PartnershipRecord> {
  if (record.intents.length === 0) return record;
  const { partnerships, events } = deployment.repositories;
  const { adopted, dropped } = settleIntents(record.intents, actual, record);
  const stored = await partnerships.update(record.id, (current) => ({ ownership: mergeOwnership(current.ownership, adopted), intents: [] }));
  await events.append({
    partnershipId: record.id,
    // The version makes two settlements of one step two rows.
    id: `${context.idPrefix}:intents-settled:${stored.version}`,
    at: context.at,
    type: 'ownership.settled',
    actor: context.actor ?? 'orchestration',
    message:
      adopted.length > 0
        ? `An interrupted run had written ${adopted.length} change(s) before it could record them; they are owned by this partnership now` +
          (dropped.length > 0 ? ` (${dropped.length} planned change(s) had not been written).` : '.')
        : `An interrupted run had planned ${dropped.length} change(s) it never wrote; nothing to adopt.`,
    data: { adopted, dropped },
  });
  return stored;
}

/** Records what the coming writes will add (kept until their ownership is recorded). */
export async function recordIntents(deployment: Pick<HandshakeDeployment, 'repositories'>, partnershipId: string, intents: readonly OwnedItem[]): Promise<void> {
  if (intents.length === 0) return;
  await deployment.repositories.partnerships.update(partnershipId, (current) => ({ intents: mergeOwnership(current.intents, intents) }));
}
