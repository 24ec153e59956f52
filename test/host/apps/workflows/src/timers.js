// Timer function of the host test app; registered only when TICK_SCHEDULE is set, so the other
// tests (and the benchmark) run without a timer.
const { app } = require('@azure/functions');
const { appendFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

if (process.env.TICK_SCHEDULE) {
  app.timer('tick', {
    schedule: '%TICK_SCHEDULE%',
    runOnStartup: process.env.TICK_RUN_ON_STARTUP === 'true',
    handler: (timer, context) => {
      mkdirSync(process.env.TEST_STATE_DIR, { recursive: true });
      const line = JSON.stringify({ at: new Date().toISOString(), isPastDue: timer.isPastDue, last: timer.scheduleStatus?.last ?? null, invocationId: context.invocationId });
      appendFileSync(join(process.env.TEST_STATE_DIR, 'ticks.log'), `${line}\n`);
    },
  });
}
