// Rules shared by the cross-tenant access policy resources: access-setting values, cloud
// pairing, the 25 KB size limit.
import { CLOUD_TABLE, isCrossCloud, mayCollaborate, SimCloud } from '../clouds';
import type { Engine } from '../engine';
import { badRequest } from '../errors';
import type { JsonObject, TenantState } from '../state';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_TARGETS = ['AllUsers'];
const APPLICATION_TARGETS = ['AllApplications', 'Office365', 'AllMicrosoftApps'];

export const ACCESS_SETTINGS = [
  'b2bCollaborationInbound',
  'b2bCollaborationOutbound',
  'b2bDirectConnectInbound',
  'b2bDirectConnectOutbound',
  'tenantRestrictions',
] as const;

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** Checks the targets of an access setting (usersAndGroups / applications); throws a 400. */
export function checkAccessSetting(name: string, value: unknown): void {
  if (value === null || value === undefined) return;
  const setting = value as JsonObject;
  for (const part of ['usersAndGroups', 'applications'] as const) {
    const config = setting[part] as JsonObject | null | undefined;
    if (!config) continue;
    const targets = (config.targets as JsonObject[] | undefined) ?? [];
    if (config.accessType == null && targets.length > 0) throw badRequest(`${name}.${part}.accessType is required when targets are given.`);
    targets.forEach((entry, index) => {
      const where = `${name}.${part}.targets[${index}]`;
      const target = entry.target;
      const type = entry.targetType;
      if (part === 'usersAndGroups') {
        if (type !== 'user' && type !== 'group') throw badRequest(`${where}.targetType must be 'user' or 'group' (got ${JSON.stringify(type)}).`);
        if (!(typeof target === 'string' && (USER_TARGETS.includes(target) || isGuid(target)))) {
          throw badRequest(`${where}.target must be 'AllUsers' or a user or group object id (got ${JSON.stringify(target)}).`);
        }
      } else {
        if (type !== 'application') throw badRequest(`${where}.targetType must be 'application' (got ${JSON.stringify(type)}).`);
        if (!(typeof target === 'string' && (APPLICATION_TARGETS.includes(target) || isGuid(target)))) {
          throw badRequest(`${where}.target must be one of ${APPLICATION_TARGETS.join(', ')} or an application id (got ${JSON.stringify(target)}).`);
        }
      }
    });
  }
}

/** The partner tenant a policy entry names, checked against the clouds this tenant may pair with. */
export function resolvePartnerTenant(engine: Engine, tenant: TenantState, partnerId: string): TenantState {
  if (!isGuid(partnerId)) throw badRequest(`Invalid tenantId '${partnerId}': a partner is identified by its tenant id (a GUID).`);
  if (partnerId.toLowerCase() === tenant.id.toLowerCase()) throw badRequest('A tenant cannot be its own partner.');
  const partner = engine.tenant(partnerId);
  if (!partner) {
    throw badRequest(`The tenant '${partnerId}' was not found in any cloud this tenant can reach. Check the tenant id and the allowedCloudEndpoints of the cross-tenant access policy.`);
  }
  checkCloudReachable(tenant, partner.cloud, partnerId);
  return partner;
}

export function checkCloudReachable(tenant: TenantState, partnerCloud: SimCloud, partnerId: string): void {
  if (!isCrossCloud(tenant.cloud, partnerCloud)) return;
  if (!mayCollaborate(tenant.cloud, partnerCloud)) {
    throw badRequest(`The tenant '${partnerId}' is in the ${partnerCloud} cloud: collaboration between the ${tenant.cloud} and ${partnerCloud} clouds is not supported.`);
  }
  const endpoint = CLOUD_TABLE[partnerCloud].cloudEndpoint;
  if (!tenant.policy.allowedCloudEndpoints.includes(endpoint)) {
    throw badRequest(
      `The tenant '${partnerId}' is in the ${partnerCloud} cloud, which is not enabled for this tenant. Add '${endpoint}' to allowedCloudEndpoints of the cross-tenant access policy first.`,
    );
  }
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (value && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, entry] of Object.entries(value)) if (entry !== null && entry !== undefined) out[key] = compact(entry);
    return out;
  }
  return value;
}

// Stored size of each policy part, by object identity: writers replace objects instead of
// changing them in place, so a part is measured once.
const sizes = new WeakMap<object, number>();

function storedSize(part: JsonObject): number {
  let size = sizes.get(part);
  if (size === undefined) {
    size = Buffer.byteLength(JSON.stringify(compact(part)));
    sizes.set(part, size);
  }
  return size;
}

/**
 * The entries of a keyed part of the policy (partners, identity sync settings) as last measured,
 * with their total size: a write is measured by what it changed, not by the whole policy again
 * (10,000 partners stay cheap to check).
 */
interface MeasuredEntries {
  entries: Map<string, JsonObject>;
  total: number;
}

const measured = new WeakMap<TenantState, { partners: MeasuredEntries; identitySync: MeasuredEntries }>();

type KeyedPart = 'partners' | 'identitySync';

function measuredOf(tenant: TenantState): { partners: MeasuredEntries; identitySync: MeasuredEntries } {
  let found = measured.get(tenant);
  if (!found) {
    found = { partners: { entries: new Map(), total: 0 }, identitySync: { entries: new Map(), total: 0 } };
    remeasure(tenant.partners, found.partners);
    remeasure(tenant.identitySync, found.identitySync);
    measured.set(tenant, found);
  }
  return found;
}

/** Measures one entry again (after it was set or deleted); answers its previous value (undefined: absent). */
function remeasureEntry(current: Record<string, JsonObject>, known: MeasuredEntries, key: string): JsonObject | undefined {
  const before = known.entries.get(key);
  const value = Object.prototype.hasOwnProperty.call(current, key) ? current[key] : undefined;
  if (before === value) return before;
  known.total += (value ? storedSize(value) : 0) - (before ? storedSize(before) : 0);
  if (value) known.entries.set(key, value);
  else known.entries.delete(key);
  return before;
}

/** Brings `known` up to date with `current`; answers the previous value of every key that changed (undefined: it was absent). */
function remeasure(current: Record<string, JsonObject>, known: MeasuredEntries): Map<string, JsonObject | undefined> {
  const changed = new Map<string, JsonObject | undefined>();
  let count = 0;
  for (const key in current) {
    count += 1;
    if (known.entries.get(key) !== current[key]) changed.set(key, remeasureEntry(current, known, key));
  }
  if (count !== known.entries.size) {
    for (const key of [...known.entries.keys()]) if (!(key in current)) changed.set(key, remeasureEntry(current, known, key));
  }
  return changed;
}

/** An entry was removed (or set) without withinSizeLimit: the size the policy is measured by follows. */
export function policyEntryChanged(tenant: TenantState, part: KeyedPart, key: string): void {
  remeasureEntry(tenant[part], measuredOf(tenant)[part], key);
}

function listSize(part: MeasuredEntries): number {
  return 2 + Math.max(0, part.entries.size - 1) + part.total;
}

function sizeOf(tenant: TenantState): number {
  const parts = measuredOf(tenant);
  const endpoints = Buffer.byteLength(JSON.stringify(tenant.policy.allowedCloudEndpoints));
  const defaults = tenant.defaultConfig.isServiceDefault ? 2 : storedSize(tenant.defaultConfig);
  const frame = '{"allowedCloudEndpoints":,"default":,"partners":,"identitySynchronization":}'.length;
  return frame + endpoints + defaults + listSize(parts.partners) + listSize(parts.identitySync);
}

/**
 * Stored size of the whole policy, as the compact JSON
 * `{"allowedCloudEndpoints":[...],"default":{...},"partners":[...],"identitySynchronization":[...]}`
 * (settings left null are not stored; a service-default default configuration is `{}`).
 */
export function policySize(tenant: TenantState): number {
  const parts = measuredOf(tenant);
  remeasure(tenant.partners, parts.partners);
  remeasure(tenant.identitySync, parts.identitySync);
  return sizeOf(tenant);
}

/**
 * Runs a change of the policy and undoes it when the policy grows beyond its limit (Entra: 400
 * "Failure to update policy due to object limit"). The change must replace the objects it alters
 * (partners, sync entries, the default configuration, the policy) rather than edit them in place.
 * `touches` names the partner and sync entries it may set or delete, so only those are measured
 * again (10,000 partners stay cheap); without it every entry is compared.
 */
export function withinSizeLimit<T>(engine: Engine, tenant: TenantState, change: () => T, touches?: Partial<Record<KeyedPart, readonly string[]>>): T {
  const parts = measuredOf(tenant);
  if (!touches) {
    // Whatever changed since the last measure is not this change's to undo.
    remeasure(tenant.partners, parts.partners);
    remeasure(tenant.identitySync, parts.identitySync);
  }
  const policy = tenant.policy;
  const policyFields = { ...tenant.policy };
  const defaultConfig = tenant.defaultConfig;
  const result = change();
  const changed = (part: KeyedPart): Map<string, JsonObject | undefined> => {
    if (!touches) return remeasure(tenant[part], parts[part]);
    return new Map((touches[part] ?? []).map((key) => [key, remeasureEntry(tenant[part], parts[part], key)] as const));
  };
  const partners = changed('partners');
  const identitySync = changed('identitySync');
  const size = sizeOf(tenant);
  if (size > engine.options.policySizeLimitBytes) {
    const undo = (part: KeyedPart, previous: Map<string, JsonObject | undefined>): void => {
      for (const [key, before] of previous) {
        if (before === undefined) delete tenant[part][key];
        else tenant[part][key] = before;
        remeasureEntry(tenant[part], parts[part], key);
      }
    };
    undo('partners', partners);
    undo('identitySync', identitySync);
    tenant.policy = Object.assign(policy, policyFields);
    tenant.defaultConfig = defaultConfig;
    throw badRequest(
      `Failure to update policy due to object limit: the cross-tenant access policy would be ${size} bytes, more than its limit of ${engine.options.policySizeLimitBytes} bytes. Remove partner configurations or simplify their settings.`,
    );
  }
  return result;
}

/** Warnings for settings Entra stores but does not apply (shown in the control API's state dump). */
export function partnerWarnings(engine: Engine, tenant: TenantState, partner: JsonObject): string[] {
  const other = engine.tenant(String(partner.tenantId));
  if (!other || !isCrossCloud(tenant.cloud, other.cloud)) return [];
  const warnings: string[] = [];
  for (const name of ['b2bDirectConnectInbound', 'b2bDirectConnectOutbound'] as const) {
    if (partner[name] !== null && partner[name] !== undefined) {
      warnings.push(`${name} is stored but has no effect: B2B direct connect does not work across clouds (${tenant.cloud} <-> ${other.cloud}).`);
    }
  }
  return warnings;
}
