// The simulator's state and services, independent of HTTP: tenants, apps, tokens, faults,
// counters, notifications, persistence. One Engine per running simulator.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenAuthority } from './auth/tokens';
import { SimulatorError } from './errors';
import { Counters, Faults, FaultSettingsInput } from './faults';
import { RequestLog } from './requestLog';
import { GraphSpec } from './openapi';
import { ChangeListener, createTenantState, Directory, DirectoryChange, TenantState } from './state';
import { LoadedWorld, WorldApp, loadWorld, World } from './world';

export const DEFAULT_POLICY_SIZE_LIMIT_BYTES = 25 * 1024;
export const DEFAULT_NOTIFICATION_DELAY_MS = 200;
/** Graph documents no maximum; the simulator's choice, well under what a receiver accepts. */
export const DEFAULT_NOTIFICATION_BATCH_SIZE = 100;
export const DEFAULT_SUBSCRIPTION_VALIDATION_TIMEOUT_MS = 10_000;
const STATE_FILE = 'state.json';
const PERSIST_DEBOUNCE_MS = 50;

export interface NotificationRetryOptions {
  /** Delivery attempts per notification before it is dropped (and `missed` is sent). */
  maxAttempts?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface EngineOptions {
  world?: World | string;
  stateDir?: string;
  /** Delay before a change notification is sent (changes within it are batched). */
  notificationDelayMs?: number;
  /** Notifications per POST at most: a batch that reaches it is sent at once (default 100). */
  notificationBatchSize?: number;
  notificationRetry?: NotificationRetryOptions;
  /** How long the notification URL has to answer the validation request (Graph: 10 s). */
  subscriptionValidationTimeoutMs?: number;
  /** Extra latency on every login, Graph and Teams request (same as faults.latencyMs). */
  latencyMs?: number;
  faults?: FaultSettingsInput;
  /** A response that breaks the OpenAPI description becomes a 500 (default true). */
  strict?: boolean;
  /** Size limit of a tenant's whole cross-tenant access policy (Entra: 25 KB). */
  policySizeLimitBytes?: number;
  tokenLifetimeSeconds?: number;
  /**
   * The Teams admin base hosts answer only the discovery request; configurations are served at
   * the discovered endpoint (teams/discovery.ts). Default false: both serve them.
   */
  teamsDiscoveryRequired?: boolean;
  log?: (line: string) => void;
}

export interface ResolvedEngineOptions {
  stateDir?: string;
  notificationDelayMs: number;
  notificationBatchSize: number;
  notificationRetry: Required<NotificationRetryOptions>;
  subscriptionValidationTimeoutMs: number;
  strict: boolean;
  policySizeLimitBytes: number;
  tokenLifetimeSeconds?: number;
  teamsDiscoveryRequired: boolean;
  log: (line: string) => void;
}

export interface Violation {
  at: string;
  operation: string;
  status: number;
  problems: string[];
}

/** The validation handshake of subscription endpoints (implemented by the NotificationHub). */
export interface EndpointValidator {
  validateEndpoint(tenantId: string, url: string, field: string): Promise<void>;
}

interface PersistedState {
  version: 1;
  worldDigest: string;
  tenants: TenantState[];
}

export class Engine {
  /** Base URL (`https://127.0.0.1:PORT`), set once the server listens. */
  url = '';
  readonly spec = GraphSpec.shared();
  readonly counters = new Counters();
  readonly requests = new RequestLog();
  readonly violations: Violation[] = [];
  faults: Faults;
  /** Set by startSimulator once the notification hub exists. */
  endpointValidator: EndpointValidator | undefined;
  private tenants = new Map<string, TenantState>();
  private directories = new Map<string, Directory>();
  private readonly apps = new Map<string, WorldApp>();
  private readonly listeners: ChangeListener[] = [];
  private readonly worldDigest: string;
  private persistTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly world: LoadedWorld,
    readonly tokens: TokenAuthority,
    readonly options: ResolvedEngineOptions,
    private readonly initialFaults: FaultSettingsInput,
  ) {
    this.faults = new Faults(initialFaults);
    this.worldDigest = createHash('sha256').update(JSON.stringify(world)).digest('hex');
    for (const app of world.apps) this.apps.set(app.clientId.toLowerCase(), app);
    this.loadTenants();
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const world = loadWorld(options.world);
    const tokens = await TokenAuthority.create(options.stateDir);
    const retry = options.notificationRetry ?? {};
    const resolved: ResolvedEngineOptions = {
      stateDir: options.stateDir,
      notificationDelayMs: options.notificationDelayMs ?? DEFAULT_NOTIFICATION_DELAY_MS,
      notificationBatchSize: Math.max(1, options.notificationBatchSize ?? DEFAULT_NOTIFICATION_BATCH_SIZE),
      notificationRetry: {
        maxAttempts: retry.maxAttempts ?? 6,
        initialDelayMs: retry.initialDelayMs ?? 250,
        maxDelayMs: retry.maxDelayMs ?? 10_000,
      },
      subscriptionValidationTimeoutMs: options.subscriptionValidationTimeoutMs ?? DEFAULT_SUBSCRIPTION_VALIDATION_TIMEOUT_MS,
      strict: options.strict ?? true,
      policySizeLimitBytes: options.policySizeLimitBytes ?? DEFAULT_POLICY_SIZE_LIMIT_BYTES,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds,
      teamsDiscoveryRequired: options.teamsDiscoveryRequired ?? false,
      log: options.log ?? (() => undefined),
    };
    const faults: FaultSettingsInput = { ...(options.faults ?? {}) };
    if (options.latencyMs !== undefined) faults.latencyMs = options.latencyMs;
    try {
      return new Engine(world, tokens, resolved, faults);
    } catch (error) {
      if (error instanceof SimulatorError) throw error;
      throw new SimulatorError('options.invalid', `Invalid simulator options: ${(error as Error).message}`);
    }
  }

  tenant(id: string): TenantState | undefined {
    return this.tenants.get(id.toLowerCase());
  }

  tenantList(): TenantState[] {
    return [...this.tenants.values()];
  }

  directory(tenant: TenantState): Directory {
    let directory = this.directories.get(tenant.id.toLowerCase());
    if (!directory || directory.state !== tenant) {
      directory = new Directory(tenant, (change) => this.announce(change));
      this.directories.set(tenant.id.toLowerCase(), directory);
    }
    return directory;
  }

  app(clientId: string): WorldApp | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  onDirectoryChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  recordViolation(violation: Violation): void {
    this.violations.push(violation);
    this.options.log(`[simulator] response breaks the OpenAPI description: ${violation.operation} ${violation.status}: ${violation.problems.join('; ')}`);
  }

  /** Back to the world as loaded (state, faults, counters); persisted state is overwritten. */
  reset(): void {
    this.tenants = new Map(this.world.tenants.map((tenant) => [tenant.id.toLowerCase(), createTenantState(tenant, this.world)]));
    this.directories.clear();
    this.faults = new Faults(this.initialFaults);
    this.counters.reset();
    this.requests.clear();
    this.violations.length = 0;
    this.markDirty();
  }

  /** Call after every change of tenant state; persists (debounced) when there is a state folder. */
  markDirty(): void {
    if (!this.options.stateDir || this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      this.persistNow();
    }, PERSIST_DEBOUNCE_MS);
    this.persistTimer.unref();
  }

  persistNow(): void {
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistTimer = undefined;
    }
    const dir = this.options.stateDir;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const state: PersistedState = { version: 1, worldDigest: this.worldDigest, tenants: this.tenantList() };
    const file = join(dir, STATE_FILE);
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, JSON.stringify(state));
    renameSync(staging, file);
  }

  private announce(change: DirectoryChange): void {
    this.markDirty();
    for (const listener of this.listeners) listener(change);
  }

  private loadTenants(): void {
    const file = this.options.stateDir ? join(this.options.stateDir, STATE_FILE) : undefined;
    if (file && existsSync(file)) {
      let persisted: PersistedState;
      try {
        persisted = JSON.parse(readFileSync(file, 'utf8')) as PersistedState;
      } catch (error) {
        throw new SimulatorError('state.unreadable', `Cannot read simulator state ${file}: ${(error as Error).message}`);
      }
      if (persisted.version === 1 && persisted.worldDigest === this.worldDigest) {
        this.tenants = new Map(persisted.tenants.map((tenant) => [tenant.id.toLowerCase(), tenant]));
        this.options.log(`[simulator] state restored from ${file}`);
        return;
      }
      this.options.log(`[simulator] ${file} belongs to another world; starting from the world file`);
    }
    this.tenants = new Map(this.world.tenants.map((tenant) => [tenant.id.toLowerCase(), createTenantState(tenant, this.world)]));
  }
}
