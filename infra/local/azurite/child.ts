// Runs Azurite inside a child process that dies with its parent: Azurite itself ignores a
// closed IPC channel, so a parent killed with SIGKILL would otherwise leave it running.
process.on('disconnect', () => process.exit(0));
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('azurite/dist/src/azurite.js');
