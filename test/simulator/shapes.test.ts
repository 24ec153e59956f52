// Every path of the simulator's OpenAPI description (infra/local/simulator/openapi, the repo's copy
// of Graph's v1.0 subset) that the simulator serves, walked over real HTTPS: each answer carries
// every property the schema documents for its resource (null or a default where the world has no
// value), and no property the schema does not have. The expectations are read from the JSON
// description here, independently of the simulator's own reading of it. Resources Graph returns
// only a default set of (user; group without its "only on $select" properties) are also asked
// for every property with $select.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { graphRoutes } from '../../infra/local/simulator/resources';
import { appOf, call, DIRECTORY_ADMIN_APP, NotificationReceiver, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

type Schema = Record<string, any>;
const SPEC: Schema = JSON.parse(readFileSync(join(__dirname, '../../infra/local/simulator/openapi/openapi-v1.0-subset.json'), 'utf8'));
const SCHEMAS: Record<string, Schema> = SPEC.components.schemas;
const TEMPLATE_ID = '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7';
const POLICY = '/policies/crossTenantAccessPolicy';

/** Graph's documented default sets: user (Graph docs, "user resource type"), group (all but the "Returned only on $select" ones). */
const USER_DEFAULTS = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];
const GROUP_SELECT_ONLY = new Set([
  'allowExternalSenders', 'assignedLabels', 'assignedLicenses', 'autoSubscribeNewMembers', 'hasMembersWithLicenseErrors', 'hideFromAddressLists',
  'hideFromOutlookClients', 'isArchived', 'isSubscribedByMail', 'licenseProcessingState', 'unseenCount',
]);

const refName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);

/** Property schemas of a type, inherited ones included. */
function propertiesOf(typeName: string): Map<string, Schema> {
  const found = new Map<string, Schema>();
  const visit = (schema: Schema | undefined): void => {
    if (!schema) return;
    if (schema.$ref) visit(SCHEMAS[refName(schema.$ref)]);
    for (const part of schema.allOf ?? []) visit(part);
    for (const [name, property] of Object.entries<Schema>(schema.properties ?? {})) found.set(name, property);
  };
  visit(SCHEMAS[typeName]);
  return found;
}

const structural = (typeName: string): string[] =>
  [...propertiesOf(typeName)].filter(([name, schema]) => !name.startsWith('@') && schema['x-ms-navigationProperty'] !== true).map(([name]) => name);

function expectedByDefault(typeName: string): string[] {
  if (typeName === 'microsoft.graph.user') return USER_DEFAULTS;
  if (typeName === 'microsoft.graph.group') return structural(typeName).filter((name) => !GROUP_SELECT_ONLY.has(name));
  return structural(typeName);
}

/** The complex type a property refers to (directly, as "X or null", or as items). */
function complexType(schema: Schema | undefined): string | undefined {
  if (!schema) return undefined;
  if (schema.type === 'array') return complexType(schema.items);
  const ref = schema.$ref ?? (schema.anyOf ?? []).find((part: Schema) => part.$ref)?.$ref;
  const name = ref ? refName(ref) : undefined;
  return name && SCHEMAS[name] && !SCHEMAS[name].enum ? name : undefined;
}

/** What a response describes: its entity type, or the item type of a collection. */
function responseType(path: string, method: string): { typeName: string; collection: boolean } | undefined {
  const responses = SPEC.paths[path][method].responses ?? {};
  let node: Schema | undefined = responses['2XX'] ?? responses['200'] ?? responses['201'];
  while (node?.$ref?.startsWith('#/components/responses/')) node = SPEC.components.responses[refName(node.$ref)];
  let schema: Schema | undefined = node?.content?.['application/json']?.schema;
  if (!schema) return undefined;
  if (!schema.$ref && schema.anyOf) schema = schema.anyOf.find((part: Schema) => part.$ref);
  if (schema?.$ref) {
    const name = refName(schema.$ref);
    if (!name.endsWith('CollectionResponse')) return { typeName: name, collection: false };
    schema = SCHEMAS[name];
  }
  const value = [schema, ...(schema?.allOf ?? [])].map((part: Schema) => part?.properties?.value).find(Boolean);
  return value?.items?.$ref ? { typeName: refName(value.items.$ref), collection: true } : undefined;
}

/** Keys missing from (or unknown to) an object of `typeName`, nested complex values included. */
function shapeProblems(typeName: string, value: Schema, expected: string[], where: string, extra: string[] = []): string[] {
  const named = typeof value['@odata.type'] === 'string' ? value['@odata.type'].replace(/^#/, '') : undefined;
  const type = named && SCHEMAS[named] ? named : typeName;
  const properties = propertiesOf(type);
  const problems: string[] = [];
  for (const name of expected) if (!(name in value)) problems.push(`${where}: missing ${name} (${type})`);
  for (const [name, current] of Object.entries(value)) {
    if (name.includes('@')) continue;
    if (!properties.has(name) && !extra.includes(name)) problems.push(`${where}: ${name} is not a property of ${type}`);
    // A navigation property that is answered anyway (an invitation's invitedUser) is a reference: its id.
    if (properties.get(name)?.['x-ms-navigationProperty'] === true && !extra.includes(name)) continue;
    const nested = complexType(properties.get(name));
    if (!nested || current === null || typeof current !== 'object') continue;
    for (const [index, item] of (Array.isArray(current) ? current : [current]).entries()) {
      if (item && typeof item === 'object') problems.push(...shapeProblems(nested, item, structural(nested), `${where}.${name}${Array.isArray(current) ? `[${index}]` : ''}`));
    }
  }
  return problems;
}

function bodyProblems(path: string, method: string, body: any, options: { select?: string[]; expand?: string[] } = {}): string[] {
  const described = responseType(path, method);
  if (!described) return [];
  const objects: Schema[] = described.collection ? body.value : [body];
  if (described.collection && objects.length === 0) return [`${method.toUpperCase()} ${path}: the collection is empty, nothing to check`];
  return objects.flatMap((object, index) => {
    const named = typeof object['@odata.type'] === 'string' ? object['@odata.type'].replace(/^#/, '') : described.typeName;
    const expected = [...(options.select ?? expectedByDefault(SCHEMAS[named] ? named : described.typeName)), ...(options.expand ?? [])];
    return shapeProblems(described.typeName, object, expected, `${method.toUpperCase()} ${path}${described.collection ? `[${index}]` : ''}`, options.expand);
  });
}

describe('every Graph path the simulator serves answers with the documented shape', () => {
  let sim: RunningSimulator;
  let receiver: NotificationReceiver;
  let contoso: SimTenantView;
  let fabrikam: SimTenantView;
  let token: Record<'product' | 'admin', string>;
  const params: Record<string, string> = {};

  const graph = (method: string, path: string, options: { body?: unknown; app?: 'product' | 'admin'; headers?: Record<string, string> } = {}) =>
    call(`${contoso.graphBaseUrl}/v1.0${path}`, { method, token: token[options.app ?? 'product'], body: options.body, headers: options.headers });
  const setup = async (method: string, path: string, body?: unknown): Promise<any> => {
    const reply = await sim.control.admin(contoso.id, { method: method as 'GET', path, body });
    if (reply.status >= 300) throw new Error(`setup ${method} ${path} → ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };

  beforeAll(async () => {
    sim = await startTestSimulator({ notificationDelayMs: 20 });
    receiver = await NotificationReceiver.start();
    contoso = tenantNamed(sim, 'Contoso');
    fabrikam = tenantNamed(sim, 'Fabrikam');
    token = { product: await tokenFor(contoso, appOf(sim, contoso)), admin: await tokenFor(contoso, appOf(sim, contoso, DIRECTORY_ADMIN_APP)) };
    // One object behind every path parameter.
    await setup('POST', `${POLICY}/partners`, { tenantId: fabrikam.id, automaticUserConsentSettings: { outboundAllowed: true } });
    await setup('PUT', `${POLICY}/partners/${fabrikam.id}/identitySynchronization`, { displayName: 'Fabrikam', userSyncInbound: { isSyncAllowed: true } });
    await setup('PATCH', POLICY, { allowedCloudEndpoints: ['microsoftonline.us'] });
    // A sync configuration towards Fabrikam that Fabrikam accepts (for provisionOnDemand).
    const admin = async (tenant: SimTenantView, method: string, path: string, body?: unknown): Promise<void> => {
      const reply = await sim.control.admin(tenant.id, { method: method as 'GET', path, body });
      if (reply.status >= 300) throw new Error(`setup ${method} ${path} → ${reply.status}: ${JSON.stringify(reply.body)}`);
    };
    await admin(fabrikam, 'POST', `${POLICY}/partners`, { tenantId: contoso.id, automaticUserConsentSettings: { inboundAllowed: true } });
    await admin(fabrikam, 'PUT', `${POLICY}/partners/${contoso.id}/identitySynchronization`, { userSyncInbound: { isSyncAllowed: true } });
    const { servicePrincipal } = await setup('POST', `/applicationTemplates/${TEMPLATE_ID}/instantiate`, { displayName: 'Sync to Fabrikam' });
    const job = await setup('POST', `/servicePrincipals/${servicePrincipal.id}/synchronization/jobs`, { templateId: 'Azure2Azure' });
    await setup('PUT', `/servicePrincipals/${servicePrincipal.id}/synchronization/secrets`, {
      value: [
        { key: 'CompanyId', value: fabrikam.id },
        { key: 'AuthenticationType', value: 'SyncPolicy' },
      ],
    });
    const group = contoso.groups.find((candidate) => candidate.displayName === 'Engineering')!;
    const user = contoso.users.find((candidate) => candidate.displayName === 'Lee Gu')!;
    const assignment = await setup('POST', `/servicePrincipals/${servicePrincipal.id}/appRoleAssignedTo`, { principalId: group.id, resourceId: servicePrincipal.id, appRoleId: '00000000-0000-0000-0000-000000000000' });
    const subscription = await graph('POST', '/subscriptions', {
      body: { changeType: 'updated', notificationUrl: `${receiver.url}/notify`, resource: 'users', expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(), clientState: 'shape-test' },
    });
    await setup('PUT', '/tenantRelationships/multiTenantOrganization', { displayName: 'Contoso organization' });
    const member = await setup('POST', '/tenantRelationships/multiTenantOrganization/tenants', { tenantId: fabrikam.id, displayName: 'Fabrikam' });
    const invited = await graph('POST', '/invitations', { body: { invitedUserEmailAddress: 'diego.siciliani@fabrikam.com', inviteRedirectUrl: 'https://myapps.microsoft.com', sendInvitationMessage: false } });
    if (invited.status !== 201) throw new Error(`setup POST /invitations → ${invited.status}: ${invited.text}`);
    Object.assign(params, {
      'crossTenantAccessPolicyConfigurationPartner-tenantId': fabrikam.id,
      'user-id': user.id,
      'group-id': group.id,
      'directoryObject-id': user.id,
      'subscription-id': subscription.body.id,
      'organization-id': contoso.id,
      tenantId: fabrikam.id,
      domainName: contoso.defaultDomain,
      'multiTenantOrganizationMember-id': member.id,

      'applicationTemplate-id': TEMPLATE_ID,
      'servicePrincipal-id': servicePrincipal.id,
      'synchronizationJob-id': job.id,
      'appRoleAssignment-id': assignment.id,
    });
  }, 60_000);
  afterAll(async () => {
    await receiver?.stop();
    await sim?.stop();
  });

  const fill = (template: string): string => template.replace(/\(\)$/, '').replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
  const served = (template: string, method: string): boolean => graphRoutes.some((route) => route.template === template && route.method === method.toUpperCase());
  /** GETs the simulator refuses as Graph does, with the status. */
  const REFUSED: Record<string, { status: number; why: string }> = {
    '/invitations': { status: 405, why: 'Graph does not list invitations (the CSDL has the operation)' },
  };
  /** Writes whose answer has a body, checked as well (and the writes of paths without a GET). */
  const WRITES: Record<string, { method: string; body: () => unknown; status: number }> = {
    '/invitations': {
      method: 'post',
      body: () => ({ invitedUserEmailAddress: 'isaiah.langer@fabrikam.com', inviteRedirectUrl: 'https://myapps.microsoft.com', sendInvitationMessage: false }),
      status: 201,
    },
    '/servicePrincipals/{servicePrincipal-id}/synchronization/secrets': {
      method: 'put',
      body: () => ({ value: [{ key: 'CompanyId', value: fabrikam.id }, { key: 'AuthenticationType', value: 'SyncPolicy' }] }),
      status: 204,
    },
    '/applicationTemplates/{applicationTemplate-id}/instantiate': { method: 'post', body: () => ({ displayName: 'Another sync' }), status: 201 },
    '/servicePrincipals/{servicePrincipal-id}/synchronization/jobs/{synchronizationJob-id}/provisionOnDemand': {
      method: 'post',
      body: () => ({ parameters: [{ ruleId: 'rule', subjects: [{ objectId: params['user-id'], objectTypeName: 'User' }] }] }),
      status: 200,
    },
  };

  it('serves only described paths, and every described path has an answer checked here', () => {
    for (const route of graphRoutes) if (!route.operationId) expect(SPEC.paths[route.template]?.[route.method.toLowerCase()]).toBeDefined();
    const paths = Object.keys(SPEC.paths).filter((path) => Object.keys(SPEC.paths[path]).some((method) => served(path, method)));
    // A path without a GET and without a write in WRITES must answer 204 only (nothing to check).
    const unchecked = paths.filter((path) => !served(path, 'get') && !WRITES[path] && path !== '/$batch' && Object.values<Schema>(SPEC.paths[path]).some((operation) => operation?.responses?.['2XX']));
    expect(unchecked).toEqual([]);
    expect(paths.length).toBeGreaterThan(30);
  });

  it('GET: every documented property by default, nothing undocumented', async () => {
    const problems: string[] = [];
    for (const path of Object.keys(SPEC.paths).filter((candidate) => served(candidate, 'get'))) {
      const app = path.startsWith('/tenantRelationships/multiTenantOrganization') ? 'admin' : 'product';
      const reply = await graph('GET', fill(path), { app });
      if (REFUSED[path]) {
        if (reply.status !== REFUSED[path].status) problems.push(`GET ${path}: ${reply.status}, expected ${REFUSED[path].status} (${REFUSED[path].why})`);
        continue;
      }
      if (reply.status !== 200) {
        problems.push(`GET ${path}: ${reply.status} ${reply.text.slice(0, 200)}`);
        continue;
      }
      problems.push(...bodyProblems(path, 'get', reply.body));
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('GET with $select of every documented property: all of them, also where Graph returns a default set only', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const path of Object.keys(SPEC.paths).filter((candidate) => served(candidate, 'get'))) {
      const parameters: Schema[] = SPEC.paths[path].get.parameters ?? [];
      if (REFUSED[path]) continue;
      if (!parameters.some((parameter) => parameter.$ref?.endsWith('/select') || parameter.name === '$select')) continue;
      const described = responseType(path, 'get');
      if (!described) continue;
      const select = structural(described.typeName);
      const app = path.startsWith('/tenantRelationships/multiTenantOrganization') ? 'admin' : 'product';
      const reply = await graph('GET', `${fill(path)}?$select=${select.join(',')}`, { app });
      checked++;
      if (reply.status !== 200) {
        problems.push(`GET ${path}?$select=…: ${reply.status} ${reply.text.slice(0, 200)}`);
        continue;
      }
      problems.push(...bodyProblems(path, 'get', reply.body, { select }));
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  }, 60_000);

  it('writes that answer with a body: the whole resource', async () => {
    const problems: string[] = [];
    for (const [path, write] of Object.entries(WRITES)) {
      const reply = await graph(write.method.toUpperCase(), fill(path), { body: write.body() });
      if (reply.status !== write.status) problems.push(`${write.method.toUpperCase()} ${path}: ${reply.status} ${reply.text.slice(0, 200)}`);
      else if (reply.status === 204) expect(reply.text).toBe('');
      else problems.push(...bodyProblems(path, write.method, reply.body));
    }
    const created = await graph('POST', `${POLICY}/partners`, { body: { tenantId: tenantNamed(sim, 'Tailspin Gov').id } });
    problems.push(...(created.status === 201 ? bodyProblems(`${POLICY}/partners`, 'post', created.body) : [`POST partners: ${created.status} ${created.text}`]));
    expect(problems).toEqual([]);
  });

  describe('query options, as Graph documents them', () => {
    const PARTNERS = `${POLICY}/partners`;

    it('$expand=identitySynchronization: each partner carries its policy, or null when it has none', async () => {
      const list = await graph('GET', `${PARTNERS}?$expand=identitySynchronization`);
      expect(list.status).toBe(200);
      const byTenant = Object.fromEntries(list.body.value.map((partner: Schema) => [partner.tenantId, partner.identitySynchronization]));
      expect(byTenant[fabrikam.id]).toEqual({ tenantId: fabrikam.id, displayName: 'Fabrikam', userSyncInbound: { isSyncAllowed: true } });
      expect(byTenant[tenantNamed(sim, 'Tailspin Gov').id]).toBeNull();
      expect(bodyProblems(PARTNERS, 'get', list.body, { expand: ['identitySynchronization'] })).toEqual([]);
      const one = await graph('GET', `${PARTNERS}/${fabrikam.id}?$expand=identitySynchronization&$select=tenantId`);
      expect(one.body).toEqual(expect.objectContaining({ tenantId: fabrikam.id, identitySynchronization: expect.objectContaining({ tenantId: fabrikam.id }) }));
      expect(Object.keys(one.body).filter((key) => !key.startsWith('@'))).toEqual(['tenantId', 'identitySynchronization']);
      // Without $expand, the navigation property is absent.
      expect((await graph('GET', `${PARTNERS}/${fabrikam.id}`)).body).not.toHaveProperty('identitySynchronization');
    });

    it('$expand of an unknown property, or one the simulator cannot expand, is a 400 naming it', async () => {
      const unknown = await graph('GET', `${PARTNERS}?$expand=colleagues`);
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain("'colleagues'");
      const unsupported = await graph('GET', `/users/${params['user-id']}?$expand=manager`);
      expect(unsupported.status).toBe(400);
      expect(unsupported.body.error).toMatchObject({ code: 'Request_UnsupportedQuery', message: expect.stringContaining("'manager'") });
    });

    it('$select on any resource: only what is selected, an unknown property a 400', async () => {
      const selected = await graph('GET', `${PARTNERS}/${fabrikam.id}?$select=tenantId,inboundTrust`);
      expect(Object.keys(selected.body).filter((key) => !key.startsWith('@')).sort()).toEqual(['inboundTrust', 'tenantId']);
      const subscriptions = await graph('GET', '/subscriptions?$select=id,resource');
      expect(subscriptions.body.value.map((entry: Schema) => Object.keys(entry).sort())).toEqual([['id', 'resource']]);
      for (const path of [`${PARTNERS}?$select=shoeSize`, '/subscriptions?$select=shoeSize', `/servicePrincipals/${params['servicePrincipal-id']}/synchronization/jobs?$select=shoeSize`]) {
        const refused = await graph('GET', path);
        expect({ path, status: refused.status, message: refused.body.error.message }).toEqual({ path, status: 400, message: expect.stringContaining("'shoeSize'") });
      }
    });

    it('$top pages every collection with @odata.nextLink', async () => {
      const first = await graph('GET', `${PARTNERS}?$top=1`);
      expect(first.body.value).toHaveLength(1);
      const second = await call(first.body['@odata.nextLink'], { token: token.product });
      expect(second.body.value).toHaveLength(1);
      expect(second.body.value[0].tenantId).not.toBe(first.body.value[0].tenantId);
      const jobs = await graph('GET', `/servicePrincipals/${params['servicePrincipal-id']}/synchronization/jobs?$top=1`);
      expect(jobs.body.value).toHaveLength(1);
      expect((await graph('GET', `${PARTNERS}?$top=0`)).status).toBe(400);
    });

    it('$count: directory objects need ConsistencyLevel: eventual, other collections count as they are', async () => {
      const refused = await graph('GET', '/groups?$count=true');
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('Request_UnsupportedQuery');
      const counted = await graph('GET', '/groups?$count=true', { headers: { ConsistencyLevel: 'eventual' } });
      expect(counted.body['@odata.count']).toBe(contoso.groups.length);
      const partners = await graph('GET', `${PARTNERS}?$count=true&$top=1`);
      expect(partners.body).toMatchObject({ '@odata.count': 2, value: [expect.anything()] });
    });

    it('$search on users and groups with ConsistencyLevel: eventual; without it, or elsewhere, a 400', async () => {
      const groups = await graph('GET', '/groups?$search="displayName:engin"', { headers: { ConsistencyLevel: 'eventual' } });
      expect(groups.body.value.map((group: Schema) => group.displayName)).toEqual(['Engineering']);
      const users = await graph('GET', '/users?$search="displayName:lee"&$count=true', { headers: { ConsistencyLevel: 'eventual' } });
      expect(users.body).toMatchObject({ '@odata.count': 1, value: [expect.objectContaining({ displayName: 'Lee Gu' })] });
      for (const path of ['/groups?$search="displayName:engin"', `${PARTNERS}?$search="tenantId:x"`]) {
        const refused = await graph('GET', path, { headers: path.startsWith(PARTNERS) ? { ConsistencyLevel: 'eventual' } : {} });
        expect({ path, status: refused.status, code: refused.body.error.code }).toEqual({ path, status: 400, code: 'Request_UnsupportedQuery' });
      }
    });
  });
});
