// fetchPartnerKey (initiator, before the invitation is sent): GET the partner's JWKS from the
// deployment URL this side's admin typed — never from a message — over HTTPS, and pin the key it
// publishes (Keys table, source `jwks`). TLS authenticates the URL; the admin vouched for the URL;
// so the partner's answers are then accepted under that key only. A partner that cannot be reached
// is not an error: its key is then authenticated by the key proof in its confirmation or by a
// thumbprint the admin pins. See docs/security.md.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { DomainError, isDomainError } from '../../shared/errors';
import { JWKS_CONTENT_TYPE, partnerKeyFromJwks } from '../../shared/handshake';
import { OutboundRequestError, outboundRequest } from '../../shared/outbound';
import { handshakeDeployment } from '../deployment';
import { FETCH_PARTNER_KEY_ACTIVITY } from '../names';
import { handshakeData, jwksUrl, withHandshakeData } from '../records';

export interface FetchPartnerKeyInput {
  partnershipId: string;
  /** The orchestration's time (ISO). */
  at: string;
}

export type FetchPartnerKeyOutcome =
  | { ok: true; url: string; pinned?: string; published: string[] }
  | { ok: false; url: string; reason: string };

/** Thrown for an attempt worth repeating (the partner is down or slow). */
export class PartnerKeyFetchFailed extends Error {
  override readonly name = 'PartnerKeyFetchFailed';
}

export async function fetchPartnerKey(input: FetchPartnerKeyInput): Promise<FetchPartnerKeyOutcome> {
  const deployment = handshakeDeployment();
  const { config } = deployment;
  const { partnerships, keys } = deployment.repositories;
  const record = await partnerships.require(input.partnershipId);
  if (record.role !== 'initiator') throw new DomainError('internal', `Partnership ${record.id} was not initiated by this side.`);
  const url = jwksUrl(record.desired.partnerDeploymentUrl);
  const refused = (reason: string): FetchPartnerKeyOutcome => ({ ok: false, url, reason });

  let text: string;
  try {
    const response = await outboundRequest(
      url,
      { method: 'GET', headers: { accept: `${JWKS_CONTENT_TYPE}, application/json` } },
      { allowHttpLoopback: config.outbound.allowHttpLoopback, timeoutMs: config.partnerKeyFetchTimeoutMs, maxResponseBytes: config.outbound.maxResponseBytes },
    );
    if (response.status === 408 || response.status === 429 || response.status >= 500) throw new PartnerKeyFetchFailed(`${url} answered HTTP ${response.status}`);
    if (response.status !== 200) return refused(`${url} answered HTTP ${response.status}`);
    text = response.text;
  } catch (error) {
    if (error instanceof OutboundRequestError) {
      if (error.transient) throw new PartnerKeyFetchFailed(`${url}: ${error.message}`);
      return refused(`${url} ${error.message}`);
    }
    throw error;
  }
  let published;
  try {
    published = await partnerKeyFromJwks(JSON.parse(text));
  } catch (error) {
    return refused(`${url} did not answer a usable key set (${isDomainError(error) ? error.message : 'not JSON'})`);
  }
  const thumbprints = published.map((key) => key.kid);
  // Read again: the admin may have pinned a thumbprint while the fetch was under way.
  const expected = handshakeData(await partnerships.require(record.id)).partnerKey?.adminThumbprint;
  const key = expected ? published.find((candidate) => candidate.kid === expected) : published.length === 1 ? published[0] : undefined;
  if (expected && !key) {
    return refused(`the keys ${url} publishes (${thumbprints.join(', ')}) do not include the thumbprint your administrator pinned (${expected}); nothing was pinned`);
  }
  if (key) {
    try {
      await keys.pin({ partnershipId: record.id, tenantId: record.partnerTenantId, jwk: key, source: 'jwks' });
    } catch (error) {
      if (isDomainError(error, 'handshake.key-mismatch')) return refused(`${url} publishes key ${key.kid}, but another key is already trusted for the partner`);
      throw error;
    }
    return { ok: true, url, pinned: key.kid, published: thumbprints };
  }
  // Several keys (a rotation): the partner's answer must be signed with one of them.
  await partnerships.update(record.id, (current) => ({
    data: withHandshakeData(current, { partnerKey: { ...handshakeData(current).partnerKey, jwksThumbprints: thumbprints, jwksFetchedAt: input.at } }),
  }));
  return { ok: true, url, published: thumbprints };
}

const handler: ActivityHandler = (input: unknown) => fetchPartnerKey(input as FetchPartnerKeyInput);
df.app.activity(FETCH_PARTNER_KEY_ACTIVITY, { handler });
