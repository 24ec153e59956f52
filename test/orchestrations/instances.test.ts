// The one way callers find, start and wait for orchestration instances (orchestrations/instances.ts),
// with durable-functions' own DurableClient against the local host's management API: an unknown
// instance is "none" by the HTTP status, starts are idempotent or singleton as asked (also when
// several race), and waiting ends with the final status or undefined at the deadline.
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { durableClientBindingData } from '../../infra/local/host/durable/httpApi';
import { readInstance, startInstance, waitForInstance } from '../../orchestrations/instances';
import { useWorkflowsHost, type RunningHost } from '../support/host';

const HUB = 'InstancesHub';

function clientFor(host: RunningHost, systemKey = host.systemKey): df.DurableClient {
  // durable-functions builds the URLs from WEBSITE_HOSTNAME, as on the host it runs in.
  process.env.WEBSITE_HOSTNAME = new URL(host.baseUrl).host;
  const input = df.input.durableClient();
  const context = new InvocationContext({ options: { extraInputs: [input] } });
  context.extraInputs.set(input, durableClientBindingData(host.baseUrl, HUB, systemKey));
  return df.getClient(context);
}

describe('orchestration instances: read, start once, wait', () => {
  const fixture = useWorkflowsHost('instances', { taskHub: HUB });
  let client: df.DurableClient;
  const previousHostname = process.env.WEBSITE_HOSTNAME;
  beforeAll(() => {
    client = clientFor(fixture.host());
  });
  afterAll(() => {
    if (previousHostname === undefined) delete process.env.WEBSITE_HOSTNAME;
    else process.env.WEBSITE_HOSTNAME = previousHostname;
  });

  it('reads an unknown instance as none, and a running one with its status', async () => {
    expect(await readInstance(client, 'no-such-instance')).toBeUndefined();
    expect(await startInstance(client, 'eventCollector', 'read-me', 1, { unless: 'running' })).toBe('started');
    expect(await readInstance(client, 'read-me')).toMatchObject({ instanceId: 'read-me', name: 'eventCollector', runtimeStatus: expect.stringMatching(/^(Pending|Running)$/) });
  });

  it('starts a singleton once while it runs, even when several starts race, and again once it has finished', async () => {
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => startInstance(client, 'eventCollector', 'singleton', 1, { unless: 'running' })));
    expect(outcomes.filter((outcome) => outcome === 'started')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'already-running')).toHaveLength(5);
    await client.raiseEvent('singleton', 'item', 'first');
    expect(await waitForInstance(client, 'singleton', 30_000)).toMatchObject({ runtimeStatus: 'Completed', output: ['first'] });
    expect(await startInstance(client, 'eventCollector', 'singleton', 1, { unless: 'running' })).toBe('started');
    expect(await readInstance(client, 'singleton')).toMatchObject({ runtimeStatus: expect.stringMatching(/^(Pending|Running)$/) });
  });

  it('starts an idempotent workflow only when the instance does not exist at all', async () => {
    expect(await startInstance(client, 'timerOnly', 'once', 0, { unless: 'exists' })).toBe('started');
    expect(await waitForInstance(client, 'once', 30_000)).toMatchObject({ runtimeStatus: 'Completed', output: 'slept 0s' });
    const before = await readInstance(client, 'once');
    expect(await startInstance(client, 'timerOnly', 'once', 0, { unless: 'exists' })).toBe('already-exists');
    // Not started again: same creation time, still the first run's output.
    expect(await readInstance(client, 'once')).toEqual(before);
  });

  it('waits until the instance finishes, or answers undefined at the deadline while it still runs', async () => {
    await startInstance(client, 'eventCollector', 'waiting', 1, { unless: 'running' });
    expect(await waitForInstance(client, 'waiting', 300)).toBeUndefined();
    const finished = waitForInstance(client, 'waiting', 30_000);
    await client.raiseEvent('waiting', 'item', 'now');
    expect(await finished).toMatchObject({ runtimeStatus: 'Completed', output: ['now'] });
  });

  it('reports a management API that refuses (wrong key) as an error naming the status, and starts nothing', async () => {
    const wrong = clientFor(fixture.host(), 'not-the-system-key-of-this-host');
    await expect(readInstance(wrong, 'anything')).rejects.toThrow(/HTTP 401/);
    await expect(startInstance(wrong, 'eventCollector', 'refused', 1, { unless: 'exists' })).rejects.toThrow(/HTTP 401/);
    expect(await readInstance(client, 'refused')).toBeUndefined();
  });
});
