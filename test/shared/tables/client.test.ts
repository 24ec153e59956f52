import { createTableClientFactory } from '../../../shared/tables';
import { DomainError } from '../../../shared/errors';
import { useAzurite } from '../../support/azurite';

describe('TableClientFactory', () => {
  const env = useAzurite();

  it('creates the table on first use and prefixes its name', async () => {
    const tables = env().freshTables();
    const client = await tables.getTable('Things');
    expect(client.tableName).toBe(`${tables.tablePrefix}Things`);
    await client.createEntity({ partitionKey: 'p', rowKey: 'r', value: 1 });
    const again = await tables.getTable('Things');
    expect((await again.getEntity<{ value: number }>('p', 'r')).value).toBe(1);
  });

  it('keeps two prefixes apart in one account', async () => {
    const a = env().freshTables();
    const b = env().freshTables();
    await (await a.getTable('Things')).createEntity({ partitionKey: 'p', rowKey: 'r' });
    const rows = [];
    for await (const row of (await b.getTable('Things')).listEntities()) rows.push(row);
    expect(rows).toEqual([]);
  });

  it('shares one creation between concurrent callers', async () => {
    const tables = env().freshTables();
    const clients = await Promise.all([1, 2, 3].map(() => tables.getTable('Things')));
    expect(new Set(clients).size).toBe(1);
  });

  it('refuses a prefix that cannot be part of a table name', () => {
    expect(() => createTableClientFactory({ connectionString: env().azurite.connectionString, tablePrefix: 'bad-prefix' }))
      .toThrow(expect.objectContaining({ code: 'config.invalid', message: expect.stringContaining('bad-prefix') }));
  });

  it('refuses missing storage settings', () => {
    expect(() => createTableClientFactory({})).toThrow(DomainError);
  });
});
