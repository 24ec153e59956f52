// Offboarding in the demo (`--scenario offboard`): once both sides are Active, one side's
// administrator ends the partnership through the API; both deployments remove what the
// partnership added (the partner told by a signed `offboard` message) and end Removed. What stays
// in each tenant — the invited guests, by default — is shown and reported as `kept`.
import type { PartnershipDetails } from '../../../shared/client';
import type { DemoContext, Side } from './context';
import { DEMO_PHASES, follow, followUntilSettled, type DemoPhase } from './phases';

/** Something a removed partnership left in a tenant, and why (the report's `kept`). */
export interface KeptRecord {
  /** Display name of the tenant. */
  tenant: string;
  item: string;
  why: string;
}

const ended = (partnership: PartnershipDetails): boolean => partnership.status === 'Removed' || partnership.status === 'Failed';

export const offboardPartnership: DemoPhase = {
  name: "an admin ends the partnership; both sides remove what it added",
  when: (context) =>
    context.scenario.offboard !== undefined && context.sides.initiator.partnership?.status === 'Active' && context.sides.responder.partnership?.status === 'Active',
  async run(context) {
    const { by, reason } = context.scenario.offboard!;
    const asking = context.sides[by];
    const other = context.sides[by === 'initiator' ? 'responder' : 'initiator'];
    context.log.line(`${asking.tenant.displayName}'s admin removes the partnership: "${reason}" (invited guests are kept)`);
    const accepted = await asking.client!.offboard(context.partnershipId!, { reason });
    context.log.line(`${asking.tenant.displayName}: ${accepted.status}; ${other.tenant.displayName} is told with a signed offboard message`);
    await Promise.all((['initiator', 'responder'] as const).map((side) => follow(context, side, ended)));
    context.kept = (['initiator', 'responder'] as const).flatMap((side) => keptBy(context, side));
    for (const entry of context.kept) context.log.line(`Kept at ${entry.tenant}: ${entry.item} (${entry.why})`);
  },
};

/** What a side's removal left in its tenant, from the step that ended the partnership. */
function keptBy(context: DemoContext, side: Side): KeptRecord[] {
  const state = context.sides[side];
  const removed = [...(state.partnership?.steps ?? [])].reverse().find((step) => step.status === 'Removed');
  const kept = (removed?.data?.kept as { description: string; why: string }[] | undefined) ?? [];
  return kept.map(({ description, why }) => ({ tenant: state.tenant.displayName, item: description, why }));
}

// Right after the handshake has settled, before the tenants are read again.
DEMO_PHASES.splice(DEMO_PHASES.indexOf(followUntilSettled) + 1, 0, offboardPartnership);
