// Reconciliation in the demo: once both sides are Active, administrators change things
// "in the portals" (the simulator's admin API) and each deployment finds and repairs the drift on
// its own — Woodgrove China by its reconcile timer (the cross-tenant access policy cannot be
// subscribed to), Contoso by a Graph change notification. The output shows what each found, who
// found it and how long the repair took; the report lists it as `drift`.
import type { PartnershipDetails } from '../../../shared/client';
import type { AdminRequest } from '../simulator';
import type { DemoContext, Side } from './context';
import type { DemoPhase } from './phases';

/** A drift the demo made and its repair: what the report's `drift` lists. */
export interface DriftRecord {
  /** Display name of the tenant that drifted. */
  tenant: string;
  /** What the admin changed. */
  item: string;
  /** What started the run that found it: `timer` or `notification` (from the partnership's Events). */
  detectedBy: string;
  /** From the admin's change until the tenant was as desired again. */
  repairedAfterMs: number;
}

/** How often Woodgrove China's deployment reconciles in the demo (NCRONTAB, with seconds). */
export const DEMO_TIMER_SCHEDULE = '*/10 * * * * *';
/** The settings of each demo deployment that concern reconciliation (merged into its app settings). */
export function reconcileSettingsFor(timerDriven: boolean): Record<string, string> {
  return {
    RECONCILE_MODE: 'enforce',
    RECONCILE_DEBOUNCE_MS: '1000',
    // Only the timer-driven side ticks during the demo, so each drift is found the way it shows.
    RECONCILE_SCHEDULE: timerDriven ? DEMO_TIMER_SCHEDULE : '0 0 0 1 1 *',
  };
}

/** How long the demo waits for a repair before calling the run failed. */
export const REPAIR_TIMEOUT_MS = 90_000;
const POLL_MS = 200;

interface DriftCase {
  side: Side;
  item: string;
  /** The admin's changes, in order. */
  changes: (context: DemoContext) => Promise<AdminRequest[]>;
  describe: string;
  /** True once the tenant is as desired again. */
  repaired: (context: DemoContext) => Promise<boolean>;
}

const partnerPath = (tenantId: string): string => `/policies/crossTenantAccessPolicy/partners/${tenantId}`;
const TEAMS_CLIENT = '/Skype.Policy/configurations/TeamsClientConfiguration/configuration/Global';

async function tenantState(context: DemoContext, side: Side) {
  return context.stack!.simulator.control.state(context.sides[side].tenant.tenantId);
}

/** The guest user a tenant holds for an address (invited guests carry it as mail, or in their #EXT# UPN). */
function guestFor(users: Array<Record<string, unknown>>, address: string): Record<string, unknown> | undefined {
  const ext = `${address.replace('@', '_')}#EXT#`.toLowerCase();
  return users.find(
    (user) => user.userType === 'Guest' && (String(user.mail ?? '').toLowerCase() === address || String(user.userPrincipalName ?? '').toLowerCase().startsWith(ext)),
  );
}

function driftCases(context: DemoContext): DriftCase[] {
  const { initiator, responder } = context.sides;
  const guest = (context.scenario.request('').guests as string[] | undefined)?.[0];
  return [
    {
      side: 'responder',
      item: `partner entry for ${initiator.tenant.displayName} (cross-tenant access settings)`,
      describe: `An admin at ${responder.tenant.displayName} deletes the partner entry for ${initiator.tenant.displayName} in the Entra admin center`,
      changes: async () => [{ method: 'DELETE', path: partnerPath(initiator.tenant.tenantId) }],
      repaired: async (ctx) =>
        (await ctx.stack!.simulator.control.admin(responder.tenant.tenantId, { method: 'GET', path: partnerPath(initiator.tenant.tenantId) })).status === 200,
    },
    {
      side: 'initiator',
      item: 'Teams guest access',
      describe: `An admin at ${initiator.tenant.displayName} turns Teams guest access off in the Teams admin center`,
      changes: async (ctx) => {
        const current = (await tenantState(ctx, 'initiator')).teams.TeamsClientConfiguration;
        return [{ service: 'teams', method: 'PUT', path: TEAMS_CLIENT, body: { ...current, AllowGuestUser: false } }];
      },
      repaired: async (ctx) => (await tenantState(ctx, 'initiator')).teams.TeamsClientConfiguration?.AllowGuestUser === true,
    },
    ...(guest
      ? [
          {
            side: 'initiator' as const,
            item: `guest ${guest}`,
            describe: `…and deletes the guest ${guest} from the directory (Graph notifies ${initiator.tenant.displayName}'s deployment of that)`,
            changes: async (ctx: DemoContext) => {
              const user = guestFor((await tenantState(ctx, 'initiator')).users, guest);
              if (!user) throw new Error(`${initiator.tenant.displayName} has no guest ${guest} to delete`);
              return [{ method: 'DELETE' as const, path: `/users/${String(user.id)}` }];
            },
            repaired: async (ctx: DemoContext) => guestFor((await tenantState(ctx, 'initiator')).users, guest) !== undefined,
          },
        ]
      : []),
  ];
}

/** The trigger of the first drift the partnership recorded at or after `since` (its Events, through the API). */
function detectedBy(partnership: PartnershipDetails | undefined, since: number): string {
  const found = (partnership?.steps ?? []).find((step) => step.type === 'drift.detected' && Date.parse(step.at) >= since - 1_000);
  // The reconcile run writes "<trigger> reconcile (<mode>) found …".
  return found ? (/^(\w+) reconcile/.exec(found.message)?.[1] ?? 'unknown') : 'unknown';
}

async function waitForRepairs(context: DemoContext, cases: DriftCase[], changedAt: number): Promise<number[]> {
  const repairedAt: (number | undefined)[] = cases.map(() => undefined);
  const deadline = Date.now() + REPAIR_TIMEOUT_MS;
  while (repairedAt.some((at) => at === undefined)) {
    context.signal.throwIfAborted();
    for (const [index, drift] of cases.entries()) {
      if (repairedAt[index] === undefined && (await drift.repaired(context))) repairedAt[index] = Date.now();
    }
    if (Date.now() > deadline) {
      const missing = cases.filter((_, index) => repairedAt[index] === undefined).map((drift) => drift.item);
      throw new Error(`Not repaired within ${REPAIR_TIMEOUT_MS / 1000} s: ${missing.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return repairedAt.map((at) => (at as number) - changedAt);
}

export const driftAndRepair: DemoPhase = {
  name: 'admins change settings; reconciliation finds and repairs them',
  when: (context) =>
    context.scenario.name === 'approve' && context.sides.initiator.partnership?.status === 'Active' && context.sides.responder.partnership?.status === 'Active',
  async run(context) {
    const control = context.stack!.simulator.control;
    const cases = driftCases(context);
    context.drift = [];
    // One drift per side, one after the other: Woodgrove China's timer first, then Contoso's notification.
    for (const side of ['responder', 'initiator'] as const) {
      const mine = cases.filter((drift) => drift.side === side);
      const state = context.sides[side];
      const changedAt = Date.now();
      for (const drift of mine) {
        context.log.line(drift.describe);
        for (const change of await drift.changes(context)) {
          const answer = await control.admin(state.tenant.tenantId, change);
          if (answer.status >= 300) throw new Error(`${drift.describe}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
      context.log.line(
        side === 'responder'
          ? `${state.tenant.displayName}'s deployment reconciles on a timer (every 10 s in this demo): Graph cannot notify changes to the cross-tenant access policy`
          : `${state.tenant.displayName}'s deployment is notified by Graph of the directory change and reconciles that partnership`,
      );
      const after = await waitForRepairs(context, mine, changedAt);
      const partnership = await state.client!.getPartnership(context.partnershipId!);
      state.partnership = partnership;
      const by = detectedBy(partnership, changedAt);
      const found = partnership.steps.filter((step) => (step.type === 'drift.detected' || step.type === 'drift.repaired') && Date.parse(step.at) >= changedAt - 1_000);
      for (const step of found) context.log.line(`${state.tenant.displayName}:   ${step.type} — ${step.message}`);
      mine.forEach((drift, index) => {
        context.drift!.push({ tenant: state.tenant.displayName, item: drift.item, detectedBy: by, repairedAfterMs: after[index] });
        context.log.line(`${state.tenant.displayName}: ${drift.item} repaired ${(after[index] / 1000).toFixed(1)} s after the change (found by the ${by} run); drift status ${partnership.driftStatus}`);
      });
    }
  },
};
