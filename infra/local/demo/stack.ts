// The demo's stack: the project's local stack launcher with the scenario's deployments.
// The process must trust the local CA (NODE_EXTRA_CA_CERTS, arranged by main.ts).
import { startLocalStack } from '../stack';
import { ensureTrustFile } from '../tls';
import type { DemoContext, DemoStack } from './context';
import { reconcileSettingsFor } from './reconcile';

export async function startDemoStack(context: DemoContext): Promise<DemoStack> {
  const { scenario } = context;
  const trust = await ensureTrustFile({ existing: process.env.NODE_EXTRA_CA_CERTS });
  if (process.env.NODE_EXTRA_CA_CERTS !== trust.file) {
    throw new Error(`This process must start with NODE_EXTRA_CA_CERTS=${trust.file} (the local stack's CA): the simulator and the API clients call the deployments over HTTPS`);
  }
  const tenants = scenario.responderDeployed ? [scenario.initiator, scenario.responder] : [scenario.initiator];
  const stack = await startLocalStack({
    // Reconciliation repairs in the demo; the responder's timer finds what Graph cannot notify.
    deployments: tenants.map((tenant) => ({ name: tenant.name, tenantId: tenant.tenantId, env: reconcileSettingsFor(tenant === scenario.responder) })),
    // Short retry intervals: a demo should not sit through production backoffs.
    timings: 'short',
    inMemoryStorage: true,
    echo: context.verbose,
    // The demo handles Ctrl-C itself: it stops waiting, then stops the stack (see main.ts).
    handleSigint: false,
  });
  return {
    simulator: stack.simulator,
    deployments: stack.deployments,
    stop: () => stack.stop(),
  };
}
