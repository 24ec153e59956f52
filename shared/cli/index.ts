// The `handshake` command line (bin: shared/cli/handshake.ts).
export { runCli, ENV, DEFAULT_CLI_WAIT_MS } from './run';
export type { CliIo } from './run';
export { EXIT, UsageError, exitCodeFor } from './exitCodes';
export type { ExitCode } from './exitCodes';
export { parseCommandLine, USAGE, COMMANDS } from './args';
export type { CommandName, ParsedCommand } from './args';
export { buildPartnershipRequest } from './request';
