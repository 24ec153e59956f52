// The two-sided handshake end to end: two deployments of this app on the local host (Contoso in
// Global, Woodgrove China in 21Vianet), the Graph + Teams simulator over HTTPS and Azurite. The
// test drives only the public HTTP API, then reads both tenants from the simulator's state dump.
import { FileDeploymentKeyStore } from '../../shared/handshake';
import {
  api,
  collaborationState,
  contosoRequest,
  hasStatus,
  PAIRING_CODE_FORMAT,
  useDeployments,
  waitForPartnership,
  WORLD,
  writeCount,
  wrongPairingCode,
} from '../support/stack';

jest.setTimeout(240_000);

const TERMINAL = ['Active', 'Failed', 'Rejected', 'Expired'];

describe('the handshake between Contoso (Global) and Woodgrove China (21Vianet)', () => {
  const { stack, contoso, china } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china });
  let partnershipId = '';
  let pairingCode = '';

  it('A requests (pinning B\'s key from B\'s URL), B sees the invitation awaiting approval, a wrong pairing code is counted and trusts nothing, the right one makes both Active', async () => {
    // An admin's own settings in Contoso that the product must leave alone.
    await stack().simulator.control.admin(WORLD.contoso, {
      method: 'POST',
      path: '/policies/crossTenantAccessPolicy/partners',
      body: { tenantId: WORLD.fabrikam },
    });
    await stack().simulator.control.admin(WORLD.contoso, {
      service: 'teams',
      method: 'PUT',
      path: '/Skype.Policy/configurations/TenantFederationSettings/configuration/Global',
      body: { Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: ['adatum.com'], BlockedDomains: [], AllowTeamsConsumer: false },
    });

    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'Draft',
      pairingCode: expect.stringMatching(PAIRING_CODE_FORMAT),
      statusUrl: `${contoso().baseUrl}/api/partnerships/${created.body.id}`,
    });
    expect(created.headers.get('location')).toBe(created.body.statusUrl);
    partnershipId = created.body.id;
    pairingCode = created.body.pairingCode;

    // B: the invitation arrived (same id on both sides) and waits for its admin.
    const awaiting = await waitForPartnership(china(), partnershipId, hasStatus('Draft'));
    expect(awaiting).toMatchObject({
      role: 'responder',
      status: 'Draft',
      approval: 'pairing-code',
      partnerTenantId: WORLD.contoso,
      partnerCloud: 'Global',
      partnerDeploymentUrl: contoso().baseUrl,
      // B's view is the mirror of A's request.
      desired: {
        partnerTenantId: WORLD.contoso,
        b2bCollaboration: { inbound: { users: 'all', applications: 'office365' }, outbound: { users: 'all' } },
        guests: ['adele.vance@contoso.com'],
        partnerGuests: ['li.wei@woodgrove.cn'],
      },
    });
    expect(awaiting.pairingCode).toBeUndefined();
    // B holds A's key as presented, not trusted, until its admin's code opens the invitation.
    const contosoKey = await new FileDeploymentKeyStore({ path: contoso().keyFile }).getDeploymentKey();
    const chinaKey = await new FileDeploymentKeyStore({ path: china().keyFile }).getDeploymentKey();
    expect(awaiting.keys).toEqual({ own: chinaKey.kid, partnerPresented: contosoKey.kid });
    expect(awaiting.pairingAttempts).toEqual({ used: 0, max: 5 });
    expect(awaiting.partnerDomains).toEqual([
      { domain: 'contoso.com', status: 'unverified', declared: true },
      { domain: 'contoso.onmicrosoft.com', status: 'unverified', declared: true },
    ]);
    const listed = await api(china(), 'GET', '/api/partnerships');
    expect(listed.body.partnerships).toContainEqual(expect.objectContaining({ id: partnershipId, role: 'responder', status: 'Draft' }));
    const initiator = await waitForPartnership(contoso(), partnershipId, hasStatus('AwaitingPartner'));
    expect(initiator).toMatchObject({ role: 'initiator', pairingCode, invitationUrl: `${contoso().baseUrl}/api/partnerships/${partnershipId}/invitation` });
    // A fetched B's key from the URL its admin typed, before the invitation went out.
    expect(initiator.keys).toMatchObject({ own: contosoKey.kid, partner: { thumbprint: chinaKey.kid, source: 'jwks' } });
    const pinnedAt = initiator.steps.findIndex((step: { type: string }) => step.type === 'partner-key.pinned');
    const deliveredAt = initiator.steps.findIndex((step: { message: string }) => step.message.startsWith('Invitation delivered'));
    expect(pinnedAt).toBeGreaterThan(-1);
    expect(pinnedAt).toBeLessThan(deliveredAt);
    // The code is shown to A's admins only: in no message, step or B's answer.
    const invitation = await api(contoso(), 'GET', `/api/partnerships/${partnershipId}/invitation`);
    for (const text of [invitation.text, JSON.stringify(initiator.steps), JSON.stringify(awaiting)]) expect(text).not.toContain(pairingCode);

    const wrong = await api(china(), 'POST', `/api/partnerships/${partnershipId}/approve`, { body: { pairingCode: wrongPairingCode(pairingCode) } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
    expect(wrong.body).toMatchObject({ code: 'handshake.bad-pairing-code', type: 'https://cross-cloud-handshake.dev/problems/handshake.bad-pairing-code', attemptsLeft: 4 });
    // The try is counted; nothing else moved: still Draft, A's key still untrusted.
    const counted = await api(china(), 'GET', `/api/partnerships/${partnershipId}`);
    expect(counted.body).toMatchObject({ status: 'Draft', pairingAttempts: { used: 1, max: 5 }, keys: { partnerPresented: contosoKey.kid } });
    expect(counted.body.keys.partner).toBeUndefined();
    // A code of the wrong shape is no try.
    const typo = await api(china(), 'POST', `/api/partnerships/${partnershipId}/approve`, { body: { pairingCode: 'K7QF-2M9D' } });
    expect(typo.status).toBe(400);
    expect((await api(china(), 'GET', `/api/partnerships/${partnershipId}`)).body.pairingAttempts).toEqual({ used: 1, max: 5 });

    // Typed as an admin reads it over the phone: lower case, spaces.
    const approved = await api(china(), 'POST', `/api/partnerships/${partnershipId}/approve`, { body: { pairingCode: pairingCode.toLowerCase().replace(/-/g, ' ') } });
    expect(approved.status).toBe(202);
    expect(approved.body).toEqual({ id: partnershipId, status: 'ConfiguringLocal' });

    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), partnershipId, hasStatus(...TERMINAL)),
      waitForPartnership(china(), partnershipId, hasStatus(...TERMINAL)),
    ]);
    expect(a).toMatchObject({ status: 'Active', driftStatus: 'InSync' });
    expect(b).toMatchObject({ status: 'Active', driftStatus: 'InSync' });
    expect(a.lastError).toBeUndefined();
    expect(a.invitationUrl).toBeUndefined();
    // Every step is in the history, in order.
    const types = a.steps.map((step: { type: string }) => step.type);
    expect(types[0]).toBe('partnership.requested');
    expect(types).toEqual(expect.arrayContaining(['operation.applied', 'message.sent', 'message.received', 'status.changed']));
    expect(a.steps.at(-1)).toMatchObject({ type: 'status.changed', message: 'The partnership is active on both sides.', status: 'Active' });
    // The status changes are in the steps, so a client that polls sees every status passed.
    const statuses = (partnership: { steps: { status?: string }[] }): string[] => partnership.steps.flatMap((step) => (step.status ? [step.status] : []));
    expect(statuses(a)).toEqual(['ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active']);
    expect(statuses(b)).toEqual(['ConfiguringLocal', 'ConfiguringTeams', 'Verifying', 'Active']);
    expect(b.steps.map((step: { message: string }) => step.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Invitation received/), 'Invitation approved with the pairing code.', expect.stringMatching(/^Confirmation delivered/)]),
    );
    // Each side trusts the other's key, each on evidence of its own.
    expect(a.keys.partner).toMatchObject({ thumbprint: chinaKey.kid, source: 'jwks' });
    expect(b.keys.partner).toMatchObject({ thumbprint: contosoKey.kid, source: 'pairing-code' });
    // Domains: Contoso's admin vouched for Woodgrove's (cross-cloud); Woodgrove's admin did not vouch for Contoso's.
    expect(a.partnerDomains).toEqual([
      { domain: 'woodgrove.cn', status: 'verified', source: 'admin', declared: true },
      { domain: 'woodgrovecn.partner.onmschina.cn', status: 'verified', source: 'admin', declared: true },
    ]);
    expect(b.partnerDomains.map((domain: { status: string }) => domain.status)).toEqual(['unverified', 'unverified']);
    // What each side owns is exactly what it added.
    expect(a.owned).toEqual(
      expect.arrayContaining([
        { kind: 'cloudEndpoint', value: 'partner.microsoftonline.cn' },
        { kind: 'partner', tenantId: WORLD.china },
        expect.objectContaining({ kind: 'guest', upn: 'li.wei@woodgrove.cn', userId: expect.any(String) }),
      ]),
    );

    // The durable instance on each side ended with the same answer (instance id = partnership id).
    const instance = await api(contoso(), 'GET', `/runtime/webhooks/durabletask/instances/${partnershipId}?code=${contoso().systemKey}`, { key: 'none' });
    expect(instance.body).toMatchObject({
      name: 'onboardPartner',
      runtimeStatus: 'Completed',
      output: { partnershipId, status: 'Active' },
      customStatus: { partnershipId, status: 'Active', step: 'active' },
    });
  });

  it('leaves both tenants configured: cloud endpoints, partner entries, Teams settings and guests', async () => {
    const contosoState = await stack().simulator.control.state(WORLD.contoso);
    const chinaState = await stack().simulator.control.state(WORLD.china);

    expect(contosoState.policy.allowedCloudEndpoints).toEqual(['partner.microsoftonline.cn']);
    expect(contosoState.partners.map((partner) => partner.tenantId).sort()).toEqual([WORLD.fabrikam, WORLD.china].sort());
    const chinaInContoso = contosoState.partners.find((partner) => partner.tenantId === WORLD.china)!;
    expect(chinaInContoso.b2bCollaborationInbound).toMatchObject({ usersAndGroups: { accessType: 'allowed' } });
    expect(chinaInContoso.b2bCollaborationOutbound).toMatchObject({ applications: { accessType: 'allowed', targets: [{ target: 'Office365', targetType: 'application' }] } });
    // The admin's restricted federation list gained the partner's verified domains; nothing removed.
    expect(contosoState.teams.TenantFederationSettings).toMatchObject({ AllowFederatedUsers: true, AllowedDomains: ['adatum.com', 'woodgrove.cn', 'woodgrovecn.partner.onmschina.cn'] });
    expect(contosoState.teams.TeamsCrossCloudMeetingConfiguration).toMatchObject({
      Partners: [{ TenantId: WORLD.china, InboundMeetingsAllowed: true, OutboundMeetingsAllowed: true }],
    });
    expect(contosoState.teams.TeamsClientConfiguration).toMatchObject({ AllowGuestUser: true });
    expect(contosoState.teams.TeamsMeetingPolicy).toMatchObject({ AllowAnonymousUsersToJoinMeeting: true });
    expect(contosoState.users.filter((user) => user.userType === 'Guest').map((user) => user.userPrincipalName)).toEqual([
      expect.stringMatching(/^li\.wei_woodgrove\.cn#EXT#@/),
    ]);

    // Contoso's domains were declared but not verified at Woodgrove (nobody vouched): never written.
    expect(JSON.stringify(chinaState.teams)).not.toContain('contoso.com');
    expect(chinaState.policy.allowedCloudEndpoints).toEqual(['microsoftonline.com']);
    expect(chinaState.partners.map((partner) => partner.tenantId)).toEqual([WORLD.contoso]);
    expect(chinaState.partners[0].b2bCollaborationInbound).toMatchObject({ applications: { accessType: 'allowed', targets: [{ target: 'Office365' }] } });
    expect(chinaState.teams.TeamsCrossCloudMeetingConfiguration).toMatchObject({
      Partners: [{ TenantId: WORLD.contoso, InboundMeetingsAllowed: true, OutboundMeetingsAllowed: true }],
    });
    expect(chinaState.users.filter((user) => user.userType === 'Guest').map((user) => user.userPrincipalName)).toEqual([
      expect.stringMatching(/^adele\.vance_contoso\.com#EXT#@/),
    ]);

    // A dry run now finds nothing to write.
    const planned = await api(contoso(), 'GET', `/api/partnerships/${partnershipId}/plan`);
    expect(planned.status).toBe(200);
    expect(planned.body).toEqual({ id: partnershipId, operations: [], empty: true });
  });

  it('answers a redelivered invitation with the same answer and no second effect', async () => {
    const before = await api(china(), 'GET', `/api/partnerships/${partnershipId}`);
    const invitation = await api(contoso(), 'GET', `/api/partnerships/${partnershipId}/invitation`);
    expect(invitation.status).toBe(200);
    expect(invitation.headers.get('content-type')).toBe('application/jose');
    const redelivered = await api(china(), 'POST', '/api/handshake/messages', { body: invitation.text, contentType: 'application/jose', key: 'none' });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toEqual({ id: partnershipId, status: 'Draft', approval: 'pairing-code' });
    const after = await api(china(), 'GET', `/api/partnerships/${partnershipId}`);
    expect(after.body).toMatchObject({ status: 'Active', updatedAt: before.body.updatedAt });
    expect(after.body.steps).toHaveLength(before.body.steps.length);
    expect((await api(china(), 'GET', '/api/partnerships')).body.partnerships).toHaveLength(1);
  });

  it('running the onboarding again writes nothing to either tenant', async () => {
    const before = {
      contoso: collaborationState(await stack().simulator.control.state(WORLD.contoso)),
      china: collaborationState(await stack().simulator.control.state(WORLD.china)),
    };
    await stack().simulator.control.resetCounters();
    const created = await api(contoso(), 'POST', '/api/partnerships', { body: contosoRequest(stack()) });
    expect(created.status).toBe(202);
    await waitForPartnership(china(), created.body.id, hasStatus('Draft'));
    expect((await api(china(), 'POST', `/api/partnerships/${created.body.id}/approve`, { body: { pairingCode: created.body.pairingCode } })).status).toBe(202);
    const [a, b] = await Promise.all([
      waitForPartnership(contoso(), created.body.id, hasStatus(...TERMINAL)),
      waitForPartnership(china(), created.body.id, hasStatus(...TERMINAL)),
    ]);
    expect([a.status, b.status]).toEqual(['Active', 'Active']);
    expect(await writeCount(stack(), WORLD.contoso)).toBe(0);
    expect(await writeCount(stack(), WORLD.china)).toBe(0);
    expect(collaborationState(await stack().simulator.control.state(WORLD.contoso))).toEqual(before.contoso);
    expect(collaborationState(await stack().simulator.control.state(WORLD.china))).toEqual(before.china);
    // Nothing new was added, so the second partnership owns nothing.
    expect(a.owned).toEqual([]);
    expect(a.steps.map((step: { message: string }) => step.message)).toContain('Entra side configured (0 change(s) written).');
  });
});
