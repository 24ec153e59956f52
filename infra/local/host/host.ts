// Starts the host for one app in this process: settings, keys, the HTTP listener, the app
// (through `@azure/functions-core`), storage (given, or an embedded Azurite), the durable engine
// (recovering unfinished instances) and the timers. One app per process.
import { createServer, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startAzurite, RunningAzurite } from '../azurite';
import { ensureLocalCa } from '../tls';
import { CoreApi, installCoreModule } from './app/coreApi';
import { installCrashSwitch } from './crashSwitch';
import { Invoker, formatError } from './app/invoker';
import { AppFunction, classifyFunctions, loadEntryPoints, readPackageJson, resolveEntryPoints } from './app/loader';
import { DurableEngine } from './durable/engine';
import { DurableStore } from './durable/store';
import { durableClientBindingData } from './durable/httpApi';
import { HostError } from './errors';
import { AppServiceAuthentication } from './http/appServiceAuth';
import { HostContext, createRequestHandler, functionUrl } from './http/server';
import { RouteTable } from './http/routes';
import { Logger, parseLogLevel } from './logger';
import { HostKeys, applySettingsToEnv, isPlainObject, readHostJson, readLocalSettings, resolveKeys, resolveSettingExpression, resolveStoredKeys } from './settings';
import { HostSecretStore } from './storage/secrets';
import { StorageMetrics, ensureTables } from './storage/tables';
import { TIMER_STATUS_TABLE, TimerScheduler, compileTimers } from './timers/scheduler';

export interface StartHostOptions {
  appDir: string;
  /** Port to listen on; 0 picks a free one. Default: local.settings.json Host.LocalHttpPort, else 7071. */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  bindAddress?: string;
  /** Folder for the embedded Azurite's data (when AzureWebJobsStorage asks for development storage). */
  azuriteLocation?: string;
  /**
   * Serve HTTPS (like `func start --useHttps`) with a certificate for 127.0.0.1 and localhost issued
   * at start by the local stack's CA (`infra/local/tls`); callers trust it through NODE_EXTRA_CA_CERTS.
   */
  https?: boolean;
  /** Folder of the local CA (default `<project>/.local/tls`). */
  tlsDir?: string;
  logger?: Logger;
}

export interface StartedHost {
  url: string;
  port: number;
  keys: HostKeys;
  hubName: string;
  functions: AppFunction[];
  context: HostContext;
  /** Graceful stop: stop listening, let running work finish (briefly), run appTerminate hooks. */
  stop(): Promise<void>;
}

const DEFAULT_PORT = 7071;
const DEVELOPMENT_STORAGE = 'usedevelopmentstorage=true';
const STORAGE_SETTING = 'AzureWebJobsStorage';

/** A storage connection string that is not the development-storage shorthand, else undefined. */
function explicitStorage(setting: string | undefined): string | undefined {
  if (!setting || setting.trim().toLowerCase().replace(/;$/, '') === DEVELOPMENT_STORAGE) return undefined;
  return setting;
}

export async function startHost(options: StartHostOptions): Promise<StartedHost> {
  const logger = options.logger ?? new Logger();
  const env = process.env;
  const appDir = resolve(options.appDir);

  // Cheap checks first, before anything listens.
  const pkg = readPackageJson(appDir);
  const localSettings = readLocalSettings(appDir);
  if (localSettings) applySettingsToEnv(localSettings.values, env);
  env.FUNCTIONS_WORKER_RUNTIME ??= 'node';
  env.FUNCTIONS_EXTENSION_VERSION ??= '~4';
  env.AZURE_FUNCTIONS_ENVIRONMENT ??= 'Development';
  env.AzureWebJobsScriptRoot ??= appDir;
  const hostJson = readHostJson(appDir, env, Math.max(1, cpus().length));
  const logging = isPlainObject(hostJson.raw.logging) ? hostJson.raw.logging : {};
  const logLevel = isPlainObject(logging.logLevel) ? logging.logLevel : {};
  logger.setLevel(parseLogLevel(logLevel.default ?? logLevel.Default));
  // Until storage is known (below): keys from settings, the others generated for now.
  const keys = resolveKeys(env);
  for (const key of [keys.master, keys.functionDefault, keys.durableSystem]) logger.addSecret(key);
  const entryPoints = await resolveEntryPoints(appDir, pkg.main!);
  const hostId = (env.AzureFunctionsWebHost__hostid ?? hostJson.hubName).toLowerCase();

  const metrics = new StorageMetrics();
  const context: HostContext = {
    state: 'Starting',
    hostId,
    keys,
    routePrefix: hostJson.routePrefix,
    routes: new RouteTable<AppFunction>(),
    functions: [],
    logger,
    metrics,
    startedAt: Date.now(),
    origin: '',
    appServiceAuth: AppServiceAuthentication.fromEnv(env, keys.master, (message) => logger.warn(message)),
  };
  if (localSettings?.cors) {
    const origins = localSettings.cors.split(',').map((o) => o.trim()).filter(Boolean);
    context.cors = { origins: origins.includes('*') ? '*' : origins, credentials: localSettings.corsCredentials === true };
  }

  const handler = createRequestHandler(context);
  let server: Server;
  if (options.https) {
    const certificate = await (await ensureLocalCa(options.tlsDir)).issue(['127.0.0.1', 'localhost']);
    server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, handler);
  } else {
    server = createServer(handler);
  }
  server.keepAliveTimeout = 5_000;
  const requestedPort = options.port ?? localSettings?.localHttpPort ?? DEFAULT_PORT;
  const bindAddress = options.bindAddress ?? '127.0.0.1';
  const port = await listen(server, requestedPort, bindAddress);
  const publicHost = bindAddress === '0.0.0.0' || bindAddress === '::' ? 'localhost' : bindAddress;
  // durable-functions builds management URLs from WEBSITE_HOSTNAME (and falls back to localhost:7071).
  if (!env.WEBSITE_HOSTNAME || env.WEBSITE_HOSTNAME.includes('0.0.0.0')) env.WEBSITE_HOSTNAME = `${publicHost}:${port}`;
  const scheme = options.https ? 'https' : 'http';
  context.origin = `${scheme}://${env.WEBSITE_HOSTNAME}`;
  const url = `${scheme}://${publicHost}:${port}`;

  let azurite: RunningAzurite | undefined;
  let engine: DurableEngine | undefined;
  let timers: TimerScheduler | undefined;
  const core = new CoreApi((level, category, message) => logger.log(level, message, category === 'user' ? 'App' : undefined));
  const uninstall = installCoreModule(core);
  const stopEverything = async (): Promise<void> => {
    await new Promise<void>((done) => server.close(() => done()));
    server.closeAllConnections();
    await timers?.stop();
    await engine?.stop();
    uninstall();
    await azurite?.stop();
  };

  try {
    process.chdir(appDir);
    await loadEntryPoints(appDir, pkg, entryPoints, core);
    const functions = classifyFunctions(core);
    context.functions = functions;
    if (functions.length === 0) logger.warn('No job functions found: the app registered no functions.');
    const capabilities = (await core.programmingModel?.getCapabilities?.({})) ?? {};
    if (capabilities.HttpUri) {
      throw new HostError('app.unsupported', 'The app enables HTTP streaming (app.setup({ enableHttpStream: true })), which this host does not support');
    }
    for (const fn of functions) {
      if (fn.kind !== 'http') continue;
      const route = resolveSettingExpression(String(fn.trigger.route ?? fn.name), env, `the route of function "${fn.name}"`);
      fn.trigger.route = route;
      context.routes.add(route, fn);
    }
    const compiledTimers = compileTimers(functions, env);

    const needsDurable = functions.some((fn) => fn.kind === 'orchestration' || fn.kind === 'activity' || fn.durableClientInputs.length > 0);
    const needsStorage = needsDurable || compiledTimers.size > 0;
    let connectionString: string | undefined;
    if (needsStorage) {
      const setting = env[hostJson.durableConnectionName];
      if (!setting || setting.trim().toLowerCase().replace(/;$/, '') === DEVELOPMENT_STORAGE) {
        const location = options.azuriteLocation ?? env.LOCAL_HOST_AZURITE_LOCATION;
        azurite = await startEmbeddedAzurite(location, logger);
        connectionString = azurite.connectionString;
        logger.info(`Started Azurite for ${hostJson.durableConnectionName} (data in ${azurite.location})`);
      } else {
        connectionString = setting;
      }
      const tables = [...(needsDurable ? [`${hostJson.hubName}Instances`] : []), ...(compiledTimers.size > 0 ? [TIMER_STATUS_TABLE] : [])];
      await ensureTables(connectionString, tables, metrics);
    }
    // Keys not given as settings live in the storage account, as in Azure, and survive restarts.
    const keysStorage = hostJson.durableConnectionName === STORAGE_SETTING && connectionString ? connectionString : explicitStorage(env[STORAGE_SETTING]);
    if (keysStorage) {
      Object.assign(keys, await resolveStoredKeys(env, new HostSecretStore(keysStorage, hostId)));
      for (const key of [keys.master, keys.functionDefault, keys.durableSystem]) logger.addSecret(key);
    }

    const invoker = new Invoker(core, logger);
    context.invoker = invoker;
    await installCrashSwitch(invoker, { env, functions, connectionString, hostId, logger, metrics });
    if (needsDurable) {
      engine = new DurableEngine({
        store: new DurableStore(connectionString!, hostJson.hubName, metrics),
        hubName: hostJson.hubName,
        invoker,
        functions,
        logger,
        maxConcurrentActivities: hostJson.maxConcurrentActivityFunctions,
        maxConcurrentOrchestrations: hostJson.maxConcurrentOrchestratorFunctions,
      });
      context.engine = engine;
      const hub = hostJson.hubName;
      invoker.durableClientData = () => durableClientBindingData(context.origin, hub, keys.durableSystem);
    }
    timers = new TimerScheduler({ functions, compiled: compiledTimers, invoker, logger, hostId, connectionString, metrics });
    context.timers = timers;

    await core.executeHooks('appStart', { hookData: core.appLevelOnlyHookData, appHookData: core.appHookData, functionAppDirectory: appDir });
    if (engine) {
      const resumed = await engine.recover();
      if (resumed > 0) logger.info(`Resumed ${resumed} unfinished orchestration instance(s) of task hub ${hostJson.hubName}`);
    }
    await timers.start();
    context.state = 'Running';
    printBanner(logger, context, functions, keys, hostJson.hubName, url);
  } catch (error) {
    context.state = 'Error';
    await stopEverything().catch(() => undefined);
    throw error;
  }

  let stopped = false;
  return {
    url,
    port,
    keys,
    hubName: hostJson.hubName,
    functions: context.functions,
    context,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      context.state = 'Stopping';
      try {
        await core.executeHooks('appTerminate', { hookData: core.appLevelOnlyHookData, appHookData: core.appHookData });
      } catch (error) {
        logger.error(`appTerminate hook failed: ${formatError(error)}`);
      }
      await stopEverything();
    },
  };
}

const AZURITE_PID_FILE = '.local-host-azurite.pid';

/**
 * Starts Azurite for the host. With a data folder, waits first for an Azurite a killed host left
 * behind on that folder to save its data and go (two on one folder would lose writes).
 */
async function startEmbeddedAzurite(location: string | undefined, logger: Logger): Promise<RunningAzurite> {
  if (!location) return startAzurite({});
  mkdirSync(location, { recursive: true });
  const pidFile = join(location, AZURITE_PID_FILE);
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const deadline = Date.now() + 15_000;
    while (Number.isInteger(pid) && pid > 0 && isAlive(pid) && Date.now() < deadline) {
      logger.debug(`Waiting for the previous Azurite (pid ${pid}) on ${location} to stop`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const azurite = await startAzurite({ location });
  writeFileSync(pidFile, String(azurite.pid));
  return {
    ...azurite,
    stop: async () => {
      await azurite.stop();
      rmSync(pidFile, { force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listen(server: Server, port: number, address: string): Promise<number> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new HostError('port.invalid', `Invalid port ${port}: use 0-65535 (0 picks a free port)`));
  }
  return new Promise((resolvePort, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new HostError('port.in-use', `Port ${port} is already in use on ${address}; pick another with --port (0 picks a free one)`));
      else if (error.code === 'EACCES') reject(new HostError('port.invalid', `Not allowed to listen on ${address}:${port}`));
      else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, address);
  });
}

function printBanner(logger: Logger, ctx: HostContext, functions: AppFunction[], keys: HostKeys, hubName: string, url: string): void {
  const lines: string[] = ['', 'Functions:', ''];
  for (const fn of functions) {
    if (fn.kind === 'http') {
      const methods = Array.isArray(fn.trigger.methods) ? (fn.trigger.methods as string[]).map((m) => m.toUpperCase()).join(',') : 'ALL';
      lines.push(`        ${fn.name}: [${methods}] ${functionUrl(ctx, fn)} (authLevel ${String(fn.trigger.authLevel ?? 'anonymous')})`);
    } else {
      const detail = fn.kind === 'timer' ? ` (${String(fn.trigger.schedule)})` : '';
      lines.push(`        ${fn.name}: ${String(fn.trigger.type)}${detail}`);
    }
    lines.push('');
  }
  if (ctx.engine) lines.push(`Durable task hub: ${hubName}`);
  // Keys the host chose are shown so a developer can call function- and admin-level endpoints.
  const shown: Record<string, string> = { FUNCTIONS_MASTER_KEY: keys.master, FUNCTIONS_DEFAULT_KEY: keys.functionDefault, FUNCTIONS_DURABLE_SYSTEM_KEY: keys.durableSystem };
  if (keys.generated.length > 0) {
    const where = keys.storedIn ? `kept in ${keys.storedIn} for later runs` : 'for this run';
    lines.push(`Generated keys, ${where} (set ${keys.generated.join(', ')} to choose them):`);
    for (const name of keys.generated) lines.push(`        ${name}=${shown[name]}`);
  }
  if (keys.reused.length > 0) {
    lines.push(`Keys read from ${keys.storedIn} (set ${keys.reused.join(', ')} to choose others):`);
    for (const name of keys.reused) lines.push(`        ${name}=${shown[name]}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  logger.always(`Host started: listening on ${url} (state Running)`);
}
