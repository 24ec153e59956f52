// The demo's stack: the project's local stack launcher with the scenario's deployments, and a
// fetch that trusts the local CA (the demo runs as `node main.js`, without NODE_EXTRA_CA_CERTS).
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { startLocalStack } from '../stack';
import type { DemoContext, DemoStack } from './context';

export async function startDemoStack(context: DemoContext): Promise<DemoStack> {
  const { scenario } = context;
  const tenants = scenario.responderDeployed ? [scenario.initiator, scenario.responder] : [scenario.initiator];
  const stack = await startLocalStack({
    deployments: tenants.map((tenant) => ({ name: tenant.name, tenantId: tenant.tenantId })),
    // Short retry intervals: a demo should not sit through production backoffs.
    timings: 'short',
    inMemoryStorage: true,
    echo: context.verbose,
    // The demo handles Ctrl-C itself: it stops waiting, then stops the stack (see main.ts).
    handleSigint: false,
  });
  return {
    simulator: stack.simulator,
    deployments: stack.deployments,
    fetch: fetchTrusting(stack.trustFile),
    stop: () => stack.stop(),
  };
}

/**
 * A fetch over node:https that trusts the CA file given (the local stack's CA). Enough for the
 * JSON API: method, headers, string body, abort signal.
 */
export function fetchTrusting(caFile: string): typeof fetch {
  const ca = readFileSync(caFile, 'utf8');
  return ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.protocol !== 'https:') {
        reject(new TypeError(`fetchTrusting only speaks https (got ${url.protocol})`));
        return;
      }
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const body = typeof init.body === 'string' ? init.body : init.body === undefined || init.body === null ? undefined : String(init.body);
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const req = httpsRequest(url, { method: init.method ?? 'GET', headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 500;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const nullBody = status === 204 || status === 304 || chunks.length === 0;
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: responseHeaders }));
        });
      });
      const onAbort = (): void => {
        req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(new TypeError('fetch failed', { cause: error }));
      });
      req.end(body);
    })) as typeof fetch;
}
