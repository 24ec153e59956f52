// Timer `housekeepingTimer` (NCRONTAB from HOUSEKEEPING_SCHEDULE, default hourly): deletes expired
// nonces and closes invitations that expired while waiting for approval (orchestrations/usecases/housekeeping).
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { handshakeDeployment } from '../orchestrations';
import { runHousekeeping } from '../orchestrations/usecases/housekeeping';
import { DEFAULTS, SETTINGS } from '../shared/config';

async function housekeepingTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  let deployment;
  try {
    deployment = handshakeDeployment();
  } catch (error) {
    // An app started without its settings has nothing to clean up.
    context.warn(`Housekeeping skipped: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const result = await runHousekeeping(deployment);
  context.log(JSON.stringify({ event: 'housekeeping', noncesPurged: result.noncesPurged, invitationsExpired: result.invitationsExpired.length }));
}

app.timer('housekeepingTimer', {
  // Read when the app loads (app settings are environment variables in Azure and on the local host).
  schedule: process.env[SETTINGS.housekeepingSchedule]?.trim() || DEFAULTS.housekeepingSchedule,
  handler: housekeepingTimer,
});
