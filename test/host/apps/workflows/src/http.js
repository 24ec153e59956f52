// HTTP functions of the host test app: routes, methods, auth levels, bodies, failures, and a
// durable client front end. Plain CommonJS against the public packages, as a compiled app ships.
const { app } = require('@azure/functions');
const df = require('durable-functions');

let appStarted = false;
app.hook.appStart(() => {
  appStarted = true;
});
app.hook.preInvocation((context) => {
  if (context.invocationContext.functionName === 'hooks') context.hookData.seenByPreHook = true;
});

app.http('hello', {
  route: 'hello/{name?}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const name = request.params.name ?? request.query.get('name') ?? 'world';
    return { body: `${process.env.GREETING_PREFIX}, ${name}!` };
  },
});

app.http('echo', {
  route: 'items/{id:int}/{*rest}',
  methods: ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'],
  authLevel: 'anonymous',
  handler: async (request, context) => {
    const contentType = request.headers.get('content-type') ?? '';
    let body = null;
    if (request.method !== 'GET' && request.method !== 'DELETE') {
      body = contentType.includes('json') ? await request.json() : await request.text();
    }
    context.log(`echo ${request.method} ${request.params.id}`);
    return {
      status: 200,
      headers: { 'x-echo': 'yes' },
      cookies: [{ name: 'session', value: 'abc', httpOnly: true, path: '/' }],
      jsonBody: {
        method: request.method,
        url: request.url,
        params: request.params,
        query: Object.fromEntries(request.query.entries()),
        custom: request.headers.get('x-custom'),
        contentType,
        body,
      },
    };
  },
});

app.http('itemsLiteral', {
  route: 'items/special',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async () => ({ body: 'literal route wins' }),
});

app.http('binary', {
  route: 'binary',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const bytes = Buffer.from(await request.arrayBuffer());
    return { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(bytes).reverse() };
  },
});

app.http('secure', {
  route: 'secure',
  methods: ['GET'],
  authLevel: 'function',
  handler: async () => ({ jsonBody: { level: 'function' } }),
});

app.http('adminOnly', {
  route: 'admin-only',
  methods: ['GET'],
  authLevel: 'admin',
  handler: async () => ({ jsonBody: { level: 'admin' } }),
});

app.http('boom', {
  route: 'boom',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async () => {
    throw new Error('handler exploded on purpose');
  },
});

app.http('unhandled', {
  route: 'unhandled',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async () => {
    // A promise nobody awaits fails later: the host must survive it.
    setTimeout(() => Promise.reject(new Error('late unhandled rejection on purpose')), 10);
    setTimeout(() => {
      throw new Error('late uncaught exception on purpose');
    }, 20);
    return { body: 'ok' };
  },
});

app.http('noResponse', {
  route: 'no-response',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async () => undefined,
});

app.http('settings', {
  route: 'settings',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async () => ({
    jsonBody: {
      fromFile: process.env.SETTING_FROM_FILE ?? null,
      overridden: process.env.OVERRIDDEN_SETTING ?? null,
      websiteHostname: process.env.WEBSITE_HOSTNAME ?? null,
      functionsLibrary: require.resolve('@azure/functions'),
      durableLibrary: require.resolve('durable-functions'),
    },
  }),
});

app.http('hooks', {
  route: 'hooks',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (_request, context) => ({ jsonBody: { appStarted, invocationId: context.invocationId } }),
});

// Durable client front end: start any orchestration, and drive the client API.
app.http('startOrchestration', {
  route: 'orchestrators/{name}/{instanceId?}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const text = await request.text();
    const input = text ? JSON.parse(text) : undefined;
    const instanceId = await client.startNew(request.params.name, { input, instanceId: request.params.instanceId });
    context.log(`Started orchestration ${request.params.name} with ID = '${instanceId}'.`);
    return client.createCheckStatusResponse(request, instanceId);
  },
});

app.http('startAndWait', {
  route: 'wait/{name}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const text = await request.text();
    const instanceId = await client.startNew(request.params.name, { input: text ? JSON.parse(text) : undefined });
    const timeoutInMilliseconds = Number(request.query.get('timeoutMs') ?? 20000);
    return client.waitForCompletionOrCreateCheckStatusResponse(request, instanceId, { timeoutInMilliseconds, retryIntervalInMilliseconds: 100 });
  },
});

app.http('clientOps', {
  route: 'client/{op}/{instanceId?}',
  methods: ['POST', 'GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const { op, instanceId } = request.params;
    const text = request.method === 'POST' ? await request.text() : '';
    const args = text ? JSON.parse(text) : {};
    switch (op) {
      case 'status': {
        const status = await client.getStatus(instanceId, { showHistory: !!args.showHistory, showHistoryOutput: !!args.showHistoryOutput, showInput: args.showInput });
        return { jsonBody: status };
      }
      case 'raise':
        await client.raiseEvent(instanceId, args.name, args.data);
        return { status: 202 };
      case 'terminate':
        await client.terminate(instanceId, args.reason);
        return { status: 202 };
      case 'suspend':
        await client.suspend(instanceId, args.reason);
        return { status: 202 };
      case 'resume':
        await client.resume(instanceId, args.reason);
        return { status: 202 };
      case 'purge':
        return { jsonBody: await client.purgeInstanceHistory(instanceId) };
      case 'list': {
        const filter = {};
        if (args.runtimeStatus) filter.runtimeStatus = args.runtimeStatus;
        if (args.createdTimeFrom) filter.createdTimeFrom = new Date(args.createdTimeFrom);
        if (args.createdTimeTo) filter.createdTimeTo = new Date(args.createdTimeTo);
        const all = Object.keys(filter).length === 0 ? await client.getStatusAll() : await client.getStatusBy(filter);
        return { jsonBody: all };
      }
      case 'payload':
        return { jsonBody: client.createHttpManagementPayload(instanceId) };
      default:
        return { status: 400, body: `unknown op ${op}` };
    }
  },
});
