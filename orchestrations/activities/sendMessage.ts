// sendMessage: POST a prepared handshake message to the partner deployment. A partner that is down,
// busy or still processing the same message (409 handshake.in-progress) makes it throw, so the
// orchestration's retry policy tries again with backoff; a refusal (4xx) is an answer, returned.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { DomainError } from '../../shared/errors';
import { handshakeDeployment } from '../deployment';
import { SEND_MESSAGE_ACTIVITY } from '../names';
import { handshakeData, type OutgoingMessageType } from '../records';

export const HANDSHAKE_MESSAGE_CONTENT_TYPE = 'application/jose';

export interface SendMessageInput {
  partnershipId: string;
  type: OutgoingMessageType;
}

export type SendMessageResult =
  | { delivered: true; status: number; answer: unknown }
  | { delivered: false; status: number; problem: { code?: string; type?: string; detail?: string } };

/** Thrown for an attempt worth repeating (the durable retry policy decides when and how often). */
export class DeliveryAttemptFailed extends Error {
  override readonly name = 'DeliveryAttemptFailed';
}

export async function sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
  const deployment = handshakeDeployment();
  const record = await deployment.repositories.partnerships.require(input.partnershipId);
  const message = handshakeData(record).outbox?.[input.type];
  if (!message) throw new DomainError('internal', `The ${input.type} of partnership ${record.id} was never prepared.`);

  let response: Response;
  try {
    response = await fetch(message.url, {
      method: 'POST',
      headers: { 'content-type': HANDSHAKE_MESSAGE_CONTENT_TYPE, accept: 'application/json, application/problem+json' },
      body: message.jws,
      signal: AbortSignal.timeout(deployment.config.messageDelivery.requestTimeoutMs),
    });
  } catch (error) {
    throw new DeliveryAttemptFailed(`The partner deployment at ${message.url} did not answer the ${input.type}: ${reason(error)}.`);
  }
  const text = await response.text();
  const body = parse(text);
  if (response.ok) return { delivered: true, status: response.status, answer: body };
  const problem = (body && typeof body === 'object' ? body : {}) as { code?: string; type?: string; detail?: string };
  if (response.status === 408 || response.status === 429 || response.status >= 500 || problem.code === 'handshake.in-progress') {
    throw new DeliveryAttemptFailed(`The partner deployment at ${message.url} answered the ${input.type} with ${response.status}${problem.code ? ` ${problem.code}` : ''}; retrying.`);
  }
  return { delivered: false, status: response.status, problem: { code: problem.code, type: problem.type, detail: problem.detail } };
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text.slice(0, 500);
  }
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

const handler: ActivityHandler = (input: unknown) => sendMessage(input as SendMessageInput);
df.app.activity(SEND_MESSAGE_ACTIVITY, { handler });
