/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Integration tests start real processes (Azurite, hosts, the simulator); two cores.
  maxWorkers: 2,
  // Always fork workers (never run in band by default) so they inherit the NODE_EXTRA_CA_CERTS
  // that the global setup exports; see test/support/globalSetup.ts.
  workerIdleMemoryLimit: '2GB',
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  testTimeout: 60_000,
};
