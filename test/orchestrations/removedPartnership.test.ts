// What a cancelled onboarding may still do once its partnership is being removed, through the real
// activities against Azurite (the deployment as the host builds it, from app settings): a step it
// records keeps its row but not its status, a configure step refuses before touching the tenant
// (and leaves the tenant-writer table as it found it), its undo leaves the removal to offboarding.
import { recordStep } from '../../orchestrations/activities/recordStep';
import { configureTenant } from '../../orchestrations/activities/configureTenant';
import { undoPartnershipChanges } from '../../orchestrations/activities/undoPartnershipChanges';
import { handshakeDeployment } from '../../orchestrations/deployment';
import { useAzurite, uniquePrefix } from '../support/azurite';
import { desired } from '../support/domain';

const SETTINGS = {
  TENANT_ID: '14763f8a-fb9a-451a-9f75-c33963a5b05a',
  TENANT_CLOUD: 'Global',
  // Nothing here may reach a tenant: a configure step that tried would fail on this credential.
  CREDENTIAL_KIND: 'clientSecret',
  CLIENT_ID: '00000000-0000-4000-8000-000000000001',
  CLIENT_SECRET: 'not-a-secret',
  TABLE_PREFIX: uniquePrefix(),
};

describe('activities of a cancelled onboarding, once the partnership is being removed', () => {
  const env = useAzurite();
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    for (const [name, value] of Object.entries({ ...SETTINGS, STORAGE_CONNECTION_STRING: env().azurite.connectionString })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  async function offboarding(id: string) {
    const { partnerships } = handshakeDeployment().repositories;
    await partnerships.create({ id, role: 'initiator', desired: desired(), status: 'Draft' });
    await partnerships.transition(id, 'ConfiguringLocal');
    return partnerships.transition(id, 'Offboarding', {
      ownership: [{ kind: 'cloudEndpoint', value: 'partner.microsoftonline.cn' }],
    });
  }

  it('a step of the cancelled workflow keeps its row, not its status; the offboarding moves it', async () => {
    const id = 'p-record';
    await offboarding(id);
    const { partnerships, events } = handshakeDeployment().repositories;
    const at = '2026-12-01T10:00:00.000Z';
    expect(await recordStep({ partnershipId: id, step: 'failed', at, message: 'Configuring Teams failed.', status: 'Failed', lastError: null })).toEqual({ status: 'Offboarding' });
    expect((await partnerships.require(id)).status).toBe('Offboarding');
    const [row] = await events.list(id);
    expect(row).toMatchObject({ type: 'step', message: 'Configuring Teams failed. (the onboarding was cancelled: the partnership is Offboarding)' });
    expect(row.after).toBeUndefined();

    expect(await recordStep({ partnershipId: id, step: 'offboard-removed', at, message: 'Removed.', status: 'Removed', workflow: 'offboarding' })).toEqual({ status: 'Removed' });
    expect((await partnerships.require(id)).status).toBe('Removed');
  });

  it('a configure step refuses before it reads the tenant, and leaves no tenant writer behind', async () => {
    const id = 'p-configure';
    await offboarding(id);
    const outcome = await configureTenant({ partnershipId: id, areas: ['cloudEndpoints', 'partner'], step: 'entra', at: '2026-12-01T10:00:00.000Z' });
    expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'partnership.illegal-transition', message: `Partnership ${id} is Offboarding: nothing more is configured for it.` }) });
    expect(await handshakeDeployment().repositories.writers.inFlight(id)).toEqual([]);
  });

  it('its undo leaves the removal to the offboarding (ownership untouched)', async () => {
    const id = 'p-undo';
    await offboarding(id);
    expect(await undoPartnershipChanges({ partnershipId: id, step: 'undo', at: '2026-12-01T10:00:00.000Z' })).toEqual({ ok: true, removed: [], handedOver: 0, warnings: [] });
    expect((await handshakeDeployment().repositories.partnerships.require(id)).ownership).toEqual([{ kind: 'cloudEndpoint', value: 'partner.microsoftonline.cn' }]);
  });
});
