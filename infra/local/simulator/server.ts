// The HTTPS front door: `{simUrl}/{realHost}/...` goes to that host's service (login, Graph,
// Teams admin) of that host's cloud; `{simUrl}/_sim/...` is the control API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HOSTS } from './clouds';
import type { ControlApi } from './control/server';
import type { Engine } from './engine';
import { graphErrorBody } from './errors';
import { handleLogin } from './auth/login';
import type { GraphService } from './graph/pipeline';
import { BodyTooLarge, HttpReply, lowerCaseHeaders, readBody, send, sleep } from './http';
import { handleTeams } from './teams/admin';
import { regionalHostClouds } from './teams/discovery';

export function createRequestListener(engine: Engine, graph: GraphService, control: ControlApi): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    handle(engine, graph, control, request)
      .then((reply) => send(response, reply))
      .catch((error: unknown) => {
        engine.options.log(`[simulator] request failed: ${(error as Error)?.stack ?? String(error)}`);
        if (!response.headersSent) send(response, { status: 500, body: graphErrorBody('generalException', String((error as Error)?.message ?? error), 'n/a') });
        else response.destroy();
      });
  };
}

async function handle(engine: Engine, graph: GraphService, control: ControlApi, request: IncomingMessage): Promise<HttpReply> {
  const url = new URL(request.url ?? '/', 'https://simulator.invalid');
  const method = (request.method ?? 'GET').toUpperCase();
  const segments = url.pathname.split('/');
  const first = decodeURIComponent(segments[1] ?? '').toLowerCase();
  const rest = `/${segments.slice(2).join('/')}`;
  const headers = lowerCaseHeaders(request);
  let rawBody: string;
  try {
    rawBody = await readBody(request);
  } catch (error) {
    if (error instanceof BodyTooLarge) return { status: 413, body: graphErrorBody('RequestEntityTooLarge', error.message, 'n/a') };
    throw error;
  }

  if (first === '_sim') return control.handle(method, rest, url.searchParams, rawBody);

  const regionalClouds = regionalHostClouds(first);
  const regional = regionalClouds.length > 0;
  const binding = HOSTS.get(first) ?? (regional ? { service: 'teams' as const, clouds: regionalClouds } : undefined);
  if (!binding) {
    return {
      status: 404,
      body: graphErrorBody('UnknownHost', `The simulator does not serve '${first}'. Paths start with a real host (e.g. /graph.microsoft.com/v1.0/...) or /_sim/.`, 'n/a'),
    };
  }
  await sleep(engine.faults.settings.latencyMs);
  switch (binding.service) {
    case 'login':
      return handleLogin(engine, first, binding.clouds, method, rest, new URLSearchParams(rawBody), url.searchParams);
    case 'graph':
      return graph.handle(binding.clouds, method, decodePath(rest), url.searchParams, headers, rawBody);
    case 'teams':
      return handleTeams(engine, binding.clouds, method, decodePath(rest), headers, rawBody, regional ? 'regional' : 'base');
  }
}

/** Decodes each segment (Graph accepts `findTenantInformationByTenantId(tenantId=%27...%27)`). */
function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}
