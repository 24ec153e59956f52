import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { GREETING_ORCHESTRATION } from '../orchestrations/greeting';

/** POST /api/greetings [names…] starts the sample orchestration and answers with its status URLs. */
async function startGreeting(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const client = df.getClient(context);
  const body = await request.text();
  const input = body ? (JSON.parse(body) as unknown) : undefined;
  const instanceId = await client.startNew(GREETING_ORCHESTRATION, { input });
  return client.createCheckStatusResponse(request, instanceId);
}

app.http('startGreeting', {
  route: 'greetings',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: startGreeting,
});
