// The demo's outcome (did the scenario end as expected?) and its JSON report (--report FILE).
import type { PartnershipDetails } from '../../../shared/client';
import type { DemoContext, Side } from './context';
import type { KeptRecord } from './offboarding';
import type { DriftRecord } from './reconcile';
import type { GraphRequestSummary, TenantConfiguration } from './tenants';

export interface DemoOutcome {
  /** True when the scenario ended as it should (exit 0). */
  asExpected: boolean;
  /** The status the last line prints: `handshake: <finalStatus>`. */
  finalStatus: string;
  /** Why it did not end as expected (empty when it did). */
  problems: string[];
}

export interface PartnershipSideReport {
  deployment: string;
  tenantId: string;
  cloud: string;
  displayName: string;
  role: Side;
  id: string | null;
  status: string | null;
  driftStatus: string | null;
  steps: PartnershipDetails['steps'];
  lastError: PartnershipDetails['lastError'] | null;
}

export interface DemoReport {
  scenario: string;
  title: string;
  outcome: DemoOutcome & { error?: string };
  expected: DemoContext['scenario']['expected'];
  pairingCode: string | null;
  refusal: { status: number; code: string; detail: string; violations: Array<{ code: string; message: string }> } | null;
  partnerships: Record<Side, PartnershipSideReport>;
  tenants: Record<string, { tenantId: string; displayName: string; cloud: string; before: TenantConfiguration | null; after: TenantConfiguration | null }>;
  graphRequests: Record<string, GraphRequestSummary>;
  /** Drift made after Active and its repair: who found it (timer or notification) and after how long. */
  drift: DriftRecord[];
  /** What offboarding left in each tenant (guests kept, what another partnership still needs), and why. */
  kept: KeptRecord[];
  elapsedMs: number;
}

/** Judges the run against the scenario's expected ending. */
export function judgeOutcome(context: DemoContext): DemoOutcome {
  const { expected } = context.scenario;
  const { initiator, responder } = context.sides;
  const problems: string[] = [];

  let finalStatus: string;
  if (context.refusal) {
    finalStatus = 'Refused';
  } else {
    const a = initiator.partnership?.status ?? 'unknown';
    const b = responder.partnership?.status;
    finalStatus = expected.responder === undefined || a === b ? a : `${a} (${initiator.tenant.displayName}), ${b ?? 'unknown'} (${responder.tenant.displayName})`;
  }

  if (expected.initiator === 'refused') {
    if (!context.refusal) problems.push(`${initiator.tenant.displayName}'s request was not refused`);
    const writes = context.graphRequests[initiator.tenant.name]?.total ?? 0;
    if (writes > 0) problems.push(`${initiator.tenant.displayName} made ${writes} Graph/Teams request(s) although the request was refused`);
  } else if (initiator.partnership?.status !== expected.initiator) {
    problems.push(`${initiator.tenant.displayName} ended ${initiator.partnership?.status ?? 'without a partnership'}, expected ${expected.initiator}`);
  }
  if (expected.responder && responder.partnership?.status !== expected.responder) {
    problems.push(`${responder.tenant.displayName} ended ${responder.partnership?.status ?? 'without a partnership'}, expected ${expected.responder}`);
  }
  if (expected.initiatorTenantUnchanged) {
    const before = context.tenantsBefore[initiator.tenant.name];
    const after = context.tenantsAfter[initiator.tenant.name];
    if (before && after && JSON.stringify(before) !== JSON.stringify(after)) {
      problems.push(`${initiator.tenant.displayName}'s configuration is not what it was before`);
    }
  }
  if (expected.tenantsRestoredExceptKept) problems.push(...restoredExceptKept(context));
  return { asExpected: problems.length === 0, finalStatus, problems };
}

/** Each tenant is as it was before, except for guests listed as kept there. */
function restoredExceptKept(context: DemoContext): string[] {
  const problems: string[] = [];
  for (const { tenant } of [context.sides.initiator, context.sides.responder]) {
    const before = context.tenantsBefore[tenant.name];
    const after = context.tenantsAfter[tenant.name];
    if (!before || !after) continue;
    if (JSON.stringify({ ...before, guests: [] }) !== JSON.stringify({ ...after, guests: [] })) {
      problems.push(`${tenant.displayName}'s configuration is not what it was before the partnership`);
    }
    const keptHere = (context.kept ?? []).filter((entry) => entry.tenant === tenant.displayName).map((entry) => entry.item);
    const had = new Set(before.guests.map((guest) => guest.userPrincipalName));
    for (const guest of after.guests.filter((candidate) => !had.has(candidate.userPrincipalName))) {
      if (!keptHere.includes(`guest ${guest.mail ?? ''}`)) problems.push(`${tenant.displayName} still has the guest ${guest.mail ?? guest.userPrincipalName}, which is not listed as kept`);
    }
  }
  return problems;
}

export function buildReport(context: DemoContext, outcome: DemoOutcome & { error?: string }, elapsedMs: number): DemoReport {
  const side = (role: Side): PartnershipSideReport => {
    const { tenant, partnership } = context.sides[role];
    return {
      deployment: tenant.name,
      tenantId: tenant.tenantId,
      cloud: tenant.cloud,
      displayName: tenant.displayName,
      role,
      id: partnership?.id ?? null,
      status: partnership?.status ?? null,
      driftStatus: partnership?.driftStatus ?? null,
      steps: partnership?.steps ?? [],
      lastError: partnership?.lastError ?? null,
    };
  };
  const tenants: DemoReport['tenants'] = {};
  for (const { tenant } of [context.sides.initiator, context.sides.responder]) {
    tenants[tenant.name] = {
      tenantId: tenant.tenantId,
      displayName: tenant.displayName,
      cloud: tenant.cloud,
      before: context.tenantsBefore[tenant.name] ?? null,
      after: context.tenantsAfter[tenant.name] ?? null,
    };
  }
  return {
    scenario: context.scenario.name,
    title: context.scenario.title,
    outcome,
    expected: context.scenario.expected,
    pairingCode: context.pairingCode ?? null,
    refusal: context.refusal
      ? {
          status: context.refusal.status,
          code: context.refusal.code,
          detail: context.refusal.detail,
          violations: context.refusal.violations.map(({ code, message }) => ({ code, message })),
        }
      : null,
    partnerships: { initiator: side('initiator'), responder: side('responder') },
    tenants,
    graphRequests: context.graphRequests,
    drift: context.drift ?? [],
    kept: context.kept ?? [],
    elapsedMs,
  };
}
