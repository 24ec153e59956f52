// What the demo's phases share: the scenario, the running stack, both sides and what was seen.
import type { HandshakeClient, ApiProblemError, PartnershipDetails } from '../../../shared/client';
import type { SimulatorControl, SimWorldView } from '../simulator';
import type { ProgressLog } from './progress';
import type { KeptRecord } from './offboarding';
import type { DriftRecord } from './reconcile';
import type { DemoTenant, Scenario } from './scenarios';
import type { GraphRequestSummary, TenantConfiguration } from './tenants';

/** The part of the local stack the demo uses (see stack.ts for how it is started). */
export interface DemoStack {
  simulator: { url: string; control: SimulatorControl; world: SimWorldView };
  deployments: Record<string, { baseUrl: string; functionKey: string }>;
  stop(): Promise<void>;
}

export type Side = 'initiator' | 'responder';

export interface SideState {
  tenant: DemoTenant;
  /** Set once the stack runs (absent for a responder that is not deployed). */
  client?: HandshakeClient;
  baseUrl?: string;
  /** Last state read through the API. */
  partnership?: PartnershipDetails;
  /** Following the partnership's progress (printing it) until it settles, once started. */
  following?: Promise<PartnershipDetails>;
}

export interface DemoContext {
  scenario: Scenario;
  log: ProgressLog;
  /** Aborted on Ctrl-C: phases stop waiting. */
  signal: AbortSignal;
  verbose: boolean;
  stack?: DemoStack;
  sides: Record<Side, SideState>;
  partnershipId?: string;
  pairingCode?: string;
  /** The API's refusal of the request (422), when that is how the scenario ends. */
  refusal?: ApiProblemError;
  tenantsBefore: Record<string, TenantConfiguration>;
  tenantsAfter: Record<string, TenantConfiguration>;
  graphRequests: Record<string, GraphRequestSummary>;
  /** Drift made after Active and how reconciliation repaired it (approve scenario). */
  drift?: DriftRecord[];
  /** What offboarding left in each tenant, and why (offboard scenario). */
  kept?: KeptRecord[];
  /** `--console`: the demo ended and keeps serving the consoles; Ctrl-C then ends it normally. */
  servingConsoles?: boolean;
}
