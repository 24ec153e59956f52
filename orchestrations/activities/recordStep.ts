// recordStep: one step of a handshake orchestration made visible — the partnership's status (moved
// by the state machine), its last error, and one Events row. Idempotent: the event id is derived
// from the step and its time is the orchestration's, and a status already reached is left alone.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import type { SerializedDomainError } from '../../shared/errors';
import type { PartnershipStatus } from '../../shared/partnership';
import { isBeingRemoved } from '../../shared/offboarding';
import { handshakeDeployment } from '../deployment';
import { RECORD_STEP_ACTIVITY } from '../names';

export interface RecordStepInput {
  partnershipId: string;
  /** Unique within the partnership's workflow, e.g. "configuring-teams". */
  step: string;
  /** The orchestration's currentUtcDateTime (ISO). */
  at: string;
  message: string;
  /** Events row type; "status.changed" when `status` is given, else "step". */
  type?: string;
  status?: PartnershipStatus;
  /** Set (or with null clear) the partnership's last error. */
  lastError?: SerializedDomainError | null;
  data?: Record<string, unknown>;
  /**
   * The offboarding workflow records its steps as such: only it moves a partnership that is being
   * (or was) removed. A step of a cancelled onboarding that still runs keeps its row, not its status.
   */
  workflow?: 'offboarding';
}

export async function recordStep(input: RecordStepInput): Promise<{ status: PartnershipStatus }> {
  const { repositories } = handshakeDeployment();
  let cancelled = false;
  const record = await repositories.partnerships.update(input.partnershipId, (current) => {
    cancelled = isBeingRemoved(current.status) && input.workflow !== 'offboarding';
    if (cancelled) return undefined;
    const changes: { status?: PartnershipStatus; lastError?: SerializedDomainError | null; driftStatus?: 'InSync' } = {};
    if (input.status && current.status !== input.status) {
      changes.status = input.status;
      // Just verified on both sides: an Active partnership starts in sync.
      if (input.status === 'Active') changes.driftStatus = 'InSync';
    }
    if (input.lastError !== undefined && JSON.stringify(current.lastError) !== JSON.stringify(input.lastError)) changes.lastError = input.lastError;
    return Object.keys(changes).length > 0 ? changes : undefined;
  });
  await repositories.events.append({
    partnershipId: input.partnershipId,
    id: `${input.partnershipId}:${input.step}`,
    at: input.at,
    type: cancelled ? 'step' : (input.type ?? (input.status ? 'status.changed' : 'step')),
    actor: 'orchestration',
    step: input.step,
    message: cancelled ? `${input.message} (the onboarding was cancelled: the partnership is ${record.status})` : input.message,
    ...(input.data ? { data: input.data } : {}),
    ...(input.status && !cancelled ? { after: { status: input.status } } : {}),
  });
  return { status: record.status };
}

const handler: ActivityHandler = (input: unknown) => recordStep(input as RecordStepInput);
df.app.activity(RECORD_STEP_ACTIVITY, { handler });
