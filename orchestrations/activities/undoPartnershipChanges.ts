// undoPartnershipChanges: the compensation of an onboarding that was rejected, expired or failed
// before the partner took part — remove what THIS partnership added to the own tenant and nothing
// else (see removal.ts): what another partnership still needs is handed over to it, what an admin
// changed since is left alone, invited guests stay (deleting users needs another permission).
// A partnership being offboarded is left to its offboarding, which removes the same and more.
// Intents an interrupted configure step left behind are settled first: what landed is undone too
// (removal.ts).
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { isBeingRemoved } from '../../shared/offboarding';
import { tenantWriterId } from '../../shared/tables';
import { handshakeDeployment } from '../deployment';
import { UNDO_PARTNERSHIP_CHANGES_ACTIVITY } from '../names';
import { outcomeOf, type Outcome } from './outcome';
import { removeOwnedConfiguration } from './removal';

export interface UndoPartnershipChangesInput {
  partnershipId: string;
  step: string;
  at: string;
}

export type UndoPartnershipChangesOutcome = Outcome<{ removed: string[]; handedOver: number; warnings: string[] }>;

export async function undoPartnershipChanges(input: UndoPartnershipChangesInput): Promise<UndoPartnershipChangesOutcome> {
  return outcomeOf(async () => {
    const deployment = handshakeDeployment();
    const { partnerships, writers } = deployment.repositories;
    // Registered before the record is read: an offboarding that begins now waits for this undo.
    const writer = tenantWriterId('undo', input.partnershipId, input.step, input.at);
    return writers.whileRegistered(writer, [input.partnershipId], deployment.config.tenantWriterLeaseSeconds, async () => {
      const record = await partnerships.require(input.partnershipId);
      if (isBeingRemoved(record.status)) return { removed: [], handedOver: 0, warnings: [] };
      const { removed, handedOver, warnings } = await removeOwnedConfiguration(deployment, record, { step: input.step, at: input.at, actor: 'orchestration' });
      return { removed, handedOver, warnings };
    });
  });
}

const handler: ActivityHandler = (input: unknown) => undoPartnershipChanges(input as UndoPartnershipChangesInput);
df.app.activity(UNDO_PARTNERSHIP_CHANGES_ACTIVITY, { handler });
