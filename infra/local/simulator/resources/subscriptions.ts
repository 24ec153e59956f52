// /subscriptions: change notifications for users and groups (Graph's directory resources).
// Creation runs the validation handshake against notificationUrl (and lifecycleNotificationUrl)
// before answering 201; expiry is limited to 41,760 minutes (29 days); PATCH renews (200 with
// the subscription); an app sees only the subscriptions it created.
import { randomUUID } from 'node:crypto';
import { badRequest, GraphError, resourceNotFound } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { project } from '../odata';
import { PERMISSIONS, PermissionSet } from '../permissions';
import type { JsonObject, SubscriptionRecord } from '../state';
import { checkReceiverUrl } from '../notifications';
import { listObjects, selected } from './directoryQuery';

/** Maximum subscription lifetime for users and groups (minutes). */
export const DIRECTORY_MAX_LIFETIME_MINUTES = 41_760;
const CHANGE_TYPES = ['created', 'updated', 'deleted'];
const TLS_VERSIONS = ['v1_0', 'v1_1', 'v1_2', 'v1_3'];
const CLIENT_STATE_MAX = 128;

interface WatchedResource {
  kind: 'user' | 'group';
  normalized: string;
}

function watchedResource(call: GraphCall, resource: string): WatchedResource {
  const normalized = resource.trim().replace(/^\/+/, '');
  if (/^me(\/|$)/i.test(normalized)) {
    throw badRequest("/me request is only valid with delegated authentication flow: an app subscribes to 'users/{id}/...' instead.", 'BadRequest');
  }
  const match = /^(users|groups)(?:\/([^/]+))?(\/members)?$/i.exec(normalized);
  if (!match || (match[3] && (!match[2] || match[1].toLowerCase() !== 'groups'))) {
    throw badRequest(
      `Resource '${resource}' is not supported: the simulator delivers change notifications for 'users', 'users/{id}', 'groups', 'groups/{id}' and 'groups/{id}/members'.`,
      'InvalidRequest',
    );
  }
  const kind = match[1].toLowerCase() === 'users' ? 'user' : 'group';
  if (match[2]) {
    const found = kind === 'user' ? call.directory.findUser(match[2]) : call.directory.findGroup(match[2]);
    if (!found) throw resourceNotFound(match[2]);
    return { kind, normalized: `${match[1].toLowerCase()}/${found.id}${match[3] ? '/members' : ''}` };
  }
  return { kind, normalized: match[1].toLowerCase() };
}

function checkExpiration(value: unknown): string {
  const at = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw badRequest("Property 'expirationDateTime' is required and must be a date-time.", 'InvalidRequest');
  const now = Date.now();
  if (at <= now) throw badRequest('Subscription expiration must be in the future.', 'InvalidRequest');
  if (at > now + DIRECTORY_MAX_LIFETIME_MINUTES * 60_000) {
    throw badRequest(`Subscription expiration can only be ${DIRECTORY_MAX_LIFETIME_MINUTES} minutes in the future.`, 'InvalidRequest');
  }
  return new Date(at).toISOString();
}

function createPermissions(call: GraphCall): PermissionSet {
  const resource = String((call.body as JsonObject | undefined)?.resource ?? '');
  return /^\/?groups/i.test(resource) ? PERMISSIONS.groupRead : PERMISSIONS.userRead;
}

function render(subscription: SubscriptionRecord): JsonObject {
  const { watch: _internal, ...fields } = subscription;
  void _internal;
  return { ...fields };
}

/** The caller's own, unexpired subscription (expired ones are deleted, as Graph does). */
function ownSubscription(call: GraphCall): SubscriptionRecord {
  const id = call.params['subscription-id'];
  const subscription = call.tenant.subscriptions[id] ?? Object.values(call.tenant.subscriptions).find((s) => s.id.toLowerCase() === id.toLowerCase());
  if (!subscription || (call.caller.kind === 'app' && subscription.applicationId !== call.caller.clientId)) throw resourceNotFound(id);
  if (Date.parse(subscription.expirationDateTime) <= Date.now()) {
    delete call.tenant.subscriptions[subscription.id];
    throw resourceNotFound(id);
  }
  return subscription;
}

async function createSubscription(call: GraphCall) {
  const body = call.body as JsonObject;
  for (const required of ['changeType', 'notificationUrl', 'resource', 'expirationDateTime']) {
    if (typeof body[required] !== 'string' || body[required] === '') throw badRequest(`Property '${required}' is required.`, 'InvalidRequest');
  }
  const changeTypes = String(body.changeType)
    .split(',')
    .map((type) => type.trim());
  const badType = changeTypes.find((type) => !CHANGE_TYPES.includes(type));
  if (badType !== undefined) throw badRequest(`Invalid changeType '${badType}': expected a comma-separated list of ${CHANGE_TYPES.join(', ')}.`, 'InvalidRequest');
  const watched = watchedResource(call, String(body.resource));
  const expirationDateTime = checkExpiration(body.expirationDateTime);
  if (body.includeResourceData === true) throw badRequest('Rich notifications (includeResourceData) are not supported for users and groups.', 'InvalidRequest');
  if (typeof body.clientState === 'string' && body.clientState.length > CLIENT_STATE_MAX) {
    throw badRequest(`clientState can be at most ${CLIENT_STATE_MAX} characters.`, 'InvalidRequest');
  }
  const tls = (body.latestSupportedTlsVersion as string | undefined) ?? 'v1_2';
  if (!TLS_VERSIONS.includes(tls)) throw badRequest(`Invalid latestSupportedTlsVersion '${tls}'.`, 'InvalidRequest');
  const notificationUrl = String(body.notificationUrl);
  const lifecycleNotificationUrl = typeof body.lifecycleNotificationUrl === 'string' ? body.lifecycleNotificationUrl : null;
  checkReceiverUrl(notificationUrl, 'notificationUrl');
  if (lifecycleNotificationUrl) checkReceiverUrl(lifecycleNotificationUrl, 'lifecycleNotificationUrl');

  const validator = call.engine.endpointValidator;
  if (!validator) throw new GraphError(503, 'serviceNotAvailable', 'Change notifications are not running.');
  await validator.validateEndpoint(call.tenant.id, notificationUrl, 'notificationUrl');
  if (lifecycleNotificationUrl) await validator.validateEndpoint(call.tenant.id, lifecycleNotificationUrl, 'lifecycleNotificationUrl');

  const subscription: SubscriptionRecord = {
    id: randomUUID(),
    resource: String(body.resource),
    applicationId: call.caller.clientId,
    changeType: changeTypes.join(','),
    clientState: typeof body.clientState === 'string' ? body.clientState : null,
    notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl,
    expirationDateTime,
    creatorId: call.caller.servicePrincipalId,
    includeResourceData: false,
    latestSupportedTlsVersion: tls,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
    watch: watched.normalized,
  };
  call.tenant.subscriptions[subscription.id] = subscription;
  return created({ '@odata.context': `${call.graphBase}/$metadata#subscriptions/$entity`, ...render(subscription) });
}

export const subscriptionRoutes: GraphRoute[] = [
  {
    method: 'GET',
    template: '/subscriptions',
    permissions: PERMISSIONS.none,
    handler: (call) => {
      const now = Date.now();
      const mine = Object.values(call.tenant.subscriptions).filter(
        (s) => Date.parse(s.expirationDateTime) > now && (call.caller.kind === 'admin' || s.applicationId === call.caller.clientId),
      );
      return ok(listObjects(call, mine.map(render), { typeName: 'microsoft.graph.subscription', path: '/subscriptions', context: 'subscriptions', directoryObjects: false }));
    },
  },
  { method: 'POST', template: '/subscriptions', permissions: createPermissions, handler: createSubscription },
  {
    method: 'GET',
    template: '/subscriptions/{subscription-id}',
    permissions: PERMISSIONS.none,
    handler: (call) =>
      ok({
        '@odata.context': `${call.graphBase}/$metadata#subscriptions/$entity`,
        ...project(render(ownSubscription(call)), selected(call, 'microsoft.graph.subscription')),
      }),
  },
  {
    method: 'PATCH',
    template: '/subscriptions/{subscription-id}',
    permissions: PERMISSIONS.none,
    handler: async (call) => {
      const subscription = ownSubscription(call);
      const body = call.body as JsonObject;
      for (const key of Object.keys(body)) {
        if (!['expirationDateTime', 'notificationUrl', 'lifecycleNotificationUrl', '@odata.type'].includes(key)) {
          throw badRequest(`Property '${key}' of a subscription cannot be changed; only expirationDateTime and the notification URLs can.`, 'InvalidRequest');
        }
      }
      const expirationDateTime = body.expirationDateTime !== undefined ? checkExpiration(body.expirationDateTime) : subscription.expirationDateTime;
      if (typeof body.notificationUrl === 'string' && body.notificationUrl !== subscription.notificationUrl) {
        await call.engine.endpointValidator?.validateEndpoint(call.tenant.id, body.notificationUrl, 'notificationUrl');
        subscription.notificationUrl = body.notificationUrl;
      }
      if (typeof body.lifecycleNotificationUrl === 'string' && body.lifecycleNotificationUrl !== subscription.lifecycleNotificationUrl) {
        await call.engine.endpointValidator?.validateEndpoint(call.tenant.id, body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
        subscription.lifecycleNotificationUrl = body.lifecycleNotificationUrl;
      }
      subscription.expirationDateTime = expirationDateTime;
      return ok({ '@odata.context': `${call.graphBase}/$metadata#subscriptions/$entity`, ...render(subscription) });
    },
  },
  {
    method: 'DELETE',
    template: '/subscriptions/{subscription-id}',
    permissions: PERMISSIONS.none,
    handler: (call) => {
      delete call.tenant.subscriptions[ownSubscription(call).id];
      return noContent();
    },
  },
  {
    method: 'POST',
    template: '/subscriptions/{subscription-id}/reauthorize',
    permissions: PERMISSIONS.none,
    handler: (call) => {
      ownSubscription(call);
      return noContent();
    },
  },
];
