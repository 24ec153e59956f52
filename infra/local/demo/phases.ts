// The demo as a list of phases, run in order (each one a step an administrator would recognise).
// A later part adds its phase to DEMO_PHASES (e.g. reconciliation: a drift and its repair after
// the handshake) without touching the others.
import { CAPABILITY_KEYS } from '../../../shared/capabilities';
import { guestOf, type GuestEntry } from '../../../shared/partnership';
import { preflight } from '../../../shared/preflight';
import { ApiProblemError, HandshakeClient, SETTLED_STATUSES, progressSince, type PartnershipDetails } from '../../../shared/client';
import type { DemoContext, Side } from './context';
import { driftAndRepair } from './reconcile';
import { startDemoStack } from './stack';
import { UNDEPLOYED_PARTNER_URL } from './scenarios';
import { renderBeforeAfter, renderGraphRequests, summarizeGraphRequests, summarizeTenant } from './tenants';

export interface DemoPhase {
  name: string;
  /** Whether the phase belongs to this run (default: always). */
  when?: (context: DemoContext) => boolean;
  run(context: DemoContext): Promise<void>;
}

/** How long B's admin waits for the invitation to show up in B's list. */
export const INVITATION_VISIBLE_TIMEOUT_MS = 60_000;
/** How long the demo follows a side until it settles (Active, Rejected, Expired, Failed, ...). */
export const SETTLE_TIMEOUT_MS = 180_000;
export const POLL_INTERVAL_MS = 250;

const requested = (context: DemoContext): boolean => context.partnershipId !== undefined;

export const startStack: DemoPhase = {
  name: 'start the local stack',
  async run(context) {
    const { initiator, responder } = context.sides;
    context.log.line(`Starting Azurite, the Graph + Teams simulator and ${context.scenario.responderDeployed ? 'two deployments' : 'one deployment'} of the app…`);
    const stack = await startDemoStack(context);
    context.stack = stack;
    context.log.line(`Simulator (every cloud's login, Graph and Teams admin hosts) at ${stack.simulator.url}`);
    for (const side of [initiator, responder]) {
      const deployment = stack.deployments[side.tenant.name];
      if (!deployment) continue;
      side.baseUrl = deployment.baseUrl;
      side.client = new HandshakeClient({ baseUrl: deployment.baseUrl, functionKey: deployment.functionKey });
      context.log.line(`${side.tenant.displayName} (${side.tenant.cloud}) deployment at ${deployment.baseUrl}`);
    }
  },
};

export const prepareTenants: DemoPhase = {
  name: 'where the tenants stand before',
  when: (context) => (context.scenario.startingPoint ?? []).length > 0,
  async run(context) {
    const control = context.stack!.simulator.control;
    for (const change of context.scenario.startingPoint ?? []) {
      const answer = await control.admin(change.tenant.tenantId, change.request);
      if (answer.status >= 300) throw new Error(`Could not set up ${change.tenant.displayName} (${change.description}): HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      context.log.line(`Starting point: at ${change.tenant.displayName}, ${change.description}`);
    }
  },
};

export const readTenantsBefore: DemoPhase = {
  name: 'read both tenants before',
  async run(context) {
    context.tenantsBefore = await readTenants(context);
  },
};

export const requestPartnership: DemoPhase = {
  name: 'A requests the partnership',
  async run(context) {
    const { initiator, responder } = context.sides;
    const request = context.scenario.request(responder.baseUrl ?? UNDEPLOYED_PARTNER_URL);
    context.log.line(
      `${initiator.tenant.displayName}'s admin asks for a partnership with ${responder.tenant.displayName} ` +
        `(tenant ${responder.tenant.tenantId}, ${responder.tenant.cloud}): ${describeRequest(request)}`,
    );
    context.log.line(describePreflight(initiator.tenant.cloud, responder.tenant.cloud, request));
    try {
      const created = await client(context, 'initiator').createPartnership(request);
      context.partnershipId = created.id;
      context.pairingCode = created.pairingCode;
      context.log.line(`${initiator.tenant.displayName}: partnership ${created.id} is ${created.status}; pairing code ${created.pairingCode} (to read to ${responder.tenant.displayName}'s admin)`);
      // A's progress is shown from now on, while B's admin looks at the invitation.
      startFollowing(context, 'initiator');
    } catch (error) {
      if (!(error instanceof ApiProblemError) || error.status !== 422 || context.scenario.expected.initiator !== 'refused') throw error;
      context.refusal = error;
      // The violations say it all when there are some; the detail otherwise.
      const why = error.violations.length > 0 ? (error.title || 'the request breaks a capability rule') : error.detail;
      context.log.line(`${initiator.tenant.displayName}: refused (${error.status} ${error.code}): ${why}`);
      for (const violation of error.violations) context.log.line(`  - ${violation.code}: ${violation.message}`);
    }
  },
};

export const checkNothingRecorded: DemoPhase = {
  name: 'A recorded nothing',
  when: (context) => context.refusal !== undefined,
  async run(context) {
    const { initiator } = context.sides;
    const partnerships = await client(context, 'initiator').listPartnerships();
    context.log.line(`${initiator.tenant.displayName} lists its partnerships: ${partnerships.length === 0 ? 'none' : partnerships.map((p) => `${p.id} ${p.status}`).join(', ')}`);
    if (partnerships.length > 0) throw new Error(`${initiator.tenant.displayName} recorded a partnership although the request was refused`);
  },
};

export const partnerSeesInvitation: DemoPhase = {
  name: 'B lists its partnerships and sees the invitation',
  when: (context) => requested(context) && context.scenario.responderDeployed,
  async run(context) {
    const { initiator, responder } = context.sides;
    const deadline = Date.now() + INVITATION_VISIBLE_TIMEOUT_MS;
    for (;;) {
      context.signal.throwIfAborted();
      const partnerships = await client(context, 'responder').listPartnerships();
      const invitation = partnerships.find((p) => p.id === context.partnershipId);
      if (invitation) {
        responder.partnership = await client(context, 'responder').getPartnership(invitation.id);
        context.log.line(
          `${responder.tenant.displayName}'s admin lists its partnerships: ${partnerships.length} — ${invitation.id} from ` +
            `${initiator.tenant.displayName} (${invitation.partnerCloud}), ${invitation.status}, awaiting approval`,
        );
        await showKeyAuthentication(context);
        return;
      }
      if (Date.now() > deadline) throw new Error(`The invitation did not reach ${responder.tenant.displayName} within ${INVITATION_VISIBLE_TIMEOUT_MS / 1000} s`);
      await sleep(POLL_INTERVAL_MS, context.signal);
    }
  },
};

export const answerInvitation: DemoPhase = {
  name: "B's admin answers",
  when: (context) => requested(context) && context.scenario.responderDeployed,
  async run(context) {
    const { initiator, responder } = context.sides;
    const id = context.partnershipId!;
    switch (context.scenario.answer) {
      case 'approve': {
        // Across clouds Graph cannot check the partner's domains: B's admin vouches for them first.
        const declared = (responder.partnership?.partnerDomains ?? []).filter((domain) => domain.status === 'unverified').map((domain) => domain.domain);
        if (declared.length > 0) {
          const accepted = await client(context, 'responder').acceptPartnerDomains(id, declared);
          const used = (accepted.partnerDomains ?? []).filter((domain) => domain.status === 'verified').map((domain) => domain.domain);
          context.log.line(`${responder.tenant.displayName}'s admin vouches for ${initiator.tenant.displayName}'s domains (Graph cannot check them across clouds): ${used.join(', ')}`);
        }
        context.log.line(`${responder.tenant.displayName}'s admin approves with the pairing code ${context.pairingCode} read out by ${initiator.tenant.displayName}'s admin`);
        const action = await client(context, 'responder').approve(id, context.pairingCode!);
        const trusted = (await client(context, 'responder').getPartnership(id)).keys?.partner;
        context.log.line(
          `${responder.tenant.displayName}: approved (${action.status}); the code opened the invitation's commitment, so ${initiator.tenant.displayName}'s key ` +
            `${trusted?.thumbprint ?? '?'} is now trusted (${trusted?.source ?? 'not yet'})`,
        );
        startFollowing(context, 'responder');
        return;
      }
      case 'reject': {
        context.log.line(`${responder.tenant.displayName}'s admin rejects it: "${context.scenario.rejectReason}"`);
        const action = await client(context, 'responder').reject(id, context.scenario.rejectReason ?? 'Rejected');
        context.log.line(`${responder.tenant.displayName}: rejected (${action.status}); ${initiator.tenant.displayName} is told`);
        return;
      }
      case 'none':
        context.log.line(`${responder.tenant.displayName}'s admin does not answer (invitation lifetime ${context.scenario.request('').invitationLifetime ?? 'default'})`);
        return;
    }
  },
};

export const followUntilSettled: DemoPhase = {
  name: 'both sides until they settle',
  when: requested,
  async run(context) {
    // The responder only settles by itself once it has approved; otherwise read it once after.
    const followed: Side[] = context.scenario.answer === 'approve' ? ['initiator', 'responder'] : ['initiator'];
    await Promise.all(followed.map((side) => startFollowing(context, side)));
    if (!followed.includes('responder') && context.sides.responder.client) {
      context.sides.responder.partnership = await client(context, 'responder').getPartnership(context.partnershipId!).catch(() => undefined);
      const state = context.sides.responder.partnership;
      context.log.line(`${context.sides.responder.tenant.displayName}'s side: ${state ? state.status : 'no record of the partnership'}`);
    }
  },
};

export const readTenantsAfter: DemoPhase = {
  name: 'read both tenants after, and the Graph requests each side made',
  async run(context) {
    context.tenantsAfter = await readTenants(context);
    const control = context.stack!.simulator.control;
    const counters = await control.counters();
    for (const side of [context.sides.initiator, context.sides.responder]) {
      const app = context.stack!.simulator.world.apps.find((a) => a.tenantId === side.tenant.tenantId && a.displayName === 'cross-cloud-handshake');
      context.graphRequests[side.tenant.name] = summarizeGraphRequests(counters, side.tenant.tenantId, app?.clientId);
    }
  },
};

export const showChanges: DemoPhase = {
  name: 'show what changed in each tenant',
  async run(context) {
    const { initiator, responder } = context.sides;
    context.log.line('Configuration of each tenant, before and after (from the simulator; * = changed):');
    for (const [side, partner] of [
      [initiator, responder],
      [responder, initiator],
    ] as const) {
      const before = context.tenantsBefore[side.tenant.name];
      const after = context.tenantsAfter[side.tenant.name];
      if (before && after) context.log.block(indent(renderBeforeAfter(before, after, partner.tenant.displayName)));
    }
    context.log.line('Graph and Teams admin requests each side made:');
    for (const side of [initiator, responder]) {
      const summary = context.graphRequests[side.tenant.name];
      if (summary) context.log.block(indent(renderGraphRequests(side.tenant.displayName, summary)));
    }
  },
};

/** The demo, in order. Reconciliation inserts its phase after `showChanges`. */
export const DEMO_PHASES: DemoPhase[] = [
  startStack,
  prepareTenants,
  readTenantsBefore,
  requestPartnership,
  checkNothingRecorded,
  partnerSeesInvitation,
  answerInvitation,
  followUntilSettled,
  readTenantsAfter,
  showChanges,
  driftAndRepair,
];

/**
 * How each side authenticates the other's key: A fetched B's key from the URL its admin typed (or
 * says why it could not); B holds A's key as presented until its admin's pairing code opens the
 * invitation's commitment.
 */
async function showKeyAuthentication(context: DemoContext): Promise<void> {
  const { initiator, responder } = context.sides;
  const a = await client(context, 'initiator').getPartnership(context.partnershipId!);
  const fetched = a.steps.find((step) => step.type === 'partner-key.pinned' || /key could not be fetched/.test(step.message));
  if (a.keys?.partner) {
    context.log.line(
      `${initiator.tenant.displayName} authenticated ${responder.tenant.displayName}'s key before inviting: fetched from ${responder.baseUrl}/api/handshake/jwks ` +
        `(the URL its admin typed, over HTTPS) and pinned, thumbprint ${a.keys.partner.thumbprint}`,
    );
  } else if (fetched) {
    context.log.line(`${initiator.tenant.displayName}: ${fetched.message}`);
  }
  const presented = responder.partnership?.keys?.partnerPresented;
  if (presented) {
    context.log.line(
      `${responder.tenant.displayName} holds the invitation's key ${presented} as presented, not trusted: only the pairing code ` +
        `${initiator.tenant.displayName}'s admin reads out can show it is ${initiator.tenant.displayName}'s`,
    );
  }
}

/** Starts following a side (once); the promise settles with its final state. */
function startFollowing(context: DemoContext, side: Side): Promise<PartnershipDetails> {
  const state = context.sides[side];
  if (!state.following) {
    state.following = follow(context, side);
    // Awaited later by followUntilSettled; until then a failure must not be an unhandled rejection.
    state.following.catch(() => undefined);
  }
  return state.following;
}

/** Prints a side's progress until `until` holds (default: a settled status); the promise settles with its final state. */
export async function follow(
  context: DemoContext,
  side: Side,
  until: (partnership: PartnershipDetails) => boolean = (p) => SETTLED_STATUSES.includes(p.status),
): Promise<PartnershipDetails> {
  const state = context.sides[side];
  const name = state.tenant.displayName;
  const final = await client(context, side).waitForPartnership(context.partnershipId!, {
    timeoutMs: SETTLE_TIMEOUT_MS,
    intervalMs: POLL_INTERVAL_MS,
    signal: context.signal,
    until,
    onChange: (current, previous) => {
      const seen = { status: (previous ?? state.partnership)?.status, steps: (previous ?? state.partnership)?.steps ?? [] };
      for (const item of progressSince(current, seen)) {
        context.log.line('status' in item ? `${name}: ${item.status}` : `${name}:   ${item.step.type} — ${item.step.message}`);
      }
      state.partnership = current;
    },
  });
  state.partnership = final;
  return final;
}

async function readTenants(context: DemoContext): Promise<DemoContext['tenantsBefore']> {
  const control = context.stack!.simulator.control;
  const { initiator, responder } = context.sides;
  const [a, b] = await Promise.all([control.state(initiator.tenant.tenantId), control.state(responder.tenant.tenantId)]);
  return {
    [initiator.tenant.name]: summarizeTenant(a, responder.tenant.tenantId),
    [responder.tenant.name]: summarizeTenant(b, initiator.tenant.tenantId),
  };
}

function client(context: DemoContext, side: Side): HandshakeClient {
  const found = context.sides[side].client;
  if (!found) throw new Error(`${context.sides[side].tenant.displayName} has no deployment in this run`);
  return found;
}

function describeRequest(request: ReturnType<DemoContext['scenario']['request']>): string {
  const parts = ['B2B both ways'];
  const teams = request.teams as Record<string, unknown> | undefined;
  if (teams?.federation) parts.push('Teams federation');
  if (teams?.crossCloudMeetings) parts.push('cross-cloud meetings');
  if (teams?.guestAccess) parts.push('guest access');
  if (teams?.anonymousJoin) parts.push('anonymous join');
  if (teams?.acsInterop) parts.push('ACS interop (its own Teams)');
  const m365 = request.m365Capabilities as { inbound?: object; outbound?: object } | undefined;
  if (m365?.inbound || m365?.outbound) {
    const grants = (grant?: object): string => Object.keys(grant ?? {}).filter((key) => key !== 'scope').join('+');
    parts.push(`Microsoft 365 ${[m365.inbound && `to the partner: ${grants(m365.inbound)}`, m365.outbound && `from the partner: ${grants(m365.outbound)}`].filter(Boolean).join(', ')}`);
  }
  const upns = (list: unknown): string[] => ((list as GuestEntry[] | undefined) ?? []).map((entry) => guestOf(entry).upn);
  const guests = upns(request.guests);
  const partnerGuests = upns(request.partnerGuests);
  if (guests.length) parts.push(`guests ${guests.join(', ')}`);
  if (partnerGuests.length) parts.push(`to be invited there: ${partnerGuests.join(', ')}`);
  return parts.join('; ');
}

/** The offline preflight (`handshake check`) of the request: what both sides' rules say before anything is sent. */
function describePreflight(local: string, partner: string, request: ReturnType<DemoContext['scenario']['request']>): string {
  const command = `handshake check --local ${local} --partner ${partner}`;
  try {
    const asked = preflight(local, partner, request);
    const pair = preflight(local, partner);
    const refused = asked.violations.map((violation) => `${violation.code} (${violation.side})`);
    const impossible = CAPABILITY_KEYS.filter((key) => !asked.capabilities[key].requested && !pair.capabilities[key].allowed);
    return (
      `Preflight (${command}): ${refused.length === 0 ? 'everything asked is allowed on both sides' : `refused: ${refused.join(', ')}`}` +
      (impossible.length > 0 ? `; not possible for this pair: ${impossible.map((key) => `${key} (${pair.capabilities[key].code})`).join(', ')}` : '')
    );
  } catch (error) {
    return `Preflight (${command}): ${(error as Error).message}`;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
