// A host killed between a Graph write and the record of what it owns: the restarted host adopts
// the write from the ownership intent it recorded first, so when the partner then rejects the
// invitation the compensation removes it — the tenant ends exactly as it was before.
import type { TenantDump } from '../../infra/local/simulator';
import { api, contosoRequest, hasStatus, useDeployments, waitForPartnership, WORLD } from '../support/stack';

jest.setTimeout(240_000);

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';

/** What the handshake may change in a tenant, with every setting (not only the names). */
function tenantState(dump: TenantDump): unknown {
  return { policy: { ...dump.policy, sizeBytes: undefined }, partners: dump.partners, teams: dump.teams, users: dump.users };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('crash between a tenant write and its ownership record', () => {
  const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china });

  it('killed after the partner entry landed, restarted, rejected by the partner: the tenant is as before', async () => {
    const control = stack().simulator.control;
    await control.reset();
    const before = tenantState(await control.state(WORLD.contoso));
    // The partner entry is written, but its answer is held: Contoso's host is still waiting for it
    // when it is killed, so it never records that it owns the entry.
    await control.addScriptedFault({ phase: 'after', holdMs: 600_000, tenantId: WORLD.contoso, method: 'POST', pathContains: PARTNERS });

    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    await until('the partner entry in Contoso', async () =>
      (await control.state(WORLD.contoso)).partners.some((partner) => partner.tenantId === WORLD.china) ? true : undefined,
    );
    await contoso().kill();
    // Written to the tenant, not recorded as owned.
    const interrupted = await api(contoso(), 'GET', `/api/partnerships/${id}`).catch(() => undefined);
    expect(interrupted).toBeUndefined(); // the host is down

    await contoso().restart();
    const waiting = await waitForPartnership(contoso(), id, hasStatus('AwaitingPartner', 'Failed'));
    expect(waiting.status).toBe('AwaitingPartner');
    // The restarted attempt found the write and owns it now.
    expect(waiting.owned).toEqual(expect.arrayContaining([{ kind: 'partner', tenantId: WORLD.china }, { kind: 'cloudEndpoint', value: 'partner.microsoftonline.cn' }]));
    expect(waiting.steps).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ownership.settled', message: expect.stringMatching(/written 2 change\(s\) before it could record them/) })]));

    await waitForPartnership(china(), id, hasStatus('Draft'));
    expect((await api(china(), 'POST', `/api/partnerships/${id}/reject`, { body: { reason: 'Not expected.' } })).status).toBe(202);
    const rejected = await waitForPartnership(contoso(), id, hasStatus('Rejected', 'Failed'));
    expect(rejected.status).toBe('Rejected');
    expect(rejected.owned).toEqual([]);
    expect(tenantState(await control.state(WORLD.contoso))).toEqual(before);
    // The restarted attempt did not create the entry again (the held first request, still
    // unanswered, is not in the log yet: it is logged when answered).
    const creates = (await control.requests({ tenantId: WORLD.contoso })).filter((entry) => entry.method === 'POST' && entry.path === PARTNERS);
    expect(creates).toEqual([]);
  });
});
