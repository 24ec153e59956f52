// What each poll of a partnership adds to the progress a waiting client shows (CLI and demo).
import type { PartnershipStatus } from '../partnership';
import type { PartnershipDetails, PartnershipStep } from './types';

export type ProgressItem = { status: PartnershipStatus } | { step: PartnershipStep };

/**
 * What a poll shows that the earlier ones did not, in order: the new steps, each status change
 * before the step that made it (so a status held for less than a poll is still seen), and the
 * current status if no step named it yet.
 */
export function progressSince(current: PartnershipDetails, seen: { status?: PartnershipStatus; steps: number }): ProgressItem[] {
  const items: ProgressItem[] = [];
  let shown = seen.status;
  for (const step of (current.steps ?? []).slice(seen.steps)) {
    if (step.status && step.status !== shown) items.push({ status: (shown = step.status) });
    items.push({ step });
  }
  if (current.status !== shown) items.push({ status: current.status });
  return items;
}
