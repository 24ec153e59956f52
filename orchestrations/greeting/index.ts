// A minimal chained orchestration that proves the host end to end (`npm start` before the
// handshake demo exists, and a smoke test of the deployed app).
import * as df from 'durable-functions';
import type { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

export const GREETING_ORCHESTRATION = 'greetingOrchestration';
export const SAY_HELLO_ACTIVITY = 'sayHello';

const sayHello: ActivityHandler = (name: unknown): string => `Hello, ${String(name)}!`;

const greetingOrchestration: OrchestrationHandler = function* (context: OrchestrationContext) {
  const names = (context.df.getInput() as string[] | undefined) ?? ['Contoso', 'Fabrikam', '21Vianet'];
  const greetings: string[] = [];
  for (const name of names) {
    greetings.push(yield context.df.callActivity(SAY_HELLO_ACTIVITY, name));
  }
  return greetings;
};

df.app.activity(SAY_HELLO_ACTIVITY, { handler: sayHello });
df.app.orchestration(GREETING_ORCHESTRATION, greetingOrchestration);
