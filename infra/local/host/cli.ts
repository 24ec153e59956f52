// `npm run host -- --app <APP_DIR> --port <PORT>`: runs a compiled v4 Node.js Functions app like
// `func start`. Exits 1 with one readable line on bad input (missing app or main, malformed
// settings, invalid schedule, port in use, unreachable storage).
import { resolve } from 'node:path';
import { formatError } from './app/invoker';
import { HostError } from './errors';
import { StartedHost, startHost } from './host';
import { Logger } from './logger';

const USAGE = `usage: npm run host -- --app <APP_DIR> [--port <PORT>] [--bind <ADDRESS>] [--azurite-location <DIR>] [--https]

  --app                folder of the Functions app (its package.json "main" registers the functions)
  --port               port to listen on; 0 picks a free port (default: local.settings.json Host.LocalHttpPort, else 7071)
  --bind               address to listen on (default 127.0.0.1)
  --azurite-location   data folder for the embedded Azurite (when AzureWebJobsStorage is UseDevelopmentStorage=true or unset)
  --https              serve HTTPS with a certificate issued by the local stack's CA (callers need NODE_EXTRA_CA_CERTS)`;

interface CliOptions {
  app: string;
  port?: number;
  bind?: string;
  azuriteLocation?: string;
  https?: boolean;
}

export function parseArgs(argv: string[]): CliOptions | 'help' {
  const options: Partial<CliOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new HostError('cli.usage', `${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--app':
      case '--script-root':
        options.app = value();
        break;
      case '--port':
      case '-p': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535) throw new HostError('port.invalid', `Invalid port "${text}": use 0-65535 (0 picks a free port)`);
        options.port = port;
        break;
      }
      case '--bind':
        options.bind = value();
        break;
      case '--azurite-location':
        options.azuriteLocation = value();
        break;
      case '--https':
      case '--useHttps':
        if (inline !== undefined) throw new HostError('cli.usage', `${flag} takes no value\n${USAGE}`);
        options.https = true;
        break;
      default:
        throw new HostError('cli.usage', `Unknown argument "${arg}"\n${USAGE}`);
    }
  }
  if (!options.app) throw new HostError('cli.usage', `--app is required\n${USAGE}`);
  return options as CliOptions;
}

async function main(): Promise<void> {
  const logger = new Logger();
  let parsed: CliOptions | 'help';
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    fail(error);
    return;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // App code must never take the host down.
  process.on('unhandledRejection', (reason) => logger.error(`Unhandled promise rejection (ignored): ${formatError(reason)}`));
  process.on('uncaughtException', (error) => logger.error(`Uncaught exception (ignored): ${formatError(error)}`));

  let host: StartedHost | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    logger.always(`Received ${signal}; stopping the host`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    void (host ? host.stop() : Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`Stop failed: ${formatError(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Started by launchHost (with an IPC channel): go when the parent goes.
  if (process.send) process.on('disconnect', () => shutdown('disconnect'));

  try {
    host = await startHost({ appDir: resolve(parsed.app), port: parsed.port, bindAddress: parsed.bind, azuriteLocation: parsed.azuriteLocation, https: parsed.https, logger });
    if (stopping) await host.stop();
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): void {
  if (error instanceof HostError) {
    process.stderr.write(`error: ${error.message}\n`);
  } else {
    process.stderr.write(`error: ${formatError(error)}\n`);
  }
  process.exit(1);
}

if (require.main === module) void main();
