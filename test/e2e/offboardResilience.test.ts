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
    expect((await api(contoso(), 'DELETE', `/api/partnerships/${id}`)).status).toBe(202);

    // The removal starts with Teams (the partner's domains leave the federation list) and ends with
    // the partner entry and the cloud setting: kill Contoso's host in between.
    const midway = await waitUntil('the removal to be under way', async () => {
      const state = await stack().simulator.control.state(WORLD.contoso);
      const meetings = (state.teams.TeamsCrossCloudMeetingConfiguration?.Partners as { TenantId: string }[] | undefined) ?? [];
      return meetings.some((partner) => partner.TenantId === WORLD.china) ? undefined : state;
    });
    await contoso().kill('SIGKILL');
    expect(midway.partners.map((partner) => partner.tenantId)).toContain(WORLD.china);
    expect(midway.policy.allowedCloudEndpoints).toEqual(['partner.microsoftonline.cn']);
    await contoso().restart();

    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus('Removed', 'Failed'), 180_000),
      waitForPartnership(china(), id, hasStatus('Removed', 'Failed'), 180_000),
    ]);
    expect([a.status, b.status]).toEqual(['Removed', 'Removed']);
    const after = await states();
    expect(withoutGuests(after.contoso)).toEqual(withoutGuests(before.contoso));
    expect(withoutGuests(after.china)).toEqual(withoutGuests(before.china));
    // Activities run at least once, their records exactly once: one row per removal, one Removed.
    const rows = (await storedEvents(stack(), contoso(), id)).filter((event) => event.type === 'operation.applied' && event.id.includes(':offboard-'));
    const operations = rows.map((row) => row.operationId);
    expect(new Set(operations).size).toBe(operations.length);
    expect(operations).toEqual(expect.arrayContaining([`partner.delete:${WORLD.china}`, 'cloudEndpoints.update']));
    expect(a.steps.filter((step: { status?: string }) => step.status === 'Removed')).toHaveLength(1);
  });
});
