// The simulator's request log (every Graph and Teams request in order, $batch items one by one)
// and scripted faults after handling: a write that lands although its answer is an error, or is
// held back while the caller waits.
import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { appOf, call, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';

describe('simulator: request log and faults after handling', () => {
  let sim: RunningSimulator;
  let contoso: SimTenantView;
  let fabrikam: SimTenantView;
  let token: string;
  let clientId: string;

  beforeAll(async () => {
    sim = await startTestSimulator();
    contoso = tenantNamed(sim, 'Contoso');
    fabrikam = tenantNamed(sim, 'Fabrikam');
    const app = appOf(sim, contoso);
    clientId = app.clientId;
    token = await tokenFor(contoso, app);
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim?.stop());

  const graph = (method: string, path: string, body?: unknown) => call(`${contoso.graphBaseUrl}/v1.0${path}`, { method, token, body });

  it('logs each request with its tenant, caller, operation and status; batch items one by one; `since` pages it', async () => {
    await graph('GET', '/policies/crossTenantAccessPolicy');
    const batch = await graph('POST', '/$batch', {
      requests: [
        { id: '1', method: 'POST', url: PARTNERS, headers: { 'Content-Type': 'application/json' }, body: { tenantId: fabrikam.id } },
        { id: '2', method: 'DELETE', url: `${PARTNERS}/${fabrikam.id}` },
      ],
    });
    expect(batch.status).toBe(200);
    const teamsToken = await tokenFor(contoso, appOf(sim, contoso), contoso.teamsScope);
    const teams = await call(`${contoso.teamsAdminBaseUrl}/Skype.Policy/configurations/TeamsClientConfiguration/configuration/Global`, { token: teamsToken });
    expect(teams.status).toBe(200);

    const log = await sim.control.requests({ tenantId: contoso.id });
    expect(log.map(({ service, method, path, status }) => ({ service, method, path, status }))).toEqual([
      { service: 'graph', method: 'GET', path: '/policies/crossTenantAccessPolicy', status: 200 },
      { service: 'graph', method: 'POST', path: PARTNERS, status: 201 },
      { service: 'graph', method: 'DELETE', path: `${PARTNERS}/${fabrikam.id}`, status: 204 },
      { service: 'graph', method: 'POST', path: '/$batch', status: 200 },
      { service: 'teams', method: 'GET', path: '/Skype.Policy/configurations/TeamsClientConfiguration/configuration/Global', status: 200 },
    ]);
    expect(new Set(log.map((entry) => entry.clientId))).toEqual(new Set([clientId.toLowerCase()]));
    expect(log.map((entry) => entry.seq)).toEqual([...log.map((entry) => entry.seq)].sort((a, b) => a - b));
    expect(await sim.control.requests({ tenantId: contoso.id, since: log[2].seq })).toEqual(log.slice(3));
    expect(await sim.control.requests({ tenantId: fabrikam.id })).toEqual([]);

    await sim.control.clearRequests();
    expect(await sim.control.requests()).toEqual([]);
  });

  it('a fault after handling: the write lands, the caller gets the error', async () => {
    await sim.control.addScriptedFault({ phase: 'after', status: 504, method: 'POST', pathContains: 'partners' });
    const answer = await graph('POST', PARTNERS, { tenantId: fabrikam.id });
    expect(answer.status).toBe(504);
    expect((await sim.control.state(contoso.id)).partners.map((partner) => partner.tenantId)).toEqual([fabrikam.id]);
    // Used up: the next request is answered as handled.
    expect((await graph('PATCH', `${PARTNERS}/${fabrikam.id}`, {})).status).toBe(204);
  });

  it('a held answer: the write is visible while the caller still waits', async () => {
    await sim.control.addScriptedFault({ phase: 'after', holdMs: 60_000, method: 'POST', pathContains: 'partners' });
    const controller = new AbortController();
    const pending = fetch(`${contoso.graphBaseUrl}/v1.0${PARTNERS}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: fabrikam.id }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    const deadline = Date.now() + 10_000;
    while ((await sim.control.state(contoso.id)).partners.length === 0) {
      if (Date.now() > deadline) throw new Error('the held write never landed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The caller goes away (as a killed process would); the simulator carries on.
    controller.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    expect((await graph('GET', `${PARTNERS}/${fabrikam.id}`)).status).toBe(200);
  });

  it('refuses a scripted fault that says nothing to do, or a hold before handling', async () => {
    await expect(sim.control.addScriptedFault({ phase: 'after' })).rejects.toThrow(/needs a status/);
    await expect(sim.control.addScriptedFault({ status: 503, holdMs: 100 })).rejects.toThrow(/holdMs only applies after handling/);
    expect((await sim.control.faults()).scripted).toEqual([]);
  });
});
