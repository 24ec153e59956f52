// What each poll of a partnership adds to the progress a waiting client shows (CLI and demo).
import type { PartnershipStatus } from '../partnership';
import type { PartnershipDetails, PartnershipStep } from './types';

export type ProgressItem = { status: PartnershipStatus } | { step: PartnershipStep };

/**
 * What a poll shows that the earlier ones did not, in order: the new steps, each status change
 * before the step that made it (so a status held for less than a poll is still seen), and the
 * current status if no step named it yet. New steps are found by content, not position: a step
 * stamped with an earlier time (a partner message carries its own) can land before steps already
 * shown.
 */
export function progressSince(current: PartnershipDetails, seen: { status?: PartnershipStatus; steps: readonly PartnershipStep[] }): ProgressItem[] {
  const items: ProgressItem[] = [];
  let shown = seen.status;
  const alreadyShown = new Map<string, number>();
  for (const step of seen.steps) alreadyShown.set(stepKey(step), (alreadyShown.get(stepKey(step)) ?? 0) + 1);
  const fresh = (current.steps ?? []).filter((step) => {
    const left = alreadyShown.get(stepKey(step)) ?? 0;
    if (left === 0) return true;
    alreadyShown.set(stepKey(step), left - 1);
    return false;
  });
  for (const step of fresh) {
    if (step.status && step.status !== shown) items.push({ status: (shown = step.status) });
    items.push({ step });
  }
  if (current.status !== shown) items.push({ status: current.status });
  return items;
}

function stepKey(step: PartnershipStep): string {
  return `${step.at}\u0000${step.type}\u0000${step.message}`;
}
