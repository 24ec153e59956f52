// The `npm start` demo: the handshake between two deployments on the local stack (see README.md).
export { runDemo } from './run';
export type { DemoOptions, DemoResult } from './run';
export { DEMO_PHASES, INVITATION_VISIBLE_TIMEOUT_MS, SETTLE_TIMEOUT_MS } from './phases';
export type { DemoPhase } from './phases';
export type { DemoContext, DemoStack, Side, SideState } from './context';
export { SCENARIOS, SCENARIO_NAMES, CONTOSO, WOODGROVE_CHINA, TAILSPIN_GOV } from './scenarios';
export type { Scenario, ScenarioName, DemoTenant } from './scenarios';
export { buildReport, judgeOutcome } from './report';
export type { DemoOutcome, DemoReport } from './report';
export { summarizeTenant, renderBeforeAfter, summarizeGraphRequests, renderGraphRequests } from './tenants';
export type { TenantConfiguration, GraphRequestSummary } from './tenants';
