// The handshake with a crash at one activity boundary (the local host's LOCAL_HOST_CRASH_AT), as
// `npm run bench -- crashes` and the compact test in test/e2e/crashes.test.ts run it: a fresh
// local stack (Contoso, Global ↔ Woodgrove China), the crashing host restarted on the same storage
// as soon as it died, the handshake driven through the HTTP API to its end — and, in the offboard
// scenario, on to both sides Removed (Contoso's admin ends it) — then what each tenant received
// (the simulator's request log) and holds, and the removals each side recorded, compared with a
// clean run.
import type { LocalStack, LocalStackDeployment } from '../../infra/local/stack';
import type { TenantDump } from '../../infra/local/simulator';
import { ownedItemKey, type OwnedItem } from '../../shared/ownership';
import { createRepositories } from '../../shared';
import { contosoRequest, startLocalStack, WORLD } from './stack';

export const SIDES = ['Contoso', 'China'] as const;
export type Side = (typeof SIDES)[number];
const TENANT_OF: Record<Side, string> = { Contoso: WORLD.contoso, China: WORLD.china };
const TERMINAL = ['Active', 'Failed', 'Rejected', 'Expired'];
const REMOVED = ['Removed', 'Failed'];

/** The handshake to Active; or the handshake, then offboarding to Removed on both sides. */
export type CrashScenario = 'handshake' | 'offboard';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const WORLD_TENANTS = new Set<string>(Object.values(WORLD));

export interface CrashBoundary {
  /** Default: the handshake. */
  scenario?: CrashScenario;
  side: Side;
  activity: string;
  phase: 'before' | 'after';
  /** n-th invocation of the activity in that host (1 = first). */
  occurrence: number;
}

export const crashSetting = (boundary: CrashBoundary): string => `${boundary.activity}:${boundary.phase}:${boundary.occurrence}`;
export const describeBoundary = (boundary: CrashBoundary): string =>
  `${boundary.scenario === 'offboard' ? 'offboarding: ' : ''}${boundary.side} ${crashSetting(boundary)}`;

export interface HandshakeRun {
  crashed: boolean;
  statuses: Record<Side, string>;
  /** Graph and Teams writes of the product app, per tenant, in order (`METHOD path status`). */
  writes: Record<Side, string[]>;
  /** What each tenant holds at the end (the parts a handshake touches). */
  finalState: Record<Side, unknown>;
  /** What each side records as owned at the end. */
  owned: Record<Side, string[]>;
  /** Activity invocations per side, in the order they were scheduled. */
  activities: Record<Side, string[]>;
  /** Per side, which of those invocations belong to the offboarding workflow. */
  offboarding: Record<Side, boolean[]>;
  /** Offboard scenario: the removals each side recorded (one Events row each), by operation. */
  removals: Record<Side, string[]>;
  ms: number;
}

export interface RunComparison {
  completed: boolean;
  /** Writes beyond the clean run's (a write repeated, or a conflict met and converged). */
  duplicateWrites: number;
  /** Things a tenant holds, or a side owns, that the clean run does not end with. */
  orphanWrites: number;
  /** Writes or end state of the clean run missing from this run. */
  lost: number;
  notes: string[];
}

/** One handshake on a fresh stack; with `crash`, that side's host dies once at the boundary. */
export async function runHandshake(
  options: { scenario?: CrashScenario; crash?: CrashBoundary; timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<HandshakeRun> {
  const { crash } = options;
  const scenario = options.scenario ?? crash?.scenario ?? 'handshake';
  const timeoutMs = options.timeoutMs ?? 180_000;
  const started = performance.now();
  const stack = await startLocalStack({
    deployments: SIDES.map((name) => ({ name, tenantId: TENANT_OF[name], env: crash?.side === name ? { LOCAL_HOST_CRASH_AT: crashSetting(crash) } : {} })),
    timings: 'short',
    inMemoryStorage: true,
    handleSigint: true,
  });
  let stopping = false;
  let crashed = false;
  const watchers = SIDES.map(async (name) => {
    const deployment = stack.deployment(name);
    const exit = await deployment.host().exited;
    if (stopping) return;
    crashed = true;
    options.log?.(`  ${name} host died (${exit.signal ?? exit.code}); restarting it on the same storage`);
    await deployment.restart();
  });
  try {
    const deadline = Date.now() + timeoutMs;
    const id = await requestPartnership(stack, deadline);
    const china = stack.deployment('China');
    await until(deadline, async () => (await get(china, `/api/partnerships/${id}`))?.status === 'Draft' || undefined);
    const code = (await until(deadline, async () => (await get(stack.deployment('Contoso'), `/api/partnerships/${id}`))?.pairingCode as string | undefined)) as string;
    await until(deadline, async () => {
      const answer = await send(china, 'POST', `/api/partnerships/${id}/approve`, { pairingCode: code });
      return answer && answer.status < 500 ? true : undefined;
    });
    const statuses = {} as Record<Side, string>;
    const owned = {} as Record<Side, string[]>;
    const settled = async (ended: readonly string[]): Promise<true | undefined> => {
      for (const name of SIDES) {
        const partnership = await get(stack.deployment(name), `/api/partnerships/${id}`);
        if (!partnership || !ended.includes(String(partnership.status))) return undefined;
        statuses[name] = String(partnership.status);
        owned[name] = ((partnership.owned ?? []) as OwnedItem[]).map(ownedItemKey).sort();
      }
      return true;
    };
    await until(deadline, () => settled(TERMINAL));
    if (scenario === 'offboard' && statuses.Contoso === 'Active' && statuses.China === 'Active') {
      // Contoso's admin ends it (asked again while the host is down: the answer is the same).
      await until(deadline, async () => {
        const answer = await send(stack.deployment('Contoso'), 'DELETE', `/api/partnerships/${id}`, { reason: 'Crash test.' });
        return answer && answer.status < 500 ? true : undefined;
      });
      await until(deadline, () => settled(REMOVED));
    }
    await quiet(stack, deadline);
    const ms = performance.now() - started;
    const writes = {} as Record<Side, string[]>;
    const finalState = {} as Record<Side, unknown>;
    const activities = {} as Record<Side, string[]>;
    const offboarding = {} as Record<Side, boolean[]>;
    const removals = {} as Record<Side, string[]>;
    for (const name of SIDES) {
      const deployment = stack.deployment(name);
      const clientId = deployment.settings.CLIENT_ID;
      writes[name] = (await stack.simulator.control.requests({ tenantId: TENANT_OF[name], clientId }))
        .filter((entry) => entry.method !== 'GET' && entry.operation !== 'batch')
        .map((entry) => `${entry.method} ${normalize(entry.path)} ${entry.status}`);
      finalState[name] = collaborationOf(await stack.simulator.control.state(TENANT_OF[name]));
      const invocations = await activityInvocations(deployment);
      activities[name] = invocations.map((invocation) => invocation.name);
      offboarding[name] = invocations.map((invocation) => OFFBOARDING_INSTANCE.test(invocation.instanceId));
      removals[name] = await removalRows(stack, deployment, id);
    }
    return { crashed, statuses, writes, finalState, owned, activities, offboarding, removals, ms };
  } finally {
    stopping = true;
    await stack.stop();
    await Promise.allSettled(watchers);
  }
}

/**
 * Every activity boundary of both sides in a clean run: before and after each invocation. In the
 * offboard scenario, those of the offboarding workflows (counted among all invocations of the host,
 * as the crash switch counts them).
 */
export function boundariesOf(clean: HandshakeRun, scenario: CrashScenario = 'handshake'): CrashBoundary[] {
  const boundaries: CrashBoundary[] = [];
  for (const side of SIDES) {
    const seen = new Map<string, number>();
    clean.activities[side].forEach((activity, index) => {
      const occurrence = (seen.get(activity) ?? 0) + 1;
      seen.set(activity, occurrence);
      if (scenario === 'offboard' && !clean.offboarding[side][index]) return;
      for (const phase of ['before', 'after'] as const) boundaries.push({ ...(scenario === 'offboard' ? { scenario } : {}), side, activity, phase, occurrence });
    });
  }
  return boundaries;
}

/** How a run differs from the clean run. */
export function compareRuns(clean: HandshakeRun, run: HandshakeRun): RunComparison {
  const notes: string[] = [];
  let duplicateWrites = 0;
  let orphanWrites = 0;
  let lost = 0;
  const completed = SIDES.every((side) => run.statuses[side] === clean.statuses[side]);
  if (!completed) notes.push(`ended ${JSON.stringify(run.statuses)} instead of ${JSON.stringify(clean.statuses)}`);
  for (const side of SIDES) {
    const { extra, missing } = multisetDifference(run.writes[side], clean.writes[side]);
    duplicateWrites += extra.length;
    lost += missing.length;
    if (extra.length > 0) notes.push(`${side}: extra writes ${extra.join(', ')}`);
    if (missing.length > 0) notes.push(`${side}: missing writes ${missing.join(', ')}`);
    if (JSON.stringify(run.finalState[side]) !== JSON.stringify(clean.finalState[side])) {
      orphanWrites += 1;
      notes.push(`${side}: the tenant ends differently from the clean run`);
    }
    // Each removal is one Events row: none missing (a removal written before a crash), none twice.
    const rows = multisetDifference(run.removals[side], clean.removals[side]);
    duplicateWrites += rows.extra.length;
    lost += rows.missing.length;
    if (rows.extra.length > 0) notes.push(`${side}: removals recorded beyond the clean run's: ${rows.extra.join(', ')}`);
    if (rows.missing.length > 0) notes.push(`${side}: removals not recorded: ${rows.missing.join(', ')}`);
    const ownedExtra = multisetDifference(run.owned[side], clean.owned[side]);
    orphanWrites += ownedExtra.missing.length;
    lost += ownedExtra.extra.length;
    if (ownedExtra.missing.length > 0) notes.push(`${side}: not recorded as owned: ${ownedExtra.missing.join(', ')}`);
    if (ownedExtra.extra.length > 0) notes.push(`${side}: owned beyond the clean run: ${ownedExtra.extra.join(', ')}`);
  }
  return { completed, duplicateWrites, orphanWrites, lost, notes };
}

function multisetDifference(actual: readonly string[], expected: readonly string[]): { extra: string[]; missing: string[] } {
  const counts = new Map<string, number>();
  for (const value of expected) counts.set(value, (counts.get(value) ?? 0) + 1);
  const extra: string[] = [];
  for (const value of actual) {
    const left = counts.get(value) ?? 0;
    if (left > 0) counts.set(value, left - 1);
    else extra.push(value);
  }
  const missing = [...counts.entries()].flatMap(([value, count]) => Array.from({ length: count }, () => value));
  return { extra, missing };
}

/** Ids the simulator or a run chose (not the world's tenants) become `{id}`. */
function normalize(path: string): string {
  return path.replace(GUID, (id) => (WORLD_TENANTS.has(id.toLowerCase()) ? id.toLowerCase() : '{id}'));
}

function collaborationOf(dump: TenantDump): unknown {
  return {
    allowedCloudEndpoints: [...dump.policy.allowedCloudEndpoints].sort(),
    partners: [...dump.partners].map(({ warnings: _warnings, ...partner }) => partner).sort((a, b) => String(a.tenantId).localeCompare(String(b.tenantId))),
    teams: dump.teams,
    guests: dump.users
      .filter((user) => user.userType === 'Guest')
      .map((user) => `${user.userPrincipalName} ${user.externalUserState ?? ''}`)
      .sort(),
    subscriptions: dump.subscriptions.map((subscription) => `${subscription.resource} ${subscription.changeType}`).sort(),
  };
}

async function requestPartnership(stack: LocalStack, deadline: number): Promise<string> {
  const contoso = stack.deployment('Contoso');
  return until(deadline, async () => {
    // Not idempotent: after a lost answer, look for the partnership before asking again.
    const existing = (await get(contoso, '/api/partnerships'))?.partnerships as { id: string }[] | undefined;
    if (existing === undefined) return undefined;
    if (existing.length > 0) return existing[0].id;
    const created = await send(contoso, 'POST', '/api/partnerships', contosoRequest(stack));
    return created && created.status === 202 ? String(created.body.id) : undefined;
  });
}

/** Waits until neither tenant receives a request for a while (background work has settled). */
async function quiet(stack: LocalStack, deadline: number, forMs = 1_500): Promise<void> {
  let count = -1;
  let since = Date.now();
  for (;;) {
    const now = (await stack.simulator.control.requests()).length;
    if (now !== count) {
      count = now;
      since = Date.now();
    } else if (Date.now() - since >= forMs) return;
    if (Date.now() > deadline) throw new Error('the tenants never went quiet');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Instances of the offboarding workflow (`{id}-offboard-{attempt}`). */
const OFFBOARDING_INSTANCE = /-offboard-\d+$/;

/** Activity invocations of every orchestration of the deployment, in the order they were scheduled. */
async function activityInvocations(deployment: LocalStackDeployment): Promise<{ name: string; instanceId: string }[]> {
  const code = `code=${deployment.systemKey}`;
  const instances = (await get(deployment, `/runtime/webhooks/durabletask/instances?${code}`, 'none')) as unknown as { instanceId: string }[];
  const invocations: { name: string; instanceId: string; at: string }[] = [];
  for (const { instanceId } of instances ?? []) {
    const status = await get(deployment, `/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?showHistory=true&${code}`, 'none');
    for (const event of (status?.historyEvents ?? []) as { EventType: string; FunctionName?: string; ScheduledTime?: string }[]) {
      if ((event.EventType === 'TaskCompleted' || event.EventType === 'TaskFailed') && event.FunctionName) {
        invocations.push({ name: event.FunctionName, instanceId, at: event.ScheduledTime ?? '' });
      }
    }
  }
  return invocations.sort((a, b) => a.at.localeCompare(b.at)).map(({ name, instanceId }) => ({ name, instanceId }));
}

/** The removals a side recorded for the partnership (one `operation.applied` row each), by operation. */
async function removalRows(stack: LocalStack, deployment: LocalStackDeployment, partnershipId: string): Promise<string[]> {
  const { events } = createRepositories({ storage: { connectionString: stack.azurite.connectionString, tablePrefix: deployment.tablePrefix }, tableConflictRetries: 5 });
  return (await events.list(partnershipId, { type: 'operation.applied' }))
    .filter((event) => /:offboard-\d+-remove:/.test(event.id))
    .map((event) => String(event.operationId))
    .sort();
}

type Json = Record<string, any>;

/** GET as JSON; undefined while the host is down or answers an error. */
async function get(deployment: LocalStackDeployment, path: string, key: 'function' | 'none' = 'function'): Promise<Json | undefined> {
  const answer = await send(deployment, 'GET', path, undefined, key);
  return answer && answer.status === 200 ? answer.body : undefined;
}

async function send(deployment: LocalStackDeployment, method: string, path: string, body?: unknown, key: 'function' | 'none' = 'function'): Promise<{ status: number; body: Json } | undefined> {
  try {
    const response = await fetch(`${deployment.baseUrl}${path}`, {
      method,
      headers: { ...(key === 'function' ? { 'x-functions-key': deployment.functionKey } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
  } catch {
    return undefined; // down (crashed or restarting)
  }
}

async function until<T>(deadline: number, check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the handshake did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
