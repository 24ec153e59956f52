// sendMessage: POST a prepared handshake message to the partner deployment, through the hardened
// outbound helper (https only, no redirects, bounded answer, deadline). A partner that is down,
// busy or still processing the same message (409 handshake.in-progress) makes it throw, so the
// orchestration's retry policy tries again with backoff; so does an initiator that does not trust
// this side's key yet (its admin may pin the thumbprint meanwhile). Any other refusal (4xx) is an
// answer, returned — with only a short, sanitised text of what the partner said.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { DomainError } from '../../shared/errors';
import { OutboundRequestError, outboundRequest, sanitizePartnerText } from '../../shared/outbound';
import { handshakeDeployment } from '../deployment';
import { SEND_MESSAGE_ACTIVITY } from '../names';
import { handshakeData, type OutgoingMessageType } from '../records';

export const HANDSHAKE_MESSAGE_CONTENT_TYPE = 'application/jose';

export interface SendMessageInput {
  partnershipId: string;
  type: OutgoingMessageType;
}

export type SendMessageResult =
  | { delivered: true; status: number; answer: Record<string, string> }
  | { delivered: false; status: number; problem: { code?: string; type?: string; detail?: string } };

/** Thrown for an attempt worth repeating (the durable retry policy decides when and how often). */
export class DeliveryAttemptFailed extends Error {
  override readonly name = 'DeliveryAttemptFailed';
}

/** Answers to a first-contact message that mean "not yet", not "no": worth sending again. */
const RETRIED_CODES = ['handshake.in-progress'];
const CODE = /^[a-z0-9]+(\.[a-z0-9-]+)+$/;

export async function sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
  const deployment = handshakeDeployment();
  const { config } = deployment;
  const record = await deployment.repositories.partnerships.require(input.partnershipId);
  const message = handshakeData(record).outbox?.[input.type];
  if (!message) throw new DomainError('internal', `The ${input.type} of partnership ${record.id} was never prepared.`);

  let response;
  try {
    response = await outboundRequest(
      message.url,
      { method: 'POST', headers: { 'content-type': HANDSHAKE_MESSAGE_CONTENT_TYPE, accept: 'application/json, application/problem+json' }, body: message.jws },
      { allowHttpLoopback: config.outbound.allowHttpLoopback, timeoutMs: config.messageDelivery.requestTimeoutMs, maxResponseBytes: config.outbound.maxResponseBytes },
    );
  } catch (error) {
    if (!(error instanceof OutboundRequestError)) throw error;
    if (error.transient) throw new DeliveryAttemptFailed(`The partner deployment at ${message.url} did not answer the ${input.type}: ${error.message}.`);
    // Not sent (or its answer not read): a redirect, a refused URL, an oversized answer.
    return { delivered: false, status: 0, problem: { code: 'handshake.partner-refused', detail: `The ${input.type} to ${message.url} was not delivered: ${error.message}.` } };
  }
  const body = parse(response.text);
  if (response.status >= 200 && response.status < 300) return { delivered: true, status: response.status, answer: acknowledgement(body) };
  const problem = problemOf(body);
  if (response.status === 408 || response.status === 429 || response.status >= 500 || RETRIED_CODES.includes(problem.code ?? '')) {
    throw new DeliveryAttemptFailed(`The partner deployment at ${message.url} answered the ${input.type} with ${response.status}${problem.code ? ` ${problem.code}` : ''}; retrying.`);
  }
  if (problem.code === 'handshake.unknown-key' && (input.type === 'confirmation' || input.type === 'rejection')) {
    const own = (await deployment.keyStore.getDeploymentKey()).kid;
    throw new DeliveryAttemptFailed(
      `The initiator does not trust this deployment's key yet (it could not fetch it from this deployment's URL, and the ${input.type} carries no key proof): ` +
        `its administrator can pin thumbprint ${own} (POST /api/partnerships/${record.id}/partner-key); retrying.`,
    );
  }
  return { delivered: false, status: response.status, problem };
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/** What is kept of a partner's problem answer: a well-formed code and a short, sanitised text. */
function problemOf(body: unknown): { code?: string; type?: string; detail?: string } {
  if (typeof body === 'string') return body.trim() ? { detail: sanitizePartnerText(body) } : {};
  const problem = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const code = typeof problem.code === 'string' && problem.code.length <= 64 && CODE.test(problem.code) ? problem.code : undefined;
  const type = typeof problem.type === 'string' && problem.type.length <= 200 && /^https:\/\/[\x21-\x7e]+$/.test(problem.type) ? problem.type : undefined;
  const detail = sanitizePartnerText(problem.detail);
  return { ...(code ? { code } : {}), ...(type ? { type } : {}), ...(detail ? { detail } : {}) };
}

/** A partner's acknowledgement, kept as a few short strings (it goes into the durable history). */
function acknowledgement(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const kept: Record<string, string> = {};
  for (const name of ['id', 'status', 'approval', 'accepted']) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === 'string') kept[name] = sanitizePartnerText(value, 64);
  }
  return kept;
}

const handler: ActivityHandler = (input: unknown) => sendMessage(input as SendMessageInput);
df.app.activity(SEND_MESSAGE_ACTIVITY, { handler });
