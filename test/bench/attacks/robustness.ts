// Attacks on the anonymous surface of a running deployment (robustness): each sends what an
// anonymous caller could send and reports the answer; `refused` is true when the deployment said
// no the way it should. Whether anything changed is for the caller to check (test/support/
// deploymentState.ts snapshots Partnerships, Keys, Nonces, Events, Subscriptions and the tenants).
// Used by test/security/ and meant for the `bench -- attacks` runner.
import { randomUUID } from 'node:crypto';
import { generateDeploymentKey, generatePairingCode, newNonce, pairingCommitment, signHandshakeMessage, type DeploymentKey, type HandshakeMessageDraft } from '../../../shared/handshake';

/** The deployment attacked: its base URL, tenant and cloud (a LocalStackDeployment has them). */
export interface AttackTarget {
  baseUrl: string;
  tenantId: string;
  cloud: string;
}

export interface AttackAnswer {
  status: number;
  code?: string;
  contentType?: string;
  retryAfter?: string;
  nosniff?: boolean;
}

export interface AttackResult {
  name: string;
  refused: boolean;
  answer: AttackAnswer;
}

async function post(url: string, body: string, contentType: string): Promise<AttackAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return {
    status: response.status,
    ...(code ? { code } : {}),
    contentType: response.headers.get('content-type') ?? undefined,
    ...(response.headers.get('retry-after') ? { retryAfter: response.headers.get('retry-after')! } : {}),
    nosniff: response.headers.get('x-content-type-options') === 'nosniff',
  };
}

/** A signed invitation to `target` from `issuer` (any tenant id: invitations carry their own key). */
export async function strangerInvitation(target: AttackTarget, issuer: string, key: DeploymentKey, lifetimeSeconds = 3_600): Promise<string> {
  const partnershipId = randomUUID();
  const jti = newNonce();
  // A well-formed commitment to a code nobody was told: the invitation is valid, never approvable.
  const commitment = pairingCommitment(generatePairingCode(), {
    partnershipId,
    invitationJti: jti,
    initiatorTenantId: issuer,
    responderTenantId: target.tenantId,
    keyThumbprint: key.kid,
  });
  const draft = {
    type: 'invitation',
    iss: issuer,
    aud: target.tenantId,
    partnershipId,
    pairingCommitment: commitment,
    sender: { tenantId: issuer, cloud: target.cloud === 'Global' ? 'China' : 'Global', deploymentUrl: 'https://handshake.stranger.example', verifiedDomains: ['stranger.example'] },
    callbackUrl: 'https://handshake.stranger.example/api/handshake/messages',
    collaboration: {
      partnerTenantId: target.tenantId,
      partnerCloud: target.cloud,
      partnerDeploymentUrl: target.baseUrl,
      b2bCollaboration: { inbound: { users: 'all' } },
    },
  } as unknown as HandshakeMessageDraft;
  return (await signHandshakeMessage(draft, { key, lifetimeSeconds, jti })).jws;
}

/**
 * Invitation flood: `count` signed invitations, from one issuer (`perIssuer`) or each from a new
 * one. Refused once the answers turn into 429 problem+json with a Retry-After.
 */
export async function invitationFlood(
  target: AttackTarget,
  options: { count: number; issuer?: string; lifetimeSeconds?: number },
): Promise<AttackResult & { answers: AttackAnswer[] }> {
  const key = (await generateDeploymentKey()).key;
  const answers: AttackAnswer[] = [];
  for (let sent = 0; sent < options.count; sent += 1) {
    const jws = await strangerInvitation(target, options.issuer ?? randomUUID(), key, options.lifetimeSeconds);
    answers.push(await post(`${target.baseUrl}/api/handshake/messages`, jws, 'application/jose'));
  }
  const last = answers[answers.length - 1];
  return {
    name: options.issuer ? 'invitation flood (one issuer)' : 'invitation flood (many issuers)',
    refused: last.status === 429 && last.code === 'handshake.too-many-invitations' && Number(last.retryAfter) > 0 && last.contentType === 'application/problem+json',
    answer: last,
    answers,
  };
}

/** A notification body over the size cap: refused with 413 before anything is looked up. */
export async function oversizedNotification(target: AttackTarget, bytes = 1_100_000): Promise<AttackResult> {
  const answer = await post(`${target.baseUrl}/api/graph/notifications`, JSON.stringify({ value: [{ subscriptionId: 'x', clientState: 'y'.repeat(bytes) }] }), 'application/json');
  return { name: 'oversized notification body', refused: answer.status === 413 && answer.contentType === 'application/problem+json', answer };
}

/** 1,000 notifications naming 1,000 made-up subscriptions: refused (403) after bounded lookups. */
export async function notificationFanOut(target: AttackTarget, count = 1_000): Promise<AttackResult & { ms: number }> {
  const value = Array.from({ length: count }, () => ({
    subscriptionId: randomUUID(),
    clientState: randomUUID(),
    changeType: 'updated',
    resource: `Users/${randomUUID()}`,
    tenantId: target.tenantId,
  }));
  const started = performance.now();
  const answer = await post(`${target.baseUrl}/api/graph/notifications`, JSON.stringify({ value }), 'application/json');
  return { name: 'notification fan-out (1,000 unknown subscriptions)', refused: answer.status === 403 && answer.code === 'notification.rejected', answer, ms: performance.now() - started };
}

/** A validationToken over 1 KB (Graph's are short): refused (400 problem+json), never echoed. */
export async function oversizedValidationToken(target: AttackTarget, route: 'notifications' | 'lifecycle' = 'notifications'): Promise<AttackResult> {
  const token = `<script>${'a'.repeat(2_000)}</script>`;
  const answer = await post(`${target.baseUrl}/api/graph/${route}?validationToken=${encodeURIComponent(token)}`, '', 'text/plain');
  return { name: `oversized validationToken (${route})`, refused: answer.status === 400 && answer.contentType === 'application/problem+json', answer };
}

/** A short validationToken holding markup: echoed as text/plain with nosniff (never run as HTML). */
export async function sniffableValidationToken(target: AttackTarget, route: 'notifications' | 'lifecycle' = 'notifications'): Promise<AttackResult> {
  const answer = await post(`${target.baseUrl}/api/graph/${route}?validationToken=${encodeURIComponent('<html><script>alert(1)</script></html>')}`, '', 'text/plain');
  return { name: `sniffable validationToken (${route})`, refused: answer.status === 200 && Boolean(answer.contentType?.startsWith('text/plain')) && answer.nosniff === true, answer };
}
