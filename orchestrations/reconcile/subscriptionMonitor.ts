// Eternal orchestration (singleton SUBSCRIPTION_MONITOR_INSTANCE): syncs the Graph subscriptions
// with the Active partnerships, sleeps until the next one is due for renewal (or the longest
// allowed sleep, or a `sync` event), and continues as new. A failed sync waits and tries again.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { MonitorSyncResult } from './activities/syncSubscriptions';
import { parseInput, retryOptions, subscriptionMonitorInputSchema } from './inputs';
import { SUBSCRIPTION_MONITOR_ORCHESTRATION, SUBSCRIPTION_SYNC_EVENT, SYNC_SUBSCRIPTIONS_ACTIVITY } from './names';

/** After a sync that failed every attempt, the monitor waits this long before trying again. */
export const MONITOR_FAILURE_BACKOFF_MS = 60_000;

const subscriptionMonitor: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = parseInput(subscriptionMonitorInputSchema, context.df.getInput(), 'subscriptionMonitor input');
  const now = context.df.currentUtcDateTime.getTime();
  let wakeAt: Date;
  try {
    const result: MonitorSyncResult = yield context.df.callActivityWithRetry(SYNC_SUBSCRIPTIONS_ACTIVITY, retryOptions(input.retry), {});
    wakeAt = new Date(result.wakeAt);
    context.df.setCustomStatus({ step: 'sleeping', wakeAt: result.wakeAt, lastSync: { at: new Date(now).toISOString(), created: result.created.length, renewed: result.renewed.length, recreated: result.recreated.length, removed: result.removed.length, failures: result.failures.length } });
  } catch (error) {
    wakeAt = new Date(now + MONITOR_FAILURE_BACKOFF_MS);
    context.df.setCustomStatus({ step: 'retrying after a failed sync', wakeAt: wakeAt.toISOString(), error: error instanceof Error ? error.message.slice(0, 500) : String(error) });
  }
  const timer = context.df.createTimer(wakeAt);
  const nudge = context.df.waitForExternalEvent(SUBSCRIPTION_SYNC_EVENT);
  const winner = yield context.df.Task.any([timer, nudge]);
  if (winner !== timer) timer.cancel();
  context.df.continueAsNew(input);
  return undefined;
};

df.app.orchestration(SUBSCRIPTION_MONITOR_ORCHESTRATION, subscriptionMonitor);
