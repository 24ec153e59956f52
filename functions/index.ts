// The app's entry point (package.json "main"): importing a module registers its functions.
// The two-sided handshake: orchestrations + activities, admin API, partner webhook.
import '../orchestrations';
import './partnerships';
import './capabilities';
import './handshake';
// Reconciliation: orchestrations + activities, Graph notification webhooks, timer and admin route.
import '../orchestrations/reconcile';
import './graphNotifications';
import './graphLifecycle';
import './reconcile';
// Deployment health (the doctor's checks).
import './health';
// Robustness: housekeeping of what anonymous callers leave behind (expired nonces and invitations).
import './housekeeping';
// The admin console: pages, the audit route, the OpenAPI description.
import './events';
import './openapi';
import './console';
