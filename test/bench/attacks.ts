// `npm run bench -- attacks [--json]`: every attack of the catalogue (test/support/attacks.ts)
// against a local stack — two deployments (Contoso, Global; Woodgrove China, 21Vianet) and the
// simulator — each judged as the security tests judge it: the expected refusal, nothing changed
// that it must not change (rows of Partnerships, Keys, Events, Nonces on either side; either
// tenant; a trusted key), and nothing revealed that the deployment holds. The baseline, in the same
// run: the genuine handshake, after every attack, still ends Active on both sides.
// Last line with --json: {"tried":N,"refused":N,"stateChanges":0,"attacks":[{"name","refused","answer"}],...}
import { startLocalStack } from '../../infra/local/stack';
import {
  BRUTE_FORCE_ATTACK,
  MESSAGE_ATTACKS,
  redirectAttacks,
  SecurityLab,
  UNAUTHENTICATED_KEY_ATTACKS,
  untrustedDomainsAttack,
  type Attack,
  type AttackOutcome,
} from '../support/attacks';
import { trustedOrRelaunched } from '../support/bench';
import { api, hasStatus, waitForPartnership, WORLD } from '../support/stack';

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
      { name: 'Contoso', tenantId: WORLD.contoso },
      { name: 'China', tenantId: WORLD.china },
    ],
    timings: 'short',
    inMemoryStorage: true,
    handleSigint: true,
  });
  const redirects = redirectAttacks();
  const domains = untrustedDomainsAttack();
  const outcomes: AttackOutcome[] = [];
  let control: { status: string; ms: number } | undefined;
  try {
    const lab = new SecurityLab(stack);
    const catalogue: Attack[] = [...MESSAGE_ATTACKS, ...UNAUTHENTICATED_KEY_ATTACKS, BRUTE_FORCE_ATTACK, ...redirects.attacks, domains.attack];
    log(`${catalogue.length} attacks against Contoso (Global) and Woodgrove China (21Vianet) on the local stack`);
    for (const attack of catalogue) {
      let outcome: AttackOutcome;
      try {
        outcome = await lab.attempt(attack);
      } catch (error) {
        outcome = { name: attack.name, refused: false, answer: { status: 0 }, stateChanges: [], leaks: [], failures: [`the attack could not run: ${(error as Error).message}`] };
      }
      outcomes.push(outcome);
      log(`  ${outcome.refused ? 'refused ' : 'NOT REFUSED'}  ${attack.name}: ${outcome.answer.status} ${outcome.answer.code ?? ''}${outcome.refused ? '' : ` — ${outcome.failures.join('; ')}`}`);
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
  const stateChanges = outcomes.reduce((sum, outcome) => sum + outcome.stateChanges.length, 0);
  log(`${refused} of ${outcomes.length} refused; ${stateChanges} state change(s)`);
  if (json) {
    console.log(
      JSON.stringify({
        tried: outcomes.length,
        refused,
        stateChanges,
        attacks: outcomes.map((outcome) => ({
          name: outcome.name,
          refused: outcome.refused,
          answer: outcome.answer,
          ...(outcome.refused ? {} : { failures: outcome.failures }),
        })),
        baseline: { genuineHandshake: control },
      }),
    );
  }
  if (refused !== outcomes.length || control?.status !== 'Active') process.exitCode = 1;
}
