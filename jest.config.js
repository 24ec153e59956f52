/**
 * Two kinds of tests, one jest run (`npm test` runs both; `npm run test:unit`, `npm run test:integration`
 * select one project):
 * - integration: tests that start real processes or servers (Azurite, the Graph + Teams simulator,
 *   the local Functions host, the local stack, the demo). They are the folders below, files named
 *   `*.integration.test.ts`, and the listed files of folders that hold both kinds.
 * - unit: everything else (no process, no network beyond an in-process stand-in).
 * A new test that starts a process goes in an integration folder, or is named `*.integration.test.ts`.
 */
const INTEGRATION_FOLDERS = ['e2e', 'functions', 'simulator', 'reconcile', 'demo', 'shared/tables', 'console', 'security', 'deploy'];
const INTEGRATION_FILES = [
  'cli/commands.test.ts',
  'host/badInput.test.ts',
  'host/crash.test.ts',
  'host/deployments.test.ts',
  'host/durable.test.ts',
  'host/http.test.ts',
  'host/https.test.ts',
  'host/keys.test.ts',
  'host/store.test.ts',
  'host/timers.test.ts',
  'orchestrations/instances.test.ts',
  'infra/package.test.ts',
  'orchestrations/removedPartnership.test.ts',
  'shared/deployment.test.ts',
  'shared/graph.test.ts',
  'shared/graphPermissions.test.ts',
  'shared/partnerDomains.test.ts',
  'shared/handshake/receive.test.ts',
  'shared/plan.simulator.property.test.ts',
  'shared/teams.test.ts',
  'shared/teamsDiscovery.test.ts',
];
const INTEGRATION = [
  ...INTEGRATION_FOLDERS.map((folder) => `<rootDir>/test/${folder}/**/*.test.ts`),
  ...INTEGRATION_FILES.map((file) => `<rootDir>/test/${file}`),
  '<rootDir>/test/**/*.integration.test.ts',
];

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION_FOLDERS.map((folder) => `/test/${folder}/`), ...INTEGRATION_FILES.map((file) => `/test/${file.replace(/\./g, '\\.')}$`), '\\.integration\\.test\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: INTEGRATION },
  ],
  // Integration tests start real processes (Azurite, hosts, the simulator); two cores.
  maxWorkers: 2,
  // Always fork workers (never run in band by default) so they inherit the NODE_EXTRA_CA_CERTS
  // that the global setup exports; see test/support/globalSetup.ts.
  workerIdleMemoryLimit: '2GB',
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  testTimeout: 60_000,
};
