import { EventRepository, DEPLOYMENT_EVENTS } from '../../../shared/tables';
import { useAzurite } from '../../support/azurite';

describe('EventRepository (Azurite)', () => {
  const env = useAzurite();

  it('appends events and lists them in the order they happened, with before/after', async () => {
    const events = new EventRepository(env().freshTables());
    await events.append({ partnershipId: 'p1', type: 'status.changed', actor: 'orchestration', message: 'Draft → ConfiguringLocal', at: '2025-01-01T00:00:02Z' });
    await events.append({
      partnershipId: 'p1',
      type: 'operation.applied',
      actor: 'orchestration',
      message: 'Enable partner.microsoftonline.cn',
      at: '2025-01-01T00:00:03Z',
      operationId: 'cloudEndpoints.update',
      before: { allowedCloudEndpoints: [] },
      after: { allowedCloudEndpoints: ['partner.microsoftonline.cn'] },
    });
    await events.append({ partnershipId: 'p1', type: 'created', actor: 'admin', message: 'Requested', at: '2025-01-01T00:00:01Z' });
    await events.append({ partnershipId: 'p2', type: 'created', actor: 'admin', message: 'Other partnership' });
    const history = await events.list('p1');
    expect(history.map((event) => event.type)).toEqual(['created', 'status.changed', 'operation.applied']);
    expect(history[2]).toMatchObject({ operationId: 'cloudEndpoints.update', after: { allowedCloudEndpoints: ['partner.microsoftonline.cn'] } });
    expect(await events.list('p1', { type: 'created' })).toHaveLength(1);
  });

  it('stores an event with a stable id once, however often it is appended (retried activity)', async () => {
    const events = new EventRepository(env().freshTables());
    const event = { partnershipId: 'p', type: 'step.completed', actor: 'orchestration', message: 'Configured', at: '2025-01-01T00:00:00Z', id: 'inst-1:configureLocal' };
    await events.append(event);
    await events.append(event);
    await events.appendMany([event, { ...event, id: 'inst-1:sendInvitation', message: 'Sent' }]);
    expect((await events.list('p')).map((e) => e.id)).toEqual(['inst-1:configureLocal', 'inst-1:sendInvitation']);
  });

  it('appends many events in transactions', async () => {
    const events = new EventRepository(env().freshTables());
    const many = Array.from({ length: 150 }, (_, index) => ({
      partnershipId: DEPLOYMENT_EVENTS,
      type: 'drift.detected',
      actor: 'reconcile',
      message: `item ${index}`,
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString(),
      id: `run1-${index}`,
    }));
    await events.appendMany(many);
    expect(await events.list(DEPLOYMENT_EVENTS)).toHaveLength(150);
  });

  it('refuses bad input with a clear error and stores nothing', async () => {
    const events = new EventRepository(env().freshTables());
    await expect(events.append({ partnershipId: 'p', type: 't', actor: 'a', message: 'm', at: 'yesterday' })).rejects.toMatchObject({ code: 'request.invalid' });
    await expect(events.append({ partnershipId: 'a/b', type: 't', actor: 'a', message: 'm' })).rejects.toMatchObject({ code: 'request.invalid' });
    await expect(events.append({ partnershipId: 'p', type: 't', actor: 'a', message: 'm', id: 'has space' })).rejects.toMatchObject({ code: 'request.invalid' });
    expect(await events.list('p')).toEqual([]);
  });
});

describe('auditEvents → EventRepository', () => {
  const env = useAzurite();

  it('records one event per partnership per applied operation, once even when appended again', async () => {
    const { plan, auditEvents } = await import('../../../shared/plan');
    const { freshTenant, target } = await import('../../support/domain');
    const planned = plan([target('p1', { guests: ['bob@woodgrove.cn'] }), target('p2', { partnerTenantId: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d' })], freshTenant(), { localCloud: 'Global' });
    const applied = planned.operations.map((operation) => ({ operationId: operation.id, kind: operation.kind, outcome: 'applied' as const }));
    const events = auditEvents(planned, { applied }, { actor: 'orchestration', at: '2025-01-01T00:00:00Z', idPrefix: 'instance-1:configureLocal' });
    const repository = new EventRepository(env().freshTables());
    await repository.appendMany(events);
    await repository.appendMany(events);
    const p1 = await repository.list('p1');
    expect(p1.map((event) => event.operationId)).toEqual(['cloudEndpoints.update', 'partner.create:9b1c6e0e-1b5a-4f8e-9a7e-2a7b3c4d5e6f', 'guest.invite:bob@woodgrove.cn']);
    expect(p1.find((event) => event.operationId === 'cloudEndpoints.update')).toMatchObject({
      before: { allowedCloudEndpoints: [] },
      after: { allowedCloudEndpoints: ['partner.microsoftonline.cn'] },
      data: { outcome: 'applied' },
    });
    expect((await repository.list('p2')).map((event) => event.operationId)).toEqual(['cloudEndpoints.update', 'partner.create:4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d']);
  });
});
