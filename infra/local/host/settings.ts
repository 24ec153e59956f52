// App settings the way Functions reads them: local.settings.json `Values` fill the environment
// (a variable already set wins), host.json is overlaid by `AzureFunctionsJobHost__a__b` variables,
// and `%Name%` in binding values and hub names resolves to the setting `Name`.
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostError, describeError } from './errors';

export interface LocalSettings {
  values: Record<string, string>;
  /** `Host.LocalHttpPort`, when set. */
  localHttpPort?: number;
  /** `Host.CORS`: allowed origins, comma separated (`*` for any). */
  cors?: string;
  corsCredentials?: boolean;
}

/** Reads `APP_DIR/local.settings.json`; absent file → undefined; malformed → HostError. */
export function readLocalSettings(appDir: string): LocalSettings | undefined {
  const file = join(appDir, 'local.settings.json');
  if (!existsSync(file)) return undefined;
  const where = `local.settings.json (${file})`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripBom(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new HostError('settings.invalid', `${where} is not valid JSON: ${describeError(error)}`);
  }
  if (!isPlainObject(parsed)) throw new HostError('settings.invalid', `${where} must hold a JSON object`);
  if (parsed.IsEncrypted === true) {
    throw new HostError('settings.invalid', `${where} is encrypted (IsEncrypted: true); this host reads plain settings only`);
  }
  const values: Record<string, string> = {};
  if (parsed.Values !== undefined) {
    if (!isPlainObject(parsed.Values)) throw new HostError('settings.invalid', `${where}: "Values" must be an object`);
    for (const [key, value] of Object.entries(parsed.Values)) {
      if (typeof value === 'string') values[key] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
      else if (value !== null) {
        throw new HostError('settings.invalid', `${where}: Values.${key} must be a string, not ${Array.isArray(value) ? 'an array' : typeof value}`);
      }
    }
  }
  const settings: LocalSettings = { values };
  if (parsed.Host !== undefined) {
    if (!isPlainObject(parsed.Host)) throw new HostError('settings.invalid', `${where}: "Host" must be an object`);
    const port = parsed.Host.LocalHttpPort;
    if (port !== undefined) {
      const n = Number(port);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        throw new HostError('settings.invalid', `${where}: Host.LocalHttpPort must be a port number, got ${JSON.stringify(port)}`);
      }
      settings.localHttpPort = n;
    }
    if (typeof parsed.Host.CORS === 'string') settings.cors = parsed.Host.CORS;
    if (parsed.Host.CORSCredentials === true) settings.corsCredentials = true;
  }
  return settings;
}

/** Copies settings into `env` where the variable is not already set (the real environment wins). */
export function applySettingsToEnv(values: Record<string, string>, env: NodeJS.ProcessEnv): void {
  for (const [key, value] of Object.entries(values)) {
    if (env[key] === undefined) env[key] = value;
  }
}

export interface HostJson {
  routePrefix: string;
  hubName: string;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  /** Name of the setting holding the durable storage connection (default AzureWebJobsStorage). */
  durableConnectionName: string;
  raw: Record<string, unknown>;
}

const ENV_OVERRIDE_PREFIX = 'azurefunctionsjobhost__';
export const DEFAULT_HUB_NAME = 'TestHubName';

/** Reads host.json (optional) and applies `AzureFunctionsJobHost__…` overrides from `env`. */
export function readHostJson(appDir: string, env: NodeJS.ProcessEnv, cpuCount: number): HostJson {
  const file = join(appDir, 'host.json');
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(stripBom(readFileSync(file, 'utf8')));
    } catch (error) {
      throw new HostError('host-json.invalid', `host.json (${file}) is not valid JSON: ${describeError(error)}`);
    }
    if (!isPlainObject(parsed)) throw new HostError('host-json.invalid', `host.json (${file}) must hold a JSON object`);
    if (parsed.version !== undefined && parsed.version !== '2.0') {
      throw new HostError('host-json.invalid', `host.json "version" must be "2.0" (Functions v4), got ${JSON.stringify(parsed.version)}`);
    }
    raw = parsed;
  }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || !key.toLowerCase().startsWith(ENV_OVERRIDE_PREFIX)) continue;
    setPath(raw, key.slice(ENV_OVERRIDE_PREFIX.length).split('__'), value);
  }

  const http = getPath(raw, ['extensions', 'http']);
  const durable = getPath(raw, ['extensions', 'durableTask']);
  const routePrefixValue = isPlainObject(http) ? getCaseless(http, 'routePrefix') : undefined;
  const routePrefix = routePrefixValue === undefined ? 'api' : String(routePrefixValue).replace(/^\/+|\/+$/g, '');

  const durableObject = isPlainObject(durable) ? durable : {};
  const hubValue = getCaseless(durableObject, 'hubName');
  const hubName = hubValue === undefined || hubValue === '' ? DEFAULT_HUB_NAME : resolveSettingExpression(String(hubValue), env, 'extensions.durableTask.hubName');
  validateHubName(hubName);
  const storageProvider = getCaseless(durableObject, 'storageProvider');
  const connectionName = isPlainObject(storageProvider) ? getCaseless(storageProvider, 'connectionStringName') ?? getCaseless(storageProvider, 'connectionName') : undefined;

  return {
    routePrefix,
    hubName,
    maxConcurrentActivityFunctions: positiveInt(getCaseless(durableObject, 'maxConcurrentActivityFunctions'), 10 * cpuCount, 'maxConcurrentActivityFunctions'),
    maxConcurrentOrchestratorFunctions: positiveInt(getCaseless(durableObject, 'maxConcurrentOrchestratorFunctions'), 10 * cpuCount, 'maxConcurrentOrchestratorFunctions'),
    durableConnectionName: connectionName === undefined ? 'AzureWebJobsStorage' : String(connectionName),
    raw,
  };
}

/** Task hub names follow the Azure Storage provider's rule (they prefix table names). */
export function validateHubName(hubName: string): void {
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
    throw new HostError(
      'durable.task-hub',
      `Task hub name "${hubName}" is invalid: use 3-45 letters or digits, starting with a letter`,
    );
  }
}

/** Resolves `%Setting%` expressions (Functions binding expressions for app settings). */
export function resolveSettingExpression(value: string, env: NodeJS.ProcessEnv, what: string): string {
  return value.replace(/%([^%]+)%/g, (_match, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) {
      throw new HostError('settings.invalid', `${what} refers to the app setting %${name}%, which is not set`);
    }
    return resolved;
  });
}

export interface HostKeys {
  /** Admin level: every function, /admin/*, the durable webhooks. */
  master: string;
  /** Host-level function key ("default"): accepted by every function with authLevel function. */
  functionDefault: string;
  /** System key of the durabletask extension, carried in the management URLs (`code=`). */
  durableSystem: string;
  /** Names of the settings that were absent, so the key was generated (for this run, or kept in `storedIn`). */
  generated: string[];
  /** Names of the settings that were absent, so the key was read back from `storedIn`. */
  reused: string[];
  /** Where generated keys are kept (`azure-webjobs-secrets/{hostId}/host.json`); absent: this run only. */
  storedIn?: string;
}

type KeyName = 'master' | 'functionDefault' | 'durableSystem';
const KEY_NAMES: readonly KeyName[] = ['master', 'functionDefault', 'durableSystem'];

export const KEY_SETTINGS = {
  master: 'FUNCTIONS_MASTER_KEY',
  functionDefault: 'FUNCTIONS_DEFAULT_KEY',
  durableSystem: 'FUNCTIONS_DURABLE_SYSTEM_KEY',
} as const;

/** The keys given as settings (env or local.settings.json); each must be at least 16 characters. */
export function configuredKeys(env: NodeJS.ProcessEnv): Partial<Record<KeyName, string>> {
  const configured: Partial<Record<KeyName, string>> = {};
  for (const name of KEY_NAMES) {
    const setting = KEY_SETTINGS[name];
    const value = env[setting];
    if (value === undefined || value === '') continue;
    if (value.length < 16) throw new HostError('settings.invalid', `${setting} must be at least 16 characters long`);
    configured[name] = value;
  }
  return configured;
}

/** Keys come from settings (env or local.settings.json), else are generated for this run. */
export function resolveKeys(env: NodeJS.ProcessEnv): HostKeys {
  const configured = configuredKeys(env);
  const missing = KEY_NAMES.filter((name) => configured[name] === undefined);
  const generated = Object.fromEntries(missing.map((name) => [name, generateKey()]));
  return { ...generated, ...configured, generated: missing.map((name) => KEY_SETTINGS[name]), reused: [] } as HostKeys;
}

/**
 * Keys from settings; the others from the storage account (`keys`: see storage/secrets.ts),
 * generated and stored there first when none are stored yet.
 */
export async function resolveStoredKeys(
  env: NodeJS.ProcessEnv,
  store: { location: string; read(): Promise<Record<KeyName, string> | undefined>; create(keys: Record<KeyName, string>, hostName: string | null): Promise<Record<KeyName, string>> },
): Promise<HostKeys> {
  const configured = configuredKeys(env);
  const missing = KEY_NAMES.filter((name) => configured[name] === undefined);
  if (missing.length === 0) return { ...(configured as Record<KeyName, string>), generated: [], reused: [] };
  let stored = await store.read();
  let created = false;
  if (!stored) {
    const fresh = { master: generateKey(), functionDefault: generateKey(), durableSystem: generateKey() };
    stored = await store.create(fresh, env.WEBSITE_HOSTNAME ?? null);
    created = stored.master === fresh.master;
  }
  const names = missing.map((name) => KEY_SETTINGS[name]);
  return { ...stored, ...configured, generated: created ? names : [], reused: created ? [] : names, storedIn: store.location };
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_LENGTH = 40;

/**
 * A random key (about 238 bits), letters and digits only: a base64url key that starts with "-"
 * reads as a flag on a command line (`--key -Xyz…` is refused by parseArgs), and "_"/"-" are
 * easy to lose when a key is copied from a terminal.
 */
export function generateKey(): string {
  let key = '';
  for (let i = 0; i < KEY_LENGTH; i++) key += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return key;
}

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new HostError('host-json.invalid', `host.json extensions.durableTask.${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getCaseless(object: Record<string, unknown>, key: string): unknown {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(object)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function getPath(object: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = object;
  for (const segment of path) {
    if (!isPlainObject(current)) return undefined;
    current = getCaseless(current, segment);
  }
  return current;
}

function setPath(object: Record<string, unknown>, path: string[], value: string): void {
  let current = object;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const existingKey = Object.keys(current).find((k) => k.toLowerCase() === segment.toLowerCase()) ?? segment;
    if (i === path.length - 1) {
      current[existingKey] = value;
      return;
    }
    const next = current[existingKey];
    if (!isPlainObject(next)) current[existingKey] = {};
    current = current[existingKey] as Record<string, unknown>;
  }
}
