// Every documented request/response pair of ../shared/graph/examples.json (copied to
// fixtures/graph-examples.json) replayed against the simulator: status code and response shape
// as documented, not values. Requests keep the documented method, path, query, headers and body;
// where a documented value cannot exist in the simulated world (ids of the doc's tenant, dates in
// 2016, a mailbox resource) it is replaced, and each replacement says why (ADAPTATIONS).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSimulator, SimTenantView } from '../../infra/local/simulator';
import { compileTemplate } from '../../infra/local/simulator/graph/router';
import { GraphSpec } from '../../infra/local/simulator/openapi';
import { appOf, call, DIRECTORY_ADMIN_APP, NotificationReceiver, startTestSimulator, tenantNamed, tokenFor } from '../support/simulator';

interface Example {
  id: string;
  operation: string;
  request: { method: string; url: string; headers?: Record<string, string>; body?: any };
  response: { status: number; body?: any; bodyText?: string; bodyOmitted?: string; docBlock?: { '@odata.type'?: string; isCollection?: boolean } };
  openapi?: { path: string; method: string; methodInSubset: boolean };
}

const examples: Example[] = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'graph-examples.json'), 'utf8'));
const TEMPLATE_ID = '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7';
const POLICY = '/policies/crossTenantAccessPolicy';

interface Context {
  sim: RunningSimulator;
  receiver: NotificationReceiver;
  contoso: SimTenantView;
  fabrikam: SimTenantView;
  admin: (tenant: SimTenantView, method: string, path: string, body?: unknown) => Promise<any>;
  /** The product app's own call (subscriptions belong to the app that made them). */
  asProduct: (method: string, path: string, body?: unknown) => Promise<any>;
}

interface Adaptation {
  why: string;
  /** Prepares the world; returns path parameters (by template name) to use. */
  setup?: (ctx: Context) => Promise<Record<string, string>>;
  body?: (body: any, ctx: Context) => any;
  headers?: Record<string, string>;
  /** Which app calls (default: the product app). */
  app?: 'product' | 'directory-admin';
  /** Documented body to compare with, when the doc's example is known to be wrong. */
  expected?: (docBody: any) => any;
  /** Dotted paths of documented keys that are not part of what the simulator returns (with why). */
  ignore?: string[];
}

const inOneHour = (): string => new Date(Date.now() + 3_600_000).toISOString();
const user = (ctx: Context, name: string): string => ctx.contoso.users.find((u) => u.displayName === name)!.id;
const group = (ctx: Context, name: string): string => ctx.contoso.groups.find((g) => g.displayName === name)!.id;

async function partner(ctx: Context, withSync = false): Promise<Record<string, string>> {
  await ctx.admin(ctx.contoso, 'POST', `${POLICY}/partners`, { tenantId: ctx.fabrikam.id });
  if (withSync) await ctx.admin(ctx.contoso, 'PUT', `${POLICY}/partners/${ctx.fabrikam.id}/identitySynchronization`, { displayName: 'Fabrikam', userSyncInbound: { isSyncAllowed: true } });
  return { 'crossTenantAccessPolicyConfigurationPartner-tenantId': ctx.fabrikam.id };
}

async function syncJob(ctx: Context): Promise<Record<string, string>> {
  const { contoso, fabrikam } = ctx;
  await ctx.admin(fabrikam, 'POST', `${POLICY}/partners`, { tenantId: contoso.id, automaticUserConsentSettings: { inboundAllowed: true } });
  await ctx.admin(fabrikam, 'PUT', `${POLICY}/partners/${contoso.id}/identitySynchronization`, { userSyncInbound: { isSyncAllowed: true } });
  await ctx.admin(contoso, 'POST', `${POLICY}/partners`, { tenantId: fabrikam.id, automaticUserConsentSettings: { outboundAllowed: true } });
  const { servicePrincipal } = await ctx.admin(contoso, 'POST', `/applicationTemplates/${TEMPLATE_ID}/instantiate`, { displayName: 'Sync to Fabrikam' });
  const job = await ctx.admin(contoso, 'POST', `/servicePrincipals/${servicePrincipal.id}/synchronization/jobs`, { templateId: 'Azure2Azure' });
  await ctx.admin(contoso, 'PUT', `/servicePrincipals/${servicePrincipal.id}/synchronization/secrets`, {
    value: [
      { key: 'CompanyId', value: fabrikam.id },
      { key: 'AuthenticationType', value: 'SyncPolicy' },
    ],
  });
  return { 'servicePrincipal-id': servicePrincipal.id, 'synchronizationJob-id': job.id };
}

async function subscription(ctx: Context): Promise<Record<string, string>> {
  const created = await ctx.asProduct('POST', '/subscriptions', {
    changeType: 'updated',
    notificationUrl: `${ctx.receiver.url}/notify`,
    lifecycleNotificationUrl: `${ctx.receiver.url}/lifecycle`,
    resource: 'users',
    expirationDateTime: inOneHour(),
    clientState: 'secretClientValue',
  });
  return { 'subscription-id': created.id };
}

async function mto(ctx: Context): Promise<Record<string, string>> {
  await ctx.admin(ctx.contoso, 'PUT', '/tenantRelationships/multiTenantOrganization', { displayName: 'Contoso organization' });
  return {};
}

const subscriptionBody = (body: any, ctx: Context): any => ({
  ...body,
  notificationUrl: `${ctx.receiver.url}/notify`,
  ...(body.lifecycleNotificationUrl ? { lifecycleNotificationUrl: `${ctx.receiver.url}/lifecycle` } : {}),
  resource: 'users',
  expirationDateTime: inOneHour(),
});

const ADAPTATIONS: Record<string, Adaptation> = {
  'crosstenantaccesspolicy-get#get_crosstenantaccesspolicy': {
    why: 'The documented example wraps the policy in "value"; the page text says the policy itself is returned.',
    expected: (body) => body.value,
  },
  'crosstenantaccesspolicy-list-partners#list_crosstenantaccesspolicyconfigurationpartner': { why: 'A partner must exist to be listed.', setup: (ctx) => partner(ctx) },
  'crosstenantaccesspolicy-post-partners#create_crosstenantaccesspolicyconfigurationpartner_from_': {
    why: "The documented tenant id is not a tenant of the simulated world: Fabrikam's is used.",
    body: (body, ctx) => ({ ...body, tenantId: ctx.fabrikam.id }),
  },
  'crosstenantaccesspolicyconfigurationpartner-get#get_crosstenantaccesspolicyconfigurationpartner': { why: 'The partner must exist.', setup: (ctx) => partner(ctx) },
  'crosstenantaccesspolicyconfigurationpartner-update#update_crosstenantaccesspolicyconfigurationpartner': { why: 'The partner must exist.', setup: (ctx) => partner(ctx) },
  'crosstenantidentitysyncpolicypartner-get#get_crosstenantidentitysyncpolicypartner': { why: 'The partner and its sync policy must exist.', setup: (ctx) => partner(ctx, true) },
  'crosstenantaccesspolicyconfigurationpartner-put-identitysynchronization#create_crosstenantidentitysyncpolicypartner_from_': { why: 'The partner must exist.', setup: (ctx) => partner(ctx) },
  'crosstenantidentitysyncpolicypartner-update#update_crosstenantidentitysyncpolicypartner': { why: 'The partner and its sync policy must exist.', setup: (ctx) => partner(ctx, true) },
  'tenantrelationship-findtenantinformationbydomainname#tenantrelationshiprootthis.findtenantinformationbydomainname': { why: 'contoso.com is a domain of the world (no change).' },
  'multitenantorganization-get#get_multitenantorganization': { why: 'The organization must exist.', setup: mto, app: 'directory-admin' },
  'multitenantorganization-update#update_multitenantorganization': { why: 'The organization must exist (PATCH is documented but not in the subset).', setup: mto, app: 'directory-admin' },
  'multitenantorganization-post-tenants#create_multitenantorganizationmember_from_': {
    why: "The organization must exist; the documented tenant id is replaced by Fabrikam's.",
    setup: mto,
    app: 'directory-admin',
    body: (body, ctx) => ({ ...body, tenantId: ctx.fabrikam.id }),
  },
  'multitenantorganization-list-tenants#list_multitenantorganizationmember': { why: 'The organization must exist.', setup: mto, app: 'directory-admin' },
  'tenantrelationship-put-multitenantorganization#create_multitenantorganization_from_': { why: 'No change.', app: 'directory-admin' },
  'applicationtemplate-instantiate#applicationtemplate_instantiate': {
    why: 'The template placeholder is the cross-tenant synchronization template.',
    setup: async () => ({ 'applicationTemplate-id': TEMPLATE_ID }),
    ignore: ['servicePrincipal.publisherName', 'servicePrincipal.endpoints'],
  },
  'synchronization-synchronizationjob-validatecredentials#synchronizationjob_validatecredentials': { why: 'A configured sync job must exist.', setup: syncJob },
  'synchronization-synchronizationjob-provisionondemand#synchronizationjob_provisionondemand_ADto3P': {
    why: 'A configured sync job must exist; the subject is a user of the world.',
    setup: syncJob,
    body: (body, ctx) => ({ parameters: [{ ...body.parameters[0], subjects: [{ objectId: user(ctx, 'Adele Vance'), objectTypeName: 'User' }] }] }),
  },
  'synchronization-synchronizationjob-provisionondemand#synchronizationjob_provisionondemand_AD2AAD': {
    why: 'A configured sync job must exist; the subject (an on-premises DN) is replaced by a user of the world.',
    setup: syncJob,
    body: (body, ctx) => ({ parameters: [{ ...body.parameters[0], subjects: [{ objectId: user(ctx, 'Lee Gu'), objectTypeName: 'User' }] }] }),
  },
  'synchronization-serviceprincipal-put-synchronization#synchronization_secrets': { why: 'A service principal must exist.', setup: syncJob },
  'subscription-post-subscriptions#create_subscription_from_subscriptions': {
    why: 'Mailbox resources are outside the simulated services (users are used), the expiry is moved from 2016 to the future and the URL points at a real receiver.',
    body: subscriptionBody,
  },
  'subscription-get#get_subscription': { why: 'The subscription must exist.', setup: subscription },
  'subscription-delete#delete_subscription': { why: 'The subscription must exist.', setup: subscription },
  'subscription-reauthorize#subscriptionthis.reauthorize': { why: 'The subscription must exist.', setup: subscription },
  'change-notifications-lifecycle-events#change-notifications-lifecycle-notifications-lifecycleNotificationUrl': {
    why: 'Mailbox resources are outside the simulated services (users are used), the expiry is moved to the future and the URLs point at a real receiver.',
    body: subscriptionBody,
  },
  'group-list-members#get_members': { why: 'The group placeholder is a group of the world.', setup: async (ctx) => ({ 'group-id': group(ctx, 'Engineering') }) },
  'group-post-members#add_member_to_group': {
    why: 'The placeholders are a group and a user (not yet a member) of the world.',
    setup: async (ctx) => ({ 'group-id': group(ctx, 'Engineering') }),
    app: 'directory-admin',
    body: (body, ctx) => ({ '@odata.id': body['@odata.id'].replace('{id}', user(ctx, 'Adele Vance')) }),
  },
  'user-get#get_user_1': { why: 'The documented id is a user of the doc tenant: Adele of the world is used.', setup: async (ctx) => ({ 'user-id': user(ctx, 'Adele Vance') }) },
  'user-post-users#create_user_from_users': { why: 'No change (contoso.onmicrosoft.com is a verified domain of the world).', app: 'directory-admin' },
  'user-post-users#create_user_from_users_identities': { why: 'No change.', app: 'directory-admin' },
  'user-list#get_users_2': { why: 'No change.' },
  'user-list#get_signinname_users': {
    why: 'A user with that identity must exist for the list not to be empty.',
    setup: async (ctx) => {
      await ctx.admin(ctx.contoso, 'POST', '/users', {
        displayName: 'John Smith',
        identities: [{ signInType: 'emailAddress', issuer: 'My B2C tenant', issuerAssignedId: 'j.smith@yahoo.com' }],
        passwordProfile: { password: 'password-value', forceChangePasswordNextSignIn: false },
      });
      return {};
    },
  },
  'user-list#get_a_count_endsWith': {
    why: 'A user whose mail ends with a@contoso.com must exist.',
    setup: async (ctx) => {
      await ctx.admin(ctx.contoso, 'POST', '/users', {
        accountEnabled: true,
        displayName: 'Grady Archie',
        mailNickname: 'GradyA',
        userPrincipalName: 'GradyA@contoso.com',
        mail: 'GradyA@contoso.com',
        passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' },
      });
      return {};
    },
  },
  'user-list#get_wa_count': {
    why: 'A user whose display name has a word starting with "wa" must exist.',
    setup: async (ctx) => {
      await ctx.admin(ctx.contoso, 'POST', '/users', {
        accountEnabled: true,
        displayName: 'Oscar Ward',
        mailNickname: 'oscarward',
        userPrincipalName: 'oscarward@contoso.com',
        passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' },
      });
      return {};
    },
  },
  'user-update#update_user_passwordProfile': { why: 'The placeholder is a user of the world.', setup: async (ctx) => ({ 'user-id': user(ctx, 'Lee Gu') }), app: 'directory-admin' },
  'user-update#update_schemaextension': { why: 'The documented id is replaced by a user of the world.', setup: async (ctx) => ({ 'user-id': user(ctx, 'Lee Gu') }), app: 'directory-admin' },
  'user-delta#user_delta': { why: 'The documented response is a first page (nextLink): the page size is set so the world spans pages.', headers: { Prefer: 'odata.maxpagesize=2' } },
  'user-delta#user_delta_select': { why: 'As above.', headers: { Prefer: 'odata.maxpagesize=2' } },
  'group-delta#group_delta': { why: 'As above.', headers: { Prefer: 'odata.maxpagesize=1' } },
  'group-delta#group_delta_with_select': { why: 'As above.', headers: { Prefer: 'odata.maxpagesize=1' } },
  'group-delta#group_delta_minimal': { why: 'As above.', headers: { Prefer: 'return=minimal, odata.maxpagesize=1' } },
  'organization-get#get_organization_1': { why: "The documented id is replaced by Contoso's.", setup: async (ctx) => ({ 'organization-id': ctx.contoso.id }) },
};

/** The request path: the operation's template filled with the example's values, then the overrides. */
function requestPath(example: Example, overrides: Record<string, string>): string {
  const template = example.operation.replace(/^\w+\s+/, '');
  const url = new URL(example.request.url.replace(/\{/g, '%7B').replace(/\}/g, '%7D'));
  const documentedPath = decodeURIComponent(url.pathname.replace(/^\/v1\.0/, ''));
  const { pattern, names } = compileTemplate(template);
  const match = pattern.exec(documentedPath);
  const values: Record<string, string> = {};
  names.forEach((name, index) => (values[name] = match?.[index + 1] ?? ''));
  Object.assign(values, overrides);
  return template.replace(/\(\)$/, '').replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name]));
}

function requestQuery(example: Example): string {
  const raw = example.request.url.split('?')[1];
  if (!raw) return '';
  const params = new URLSearchParams();
  for (const part of raw.split('&')) {
    const at = part.indexOf('=');
    params.append(part.slice(0, at), part.slice(at + 1));
  }
  return `?${params.toString()}`;
}

/** Documented keys missing from the actual body, or of another JSON type (null matches anything). */
function shapeProblems(documented: any, actual: any, path: string, ignore: Set<string>, declared?: { top?: Set<string>; items?: Set<string> }): string[] {
  if (documented === null || documented === undefined || actual === null) return [];
  if (Array.isArray(documented)) {
    if (!Array.isArray(actual)) return [`${path || '(body)'}: expected an array`];
    if (path === 'value' && documented.length > 0 && actual.length === 0) return ['value: expected a non-empty collection'];
    if (documented.length > 0 && actual.length > 0 && typeof documented[0] === 'object') {
      return shapeProblems(documented[0], actual[0], `${path}[]`, ignore, path === 'value' ? { top: declared?.items } : undefined);
    }
    return [];
  }
  if (typeof documented === 'object') {
    if (typeof actual !== 'object' || Array.isArray(actual)) return [`${path || '(body)'}: expected an object`];
    const problems: string[] = [];
    for (const key of Object.keys(documented)) {
      const keyPath = path ? `${path}.${key}` : key;
      if (key === '@odata.type' || ignore.has(keyPath)) continue;
      if (declared?.top && !key.startsWith('@') && !key.includes('@') && !declared.top.has(key)) continue;
      if (!(key in actual)) {
        problems.push(`missing ${keyPath}`);
        continue;
      }
      problems.push(...shapeProblems(documented[key], actual[key], keyPath, ignore, key === 'value' ? declared : undefined));
    }
    return problems;
  }
  return typeof documented === typeof actual ? [] : [`${path}: expected ${typeof documented}, got ${typeof actual}`];
}

function declaredKeys(example: Example): { top?: Set<string>; items?: Set<string> } {
  const type = example.response.docBlock?.['@odata.type'];
  if (!type) return {};
  const collection = /^Collection\((.+)\)$/.exec(type)?.[1];
  const spec = GraphSpec.shared();
  if (collection) return { items: spec.properties(collection) };
  if (example.response.docBlock?.isCollection) return { items: spec.properties(type) };
  return { top: spec.properties(type) };
}

describe('conformance: every documented Graph example replayed', () => {
  let ctx: Context;
  let tokens: Record<'product' | 'directory-admin', string>;

  beforeAll(async () => {
    const sim = await startTestSimulator({ notificationDelayMs: 20 });
    const receiver = await NotificationReceiver.start();
    const contoso = tenantNamed(sim, 'Contoso');
    const fabrikam = tenantNamed(sim, 'Fabrikam');
    const admin = async (tenant: SimTenantView, method: string, path: string, body?: unknown): Promise<any> => {
      const reply = await sim.control.admin(tenant.id, { method: method as 'GET', path, body });
      if (reply.status >= 300) throw new Error(`setup ${method} ${path} → ${reply.status}: ${JSON.stringify(reply.body)}`);
      return reply.body;
    };
    tokens = { product: await tokenFor(contoso, appOf(sim, contoso)), 'directory-admin': await tokenFor(contoso, appOf(sim, contoso, DIRECTORY_ADMIN_APP)) };
    const asProduct = async (method: string, path: string, body?: unknown): Promise<any> => {
      const reply = await call(`${contoso.graphBaseUrl}/v1.0${path}`, { method, token: tokens.product, body });
      if (reply.status >= 300) throw new Error(`setup ${method} ${path} → ${reply.status}: ${reply.text}`);
      return reply.body;
    };
    ctx = { sim, receiver, contoso, fabrikam, admin, asProduct };
  });
  beforeEach(async () => {
    await ctx.sim.control.reset();
    ctx.receiver.requests.length = 0;
  });
  afterAll(async () => {
    await ctx?.sim.stop();
    await ctx?.receiver.stop();
  });

  const replayable = examples.filter((example) => !example.operation.startsWith('NOTIFY'));

  it('the shape check notices a missing key, a wrong type and an empty collection (and ignores values and nulls)', () => {
    expect(shapeProblems({ a: 1, b: { c: 'x' } }, { a: 2, b: {} }, '', new Set())).toEqual(['missing b.c']);
    expect(shapeProblems({ a: 'text' }, { a: 3 }, '', new Set())).toEqual(['a: expected string, got number']);
    expect(shapeProblems({ value: [{ id: 'x' }] }, { value: [] }, '', new Set())).toEqual(['value: expected a non-empty collection']);
    expect(shapeProblems({ a: null, b: 'x' }, { a: { deep: true }, b: null }, '', new Set())).toEqual([]);
  });

  it('has an adaptation note for every replayed example (and none for unknown ones)', () => {
    expect(replayable.map((example) => example.id).filter((id) => !(id in ADAPTATIONS)).filter((id) => !isPlain(id))).toEqual([]);
    expect(Object.keys(ADAPTATIONS).filter((id) => !examples.some((example) => example.id === id))).toEqual([]);
  });

  function isPlain(id: string): boolean {
    // Examples replayed exactly as documented.
    return [
      'crosstenantaccesspolicyconfigurationdefault-get#get_crosstenantaccesspolicyconfigurationdefault',
      'crosstenantaccesspolicyconfigurationdefault-update#update_crosstenantaccesspolicyconfigurationdefault_idpconfiguration',
      'crosstenantaccesspolicyconfigurationdefault-update#update_crosstenantaccesspolicyconfigurationdefault_idpconfiguration_noMsa',
      'crosstenantaccesspolicyconfigurationdefault-resettosystemdefault#crosstenantaccesspolicyconfigurationdefault_resettosystemdefault',
    ].includes(id);
  }

  it.each(replayable.map((example) => [example.id, example] as const))('%s', async (_id, example) => {
    const adaptation: Adaptation = ADAPTATIONS[example.id] ?? { why: 'replayed as documented' };
    const overrides = adaptation.setup ? await adaptation.setup(ctx) : {};
    const path = requestPath(example, overrides);
    const body = example.request.body === undefined ? undefined : adaptation.body ? adaptation.body(structuredClone(example.request.body), ctx) : example.request.body;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...(example.request.headers ?? {}), ...(adaptation.headers ?? {}) })) {
      if (name.toLowerCase() !== 'content-type') headers[name] = value;
    }
    const response = await call(`${ctx.contoso.graphBaseUrl}/v1.0${path}${requestQuery(example)}`, {
      method: example.request.method,
      token: tokens[adaptation.app ?? 'product'],
      body,
      headers,
    });
    expect({ status: response.status, error: response.status >= 400 ? response.body : undefined }).toEqual({ status: example.response.status, error: undefined });
    if (example.response.body !== undefined) {
      const documented = adaptation.expected ? adaptation.expected(example.response.body) : example.response.body;
      expect(shapeProblems(documented, response.body, '', new Set(adaptation.ignore ?? []), declaredKeys(example))).toEqual([]);
    } else if (example.response.status === 204) {
      expect(response.text).toBe('');
    }
    expect(await ctx.sim.control.violations()).toEqual([]);
  });

  describe('notifications (NOTIFY examples)', () => {
    const notify = (id: string): Example => examples.find((example) => example.id === id)!;

    it('validation: POST {notificationUrl}?validationToken=... as text/plain; the echoed token is accepted', async () => {
      const example = notify('change-notifications-delivery-notificationurl-validation#notificationurl-validation');
      await subscription(ctx);
      const validation = ctx.receiver.requests.find((request) => request.query.has('validationToken'))!;
      expect(validation.contentType).toMatch(new RegExp(`^${example.request.headers!['Content-Type'].split(';')[0]}`));
      expect(example.response.status).toBe(200);
      expect((await ctx.sim.control.notifications()).find((record) => record.kind === 'validation')).toMatchObject({ status: 200, delivered: true });
    });

    it('change notification: the documented shape', async () => {
      const example = notify('change-notifications-delivery-webhooks#change-notification-example');
      await subscription(ctx);
      await ctx.admin(ctx.contoso, 'PATCH', `/users/${user(ctx, 'Lee Gu')}`, { jobTitle: 'Architect' });
      const [delivery] = await ctx.receiver.waitFor(() => ctx.receiver.notifications().length > 0 && ctx.receiver.notifications());
      expect(delivery.contentType).toMatch(/^application\/json/);
      // @odata.etag belongs to the documented mailbox (message) resource; directory notifications carry none.
      expect(shapeProblems(example.request.body, delivery.json, '', new Set(['value[].resourceData.@odata.etag']))).toEqual([]);
    });

    it.each([
      ['webhooks-lifecycle#lifecycle-subscriptionRemoved', 'subscriptionRemoved'],
      ['webhooks-lifecycle#lifecycle-missed', 'missed'],
      ['webhooks-lifecycle#lifecycle-reauthorizationRequired', 'reauthorizationRequired'],
      ['change-notifications-lifecycle-events#lifecycle-notification-structure', 'missed'],
    ] as const)('lifecycle notification %s: the documented shape', async (id, event) => {
      const example = notify(id);
      const { 'subscription-id': subscriptionId } = await subscription(ctx);
      const record = await ctx.sim.control.triggerLifecycle(subscriptionId, event);
      expect(record).toMatchObject({ kind: 'lifecycle', delivered: true, status: example.response.status });
      const [delivery] = ctx.receiver.notifications('/lifecycle');
      expect(delivery.json.value[0].lifecycleEvent).toBe(event);
      expect(shapeProblems(example.request.body, delivery.json, '', new Set())).toEqual([]);
    });
  });
});
