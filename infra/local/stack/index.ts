// The whole local stack in one call: the Graph + Teams simulator, one Azurite, and one HTTPS host
// per deployment running this project's app (package.json main), each deployment configured
// through its environment only — as app settings configure a Function App in Azure. Used by the
// demo (`npm start`), the end-to-end tests and anyone who wants two tenants talking locally.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startAzurite, type RunningAzurite } from '../azurite';
import { HostLaunchError, generateKey, launchHost, type RunningHost } from '../host';
import { startSimulator, type RunningSimulator, type SimAppView, type SimTenantView, type SimulatorOptions, type World } from '../simulator';
import { ensureTrustFile } from '../tls';

/** The app registration every deployment signs in with (present in each tenant of the default world). */
export const PRODUCT_APP_NAME = 'cross-cloud-handshake';

/**
 * Short retry intervals, lifetimes and timeouts, for tests and demos that should not wait minutes.
 * Passed to every deployment with `timings: 'short'`; `settings` and a deployment's `env` win.
 */
export const SHORT_TIMINGS: Readonly<Record<string, string>> = {
  ACTIVITY_FIRST_RETRY_INTERVAL_MS: '200',
  ACTIVITY_MAX_ATTEMPTS: '3',
  MESSAGE_DELIVERY_FIRST_RETRY_INTERVAL_MS: '250',
  MESSAGE_DELIVERY_MAX_RETRY_INTERVAL_MS: '2000',
  MESSAGE_DELIVERY_MAX_ATTEMPTS: '20',
  MESSAGE_DELIVERY_REQUEST_TIMEOUT_MS: '10000',
  GRAPH_RETRY_BASE_DELAY_MS: '20',
  GRAPH_RETRY_MAX_DELAY_MS: '500',
  PARTNER_READY_TIMEOUT: '3m',
  // A receiver that crashed mid-message is taken over by a redelivery this soon (within the retries above).
  NONCE_PROCESSING_LEASE_SECONDS: '5',
  // Offboarding waits for a writer that crashed at most this long, and looks again this often.
  TENANT_WRITER_LEASE_SECONDS: '60',
  OFFBOARD_WRITER_POLL_INTERVAL_MS: '250',
};

export interface LocalStackDeploymentOptions {
  /** Short name, e.g. "Contoso": it names the task hub, the table prefix and the key file. */
  name: string;
  /** The deployment's own tenant (a tenant of the simulator's world). */
  tenantId: string;
  /** Extra app settings of this deployment (win over everything else; undefined removes one). */
  env?: Record<string, string | undefined>;
}

export interface LocalStackOptions {
  deployments: LocalStackDeploymentOptions[];
  /** World of the simulator: a file or a world object (default: infra/local/worlds/default.json). */
  world?: World | string;
  /** Latency of every simulated login, Graph and Teams request. */
  latencyMs?: number;
  /** Other simulator options (faults, notification delays, policy size limit...). */
  simulator?: Omit<SimulatorOptions, 'world' | 'latencyMs' | 'port'>;
  /** `short`: SHORT_TIMINGS for every deployment. Default: the product's own defaults. */
  timings?: 'default' | 'short';
  /** App settings for every deployment (over the timings, under a deployment's own `env`). */
  settings?: Record<string, string | undefined>;
  /** Folder for key files, Azurite data and logs; a temporary folder removed by stop() when absent. */
  stateDir?: string;
  /** Azurite in memory (faster; its data does not survive the stack). Default false. */
  inMemoryStorage?: boolean;
  /** The Functions app to run (default: this project). */
  appDir?: string;
  /** Echo host logs to stderr, prefixed by the deployment name (default: when HOST_LOGS is set). */
  echo?: boolean;
  /** Stop everything on SIGINT (and exit 130 when nobody else listens). Default true. */
  handleSigint?: boolean;
}

export interface LocalStackDeployment {
  readonly name: string;
  readonly tenantId: string;
  readonly cloud: string;
  readonly tenant: SimTenantView;
  /** https://127.0.0.1:PORT — the same across restarts (the partner keeps this URL). */
  readonly baseUrl: string;
  readonly functionKey: string;
  readonly masterKey: string;
  readonly systemKey: string;
  readonly taskHub: string;
  readonly tablePrefix: string;
  /** The deployment's Ed25519 key file (HANDSHAKE_KEY_FILE). */
  readonly keyFile: string;
  /** The app settings the host was started with (secrets included: do not print). */
  readonly settings: Readonly<Record<string, string>>;
  /** True while its host process runs. */
  readonly running: boolean;
  /** The current host process (throws when stopped). */
  host(): RunningHost;
  /** Everything every host process of this deployment printed so far. */
  output(): string;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** Immediate kill (SIGKILL by default), as a crash. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it if it runs, then starts a new host process on the same port, keys, storage and key file. */
  restart(): Promise<void>;
}

export interface LocalStack {
  simulator: RunningSimulator;
  azurite: RunningAzurite;
  /** The local CA; `trustFile` is what NODE_EXTRA_CA_CERTS must name for a process to call the stack. */
  caFile: string;
  trustFile: string;
  stateDir: string;
  deployments: Record<string, LocalStackDeployment>;
  /** The deployment of that name (throws naming the known ones). */
  deployment(name: string): LocalStackDeployment;
  /** Stops every host, Azurite and the simulator (and removes a temporary state folder). */
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
}

const NAME = /^[A-Za-z][A-Za-z0-9]{0,30}$/;
const PORT_ATTEMPTS = 5;

/** Starts the simulator, Azurite and one HTTPS host per deployment; resolves when all are running. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  validate(options);
  const ownsStateDir = !options.stateDir;
  const stateDir = options.stateDir ? resolve(options.stateDir) : mkdtempSync(join(tmpdir(), 'cch-stack-'));
  mkdirSync(stateDir, { recursive: true });
  const appDir = resolve(options.appDir ?? projectRoot());
  const echo = options.echo ?? Boolean(process.env.HOST_LOGS);

  const started: { simulator?: RunningSimulator; azurite?: RunningAzurite; deployments: DeploymentRunner[] } = { deployments: [] };
  let stopped = false;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    removeProcessHooks();
    await Promise.allSettled(started.deployments.map((deployment) => deployment.stop()));
    await Promise.allSettled([started.azurite?.stop(), started.simulator?.stop()]);
    if (ownsStateDir) rmSync(stateDir, { recursive: true, force: true });
  };
  // Whatever happens to this process, no host or Azurite outlives it.
  const killNow = (): void => {
    for (const deployment of started.deployments) deployment.killSync();
    if (started.azurite) killPid(started.azurite.pid);
  };
  const onSigint = (): void => {
    void stopAll().finally(() => {
      if (process.listenerCount('SIGINT') === 0) process.exit(130);
    });
  };
  const removeProcessHooks = (): void => {
    process.off('exit', killNow);
    process.off('SIGINT', onSigint);
  };
  process.on('exit', killNow);
  if (options.handleSigint ?? true) process.on('SIGINT', onSigint);

  try {
    const trust = await ensureTrustFile({ existing: process.env.NODE_EXTRA_CA_CERTS });
    const [simulator, azurite] = await Promise.all([
      startSimulator({ ...options.simulator, world: options.world, latencyMs: options.latencyMs, port: 0 }),
      startAzurite(options.inMemoryStorage ? { inMemory: true } : { location: join(stateDir, 'azurite') }),
    ]);
    started.simulator = simulator;
    started.azurite = azurite;

    const base: Record<string, string | undefined> = {
      ...(options.timings === 'short' ? SHORT_TIMINGS : {}),
      ...options.settings,
    };
    const runners = options.deployments.map(
      (deployment) =>
        new DeploymentRunner({
          deployment,
          simulator,
          azurite,
          appDir,
          stateDir,
          trustFile: trust.file,
          baseSettings: base,
          echo,
        }),
    );
    started.deployments.push(...runners);
    // One at a time: hosts starting together on two cores only slow each other down.
    for (const runner of runners) await runner.start();

    const deployments = Object.fromEntries(runners.map((runner) => [runner.name, runner.handle()]));
    return {
      simulator,
      azurite,
      caFile: simulator.caFile,
      trustFile: trust.file,
      stateDir,
      deployments,
      deployment(name: string): LocalStackDeployment {
        const found = deployments[name];
        if (!found) throw new LocalStackError(`No deployment named "${name}" (known: ${Object.keys(deployments).join(', ')})`);
        return found;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface RunnerOptions {
  deployment: LocalStackDeploymentOptions;
  simulator: RunningSimulator;
  azurite: RunningAzurite;
  appDir: string;
  stateDir: string;
  trustFile: string;
  baseSettings: Record<string, string | undefined>;
  echo: boolean;
}

/** One deployment: its settings, its fixed keys and port, and the host process currently running it. */
class DeploymentRunner {
  readonly name: string;
  readonly tenant: SimTenantView;
  readonly app: SimAppView;
  readonly masterKey = generateKey();
  readonly functionKey = generateKey();
  readonly systemKey = generateKey();
  readonly keyFile: string;
  private readonly folder: string;
  private port = 0;
  private current: RunningHost | undefined;
  private outputs: (() => string)[] = [];
  private settings: Record<string, string> = {};

  constructor(private readonly options: RunnerOptions) {
    this.name = options.deployment.name;
    const tenantId = options.deployment.tenantId.toLowerCase();
    const tenant = options.simulator.world.tenants.find((candidate) => candidate.id.toLowerCase() === tenantId);
    if (!tenant) throw new LocalStackError(`Deployment ${this.name}: tenant ${tenantId} is not in the simulator's world`);
    const app = options.simulator.world.apps.find((candidate) => candidate.tenantId.toLowerCase() === tenantId && candidate.displayName === PRODUCT_APP_NAME);
    if (!app) throw new LocalStackError(`Deployment ${this.name}: tenant ${tenant.displayName} has no "${PRODUCT_APP_NAME}" app in the world`);
    this.tenant = tenant;
    this.app = app;
    this.folder = join(options.stateDir, 'deployments', this.name);
    mkdirSync(this.folder, { recursive: true });
    this.keyFile = join(this.folder, 'deployment-key.json');
  }

  get baseUrl(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.current) return;
    const fixedPort = this.port !== 0;
    for (let attempt = 1; ; attempt += 1) {
      if (!fixedPort) this.port = await freePort();
      this.settings = this.appSettings();
      try {
        const host = await launchHost({
          appDir: this.options.appDir,
          port: this.port,
          https: true,
          storageConnectionString: this.options.azurite.connectionString,
          taskHub: this.settings.AzureFunctionsJobHost__extensions__durableTask__hubName,
          masterKey: this.masterKey,
          functionKey: this.functionKey,
          systemKey: this.systemKey,
          env: this.settings,
          echo: this.options.echo,
          logPrefix: `[${this.name}]`,
          logFile: join(this.folder, 'host.log'),
        });
        this.current = host;
        this.outputs.push(() => host.output());
        return;
      } catch (error) {
        // Another process took the free port between the probe and the listen: take another one.
        const portTaken = error instanceof HostLaunchError && /already in use/.test(error.message);
        if (!portTaken || fixedPort || attempt >= PORT_ATTEMPTS) {
          throw error instanceof HostLaunchError ? new LocalStackError(`Deployment ${this.name}: ${error.message}`) : error;
        }
      }
    }
  }

  async stop(): Promise<void> {
    const host = this.current;
    this.current = undefined;
    await host?.stop();
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const host = this.current;
    this.current = undefined;
    await host?.kill(signal);
  }

  killSync(): void {
    if (this.current) killPid(this.current.pid);
  }

  handle(): LocalStackDeployment {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const runner = this;
    return {
      name: runner.name,
      tenantId: runner.tenant.id,
      cloud: runner.tenant.cloud,
      tenant: runner.tenant,
      get baseUrl() {
        return runner.baseUrl;
      },
      functionKey: runner.functionKey,
      masterKey: runner.masterKey,
      systemKey: runner.systemKey,
      taskHub: taskHubOf(runner.name),
      tablePrefix: runner.name,
      keyFile: runner.keyFile,
      get settings() {
        return { ...runner.settings };
      },
      get running() {
        return runner.current !== undefined;
      },
      host(): RunningHost {
        if (!runner.current) throw new LocalStackError(`Deployment ${runner.name} is not running`);
        return runner.current;
      },
      output: () => runner.outputs.map((output) => output()).join(''),
      stop: () => runner.stop(),
      kill: (signal?: NodeJS.Signals) => runner.kill(signal),
      restart: async () => {
        await runner.stop();
        await runner.start();
      },
    };
  }

  private appSettings(): Record<string, string> {
    const { simulator, azurite, trustFile, baseSettings, deployment } = this.options;
    const merged: Record<string, string | undefined> = {
      TENANT_ID: this.tenant.id,
      TENANT_CLOUD: this.tenant.cloud,
      CREDENTIAL_KIND: 'clientSecret',
      CLIENT_ID: this.app.clientId,
      CLIENT_SECRET: this.app.clientSecret,
      CLOUD_HOST_BASE_URL: simulator.url,
      AzureWebJobsStorage: azurite.connectionString,
      AzureFunctionsJobHost__extensions__durableTask__hubName: taskHubOf(this.name),
      TABLE_PREFIX: this.name,
      PUBLIC_BASE_URL: this.baseUrl,
      HANDSHAKE_KEY_FILE: this.keyFile,
      NODE_EXTRA_CA_CERTS: trustFile,
      // App Service Authentication, emulated by the host against the simulator's login host
      // (see docs/console.md): the console's sign-in runs the same code path as in Azure.
      WEBSITE_AUTH_ENABLED: 'true',
      WEBSITE_AUTH_OPENID_ISSUER: `${this.tenant.loginBaseUrl}/${this.tenant.id}/v2.0`,
      WEBSITE_AUTH_CLIENT_ID: this.app.clientId,
      MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: this.app.clientSecret,
      TRUST_APP_SERVICE_PRINCIPAL: 'true',
      ...baseSettings,
      ...deployment.env,
    };
    return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
  }
}

function validate(options: LocalStackOptions): void {
  if (!options || !Array.isArray(options.deployments) || options.deployments.length === 0) {
    throw new LocalStackError('startLocalStack needs at least one deployment ({ name, tenantId })');
  }
  const names = new Set<string>();
  for (const deployment of options.deployments) {
    if (!NAME.test(deployment.name ?? '')) {
      throw new LocalStackError(`Deployment name "${deployment.name}" must be letters and digits, starting with a letter (it names a task hub and tables)`);
    }
    if (names.has(deployment.name.toLowerCase())) throw new LocalStackError(`Two deployments are named "${deployment.name}"`);
    names.add(deployment.name.toLowerCase());
  }
}

/** Task hub names: letters and digits, 3-45 characters. */
function taskHubOf(name: string): string {
  return `${name}Hub`.slice(0, 45);
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** This project's folder (the app), found from here whether running from dist/ or the sources. */
export function projectRoot(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'cross-cloud-handshake') return dir;
  }
  throw new LocalStackError(`Cannot find the project folder above ${__dirname}`);
}
