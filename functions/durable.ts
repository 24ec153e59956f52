// The durable client as the handshake's entry points use it (orchestrations/starter.ts).
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { OrchestrationStarter } from '../orchestrations';
import { startInstance } from '../orchestrations/instances';

export const durableClientInput = df.input.durableClient();

export function orchestrationStarter(context: InvocationContext): OrchestrationStarter {
  const client = df.getClient(context);
  return {
    async startOnce(orchestration, instanceId, input) {
      await startInstance(client, orchestration, instanceId, input, { unless: 'exists' });
    },
    async raiseEvent(instanceId, eventName, data) {
      await client.raiseEvent(instanceId, eventName, data);
    },
  };
}
