// `npm run bench -- notifications [--json] [--runs N]`: how long the Graph notification webhook of a
// running deployment (local stack, Woodgrove China) takes to answer a body of 1,000 notifications
// naming 1,000 made-up subscriptions — the fan-out an anonymous caller could try — against the
// baseline measured in the same run: a body of one notification. Graph wants an answer within 3 s.
import { startLocalStack } from '../../infra/local/stack';
import { notificationFanOut } from './attacks/robustness';
import { parseBenchArgs, trustedOrRelaunched } from '../support/bench';
import { WORLD } from '../support/stack';

const GRAPH_DEADLINE_MS = 3_000;

export async function main(args: string[]): Promise<void> {
  if (!(await trustedOrRelaunched('notifications', args))) return;
  const options = parseBenchArgs(args, { json: false, runs: 7 });
  const stack = await startLocalStack({ deployments: [{ name: 'China', tenantId: WORLD.china }], timings: 'short', inMemoryStorage: true, handleSigint: true });
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  try {
    const deployment = stack.deployment('China');
    const target = { baseUrl: deployment.baseUrl, tenantId: deployment.tenantId, cloud: 'China' };
    await notificationFanOut(target, 1_000); // warm-up
    const one: number[] = [];
    const thousand: number[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      one.push((await notificationFanOut(target, 1)).ms);
      const attack = await notificationFanOut(target, 1_000);
      if (!attack.refused) throw new Error(`the 1,000-notification body was not refused: ${JSON.stringify(attack.answer)}`);
      thousand.push(attack.ms);
    }
    const result = { oneNotificationMs: Math.round(median(one)), thousandNotificationsMs: Math.round(median(thousand)), worstThousandMs: Math.round(Math.max(...thousand)), graphDeadlineMs: GRAPH_DEADLINE_MS };
    if (options.json) console.log(JSON.stringify(result));
    else {
      console.log(`answer to 1,000 notifications of made-up subscriptions (403): median ${result.thousandNotificationsMs} ms, worst ${result.worstThousandMs} ms of ${options.runs}`);
      console.log(`baseline, one notification: median ${result.oneNotificationMs} ms; Graph's deadline: ${GRAPH_DEADLINE_MS} ms`);
    }
  } finally {
    await stack.stop();
  }
}
