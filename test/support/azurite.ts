// One Azurite per test file, with a unique table prefix per test so tests never see each other's rows.
import { randomBytes } from 'node:crypto';
import { startAzurite, type RunningAzurite } from '../../infra/local/azurite';
import { createTableClientFactory, type TableClientFactory } from '../../shared/tables';

export interface AzuriteFixture {
  readonly azurite: RunningAzurite;
  /** A factory whose tables no other test uses. */
  freshTables(): TableClientFactory;
}

/** Starts Azurite in beforeAll and stops it in afterAll; call at the top of a describe block. */
export function useAzurite(): () => AzuriteFixture {
  let fixture: AzuriteFixture | undefined;
  beforeAll(async () => {
    const azurite = await startAzurite({ inMemory: true });
    fixture = {
      azurite,
      freshTables: () =>
        createTableClientFactory({ connectionString: azurite.connectionString, tablePrefix: uniquePrefix() }),
    };
  }, 60_000);
  afterAll(async () => {
    await fixture?.azurite.stop();
  });
  return () => {
    if (!fixture) throw new Error('Azurite is not running (useAzurite() must be called inside describe)');
    return fixture;
  };
}

export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}
