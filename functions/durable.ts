// The durable client as the handshake's entry points use it (orchestrations/starter.ts).
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { OrchestrationStarter } from '../orchestrations';

export const durableClientInput = df.input.durableClient();

export function orchestrationStarter(context: InvocationContext): OrchestrationStarter {
  const client = df.getClient(context);
  const exists = async (instanceId: string): Promise<boolean> => {
    try {
      await client.getStatus(instanceId);
      return true;
    } catch (error) {
      if (error instanceof Error && /404/.test(error.message)) return false;
      throw error;
    }
  };
  return {
    async startOnce(orchestration, instanceId, input) {
      if (await exists(instanceId)) return;
      try {
        await client.startNew(orchestration, { instanceId, input });
      } catch (error) {
        // Started by a concurrent request meanwhile (the host refuses a second start of a running id).
        if (await exists(instanceId)) return;
        throw error;
      }
    },
    async raiseEvent(instanceId, eventName, data) {
      await client.raiseEvent(instanceId, eventName, data);
    },
  };
}
