// The handshake survives what real deployments go through: a host killed (SIGKILL) and restarted
// mid-handshake, a partner deployment that is down for a while, an answer that arrives before the
// workflow waits for it (out-of-band invitation while the sender is still retrying), and a
// pre-trust rule that approves an invitation without a pairing code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDeploymentKeyStore } from '../../shared/handshake';
import { api, contosoRequest, hasStatus, useStack, waitForPartnership, WORLD, type LocalStackDeployment } from '../support/stack';

jest.setTimeout(300_000);

const SETTLED = ['Active', 'Failed', 'Rejected', 'Expired'];
/** Contoso waits this long before it retries a delivery: the window the out-of-band test uses. */
const CONTOSO_FIRST_RETRY_MS = 15_000;

const stateDir = mkdtempSync(join(tmpdir(), 'cch-resilience-'));
const contosoKeyFile = join(stateDir, 'deployments', 'Contoso', 'deployment-key.json');

function stepIndex(partnership: { steps: { message: string }[] }, pattern: RegExp): number {
  return partnership.steps.findIndex((step) => pattern.test(step.message));
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // a deployment may be restarting
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

async function statusOf(deployment: LocalStackDeployment, id: string): Promise<string | undefined> {
  const answer = await api(deployment, 'GET', `/api/partnerships/${id}`);
  return answer.status === 200 ? answer.body.status : undefined;
}

describe('handshake resilience', () => {
  const stack = useStack(async () => {
    // China pre-trusts Contoso's key: the thumbprint must be known before China starts.
    const contosoKey = await new FileDeploymentKeyStore({ path: contosoKeyFile }).getDeploymentKey();
    return {
      deployments: [
        { name: 'Contoso', tenantId: WORLD.contoso, env: { MESSAGE_DELIVERY_FIRST_RETRY_INTERVAL_MS: String(CONTOSO_FIRST_RETRY_MS), MESSAGE_DELIVERY_MAX_RETRY_INTERVAL_MS: '20000' } },
        { name: 'China', tenantId: WORLD.china, env: { HANDSHAKE_PRETRUST_RULES: `${WORLD.contoso}=${contosoKey.kid}` } },
      ],
      timings: 'short',
      // Every Graph and Teams request takes a while: workflows are mid-flight long enough to be killed.
      latencyMs: 100,
      stateDir,
    };
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
  const contoso = () => stack().deployment('Contoso');
  const china = () => stack().deployment('China');
  /** China's failed attempts to deliver a message, from the durable history of its workflow. */
  const failedSends = async (id: string): Promise<unknown[]> => {
    const history = await api(china(), 'GET', `/runtime/webhooks/durabletask/instances/${id}?showHistory=true&code=${china().systemKey}`, { key: 'none' });
    return ((history.body?.historyEvents ?? []) as { EventType: string; Name?: string; FunctionName?: string }[]).filter(
      (event) => event.EventType === 'TaskFailed' && (event.FunctionName ?? event.Name) === 'sendMessage',
    );
  };

  it('a pre-trusted invitation is approved without a pairing code; both hosts killed mid-handshake and restarted, it still ends Active', async () => {
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    expect(created.status).toBe(202);
    const id = created.body.id;

    // China approves by itself (pre-trust) and its workflow starts configuring Entra: kill it in the middle.
    await waitUntil(
      'China to start configuring',
      async () => {
        const b = await api(china(), 'GET', `/api/partnerships/${id}`);
        return b.body?.status === 'ConfiguringLocal' && b.body.steps.some((step: { message: string }) => step.message.startsWith('Invitation approved; configuring'));
      },
      60_000,
      20,
    );
    await china().kill('SIGKILL');
    await china().restart();

    // Contoso configures Teams once China confirmed: kill it there.
    await waitUntil('Contoso to configure Teams', async () => ['ConfiguringTeams', 'Verifying', ...SETTLED].includes((await statusOf(contoso(), id)) ?? ''), 120_000, 20);
    const contosoStatusAtKill = await statusOf(contoso(), id);
    await contoso().kill('SIGKILL');
    await contoso().restart();

    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus(...SETTLED), 180_000),
      waitForPartnership(china(), id, hasStatus(...SETTLED), 180_000),
    ]);
    expect([a.status, b.status]).toEqual(['Active', 'Active']);
    expect(b).toMatchObject({ approval: 'pre-trusted' });
    expect(b.steps.map((step: { message: string }) => step.message)).toContain('Invitation approved by a pre-trust rule (partner tenant and key match).');
    // Killed mid-flight (or at worst just after): the workflows resumed where they were.
    expect(['ConfiguringTeams', 'Verifying', 'Active']).toContain(contosoStatusAtKill);
    // Activities run at least once, their effects exactly once: one guest each way.
    const guests = async (tenantId: string) => (await stack().simulator.control.state(tenantId)).users.filter((user) => user.userType === 'Guest').length;
    expect(await guests(WORLD.contoso)).toBe(1);
    expect(await guests(WORLD.china)).toBe(1);
  });

  it('out of band: the partner was down (its key could not be fetched), the invitation is carried over, and the key is pinned by the thumbprint its admin reads back; the answer that arrives before the workflow waits for it is kept', async () => {
    await stack().simulator.control.reset();
    await china().stop();
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    expect(created.status).toBe(202);
    const id = created.body.id;
    // The first delivery failed (China is down); Contoso waits CONTOSO_FIRST_RETRY_MS before retrying.
    const awaiting = await waitForPartnership(contoso(), id, hasStatus('AwaitingPartner'));
    // China's key could not be fetched from its URL: nothing is pinned, the admin is told how to.
    expect(awaiting.steps.find((step: { step?: string; message: string }) => /could not be fetched/.test(step.message))).toMatchObject({ type: 'warning' });
    expect(awaiting.keys.partner).toBeUndefined();
    await china().restart();
    const invitation = await api(contoso(), 'GET', `/api/partnerships/${id}/invitation`);
    expect(invitation.status).toBe(200);
    // The admin carries the invitation over: China (pre-trusted) approves, configures and confirms —
    // without a key proof (nobody typed the code there), so Contoso does not trust the confirmation yet.
    const delivered = await api(china(), 'POST', '/api/handshake/messages', { body: invitation.text, contentType: 'application/jose', key: 'none' });
    expect(delivered.body).toEqual({ id, status: 'Draft', approval: 'pre-trusted' });
    // China's admin reads its own key thumbprint to Contoso's admin, who pins it; China's retried confirmation gets through.
    const chinaSide = await waitForPartnership(china(), id, (partnership) => Boolean(partnership.keys?.own));
    expect(chinaSide.keys.partner).toMatchObject({ source: 'pre-trust' });
    const pinned = await api(contoso(), 'POST', `/api/partnerships/${id}/partner-key`, { body: { thumbprint: chinaSide.keys.own } });
    expect(pinned.status).toBe(200);
    expect(pinned.body.keys.partnerExpected ?? pinned.body.keys.partner?.thumbprint).toBe(chinaSide.keys.own);

    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), id, hasStatus(...SETTLED), 180_000),
      waitForPartnership(china(), id, hasStatus(...SETTLED), 180_000),
    ]);
    expect([a.status, b.status]).toEqual(['Active', 'Active']);
    expect(a.keys.partner).toMatchObject({ thumbprint: chinaSide.keys.own, source: 'admin' });
    // Contoso took the confirmation while its workflow was still retrying the invitation; the retry
    // then reached China, which answered it as the redelivery it was (no second partnership).
    const confirmationAt = stepIndex(a, /^Confirmation received/);
    const deliveredAt = stepIndex(a, /^Invitation delivered/);
    expect(confirmationAt).toBeGreaterThanOrEqual(0);
    expect(deliveredAt).toBeGreaterThan(confirmationAt);
    expect(b.steps.filter((step: { message: string }) => /^Invitation received/.test(step.message))).toHaveLength(1);
  });

  it('a partner deployment down for a while: the invitation is retried with backoff and delivered once it is back', async () => {
    await stack().simulator.control.reset();
    await contoso().stop();
    // This time China invites Contoso (China retries quickly: short timings).
    const created = await api(china(), 'POST', '/api/partnerships', {
      body: {
        partnerTenantId: WORLD.contoso,
        partnerCloud: 'Global',
        partnerDeploymentUrl: contoso().baseUrl,
        b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
        teams: { federation: true, crossCloudMeetings: { inbound: true, outbound: true } },
      },
    });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await waitForPartnership(china(), id, hasStatus('AwaitingPartner'));
    // Contoso stays down until China has tried (and failed) to deliver at least twice.
    await waitUntil('two failed deliveries', async () => (await failedSends(id)).length >= 2);
    const backAt = Date.now();
    await contoso().restart();

    const awaiting = await waitForPartnership(contoso(), id, hasStatus('Draft'), 60_000);
    expect(Date.parse(awaiting.steps[0].at)).toBeGreaterThanOrEqual(backAt - 1_000);
    expect((await api(contoso(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: created.body.pairingCode } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(china(), id, hasStatus(...SETTLED), 180_000),
      waitForPartnership(contoso(), id, hasStatus(...SETTLED), 180_000),
    ]);
    expect([a.status, b.status]).toEqual(['Active', 'Active']);
    // China could not fetch Contoso's key while Contoso was down: the key proof in Contoso's
    // confirmation (made with the code its admin typed) is what China trusts it on.
    expect(a.steps.some((step: { message: string }) => /could not be fetched/.test(step.message))).toBe(true);
    expect(a.keys.partner).toMatchObject({ source: 'key-proof' });
    expect(b.keys.partner).toMatchObject({ source: 'pairing-code' });
    // The durable history shows the failed attempts before the one that got through.
    expect((await failedSends(id)).length).toBeGreaterThanOrEqual(2);
  });
});
