// `npm run bench -- attacks [--json]`: one catalogue of attacks against a local stack — two
// deployments (Contoso, Global; Woodgrove China, 21Vianet) and the simulator:
// - the trust attacks (test/support/attacks.ts: forged, replayed and misaddressed messages, the
//   offboard attacks, untrusted keys, a brute-forced code, redirects, untrusted domains), each
//   judged as the security tests judge it: the expected refusal, nothing changed that it must not
//   change (rows of Partnerships, Keys, Events, Nonces on either side; either tenant; a trusted
//   key), and nothing revealed that the deployment holds;
// - the robustness attacks on the anonymous surface (test/bench/attacks/robustness.ts: invitation
//   floods beyond the caps, oversized and fanned-out Graph notifications, hostile validation
//   tokens), aimed at Contoso, each judged by its own refusal and by the same state snapshot taken
//   before and after it (the invitations that fill the caps first are set-up, not the attack).
// Each attack is printed as refused or not and with whether state changed, then the totals. The
// baseline, in the same run: the genuine handshake, after every attack, still ends Active on both sides.
// Last line with --json: {"tried":N,"refused":N,"stateChanges":0,"attacks":[{"name","kind","refused","stateChanged","answer"}],...}
import { randomUUID } from 'node:crypto';
import { startLocalStack } from '../../infra/local/stack';
import {
  BRUTE_FORCE_ATTACK,
  MESSAGE_ATTACKS,
  OFFBOARD_ATTACKS,
  redirectAttacks,
  SecurityLab,
  UNAUTHENTICATED_KEY_ATTACKS,
  untrustedDomainsAttack,
  type Attack,
  type AttackOutcome,
} from '../support/attacks';
import { trustedOrRelaunched } from '../support/bench';
import { stateChanges } from '../support/security';
import { api, hasStatus, waitForPartnership, WORLD } from '../support/stack';
import {
  invitationFlood,
  notificationFanOut,
  oversizedNotification,
  oversizedValidationToken,
  sniffableValidationToken,
  type AttackResult,
  type AttackTarget,
} from './attacks/robustness';

/** Small invitation caps on Contoso, the robustness target, so a flood reaches them in a few requests. */
const PER_PARTNER = 2;
const TOTAL = 4;

/** A robustness attack: `setUp` (not judged) fills what it needs; `run` is the attack, judged. */
interface RobustnessAttack {
  setUp?(target: AttackTarget): Promise<unknown>;
  run(target: AttackTarget): Promise<AttackResult>;
}

function robustnessAttacks(): RobustnessAttack[] {
  const issuer = randomUUID();
  return [
    // The sender's own cap first, then the deployment's: everything beyond is 429 and writes nothing.
    { setUp: (target) => invitationFlood(target, { count: PER_PARTNER, issuer }), run: (target) => invitationFlood(target, { count: 3, issuer }) },
    { setUp: (target) => invitationFlood(target, { count: TOTAL }), run: (target) => invitationFlood(target, { count: 3 }) },
    { run: (target) => oversizedNotification(target) },
    { run: (target) => notificationFanOut(target) },
    ...(['notifications', 'lifecycle'] as const).flatMap((route) => [
      { run: (target: AttackTarget) => oversizedValidationToken(target, route) },
      { run: (target: AttackTarget) => sniffableValidationToken(target, route) },
    ]),
  ];
}

export async function main(args: string[]): Promise<void> {
  // Calling the HTTPS deployments needs the local CA trusted from process start.
  if (!(await trustedOrRelaunched('attacks', args))) return;
  const unknown = args.filter((arg) => arg !== '--json');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]} (use --json)`);
  const json = args.includes('--json');
  const log = (line: string): void => {
    if (!json) console.log(line);
  };

  const stack = await startLocalStack({
    deployments: [
      { name: 'Contoso', tenantId: WORLD.contoso, env: { INVITATION_DRAFTS_PER_PARTNER_MAX: String(PER_PARTNER), INVITATION_DRAFTS_MAX: String(TOTAL) } },
      { name: 'China', tenantId: WORLD.china },
    ],
    timings: 'short',
    inMemoryStorage: true,
    handleSigint: true,
  });
  const redirects = redirectAttacks();
  const domains = untrustedDomainsAttack();
  const outcomes: (AttackOutcome & { kind: 'trust' | 'robustness' })[] = [];
  const report = (outcome: AttackOutcome, kind: 'trust' | 'robustness'): void => {
    outcomes.push({ ...outcome, kind });
    const changed = outcome.stateChanges.length > 0 ? `STATE CHANGED (${outcome.stateChanges.length})` : 'state unchanged';
    const answer = `${outcome.answer.status} ${outcome.answer.code ?? (outcome.answer.status < 400 ? `(${outcome.answer.detail ?? ''})` : '')}`.trim();
    log(`  ${outcome.refused ? 'refused    ' : 'NOT REFUSED'}  ${changed}  ${kind}: ${outcome.name}: ${answer}${outcome.refused ? '' : ` — ${outcome.failures.join('; ')}`}`);
  };
  let control: { status: string; ms: number } | undefined;
  try {
    const lab = new SecurityLab(stack);
    const catalogue: Attack[] = [...MESSAGE_ATTACKS, ...OFFBOARD_ATTACKS, ...UNAUTHENTICATED_KEY_ATTACKS, BRUTE_FORCE_ATTACK, ...redirects.attacks, domains.attack];
    const robustness = robustnessAttacks();
    log(
      `${catalogue.length + robustness.length} attacks against Contoso (Global) and Woodgrove China (21Vianet) on the local stack: ${catalogue.length} on trust, ${robustness.length} on the anonymous surface`,
    );
    for (const attack of catalogue) {
      let outcome: AttackOutcome;
      try {
        outcome = await lab.attempt(attack);
      } catch (error) {
        outcome = { name: attack.name, refused: false, answer: { status: 0 }, stateChanges: [], leaks: [], failures: [`the attack could not run: ${(error as Error).message}`] };
      }
      report(outcome, 'trust');
    }
    const contoso = stack.deployment('Contoso');
    const target: AttackTarget = { baseUrl: contoso.baseUrl, tenantId: contoso.tenantId, cloud: 'Global' };
    for (const attack of robustness) {
      let outcome: AttackOutcome;
      try {
        await attack.setUp?.(target);
        const before = await lab.snapshot();
        const result = await attack.run(target);
        const changes = stateChanges(before, await lab.snapshot());
        const failures = [...(result.refused ? [] : [`answered ${result.answer.status} ${result.answer.code ?? ''}`.trim()]), ...changes.map((change) => `changed: ${change}`)];
        const { status, code, contentType, nosniff } = result.answer;
        // A validation token is answered (200), but only as inert text: say so beside the status.
        const detail = status < 400 ? `${contentType ?? 'no content type'}${nosniff ? ', nosniff' : ''}` : undefined;
        outcome = { name: result.name, refused: failures.length === 0, answer: { status, ...(code ? { code } : {}), ...(detail ? { detail } : {}) }, stateChanges: changes, leaks: [], failures };
      } catch (error) {
        outcome = { name: 'robustness attack', refused: false, answer: { status: 0 }, stateChanges: [], leaks: [], failures: [`the attack could not run: ${(error as Error).message}`] };
      }
      report(outcome, 'robustness');
    }
    // Baseline: the genuine onboarding the message attacks were aimed at still completes.
    const started = performance.now();
    const scene = await lab.awaiting();
    await api(stack.deployment('China'), 'POST', `/api/partnerships/${scene.id}/approve`, { body: { pairingCode: scene.pairingCode } });
    const [a, b] = await Promise.all([
      waitForPartnership(stack.deployment('Contoso'), scene.id, hasStatus('Active', 'Failed', 'Rejected', 'Expired')),
      waitForPartnership(stack.deployment('China'), scene.id, hasStatus('Active', 'Failed', 'Rejected', 'Expired')),
    ]);
    control = { status: a.status === b.status ? a.status : `${a.status}/${b.status}`, ms: Math.round(performance.now() - started) };
    log(`baseline: the genuine handshake after all attacks: ${control.status} on both sides in ${control.ms} ms (approval → Active)`);
  } finally {
    await redirects.stop();
    await domains.stop();
    await stack.stop();
  }
  const refused = outcomes.filter((outcome) => outcome.refused).length;
  const stateChangeCount = outcomes.reduce((sum, outcome) => sum + outcome.stateChanges.length, 0);
  const changedBy = outcomes.filter((outcome) => outcome.stateChanges.length > 0).length;
  log(`${refused} of ${outcomes.length} refused; ${changedBy} changed state (${stateChangeCount} change(s))`);
  if (json) {
    console.log(
      JSON.stringify({
        tried: outcomes.length,
        refused,
        stateChanges: stateChangeCount,
        attacks: outcomes.map((outcome) => ({
          name: outcome.name,
          kind: outcome.kind,
          refused: outcome.refused,
          stateChanged: outcome.stateChanges.length > 0,
          answer: outcome.answer,
          ...(outcome.refused ? {} : { failures: outcome.failures }),
        })),
        baseline: { genuineHandshake: control },
      }),
    );
  }
  if (refused !== outcomes.length || control?.status !== 'Active') process.exitCode = 1;
}
