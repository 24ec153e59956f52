// The HTTP triggers of one deployment, through real HTTP on the local host: auth levels, bad bodies,
// the 64 KB limit, capability violations that write nothing, problem+json shapes, the signed
// invitation and the JWKS, the dry-run plan, and no secret in the host's log.
import { readFileSync } from 'node:fs';
import { compactVerify, importJWK } from 'jose';
import { api, contosoRequest, hasStatus, requestCount, useStack, waitForPartnership, WORLD, writeCount } from '../support/stack';

jest.setTimeout(180_000);

const PROBLEM = 'https://cross-cloud-handshake.dev/problems/';

describe('the HTTP API of a deployment', () => {
  const stack = useStack(() => ({
    deployments: [
      { name: 'Contoso', tenantId: WORLD.contoso },
      // The same app with no signing key and no public URL configured.
      { name: 'Unconfigured', tenantId: WORLD.fabrikam, env: { HANDSHAKE_KEY_FILE: undefined, PUBLIC_BASE_URL: undefined } },
      // Its durable client is pointed at an address where nothing listens: workflows cannot start.
      { name: 'Detached', tenantId: WORLD.china, env: { WEBSITE_HOSTNAME: '127.0.0.1:9' } },
    ],
    timings: 'short',
    inMemoryStorage: true,
  }));
  const contoso = () => stack().deployment('Contoso');
  /** A partner URL where nothing listens: the invitation stays undelivered, which these tests do not need. */
  const nowhere = 'https://127.0.0.1:9';

  async function nothingWritten<T>(action: () => Promise<T>): Promise<T> {
    await stack().simulator.control.resetCounters();
    const before = (await api(contoso(), 'GET', '/api/partnerships')).body.partnerships.length;
    const instancesBefore = (await api(contoso(), 'GET', `/runtime/webhooks/durabletask/instances?code=${contoso().systemKey}`, { key: 'none' })).body.length;
    const result = await action();
    expect((await api(contoso(), 'GET', '/api/partnerships')).body.partnerships).toHaveLength(before);
    expect((await api(contoso(), 'GET', `/runtime/webhooks/durabletask/instances?code=${contoso().systemKey}`, { key: 'none' })).body).toHaveLength(instancesBefore);
    expect(await requestCount(stack(), WORLD.contoso)).toBe(0);
    return result;
  }

  describe('auth levels', () => {
    const adminRoutes: [string, string][] = [
      ['POST', '/api/partnerships'],
      ['GET', '/api/partnerships'],
      ['GET', '/api/partnerships/x'],
      ['DELETE', '/api/partnerships/x'],
      ['GET', '/api/partnerships/x/plan'],
      ['GET', '/api/partnerships/x/invitation'],
      ['GET', '/api/partnerships/x/offboard-message'],
      ['POST', '/api/partnerships/x/approve'],
      ['POST', '/api/partnerships/x/reject'],
      ['GET', '/api/capabilities/check?partner=China'],
      ['POST', '/api/capabilities/check?partner=China'],
      ['POST', '/api/partnerships/x/partner-key'],
      ['POST', '/api/partnerships/x/partner-domains'],
    ];

    it.each(adminRoutes)('%s %s needs a function key', async (method, path) => {
      expect((await api(contoso(), method, path, { key: 'none', body: method === 'POST' ? {} : undefined })).status).toBe(401);
      expect((await api(contoso(), method, path, { key: { key: 'not-the-key-of-this-deployment' }, body: method === 'POST' ? {} : undefined })).status).toBe(401);
      expect((await api(contoso(), method, path, { key: { key: stack().deployment('Unconfigured').functionKey } })).status).toBe(401);
      // With the key the route answers (here: a problem about the request, not about the key).
      expect((await api(contoso(), method, path, { key: 'master', body: method === 'POST' ? {} : undefined })).status).not.toBe(401);
    });

    it('the partner routes are anonymous (trusted through signatures only)', async () => {
      const jwks = await api(contoso(), 'GET', '/api/handshake/jwks', { key: 'none' });
      expect(jwks.status).toBe(200);
      expect(jwks.headers.get('content-type')).toBe('application/jwk-set+json');
      expect(jwks.body.keys).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: expect.any(String), alg: 'EdDSA', use: 'sig' }]);
      const message = await api(contoso(), 'POST', '/api/handshake/messages', { key: 'none', body: 'a.b.c', contentType: 'application/jose' });
      expect(message.status).toBe(400);
      expect(message.body.code).toBe('handshake.malformed');
    });
  });

  describe('the capability preflight', () => {
    it('GET judges every capability of this deployment\'s environment with the partner\'s, writing and reading nothing', async () => {
      const pair = await nothingWritten(() => api(contoso(), 'GET', '/api/capabilities/check?partner=China'));
      expect(pair.status).toBe(200);
      expect(pair.body).toMatchObject({
        local: 'Global',
        partner: 'China',
        capabilities: { acsInterop: { allowed: true }, m365CapabilitiesOutbound: { allowed: false, code: 'm365.global-service-only', side: 'partner' } },
      });
    });

    it('POST judges exactly what the body asks (partner from partnerCloud); an unknown environment is a 400 naming it', async () => {
      const asked = await nothingWritten(() =>
        api(contoso(), 'POST', '/api/capabilities/check', { body: { partnerCloud: 'China', crossTenantSync: { direction: 'outbound' } } }),
      );
      expect(asked.status).toBe(200);
      expect(asked.body.violations).toEqual([expect.objectContaining({ code: 'sync.china-unsupported', side: 'partner' })]);
      expect(asked.body.capabilities.acsInterop.requested).toBe(false);
      const unknown = await api(contoso(), 'GET', '/api/capabilities/check?partner=Atlantis');
      expect(unknown.status).toBe(400);
      expect(unknown.headers.get('content-type')).toBe('application/problem+json');
      expect(unknown.body.detail).toContain('Unknown partner environment "Atlantis"');
      expect((await api(contoso(), 'GET', '/api/capabilities/check')).status).toBe(400);
    });
  });

  describe('POST /api/partnerships', () => {
    it('names every bad field (400) and writes nothing', async () => {
      const answer = await nothingWritten(() =>
        api(contoso(), 'POST', '/api/partnerships', {
          body: {
            partnerCloud: 'Mars',
            partnerDeploymentUrl: 'http://handshake.woodgrove.cn',
            guests: ['not a upn'],
            teams: { federation: 'yes' },
            surprise: true,
          },
        }),
      );
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ type: `${PROBLEM}request.invalid`, title: 'The request is not valid', status: 400, code: 'request.invalid', instance: '/api/partnerships' });
      expect(answer.body.issues.map((issue: { field: string }) => issue.field).sort()).toEqual(
        ['guests.0', 'partnerCloud', 'partnerDeploymentUrl', 'partnerTenantId', 'surprise', 'teams.federation'].sort(),
      );
      expect(answer.body.detail).toContain('partnerCloud: must be one of Global, GCC, GCCHigh, DoD, China');
    });

    it.each([
      ['not JSON', '{"partnerTenantId":', 'application/json'],
      ['empty', '', 'application/json'],
      ['a JSON array', '[]', 'application/json'],
    ])('refuses a body that is %s (400)', async (_what, body, contentType) => {
      const answer = await nothingWritten(() => api(contoso(), 'POST', '/api/partnerships', { body, contentType }));
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'request.invalid', issues: [expect.objectContaining({ field: '(body)' })] });
    });

    it('refuses a body over 64 KB (413) and writes nothing', async () => {
      const huge = { ...contosoRequest(stack()), displayName: 'x'.repeat(70 * 1024) };
      const answer = await nothingWritten(() => api(contoso(), 'POST', '/api/partnerships', { body: huge }));
      expect(answer.status).toBe(413);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ type: `${PROBLEM}request.too-large`, code: 'request.too-large', limit: 65536 });
    });

    it('refuses a collaboration the clouds do not allow (422), listing every violation, writing nothing anywhere', async () => {
      const answer = await nothingWritten(() =>
        api(contoso(), 'POST', '/api/partnerships', {
          body: contosoRequest(stack(), {
            b2bDirectConnect: { inbound: { users: 'all' } },
            crossTenantSync: { direction: 'inbound' },
          }),
        }),
      );
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ type: `${PROBLEM}capability.violation`, status: 422, code: 'capability.violation' });
      expect(answer.body.violations.map((violation: { code: string }) => violation.code).sort()).toEqual(['b2b-direct-connect.cross-cloud', 'sync.china-unsupported', 'sync.direction-not-allowed']);
      for (const violation of answer.body.violations) expect(violation.message).toEqual(expect.any(String));
    });

    it('refuses a partnership with its own tenant (400)', async () => {
      const answer = await nothingWritten(() =>
        api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack(), { partnerTenantId: WORLD.contoso, partnerCloud: 'Global', teams: {} }) }),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.issues).toEqual([{ field: 'partnerTenantId', message: expect.stringContaining('own tenant') }]);
    });
  });

  describe('a partnership', () => {
    let id = '';
    beforeAll(async () => {
      const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack(), { partnerDeploymentUrl: nowhere }) });
      expect(created.status).toBe(202);
      id = created.body.id;
      await waitForPartnership(contoso(), id, hasStatus('AwaitingPartner'));
    });

    it('is listed, and shown with its history', async () => {
      const list = await api(contoso(), 'GET', '/api/partnerships');
      expect(list.body.partnerships).toContainEqual({
        id,
        role: 'initiator',
        status: 'AwaitingPartner',
        driftStatus: null,
        partnerTenantId: WORLD.china,
        partnerCloud: 'China',
        updatedAt: expect.any(String),
      });
      const details = await api(contoso(), 'GET', `/api/partnerships/${id}`);
      expect(details.body).toMatchObject({ id, partnerDeploymentUrl: nowhere, desired: { partnerTenantId: WORLD.china }, owned: expect.any(Array), createdAt: expect.any(String) });
      expect(details.body.steps[0]).toEqual({ at: expect.any(String), type: 'partnership.requested', message: expect.stringContaining(WORLD.china) });
    });

    it('offers its signed invitation for out-of-band delivery, verifiable with the published key', async () => {
      const invitation = await api(contoso(), 'GET', `/api/partnerships/${id}/invitation`);
      expect(invitation.status).toBe(200);
      expect(invitation.headers.get('content-type')).toBe('application/jose');
      const jwks = (await api(contoso(), 'GET', '/api/handshake/jwks', { key: 'none' })).body;
      const { payload, protectedHeader } = await compactVerify(invitation.text, await importJWK(jwks.keys[0], 'EdDSA'));
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'cch-handshake+jwt', kid: jwks.keys[0].kid });
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
        type: 'invitation',
        iss: WORLD.contoso,
        aud: WORLD.china,
        partnershipId: id,
        callbackUrl: `${contoso().baseUrl}/api/handshake/messages`,
        sender: { tenantId: WORLD.contoso, cloud: 'Global', verifiedDomains: expect.arrayContaining(['contoso.com']) },
      });
    });

    it('has a dry-run plan that writes nothing', async () => {
      await stack().simulator.control.resetCounters();
      const planned = await api(contoso(), 'GET', `/api/partnerships/${id}/plan`);
      expect(planned.status).toBe(200);
      expect(planned.body.id).toBe(id);
      expect(planned.body.empty).toBe(false);
      // Entra is done while it waits; Teams and the guests are what is left.
      expect(planned.body.operations.map((operation: { kind: string }) => operation.kind)).toEqual(expect.arrayContaining(['teams.update', 'guest.invite']));
      expect(planned.body.operations.map((operation: { kind: string }) => operation.kind)).not.toContain('partner.create');
      expect(await writeCount(stack(), WORLD.contoso)).toBe(0);
    });

    it('cannot be approved or rejected by the side that requested it (409), nor with a bad body (400)', async () => {
      const approve = await api(contoso(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: 'AAAA-AAAA-AAAA-AAAA' } });
      expect(approve.status).toBe(409);
      expect(approve.body.code).toBe('partnership.illegal-transition');
      const reject = await api(contoso(), 'POST', `/api/partnerships/${id}/reject`, { body: { reason: 'no' } });
      expect(reject.status).toBe(409);
      const bad = await api(contoso(), 'POST', `/api/partnerships/${id}/approve`, { body: { code: 'AAAA-AAAA' } });
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((issue: { field: string }) => issue.field).sort()).toEqual(['code', 'pairingCode']);
      // The old 8-character form is not a code.
      const short = await api(contoso(), 'POST', `/api/partnerships/${id}/approve`, { body: { pairingCode: 'AAAA-AAAA' } });
      expect(short.body).toMatchObject({ status: 400, issues: [{ field: 'pairingCode', message: expect.stringContaining('XXXX-XXXX-XXXX-XXXX') }] });
      expect((await api(contoso(), 'GET', `/api/partnerships/${id}`)).body.status).toBe('AwaitingPartner');
    });

    it('refuses a bad offboarding request (400: body or query) and guest deletion without User.ReadWrite.All (403) before anything changes', async () => {
      const before = (await api(contoso(), 'GET', `/api/partnerships/${id}`)).body;
      const refusals: [string, Parameters<typeof api>[3], number, string, string][] = [
        ['a body that is not JSON', { body: '{deleteGuests', contentType: 'application/json' }, 400, 'request.invalid', '(body)'],
        ['deleteGuests not a boolean', { body: { deleteGuests: 'yes' } }, 400, 'request.invalid', 'deleteGuests'],
        ['an unknown field', { body: { wipe: true } }, 400, 'request.invalid', 'wipe'],
        ['a bad query value', {}, 400, 'request.invalid', 'deleteGuests'],
        ['guest deletion the app may not do', { body: { deleteGuests: true, reason: 'done' } }, 403, 'tenant.permission-denied', ''],
      ];
      for (const [what, options, status, code, field] of refusals) {
        await stack().simulator.control.resetCounters();
        const path = what === 'a bad query value' ? `/api/partnerships/${id}?deleteGuests=perhaps` : `/api/partnerships/${id}`;
        const answer = await api(contoso(), 'DELETE', path, options);
        expect({ what, status: answer.status, code: answer.body.code }).toEqual({ what, status, code });
        expect(answer.headers.get('content-type')).toBe('application/problem+json');
        if (field) expect(answer.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
        else expect(answer.body.detail).toContain('User.ReadWrite.All');
        // Nothing was written to the tenant, nothing recorded.
        expect(await writeCount(stack(), WORLD.contoso)).toBe(0);
        const after = (await api(contoso(), 'GET', `/api/partnerships/${id}`)).body;
        expect({ status: after.status, updatedAt: after.updatedAt, steps: after.steps.length }).toEqual({ status: before.status, updatedAt: before.updatedAt, steps: before.steps.length });
      }
      // There is no offboard message of a partnership that is not being offboarded.
      const message = await api(contoso(), 'GET', `/api/partnerships/${id}/offboard-message`);
      expect(message.status).toBe(409);
      expect(message.body.code).toBe('handshake.wrong-state');
    });

    it("takes the partner key thumbprint its admin reads back (it could not be fetched here), refuses a bad one or a contradicting one, changing nothing", async () => {
      const before = (await api(contoso(), 'GET', `/api/partnerships/${id}`)).body;
      expect(before.keys.partner).toBeUndefined();
      expect(before.steps.some((step: { message: string }) => /could not be fetched/.test(step.message))).toBe(true);
      const bad = await api(contoso(), 'POST', `/api/partnerships/${id}/partner-key`, { body: { thumbprint: 'short' } });
      expect(bad.body).toMatchObject({ status: 400, code: 'request.invalid', issues: [{ field: 'thumbprint' }] });
      expect((await api(contoso(), 'GET', `/api/partnerships/${id}`)).body.updatedAt).toBe(before.updatedAt);

      const thumbprint = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
      const pinned = await api(contoso(), 'POST', `/api/partnerships/${id}/partner-key`, { body: { thumbprint } });
      expect(pinned.status).toBe(200);
      expect(pinned.body).toEqual({ id, keys: { own: before.keys.own, partnerExpected: thumbprint } });
      expect((await api(contoso(), 'POST', `/api/partnerships/${id}/partner-key`, { body: { thumbprint } })).status).toBe(200);
      const after = (await api(contoso(), 'GET', `/api/partnerships/${id}`)).body;
      const other = await api(contoso(), 'POST', `/api/partnerships/${id}/partner-key`, { body: { thumbprint: 'A'.repeat(43) } });
      expect(other.body).toMatchObject({ status: 409, code: 'handshake.partner-key-conflict' });
      expect((await api(contoso(), 'GET', `/api/partnerships/${id}`)).body.updatedAt).toBe(after.updatedAt);
      expect(after.steps.at(-1)).toMatchObject({ type: 'partner-key.pinned', data: { thumbprint, source: 'admin' } });
    });

    it('takes partner domains its admin vouches for (used once the partner declares them), refusing a bad body', async () => {
      const bad = await api(contoso(), 'POST', `/api/partnerships/${id}/partner-domains`, { body: { accept: [] } });
      expect(bad.body).toMatchObject({ status: 400, issues: [{ field: 'accept' }] });
      const accepted = await api(contoso(), 'POST', `/api/partnerships/${id}/partner-domains`, { body: { accept: ['Woodgrove.CN', 'extra.example'] } });
      expect(accepted.status).toBe(200);
      // The request already named Woodgrove's two domains; none is declared yet (no answer from the partner).
      expect(accepted.body.partnerDomains).toEqual([
        { domain: 'woodgrove.cn', status: 'unverified', declared: false },
        { domain: 'woodgrovecn.partner.onmschina.cn', status: 'unverified', declared: false },
        { domain: 'extra.example', status: 'unverified', declared: false },
      ]);
    });

    it('an unknown partnership is a 404 problem', async () => {
      const unknown = await api(contoso(), 'GET', '/api/partnerships/00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toBe('application/problem+json');
      expect(unknown.body).toEqual({
        type: `${PROBLEM}partnership.not-found`,
        title: 'No such partnership',
        status: 404,
        detail: 'No partnership with id 00000000-0000-4000-8000-000000000000.',
        code: 'partnership.not-found',
        id: '00000000-0000-4000-8000-000000000000',
        instance: '/api/partnerships/00000000-0000-4000-8000-000000000000',
      });
      expect((await api(contoso(), 'DELETE', '/api/partnerships/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await api(contoso(), 'GET', '/api/partnerships/00000000-0000-4000-8000-000000000000/offboard-message')).status).toBe(404);
    });
  });

  it('a deployment missing its settings answers 500 config.invalid, naming the setting', async () => {
    const unconfigured = stack().deployment('Unconfigured');
    // Anyone may call the JWKS route: it says what failed, not which setting (that is for admins).
    const jwks = await api(unconfigured, 'GET', '/api/handshake/jwks', { key: 'none' });
    expect(jwks.status).toBe(500);
    expect(jwks.body).toMatchObject({ code: 'config.invalid', detail: 'The deployment could not process the request; try again later.' });
    expect(jwks.text).not.toContain('HANDSHAKE_KEY_FILE');
    const message = await api(unconfigured, 'POST', '/api/handshake/messages', { key: 'none', body: 'a.b.c', contentType: 'application/jose' });
    expect(message.text).not.toMatch(/HANDSHAKE_KEY_FILE|PUBLIC_BASE_URL|AccountKey/);
    const created = await api(unconfigured, 'POST', '/api/partnerships', { body: contosoRequest(stack(), { partnerTenantId: WORLD.china }) });
    expect(created.status).toBe(500);
    expect(created.body).toMatchObject({ code: 'config.invalid', detail: expect.stringContaining('HANDSHAKE_KEY_FILE') });
    expect((await api(unconfigured, 'GET', '/api/partnerships')).body.partnerships).toEqual([]);
  });

  it('a partnership whose workflow cannot start is not left as a Draft: it is Failed, saying why', async () => {
    const detached = stack().deployment('Detached');
    const created = await api(detached, 'POST', '/api/partnerships', {
      body: { ...contosoRequest(stack(), { partnerTenantId: WORLD.contoso, partnerCloud: 'Global', guests: [], partnerGuests: [] }), teams: { federation: true } },
    });
    expect(created.status).toBe(500);
    expect(created.body).toMatchObject({ code: 'internal', detail: 'An unexpected error occurred.' });
    const [partnership] = (await api(detached, 'GET', '/api/partnerships')).body.partnerships;
    expect(partnership).toMatchObject({ status: 'Failed' });
    const details = await api(detached, 'GET', `/api/partnerships/${partnership.id}`);
    expect(details.body.lastError).toMatchObject({ code: 'internal', message: expect.stringContaining('could not be started') });
  });

  it('never writes a secret to the host log', async () => {
    const privateJwk = JSON.parse(readFileSync(contoso().keyFile, 'utf8')).privateJwk as { d: string };
    const log = contoso().output();
    expect(log).toContain('refused'); // the log does say what happened
    for (const secret of [contoso().settings.CLIENT_SECRET, contoso().functionKey, contoso().masterKey, contoso().systemKey, privateJwk.d]) {
      expect(log).not.toContain(secret);
    }
  });
});
