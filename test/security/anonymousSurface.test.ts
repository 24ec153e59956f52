// The anonymous surface of a running deployment (Woodgrove China on the local stack):
// - an invitation flood is capped per sending tenant and in total: beyond the caps every
//   invitation gets 429 problem+json with Retry-After and nothing is written (Partnerships, Keys,
//   Nonces, Events, tenants); a redelivery of an accepted invitation is still answered; the room
//   comes back when waiting invitations expire;
// - the housekeeping timer purges expired nonces and closes invitations that expired unanswered;
// - the list of partnerships is paged and filtered by status.
import { randomUUID } from 'node:crypto';
import { createRepositories } from '../../shared';
import { NonceRepository } from '../../shared/tables';
import { generateDeploymentKey } from '../../shared/handshake';
import {
  invitationFlood,
  notificationFanOut,
  oversizedNotification,
  oversizedValidationToken,
  sniffableValidationToken,
  strangerInvitation,
  type AttackTarget,
} from '../bench/attacks/robustness';
import { changedBetween, snapshotDeployment } from '../support/deploymentState';
import { eventually } from '../reconcile/support';
import { api, useDeployments, WORLD } from '../support/stack';

jest.setTimeout(240_000);

const PER_PARTNER = 2;
const TOTAL = 4;
/** Also how long any received invitation takes room, however short its own lifetime. */
const RETRY_AFTER = 60;

describe('anonymous surface', () => {
  const { stack, china } = useDeployments(
    { China: WORLD.china },
    {
      settings: {
        INVITATION_DRAFTS_PER_PARTNER_MAX: String(PER_PARTNER),
        INVITATION_DRAFTS_MAX: String(TOTAL),
        INVITATION_DRAFTS_RETRY_AFTER_SECONDS: String(RETRY_AFTER),
        HOUSEKEEPING_SCHEDULE: '*/2 * * * * *',
      },
    },
  );
  const target = (): AttackTarget => ({ baseUrl: china().baseUrl, tenantId: WORLD.china, cloud: 'China' });
  const repositories = () => createRepositories({ storage: { connectionString: stack().azurite.connectionString, tablePrefix: china().tablePrefix }, tableConflictRetries: 5 });
  const send = (jws: string) => api(china(), 'POST', '/api/handshake/messages', { body: jws, contentType: 'application/jose', key: 'none' });

  describe('invitation flood', () => {
    it('one sender: its invitations beyond the cap get 429 + Retry-After and write nothing; a redelivery is still answered', async () => {
      const issuer = randomUUID();
      const key = (await generateDeploymentKey()).key;
      const accepted = [await strangerInvitation(target(), issuer, key), await strangerInvitation(target(), issuer, key)];
      for (const jws of accepted) expect((await send(jws)).body).toMatchObject({ status: 'Draft' });

      const before = await snapshotDeployment(stack(), china());
      const flood = await invitationFlood(target(), { count: 5, issuer });
      expect(flood.refused).toBe(true);
      for (const answer of flood.answers) {
        expect(answer).toMatchObject({ status: 429, code: 'handshake.too-many-invitations', contentType: 'application/problem+json', retryAfter: String(RETRY_AFTER) });
      }
      expect(changedBetween(before, await snapshotDeployment(stack(), china()))).toEqual([]);
      // The refusal says nothing about what the deployment holds.
      const refusal = await send(await strangerInvitation(target(), issuer, key));
      expect(Object.keys(refusal.body).sort()).toEqual(['code', 'detail', 'instance', 'retryAfterSeconds', 'status', 'title', 'type']);
      expect(refusal.body.detail).toBe('This deployment is not taking more invitations now; try again later.');

      // The same invitation delivered again (a sender that retried) is not a new one.
      expect(await send(accepted[0])).toMatchObject({ status: 202, body: { status: 'Draft' } });
    });

    it('many senders: beyond the total, everyone gets 429 and nothing is written', async () => {
      const waiting = (await api(china(), 'GET', '/api/partnerships?status=Draft')).body.partnerships.length;
      const room = TOTAL - waiting;
      const fill = await invitationFlood(target(), { count: room });
      expect(fill.answers.map((answer) => answer.status)).toEqual(Array(room).fill(202));

      const before = await snapshotDeployment(stack(), china());
      const flood = await invitationFlood(target(), { count: 6 });
      expect(flood.refused).toBe(true);
      expect(new Set(flood.answers.map((answer) => answer.status))).toEqual(new Set([429]));
      expect(changedBetween(before, await snapshotDeployment(stack(), china()))).toEqual([]);
      expect((await api(china(), 'GET', '/api/partnerships?status=Draft')).body.partnerships).toHaveLength(TOTAL);
    });

    it('room comes back when an administrator answers the waiting invitations', async () => {
      const full = await invitationFlood(target(), { count: 1 });
      expect(full.answers[0].status).toBe(429); // still full from the test before
      for (const record of await repositories().partnerships.list({ statuses: ['Draft'] })) {
        expect((await api(china(), 'POST', `/api/partnerships/${record.id}/reject`, { body: { reason: 'flood' } })).status).toBe(202);
      }
      expect((await invitationFlood(target(), { count: 1 })).answers[0].status).toBe(202);
    });

    it('short-lived invitations take room for the announced Retry-After all the same', async () => {
      const issuer = randomUUID();
      const shortLived = await invitationFlood(target(), { count: PER_PARTNER, issuer, lifetimeSeconds: 1 });
      expect(shortLived.answers.map((answer) => answer.status)).toEqual(Array(PER_PARTNER).fill(202));
      const waiting = (await repositories().partnerships.list({ statuses: ['Draft'], partnerTenantId: issuer })).map((record) => (record.data as { invitation: { exp: number } }).invitation.exp);
      await eventually(async () => Date.now() > Math.max(...waiting) * 1000 || undefined, { what: 'the invitations to expire' });
      const before = await snapshotDeployment(stack(), china());
      expect((await invitationFlood(target(), { count: 1, issuer })).answers[0]).toMatchObject({ status: 429, retryAfter: String(RETRY_AFTER) });
      expect(changedBetween(before, await snapshotDeployment(stack(), china()))).toEqual([]);
    });
  });

  describe('Graph webhooks', () => {
    it('validation tokens: echoed as text/plain with nosniff; over 1 KB refused with 400 problem+json, nothing changed', async () => {
      const before = await snapshotDeployment(stack(), china());
      for (const route of ['notifications', 'lifecycle'] as const) {
        const sniffable = await sniffableValidationToken(target(), route);
        expect(sniffable).toMatchObject({ refused: true, answer: { status: 200, nosniff: true } });
        const oversized = await oversizedValidationToken(target(), route);
        expect(oversized).toMatchObject({ refused: true, answer: { status: 400, code: 'request.invalid', contentType: 'application/problem+json' } });
      }
      // Exactly 1 KB is still Graph's.
      const token = 'v'.repeat(1_024);
      const atLimit = await api(china(), 'POST', `/api/graph/notifications?validationToken=${token}`, { key: 'none', body: '', contentType: 'text/plain' });
      expect([atLimit.status, atLimit.text]).toEqual([200, token]);
      expect(changedBetween(before, await snapshotDeployment(stack(), china()))).toEqual([]);
    });

    it('a body over the cap (413) and 1,000 notifications of made-up subscriptions (403) change nothing', async () => {
      const before = await snapshotDeployment(stack(), china());
      expect(await oversizedNotification(target())).toMatchObject({ refused: true, answer: { status: 413 } });
      const fanOut = await notificationFanOut(target());
      expect(fanOut).toMatchObject({ refused: true, answer: { status: 403, code: 'notification.rejected', contentType: 'application/problem+json' } });
      expect(changedBetween(before, await snapshotDeployment(stack(), china()))).toEqual([]);
    });
  });

  describe('housekeeping timer', () => {
    it('purges expired nonces, keeps live ones, and closes invitations that expired unanswered', async () => {
      const { partnerships } = repositories();
      const nonces = new NonceRepository(repositories().tables);
      const now = new Date();
      const claim = (jti: string, expiresAt: Date) =>
        nonces.claim({ issuer: WORLD.contoso, jti, digest: 'd', type: 'ready', partnershipId: 'p', expiresAt, now, leaseSeconds: 5 });
      const expired = `expired-${randomUUID()}`.replace(/-/g, '_');
      const live = `live-${randomUUID()}`.replace(/-/g, '_');
      await claim(expired, new Date(now.getTime() - 1_000));
      await claim(live, new Date(now.getTime() + 3_600_000));
      // An invitation that expired long ago (beyond any clock skew) and was never answered.
      const stale = await partnerships.create({
        role: 'responder',
        desired: (await partnerships.list({ statuses: ['Draft'] }))[0]?.desired ?? (await partnerships.list())[0].desired,
        data: { invitation: { jti: randomUUID(), exp: Math.floor(now.getTime() / 1000) - 3_600, callbackUrl: 'https://x.example', keyThumbprint: 'k', receivedAt: now.toISOString() } },
      });

      await eventually(async () => (await nonces.find(WORLD.contoso, expired)) === undefined, { what: 'the expired nonce to be purged', timeoutMs: 60_000 });
      expect(await nonces.find(WORLD.contoso, live)).toMatchObject({ jti: live });
      const closed = await eventually(async () => {
        const details = await api(china(), 'GET', `/api/partnerships/${stale.id}`);
        return details.body.status === 'Expired' ? details.body : undefined;
      }, { what: 'the stale invitation to be closed' });
      expect(closed.steps).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'status.changed', status: 'Expired', message: expect.stringMatching(/expired .* without an answer/) })]));
    });
  });

  describe('paged list', () => {
    it('pages GET /api/partnerships with $top and continuationToken, filters by status, refuses bad parameters', async () => {
      const all = (await api(china(), 'GET', `/api/partnerships?$top=200`)).body;
      expect(all.continuationToken).toBeUndefined();
      const seen: string[] = [];
      let path: string | undefined = '/api/partnerships?$top=2';
      while (path) {
        const page: { status: number; body: any } = await api(china(), 'GET', path);
        expect(page.status).toBe(200);
        expect(page.body.partnerships.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.partnerships.map((p: { id: string }) => p.id));
        path = page.body.nextLink ? new URL(page.body.nextLink).pathname + new URL(page.body.nextLink).search : undefined;
        if (path) expect(page.body.continuationToken).toEqual(expect.any(String));
      }
      expect(seen).toEqual(all.partnerships.map((p: { id: string }) => p.id));
      expect(seen.length).toBeGreaterThan(4);

      const rejected = (await api(china(), 'GET', '/api/partnerships?status=Rejected,Expired')).body.partnerships;
      expect(rejected.length).toBeGreaterThan(0);
      expect(rejected.every((p: { status: string }) => ['Rejected', 'Expired'].includes(p.status))).toBe(true);

      for (const [query, field] of [
        ['$top=0', '$top'],
        ['$top=201', '$top'],
        ['$top=ten', '$top'],
        ['status=Sleeping', 'status'],
        ['continuationToken=not-ours', 'continuationToken'],
      ]) {
        const bad = await api(china(), 'GET', `/api/partnerships?${query}`);
        expect({ query, status: bad.status, type: bad.headers.get('content-type') }).toEqual({ query, status: 400, type: 'application/problem+json' });
        expect(bad.body.issues).toEqual([expect.objectContaining({ field })]);
      }
    });
  });
});
