// One Azurite per test file, with a unique table prefix per test so tests never see each other's rows.
import { randomBytes } from 'node:crypto';
import { startAzurite, type RunningAzurite } from '../../infra/local/azurite';
import { createTableClientFactory, type TableClientFactory } from '../../shared/tables';
import { useFixture } from './fixture';

export interface AzuriteFixture {
  readonly azurite: RunningAzurite;
  /** A factory whose tables no other test uses. */
  freshTables(): TableClientFactory;
}

/** Starts Azurite in beforeAll and stops it in afterAll; call at the top of a describe block. */
export function useAzurite(): () => AzuriteFixture {
  return useFixture<AzuriteFixture>({
    what: 'Azurite',
    helper: 'useAzurite',
    start: async () => {
      const azurite = await startAzurite({ inMemory: true });
      return {
        azurite,
        freshTables: () => createTableClientFactory({ connectionString: azurite.connectionString, tablePrefix: uniquePrefix() }),
      };
    },
    stop: (fixture) => fixture.azurite.stop(),
    startTimeoutMs: 60_000,
  });
}

export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}
