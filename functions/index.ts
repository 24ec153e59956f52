// The app's entry point (package.json "main"): importing a module registers its functions.
import '../orchestrations/greeting';
import './greeting';
// Reconciliation (issue 7): orchestrations + activities, Graph notification webhooks, timer and admin route.
import '../orchestrations/reconcile';
import './graphNotifications';
import './graphLifecycle';
import './reconcile';
