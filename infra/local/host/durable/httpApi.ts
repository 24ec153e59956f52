// The Durable Functions HTTP management API (`/runtime/webhooks/durabletask/…`), as the
// extension's HttpApiHandler serves it, and the durableClient binding data that points at it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/rpcHttp';
import { HistoryEvent, RUNTIME_STATUSES, RuntimeStatus, isTerminal, toStatusHistory } from './history';
import { DurableEngine, DurableError } from './engine';
import { InstanceRecord } from './store';

export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
const CONNECTION_NAME = 'Storage';
const INSTANCE_PLACEHOLDER = 'INSTANCEID';

/** Management links for one instance (HttpManagementPayload). */
export function managementUrls(origin: string, hub: string, systemKey: string, instanceId: string): Record<string, string> {
  const query = `taskHub=${encodeURIComponent(hub)}&connection=${CONNECTION_NAME}&code=${encodeURIComponent(systemKey)}`;
  const instance = `${origin}${WEBHOOK_PATH}/instances/${instanceId === INSTANCE_PLACEHOLDER ? instanceId : encodeURIComponent(instanceId)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${query}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instance}?${query}`,
    restartPostUri: `${instance}/restart?${query}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
    resumePostUri: `${instance}/resume?reason={text}&${query}`,
  };
}

/** What a `durableClient` input binding receives (OrchestrationClientInputData). */
export function durableClientBindingData(origin: string, hub: string, systemKey: string): Record<string, unknown> {
  const code = `code=${encodeURIComponent(systemKey)}`;
  const orchestrators = `${origin}${WEBHOOK_PATH}/orchestrators/{functionName}[/{instanceId}]`;
  return {
    taskHubName: hub,
    creationUrls: {
      createNewInstancePostUri: `${orchestrators}?${code}`,
      createAndWaitOnNewInstancePostUri: `${orchestrators}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${code}`,
    },
    managementUrls: managementUrls(origin, hub, systemKey, INSTANCE_PLACEHOLDER),
    baseUrl: `${origin}${WEBHOOK_PATH}`,
    requiredQueryStringParameters: code,
  };
}

function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function parseJsonText(text: string | null): unknown {
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

export function statusPayload(
  record: InstanceRecord,
  history: HistoryEvent[] | undefined,
  options: { showInput: boolean; showHistoryOutput: boolean },
): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.runtimeStatus,
    input: options.showInput ? parseJsonText(record.input) : null,
    customStatus: parseJsonText(record.customStatus),
    output: parseJsonText(record.output),
    createdTime: formatTime(record.createdTime),
    lastUpdatedTime: formatTime(record.lastUpdatedTime),
  };
  if (history) payload.historyEvents = toStatusHistory(history, options);
  return payload;
}

export interface DurableRequestContext {
  engine: DurableEngine;
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  body: Buffer;
  systemKey: string;
}

/** Handles `/runtime/webhooks/durabletask/<subPath>`; the caller checked the key. */
export async function handleDurableRequest(ctx: DurableRequestContext, subPath: string): Promise<void> {
  const { engine, request, response, url } = ctx;
  const method = (request.method ?? 'GET').toUpperCase();
  const taskHub = url.searchParams.get('taskHub');
  if (taskHub && taskHub.toLowerCase() !== engine.hubName.toLowerCase()) {
    return sendJson(response, 400, { message: `This host serves the task hub '${engine.hubName}' only, not '${taskHub}'.` });
  }
  const segments = subPath.split('/').filter((s, i, all) => s !== '' || i < all.length - 1);
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return sendJson(response, 400, { message: 'The URL is not valid.' });
  }
  try {
    const [controller, ...rest] = decoded;
    if (controller === 'orchestrators' && rest.length >= 1 && rest.length <= 2 && rest[0]) {
      if (method !== 'POST') return sendJson(response, 404, { message: 'Not found' });
      return await startOrchestration(ctx, rest[0], rest[1] || undefined);
    }
    if (controller === 'entities') {
      return sendJson(response, 501, { message: 'Durable entities are not supported by this local host.' });
    }
    if (controller === 'instances') {
      const [instanceId, operation, eventName] = rest;
      if (!instanceId) {
        if (method === 'GET') return await listInstances(ctx);
        if (method === 'DELETE') return await purgeByFilter(ctx);
        return sendJson(response, 404, { message: 'Not found' });
      }
      if (operation === undefined) {
        if (method === 'GET') return await getStatus(ctx, instanceId);
        if (method === 'DELETE') {
          await engine.purge(instanceId);
          return sendJson(response, 200, { instancesDeleted: 1 });
        }
        return sendJson(response, 404, { message: 'Not found' });
      }
      if (method !== 'POST') return sendJson(response, 404, { message: 'Not found' });
      const reason = url.searchParams.get('reason');
      switch (operation.toLowerCase()) {
        case 'raiseevent':
          if (!eventName) return sendJson(response, 404, { message: 'Not found' });
          return await raiseEvent(ctx, instanceId, eventName);
        case 'terminate':
          await engine.terminate(instanceId, reason);
          return sendJson(response, 202, undefined);
        case 'suspend':
          await engine.suspend(instanceId, reason);
          return sendJson(response, 202, undefined);
        case 'resume':
          await engine.resume(instanceId, reason);
          return sendJson(response, 202, undefined);
        case 'restart': {
          const newId = url.searchParams.get('restartWithNewInstanceId');
          const restarted = await engine.restart(instanceId, newId === null ? true : newId.toLowerCase() !== 'false');
          return sendCheckStatus(ctx, restarted);
        }
        case 'rewind':
          return sendJson(response, 501, { message: 'Rewind is not supported by this local host.' });
        default:
          return sendJson(response, 404, { message: 'Not found' });
      }
    }
    return sendJson(response, 404, { message: 'Not found' });
  } catch (error) {
    if (error instanceof DurableError) {
      const status = { 'not-found': 404, conflict: 409, 'bad-request': 400, gone: 410 }[error.code];
      return sendJson(response, status, { message: error.message });
    }
    throw error;
  }
}

function origin(ctx: DurableRequestContext): string {
  return ctx.url.origin;
}

function sendCheckStatus(ctx: DurableRequestContext, instanceId: string): void {
  const links = managementUrls(origin(ctx), ctx.engine.hubName, ctx.systemKey, instanceId);
  const body = {
    id: instanceId,
    statusQueryGetUri: links.statusQueryGetUri,
    sendEventPostUri: links.sendEventPostUri,
    terminatePostUri: links.terminatePostUri,
    purgeHistoryDeleteUri: links.purgeHistoryDeleteUri,
    restartPostUri: links.restartPostUri,
    suspendPostUri: links.suspendPostUri,
    resumePostUri: links.resumePostUri,
  };
  sendJson(ctx.response, 202, body, { location: links.statusQueryGetUri, 'retry-after': '10' });
}

async function startOrchestration(ctx: DurableRequestContext, functionName: string, instanceId: string | undefined): Promise<void> {
  const text = ctx.body.toString('utf8').trim();
  const input = text === '' ? null : text;
  const id = await ctx.engine.startNew(functionName, { instanceId, input });
  const timeout = seconds(ctx.url.searchParams.get('timeout'));
  const polling = seconds(ctx.url.searchParams.get('pollingInterval'));
  if (timeout === undefined || polling === undefined) return sendCheckStatus(ctx, id);
  return waitAndRespond(ctx, id, timeout * 1000);
}

async function waitAndRespond(ctx: DurableRequestContext, instanceId: string, timeoutMs: number): Promise<void> {
  const finished = await ctx.engine.waitForCompletion(instanceId, timeoutMs);
  if (!finished) return sendCheckStatus(ctx, instanceId);
  if (finished.runtimeStatus === 'Completed') return sendJson(ctx.response, 200, parseJsonText(finished.output));
  return sendJson(ctx.response, 200, statusPayload(finished, undefined, { showInput: true, showHistoryOutput: false }));
}

async function getStatus(ctx: DurableRequestContext, instanceId: string): Promise<void> {
  const query = ctx.url.searchParams;
  const showHistory = bool(query.get('showHistory')) ?? false;
  const showHistoryOutput = bool(query.get('showHistoryOutput')) ?? false;
  const showInput = bool(query.get('showInput')) ?? true;
  const failOn500 = bool(query.get('returnInternalServerErrorOnFailure')) ?? false;
  const status = await ctx.engine.getStatus(instanceId, showHistory);
  if (!status) return sendJson(ctx.response, 404, undefined);
  const payload = statusPayload(status.record, status.history, { showInput, showHistoryOutput });
  const runtimeStatus = status.record.runtimeStatus;
  if (!isTerminal(runtimeStatus)) {
    return sendJson(ctx.response, 202, payload, { location: ctx.url.href, 'retry-after': '5' });
  }
  return sendJson(ctx.response, runtimeStatus === 'Failed' && failOn500 ? 500 : 200, payload);
}

async function listInstances(ctx: DurableRequestContext): Promise<void> {
  const query = ctx.url.searchParams;
  const showInput = bool(query.get('showInput')) ?? false;
  const top = query.get('top');
  const token = ctx.request.headers['x-ms-continuation-token'];
  const page = await ctx.engine.list({
    runtimeStatus: statuses(query.get('runtimeStatus')),
    createdTimeFrom: date(query.get('createdTimeFrom')),
    createdTimeTo: date(query.get('createdTimeTo')),
    instanceIdPrefix: query.get('instanceIdPrefix') ?? undefined,
    top: top !== null && Number.isInteger(Number(top)) && Number(top) > 0 ? Number(top) : undefined,
    continuationToken: typeof token === 'string' && token !== '' ? token : undefined,
  });
  const body = page.records.map((record) => statusPayload(record, undefined, { showInput, showHistoryOutput: false }));
  sendJson(ctx.response, 200, body, page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {});
}

async function purgeByFilter(ctx: DurableRequestContext): Promise<void> {
  const query = ctx.url.searchParams;
  const from = date(query.get('createdTimeFrom'));
  if (!from) return sendJson(ctx.response, 400, "Please provide value for 'createdTimeFrom' parameter.");
  const deleted = await ctx.engine.purgeBy({ createdTimeFrom: from, createdTimeTo: date(query.get('createdTimeTo')), runtimeStatus: statuses(query.get('runtimeStatus')) });
  if (deleted === 0) return sendJson(ctx.response, 404, undefined);
  sendJson(ctx.response, 200, { instancesDeleted: deleted });
}

async function raiseEvent(ctx: DurableRequestContext, instanceId: string, eventName: string): Promise<void> {
  const contentType = String(ctx.request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/json') {
    return sendJson(ctx.response, 400, { message: 'Only application/json request content is supported' });
  }
  const text = ctx.body.toString('utf8').trim();
  await ctx.engine.raiseEvent(instanceId, eventName, text === '' ? null : text);
  sendJson(ctx.response, 202, undefined);
}

function bool(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  return undefined;
}

function seconds(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function date(value: string | null): Date | undefined {
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function statuses(value: string | null): RuntimeStatus[] | undefined {
  if (!value) return undefined;
  const result: RuntimeStatus[] = [];
  for (const part of value.split(',')) {
    const match = RUNTIME_STATUSES.find((s) => s.toLowerCase() === part.trim().toLowerCase());
    if (match) result.push(match);
  }
  return result.length > 0 ? result : undefined;
}
