// Runs Azurite inside a child process that dies with its parent: Azurite itself ignores a
// closed IPC channel, so a parent killed with SIGKILL would otherwise leave it running.
// It leaves through Azurite's own graceful shutdown, which saves its databases, so a parent killed
// with SIGKILL and restarted on the same --location finds what it had written. The parent's end
// of stdout/stderr is gone by then: writing there must not crash the shutdown.
let parentGone = false;
let closedServices = 0;
const log = console.log.bind(console);
// Azurite's shutdown closes its three services (saving their data) but leaves the process
// running; exit once all three report closed instead of waiting to be killed.
console.log = (...args: unknown[]): void => {
  if (!parentGone) log(...args);
  if (typeof args[0] === 'string' && args[0].includes('service successfully closed') && ++closedServices === 3) process.exit(0);
};
process.on('disconnect', () => {
  parentGone = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  console.error = () => undefined;
  setTimeout(() => process.exit(0), 5_000).unref();
  process.emit('SIGTERM');
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('azurite/dist/src/azurite.js');
