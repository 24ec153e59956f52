// Offboarding under what real deployments go through, with every Graph and Teams request slowed
// down so work is caught mid-flight: a reconcile run repairing the partnership while offboarding
// begins (the removal waits for it, so no repair re-adds what is removed), and a host killed
// (SIGKILL) in the middle of the removal (it resumes and converges to the same end state).
import { TenantWriterRepository, createTableClientFactory } from '../../shared/tables';
import { activePartnership, api, collaborationState, contosoRequest, hasStatus, storedEvents, useDeployments, waitForPartnership, WORLD } from '../support/stack';

jest.setTimeout(360_000);

const withoutGuests = (state: Record<string, unknown>): Record<string, unknown> => ({ ...state, guests: undefined });

async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const found = await check();
      if (found !== undefined) return found;
    } catch {
      // a deployment may be restarting
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('offboarding resilience', () => {
  const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china }, { latencyMs: 100 });

  beforeEach(async () => {
    await stack().simulator.control.reset();
  });

  async function states(): Promise<{ contoso: Record<string, unknown>; china: Record<string, unknown> }> {
    return {
      contoso: collaborationState(await stack().simulator.control.state(WORLD.contoso)),
      china: collaborationState(await stack().simulator.control.state(WORLD.china)),
    };
  }

  it('a reconcile run repairing the partnership when offboarding begins is waited for: nothing it repairs survives the removal', async () => {
    const before = await states();
    const id = await activePartnership(contoso(), china(), contosoRequest(stack()));
    // Drift: an admin deletes the partner entry; an enforce run is asked to repair it.
    const drift = await stack().simulator.control.admin(WORLD.contoso, { method: 'DELETE', path: `/policies/crossTenantAccessPolicy/partners/${WORLD.china}` });
    expect(drift.status).toBe(204);
    const repair = api(contoso(), 'POST', `/api/partnerships/${id}/reconcile?mode=enforce`);

    // The run registers as a tenant writer before it reads which partnerships to repair.
    const writers = new TenantWriterRepository(
      createTableClientFactory({ connectionString: stack().azurite.connectionString, tablePrefix: contoso().tablePrefix }),
    );
    const run = await waitUntil('the reconcile run to start writing', async () => (await writers.inFlight(id)).find((writer) => writer.writerId.startsWith('reconcile:')), 30_000);
    expect((await api(contoso(), 'DELETE', `/api/partnerships/${id}`)).status).toBe(202);
    await repair;

    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Removed', 'Failed')),
      waitForPartnership(china(), id, hasStatus('Removed', 'Failed')),
    ]);
    expect([a.status, b.status]).toEqual(['Removed', 'Removed']);
    expect(a.steps.map((step: { message: string }) => step.message)).toContain(
      `Reconciliation stopped for this partnership, after 1 write(s) in flight finished: ${run.writerId}.`,
    );
    // Whatever the run repaired before the removal, the removal took away: the tenant is as it was.
    const after = await states();
    expect(withoutGuests(after.contoso)).toEqual(withoutGuests(before.contoso));
    expect(await writers.inFlight(id)).toEqual([]);
  });

  it('a host killed in the middle of the removal resumes it and converges: both Removed, each removal recorded once', async () => {
    const before = await states();
    const id = await activePartnership(contoso(), china(), contosoRequest(stack()));
    // The partner entry's deletion lands in the tenant, but its answer is held: Contoso's host is
    // still waiting for it when it is killed, so the removal never records it — the resumed one must.
    await stack().simulator.control.addScriptedFault({ phase: 'after', holdMs: 600_000, tenantId: WORLD.contoso, operation: 'policies.crossTenantAccessPolicy.DeletePartners' });
    expect((await api(contoso(), 'DELETE', `/api/partnerships/${id}`)).status).toBe(202);

    const midway = await waitUntil('the partner entry to be deleted', async () => {
      const state = await stack().simulator.control.state(WORLD.contoso);
      return state.partners.some((partner) => partner.tenantId === WORLD.china) ? undefined : state;
    });
    await contoso().kill('SIGKILL');
    // Teams done and the partner entry gone (its removal not recorded yet); the cloud setting is next.
    expect(midway.policy.allowedCloudEndpoints).toEqual(['partner.microsoftonline.cn']);
    const unrecorded = (await storedEvents(stack(), contoso(), id)).filter((event) => event.type === 'operation.applied' && event.id.includes(':offboard-'));
    expect(unrecorded.map((row) => row.operationId)).not.toContain(`partner.delete:${WORLD.china}`);
    await contoso().restart();

    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Removed', 'Failed'), 180_000),
      waitForPartnership(china(), id, hasStatus('Removed', 'Failed'), 180_000),
    ]);
    expect([a.status, b.status]).toEqual(['Removed', 'Removed']);
    const after = await states();
    expect(withoutGuests(after.contoso)).toEqual(withoutGuests(before.contoso));
    expect(withoutGuests(after.china)).toEqual(withoutGuests(before.china));
    // Activities run at least once, their records exactly once: one row per removal (the one
    // written before the crash too, with what it removed), in the order they happened; one Removed.
    const rows = (await storedEvents(stack(), contoso(), id)).filter((event) => event.type === 'operation.applied' && event.id.includes(':offboard-'));
    const operations = rows.map((row) => row.operationId);
    expect(new Set(operations).size).toBe(operations.length);
    expect(operations.filter((operation) => operation === `partner.delete:${WORLD.china}` || operation === 'cloudEndpoints.update')).toEqual([
      `partner.delete:${WORLD.china}`,
      'cloudEndpoints.update',
    ]);
    expect(rows.find((row) => row.operationId === `partner.delete:${WORLD.china}`)).toMatchObject({
      actor: 'admin:function-key',
      before: expect.objectContaining({ tenantId: WORLD.china }),
      after: null,
    });
    expect(a.steps.filter((step: { status?: string }) => step.status === 'Removed')).toHaveLength(1);
    expect(a.steps.at(-1).message).toMatch(/^Removed what this partnership had added \((\d+) change\(s\)\)/);
    expect(Number(/\((\d+) change/.exec(a.steps.at(-1).message)![1])).toBe(operations.length);
  });
});
