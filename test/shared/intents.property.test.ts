// Ownership intents (shared/plan/intents): an apply interrupted after any number of its operations
// — the writes landed, their ownership never recorded — is settled from the tenant: what landed is
// adopted, the rest dropped, and undoing the adopted items brings the tenant back to where it was.
// Removal intents: a removal interrupted after any number of its writes — their Events rows never
// appended — is settled by the removal planned again from the tenant: exactly the removals written
// are recorded then, the others by the resumed run, each once.
import fc from 'fast-check';
import { ownedItemKey } from '../../shared/ownership';
import { parseDesiredCollaboration } from '../../shared/partnership';
import {
  intentsLeft,
  intentsOf,
  nextRemovalIndex,
  plan,
  removalEvents,
  removalIntentsOf,
  removePlan,
  settleIntents,
  settleRemovalIntents,
  simulateApply,
  type PartnershipTarget,
  type Plan,
} from '../../shared/plan';
import type { TenantState } from '../../shared/tenant';
import { freshTenant, TENANTS } from '../support/domain';

const options = { localCloud: 'Global' as const };

const targetArb: fc.Arbitrary<PartnershipTarget> = fc
  .record({
    partnerCloud: fc.constantFrom('Global' as const, 'USGov' as const, 'China' as const),
    federation: fc.boolean(),
    guestAccess: fc.boolean(),
    anonymousJoin: fc.boolean(),
    meetings: fc.boolean(),
    guests: fc.subarray(['bob@woodgrove.cn', 'carol@woodgrove.cn']),
    syncInbound: fc.boolean(),
  })
  .map((r) => ({
    partnershipId: 'p1',
    partnerDomains: ['woodgrove.cn'],
    desired: parseDesiredCollaboration({
      partnerTenantId: TENANTS.woodgrove,
      partnerCloud: r.partnerCloud,
      partnerDeploymentUrl: 'https://handshake.woodgrove.cn',
      b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all', applications: 'office365' } },
      teams: {
        federation: r.federation,
        guestAccess: r.guestAccess,
        anonymousJoin: r.anonymousJoin,
        ...(r.meetings && r.partnerCloud !== 'Global' ? { crossCloudMeetings: { inbound: true, outbound: true } } : {}),
      },
      guests: r.guests,
      ...(r.syncInbound && r.partnerCloud !== 'China' ? { crossTenantSync: { direction: 'inbound' as const } } : {}),
    }),
  }));

/** A tenant that may already hold the partner entry (with other settings) and some Teams settings. */
const tenantArb: fc.Arbitrary<TenantState> = fc
  .record({ partnerExists: fc.boolean(), federationOn: fc.boolean(), guestsOn: fc.boolean(), endpoints: fc.subarray(['microsoftonline.us']) })
  .map((r) => {
    const tenant = freshTenant();
    tenant.allowedCloudEndpoints = r.endpoints;
    if (r.partnerExists) {
      tenant.partners[TENANTS.woodgrove] = {
        tenantId: TENANTS.woodgrove,
        b2bCollaborationInbound: { usersAndGroups: { accessType: 'blocked', targets: [{ target: 'AllUsers', targetType: 'user' }] } },
      };
      tenant.identitySync[TENANTS.woodgrove] = null;
      tenant.coverage.identitySyncFor = [TENANTS.woodgrove];
    }
    tenant.teams.TenantFederationSettings = { ...tenant.teams.TenantFederationSettings!, AllowFederatedUsers: r.federationOn };
    tenant.teams.TeamsClientConfiguration = { Identity: 'Global', AllowGuestUser: r.guestsOn };
    return tenant;
  });

const firstOperations = (planned: Plan, count: number): Plan => ({ ...planned, operations: planned.operations.slice(0, count) });
const withoutNulls = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v === null ? undefined : v)));
const keys = (items: readonly { kind: string }[]): string[] => items.map((item) => ownedItemKey(item as never)).sort();

describe('ownership intents', () => {
  it('an apply stopped after any operation: exactly the landed writes are adopted, the rest dropped', () => {
    fc.assert(
      fc.property(targetArb, tenantArb, fc.nat(), (target, tenant, cut) => {
        const planned = plan([target], tenant, options);
        const intents = intentsOf(planned, target.partnershipId);
        const landed = firstOperations(planned, cut % (planned.operations.length + 1));
        const after = simulateApply(tenant, landed);
        const { adopted, dropped } = settleIntents(intents, after, target);
        expect(keys(adopted)).toEqual(keys(intentsOf(landed, target.partnershipId)));
        expect(keys(dropped)).toEqual(keys(intentsLeft(intents, adopted)));
        // An adopted guest carries the user id the tenant gave it.
        for (const item of adopted) if (item.kind === 'guest') expect(item.userId).toBe(after.guests[item.upn].id);
      }),
      { numRuns: 300 },
    );
  });

  it('undoing what was adopted after an interrupted apply gives back the tenant as it was', () => {
    fc.assert(
      fc.property(targetArb, tenantArb, fc.nat(), (target, tenant, cut) => {
        const planned = plan([target], tenant, options);
        const after = simulateApply(tenant, firstOperations(planned, cut % (planned.operations.length + 1)));
        const { adopted } = settleIntents(intentsOf(planned, target.partnershipId), after, target);
        const undone = simulateApply(after, removePlan(target, adopted, [], after, { ...options, deleteGuests: true }));
        expect(undone.allowedCloudEndpoints.sort()).toEqual([...tenant.allowedCloudEndpoints].sort());
        // A setting restored to "none" is null, which Graph reads as absent.
        expect(withoutNulls(undone.partners)).toEqual(withoutNulls(tenant.partners));
        expect(Object.keys(undone.guests)).toEqual(Object.keys(tenant.guests));
        expect(undone.teams).toEqual(tenant.teams);
      }),
      { numRuns: 300 },
    );
  });

  it('without the intents the same interruption leaves the landed writes behind (what the intents fix)', () => {
    const target = fc.sample(targetArb, { numRuns: 1, seed: 7 })[0];
    const tenant = freshTenant();
    const planned = plan([target], tenant, options);
    const after = simulateApply(tenant, planned);
    // The retry plans nothing, so nothing would ever claim the landed writes…
    expect(plan([target], after, options).operations).toEqual([]);
    // …and a removal with no ownership leaves the partner entry in place.
    expect(simulateApply(after, removePlan(target, [], [], after, options)).partners[TENANTS.woodgrove]).toBeDefined();
    // Adopting the intents puts it back in the removal.
    const { adopted } = settleIntents(intentsOf(planned, target.partnershipId), after, target);
    expect(simulateApply(after, removePlan(target, adopted, [], after, options)).partners[TENANTS.woodgrove]).toBeUndefined();
  });
});

describe('removal intents', () => {
  const audit = { actor: 'admin:function-key', at: '2026-12-01T10:00:00.000Z', idPrefix: 'p1:offboard-1-remove' };

  /** A tenant configured for the partnership, with what it owns. */
  const configured = (target: PartnershipTarget, tenant: TenantState) => {
    const planned = plan([target], tenant, options);
    const after = simulateApply(tenant, planned);
    return { tenant: after, owned: settleIntents(intentsOf(planned, target.partnershipId), after, target).adopted };
  };

  it('a removal stopped after any write: exactly the written removals are recorded on resuming, the rest by the resumed run, each once and in order', () => {
    fc.assert(
      fc.property(targetArb, tenantArb, fc.nat(), (target, tenant, cut) => {
        const { tenant: before, owned } = configured(target, tenant);
        const removal = removePlan(target, owned, [], before, { ...options, deleteGuests: true });
        const intents = removalIntentsOf(removal, target.partnershipId, audit);
        const written = firstOperations(removal, cut % (removal.operations.length + 1));
        const interrupted = simulateApply(before, written);
        const again = removePlan(target, owned, [], interrupted, { ...options, deleteGuests: true });
        const { landed, pending } = settleRemovalIntents(intents, again);
        expect(landed.map((intent) => intent.operationId)).toEqual(written.operations.map((operation) => operation.id));
        // The resumed run records the rest: together every removal once, numbered after the interrupted run.
        const resumed = removalIntentsOf(again, target.partnershipId, { ...audit, firstIndex: nextRemovalIndex(intents) });
        expect(new Set([...landed, ...resumed].map((intent) => intent.operationId))).toEqual(new Set(removal.operations.map((operation) => operation.id)));
        expect(resumed.map((intent) => intent.operationId)).toEqual(pending.map((intent) => intent.operationId));
        const ids = [...landed, ...resumed].map((intent) => intent.event.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual(ids);
        // And the tenant ends as the removal uninterrupted leaves it.
        expect(simulateApply(interrupted, again)).toEqual(simulateApply(before, removal));
      }),
      { numRuns: 300 },
    );
  });

  it('a removal another partnership now needs, or an admin changed, is not recorded as written', () => {
    const target = fc.sample(targetArb, { numRuns: 1, seed: 3 })[0];
    const { tenant, owned } = configured(target, freshTenant());
    const removal = removePlan(target, owned, [], tenant, options);
    const intents = removalIntentsOf(removal, target.partnershipId, audit);
    expect(intents.map((intent) => intent.operationId)).toContain(`partner.delete:${TENANTS.woodgrove}`);
    // Before resuming, another partnership with the same partner became active: the entry is handed over.
    const other: PartnershipTarget = { ...target, partnershipId: 'p2' };
    const again = removePlan(target, owned, [other], tenant, options);
    const { landed } = settleRemovalIntents(intents, again);
    expect(landed.map((intent) => intent.operationId)).not.toContain(`partner.delete:${TENANTS.woodgrove}`);
  });

  it('rows say how each removal went: the intent\'s row, "already in place" when there was nothing left to write', () => {
    const target = fc.sample(targetArb, { numRuns: 1, seed: 5 })[0];
    const { tenant, owned } = configured(target, freshTenant());
    const removal = removePlan(target, owned, [], tenant, options);
    const [first, second] = removalIntentsOf(removal, target.partnershipId, audit);
    const rows = removalEvents([first, second], [
      { operationId: first.operationId, kind: removal.operations[0].kind, outcome: 'applied' },
      { operationId: second.operationId, kind: removal.operations[1].kind, outcome: 'unchanged' },
    ]);
    expect(rows).toEqual([
      { ...first.event, data: { ...first.event.data, outcome: 'applied' } },
      { ...second.event, message: `${second.event.message} (already in place)`, data: { ...second.event.data, outcome: 'unchanged' } },
    ]);
    expect(first.event).toMatchObject({ id: `${audit.idPrefix}:0000:${first.operationId}`, before: removal.operations[0].before, after: removal.operations[0].after, actor: audit.actor });
  });
});
