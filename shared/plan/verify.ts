// verifyTenantState(): read back and say whether the tenant holds what the partnerships need —
// the "verify" step of the handshake and the check after a repair.
import type { Plan, PlanOperation } from './operations';
import { plan, type PlanOptions } from './plan';
import { readTenantState, type ReadOptions, type TenantAdapters } from './read';
import type { PartnershipTarget } from './requirements';

export interface Verification {
  /** True when nothing is left to write. */
  inSync: boolean;
  /** What still differs (empty when in sync). */
  remaining: PlanOperation[];
  /** Remaining Teams changes in manual mode: waiting for an administrator to run the script. */
  awaitingAdministrator: boolean;
  warnings: Plan['warnings'];
}

export async function verifyTenantState(
  adapters: TenantAdapters,
  targets: readonly PartnershipTarget[],
  options: PlanOptions & Omit<ReadOptions, 'localCloud'>,
): Promise<Verification> {
  const remaining = plan(targets, await readTenantState(adapters, targets, options), options);
  return {
    inSync: remaining.operations.length === 0,
    remaining: remaining.operations,
    awaitingAdministrator:
      adapters.teams.mode === 'manual' &&
      remaining.operations.length > 0 &&
      remaining.operations.every((operation) => operation.kind === 'teams.update'),
    warnings: remaining.warnings,
  };
}
