// Test helpers around the Graph + Teams simulator: start it, find tenants and apps of the world,
// and build the REAL clients (ClientSecretCredential, microsoft-graph-client) pointed at it.
import { ClientSecretCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  ClientOptions,
  HTTPMessageHandler,
  Middleware,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { RunningSimulator, SimAppView, SimTenantView, SimulatorOptions, startSimulator } from '../../infra/local/simulator';

export const PRODUCT_APP = 'cross-cloud-handshake';
export const READONLY_APP = 'cross-cloud-handshake-readonly';
/** A test app with directory write permissions (users, groups, organization). */
export const DIRECTORY_ADMIN_APP = 'directory-admin';

/** Starts a simulator on a free port with the default world (strict response validation on). */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0, strict: true, ...options });
}

export function tenantNamed(sim: Pick<RunningSimulator, 'world'>, displayName: string): SimTenantView {
  const tenant = sim.world.tenants.find((candidate) => candidate.displayName === displayName);
  if (!tenant) throw new Error(`No tenant "${displayName}" in the world (${sim.world.tenants.map((t) => t.displayName).join(', ')})`);
  return tenant;
}

export function appOf(sim: Pick<RunningSimulator, 'world'>, tenant: SimTenantView, displayName = PRODUCT_APP): SimAppView {
  const app = sim.world.apps.find((candidate) => candidate.tenantId === tenant.id && candidate.displayName === displayName);
  if (!app) throw new Error(`No app "${displayName}" in tenant ${tenant.displayName}`);
  return app;
}

/** The real ClientSecretCredential, with the tenant's cloud login host on the simulator as authority. */
export function credentialFor(tenant: SimTenantView, app: SimAppView): ClientSecretCredential {
  return new ClientSecretCredential(tenant.id, app.clientId, app.clientSecret, {
    authorityHost: tenant.loginBaseUrl,
    disableInstanceDiscovery: true,
  });
}

export interface GraphClientOptions {
  app?: SimAppView;
  /** Options of the RetryHandler in an otherwise default middleware chain. */
  retry?: RetryHandlerOptions;
}

/**
 * The real Graph client for a tenant: `baseUrl` is the tenant's Graph host on the simulator and
 * `customHosts` names the simulator's host so the AuthenticationHandler attaches the token.
 */
export function graphClientFor(sim: RunningSimulator, tenant: SimTenantView, options: GraphClientOptions = {}): Client {
  const app = options.app ?? appOf(sim, tenant);
  const authProvider = new TokenCredentialAuthenticationProvider(credentialFor(tenant, app), { scopes: [tenant.graphScope] });
  const clientOptions: ClientOptions = {
    authProvider,
    baseUrl: tenant.graphBaseUrl,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(sim.url).hostname]),
  };
  if (!options.retry) return Client.initWithMiddleware(clientOptions);
  // The default chain (MiddlewareFactory.getDefaultMiddlewareChain) with our RetryHandler options.
  const middleware: Middleware[] = [
    new AuthenticationHandler(authProvider),
    new RetryHandler(options.retry),
    new RedirectHandler(new RedirectHandlerOptions()),
    new TelemetryHandler(),
    new HTTPMessageHandler(),
  ];
  return Client.initWithMiddleware({ baseUrl: clientOptions.baseUrl, defaultVersion: 'v1.0', customHosts: clientOptions.customHosts, middleware });
}

/** A token for a tenant's app from the real credential (Graph scope unless another is given). */
export async function tokenFor(tenant: SimTenantView, app: SimAppView, scope = tenant.graphScope): Promise<string> {
  const token = await credentialFor(tenant, app).getToken(scope);
  if (!token) throw new Error('No token');
  return token.token;
}

/** A raw HTTPS call (fetch trusts the local CA through NODE_EXTRA_CA_CERTS). */
export async function call(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let payload: string | undefined;
  if (init.body !== undefined) {
    payload = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body: payload });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body, text };
}

// ---------------------------------------------------------------------------------------------
// A real HTTP receiver for change notifications (plain HTTP on 127.0.0.1, which the simulator allows).

export interface ReceivedRequest {
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
  json: any;
}

export type ReceiverAnswer = { status: number; body?: string; delayMs?: number } | 'echo';

export class NotificationReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** How to answer the next requests (consumed in order); 'echo' answers validations correctly and notifications 202. */
  readonly script: ReceiverAnswer[] = [];
  private server: import('node:http').Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  url = '';

  static async start(): Promise<NotificationReceiver> {
    const receiver = new NotificationReceiver();
    const { createServer } = await import('node:http');
    receiver.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://receiver.invalid');
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          json = undefined;
        }
        receiver.requests.push({ path: url.pathname, query: url.searchParams, contentType: req.headers['content-type'], body, json });
        const answer = receiver.script.shift() ?? 'echo';
        const respond = (): void => {
          if (answer === 'echo') {
            const token = url.searchParams.get('validationToken');
            if (token !== null) {
              res.writeHead(200, { 'Content-Type': 'text/plain' });
              res.end(token);
            } else {
              res.writeHead(202);
              res.end();
            }
            return;
          }
          res.writeHead(answer.status, { 'Content-Type': 'text/plain' });
          res.end(answer.body ?? '');
        };
        if (answer !== 'echo' && answer.delayMs) {
          const timer = setTimeout(() => {
            receiver.timers.delete(timer);
            if (!res.destroyed) respond();
          }, answer.delayMs);
          receiver.timers.add(timer);
        } else {
          respond();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.server!.listen(0, '127.0.0.1', resolve));
    const address = receiver.server.address() as import('node:net').AddressInfo;
    receiver.url = `http://127.0.0.1:${address.port}`;
    return receiver;
  }

  /** Requests that carried notifications (not validations) to a path. */
  notifications(path = '/notify'): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path && !request.query.has('validationToken'));
  }

  /** Waits (polling, generous timeout) until the predicate holds. */
  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for the receiver (got ${this.requests.length} requests)`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }
}
