// EventRepository.page: the audit across partnerships, one page at a time, with filters.
import { EventRepository } from '../../../shared/tables';
import { useAzurite } from '../../support/azurite';

describe('EventRepository.page (Azurite)', () => {
  const env = useAzurite();

  it('pages through every partnership with continuation tokens, and filters by partnership, actor (or an actor prefix), type and time', async () => {
    const events = new EventRepository(env().freshTables());
    for (const [index, partnershipId] of ['p1', 'p2', 'p3'].entries()) {
      await events.append({ partnershipId, type: 'partnership.requested', actor: 'admin:alice@contoso.com', message: 'Requested', at: `2025-01-0${index + 1}T00:00:00Z` });
      await events.append({ partnershipId, type: 'status.changed', actor: 'orchestration', message: 'Moved', at: `2025-01-0${index + 1}T00:00:01Z`, after: { status: 'AwaitingPartner' } });
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await events.page({}, { top: 4, continuationToken: token });
      expect(page.events.length).toBeLessThanOrEqual(4);
      seen.push(...page.events.map((event) => `${event.partnershipId}:${event.type}`));
      token = page.continuationToken;
      pages += 1;
    } while (token);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(['p1', 'p2', 'p3'].flatMap((id) => [`${id}:partnership.requested`, `${id}:status.changed`]).sort());

    expect((await events.page({ partnershipId: 'p2' }, { top: 50 })).events.map((event) => event.type)).toEqual(['partnership.requested', 'status.changed']);
    expect((await events.page({ actor: 'admin:alice@contoso.com' }, { top: 50 })).events.map((event) => event.partnershipId)).toEqual(['p1', 'p2', 'p3']);
    // A prefix: every administrator, and nothing that only sorts near them.
    await events.append({ partnershipId: 'p1', type: 'offboarding.requested', actor: 'admin:bob@contoso.com', message: 'Offboard', at: '2025-01-04T00:00:00Z' });
    await events.append({ partnershipId: 'p1', type: 'message.received', actor: 'admin;not-an-admin', message: 'Edge', at: '2025-01-04T00:00:01Z' });
    const admins = (await events.page({ actor: 'admin:*' }, { top: 50 })).events.map((event) => event.actor);
    expect(admins.sort()).toEqual(['admin:alice@contoso.com', 'admin:alice@contoso.com', 'admin:alice@contoso.com', 'admin:bob@contoso.com']);
    expect((await events.page({ actor: 'orchestration*' }, { top: 50 })).events).toHaveLength(3);
    expect((await events.page({ type: 'status.changed', since: '2025-01-02T00:00:00.000Z' }, { top: 50 })).events.map((event) => event.partnershipId)).toEqual(['p2', 'p3']);
    expect((await events.page({ partnershipId: 'p2' }, { top: 50 })).events[1].after).toEqual({ status: 'AwaitingPartner' });
  });

  it('refuses a continuation token it did not issue, and a partnership id that cannot be a key', async () => {
    const events = new EventRepository(env().freshTables());
    await expect(events.page({}, { top: 10, continuationToken: 'bm90IGpzb24=' })).rejects.toMatchObject({ code: 'request.invalid', details: { issues: [{ field: 'continuationToken' }] } });
    await expect(events.page({}, { top: 10, continuationToken: Buffer.from('{"nextRowKey":1}').toString('base64') })).rejects.toMatchObject({ code: 'request.invalid' });
    await expect(events.page({ partnershipId: 'a/b' }, { top: 10 })).rejects.toMatchObject({ code: 'request.invalid' });
  });
});
