// Timer function of the host test app; registered only when TICK_SCHEDULE is set, so the other
// tests (and the benchmark) run without a timer. With TICK_ORCHESTRATION it also starts that
// orchestration through its durable client (as a reconciliation timer would).
const { app } = require('@azure/functions');
const df = require('durable-functions');
const { appendFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

if (process.env.TICK_SCHEDULE) {
  app.timer('tick', {
    schedule: '%TICK_SCHEDULE%',
    runOnStartup: process.env.TICK_RUN_ON_STARTUP === 'true',
    extraInputs: [df.input.durableClient()],
    handler: async (timer, context) => {
      let instanceId = null;
      if (process.env.TICK_ORCHESTRATION) {
        instanceId = await df.getClient(context).startNew(process.env.TICK_ORCHESTRATION, { input: ['from a timer'] });
      }
      mkdirSync(process.env.TEST_STATE_DIR, { recursive: true });
      const line = JSON.stringify({ at: new Date().toISOString(), isPastDue: timer.isPastDue, last: timer.scheduleStatus?.last ?? null, invocationId: context.invocationId, instanceId });
      appendFileSync(join(process.env.TEST_STATE_DIR, 'ticks.log'), `${line}\n`);
    },
  });
}
