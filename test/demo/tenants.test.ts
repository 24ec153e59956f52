// The demo's view of a tenant (summary, before/after rendering, Graph request counts), from real
// state dumps and counters of the simulator after real Graph calls and admin changes.
import type { RunningSimulator, TenantDump } from '../../infra/local/simulator';
import { operationKind, renderBeforeAfter, renderGraphRequests, summarizeGraphRequests, summarizeTenant } from '../../infra/local/demo/tenants';
import { appOf, graphClientFor, startTestSimulator, tenantNamed } from '../support/simulator';

const CONTOSO = '14763f8a-fb9a-451a-9f75-c33963a5b05a';
const WOODGROVE = '7e8be59e-c071-47fb-ab9c-d694c21edb87';

let sim: RunningSimulator;
let before: TenantDump;
let after: TenantDump;

beforeAll(async () => {
  sim = await startTestSimulator();
  before = await sim.control.state(CONTOSO);

  // Both sides enable each other's cloud and add each other as partners (as an admin would).
  const admin = (tenantId: string, request: Parameters<RunningSimulator['control']['admin']>[1]) =>
    sim.control.admin(tenantId, request).then((answer) => {
      if (answer.status >= 300) throw new Error(`${request.method} ${request.path} → ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer;
    });
  await admin(CONTOSO, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['partner.microsoftonline.cn'] } });
  await admin(WOODGROVE, { method: 'PATCH', path: '/policies/crossTenantAccessPolicy', body: { allowedCloudEndpoints: ['microsoftonline.com'] } });
  const allUsers = { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] }, applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] } };
  await admin(WOODGROVE, { method: 'POST', path: '/policies/crossTenantAccessPolicy/partners', body: { tenantId: CONTOSO, b2bCollaborationOutbound: allUsers } });
  await admin(CONTOSO, {
    method: 'POST',
    path: '/policies/crossTenantAccessPolicy/partners',
    body: {
      tenantId: WOODGROVE,
      b2bCollaborationInbound: allUsers,
      b2bCollaborationOutbound: {
        usersAndGroups: { accessType: 'allowed', targets: [{ target: '2fda2898-91b5-4a9f-a23b-7ec7fb25509b', targetType: 'group' }] },
        applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] },
      },
    },
  });
  await admin(CONTOSO, {
    service: 'teams',
    method: 'PUT',
    path: '/Skype.Policy/configurations/TenantFederationSettings/configuration/Global',
    body: { Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: ['woodgrove.cn'], BlockedDomains: [], AllowTeamsConsumer: true },
  });
  // Real Graph calls by the product app: a read, and a guest invitation (a write).
  const graph = graphClientFor(sim, tenantNamed(sim, 'Contoso'));
  await graph.api('/policies/crossTenantAccessPolicy').get();
  await graph.api('/invitations').post({ invitedUserEmailAddress: 'li.wei@woodgrove.cn', inviteRedirectUrl: 'https://myapplications.microsoft.com' });
  after = await sim.control.state(CONTOSO);
}, 60_000);

afterAll(() => sim?.stop());

it('summarizes the configuration the handshake touches', () => {
  const summary = summarizeTenant(after, WOODGROVE);
  expect(summary).toMatchObject({
    tenantId: CONTOSO,
    displayName: 'Contoso',
    cloud: 'Global',
    allowedCloudEndpoints: ['partner.microsoftonline.cn'],
    partnerCount: 1,
    partner: {
      tenantId: WOODGROVE,
      b2bCollaborationInbound: 'allowed: all users, all apps',
      b2bCollaborationOutbound: 'allowed: 1 group(s), all apps',
      identitySynchronization: 'not set',
    },
    teams: {
      federation: { allowFederatedUsers: true, allowedDomains: ['woodgrove.cn'], blockedDomains: [] },
      guestAccess: true,
      anonymousJoin: true,
      lobbyBypass: 'EveryoneInCompany',
      crossCloudMeetings: [],
      acs: { enabled: false, resources: [] },
    },
  });
  expect(summary.guests).toEqual([expect.objectContaining({ mail: 'li.wei@woodgrove.cn', userPrincipalName: expect.stringMatching(/^li\.wei_woodgrove\.cn#EXT#@/) })]);
  expect(summarizeTenant(before, WOODGROVE)).toMatchObject({ allowedCloudEndpoints: [], partner: null, partnerCount: 0, guests: [] });
});

it('renders before and after side by side, marking what changed', () => {
  const text = renderBeforeAfter(summarizeTenant(before, WOODGROVE), summarizeTenant(after, WOODGROVE), 'Woodgrove China');
  const line = (label: string): string => text.split('\n').find((l) => l.includes(label)) ?? '';
  expect(text.split('\n')[0]).toBe(`Contoso (Global, tenant ${CONTOSO})`);
  expect(line('Cloud endpoints')).toMatch(/^\* Cloud endpoints\s+\(none\)\s+partner\.microsoftonline\.cn$/);
  expect(line('Partner entry (Woodgrove China)')).toMatch(/^\* Partner entry \(Woodgrove China\)\s+\(none\)\s+B2B in:  allowed: all users, all apps$/);
  expect(line('Teams federation')).toMatch(/^\* Teams federation\s+on, all domains\s+on, only allowed domains:$/);
  expect(text).toMatch(/^\s+woodgrove\.cn$/m);
  expect(line('Teams guest access')).toMatch(/^ {2}Teams guest access\s+on\s+on$/);
  expect(line('Guests')).toMatch(/^\* Guests\s+\(none\)\s+li\.wei@woodgrove\.cn \(PendingAcceptance\)$/);
});

it('counts the Graph requests of the product app by kind', async () => {
  const contoso = tenantNamed(sim, 'Contoso');
  const summary = summarizeGraphRequests(await sim.control.counters(), contoso.id, appOf(sim, contoso).clientId);
  expect(summary.operations.map((o) => o.operation)).toEqual(['invitations.invitation.CreateInvitation', 'policies.GetCrossTenantAccessPolicy']);
  expect([summary.total, summary.reads, summary.writes, summary.batches, summary.errors]).toEqual([2, 1, 1, 0, 0]);
  // Admin changes count under the 'admin-portal' client, not the product app.
  const woodgrove = tenantNamed(sim, 'Woodgrove China');
  expect(summarizeGraphRequests(await sim.control.counters(), WOODGROVE, appOf(sim, woodgrove).clientId).total).toBe(0);
  expect(summarizeGraphRequests(await sim.control.counters(), WOODGROVE, 'admin-portal').writes).toBe(2);
  expect(renderGraphRequests('Contoso', summary)).toContain('Contoso: 2 operation(s): 1 read(s), 1 write(s); 0 $batch request(s)');
});

it('classifies operations as reads, writes and $batch envelopes', () => {
  expect(['policies.crossTenantAccessPolicy.ListPartners', 'teams.GetTenantFederationSettings', 'users.delta', 'tenantRelationships.findTenantInformationByTenantId'].map(operationKind)).toEqual(['read', 'read', 'read', 'read']);
  expect(['policies.crossTenantAccessPolicy.CreatePartners', 'teams.PutTeamsClientConfiguration', 'policies.UpdateCrossTenantAccessPolicy'].map(operationKind)).toEqual(['write', 'write', 'write']);
  expect(operationKind('batch')).toBe('batch');
});
