// Loads an app the way the Node.js worker does: package.json `main` (a file or a glob) is
// required (or imported for ESM) with `@azure/functions-core` resolvable, so the app's
// registrations reach the host; then every registration is checked against what this host runs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { glob, hasMagic } from 'glob';
import { HostError, describeError } from '../errors';
import { CoreApi, RegisteredFunction, RpcBindingInfo } from './coreApi';

export type FunctionKind = 'http' | 'timer' | 'orchestration' | 'activity';

export interface AppFunction {
  name: string;
  kind: FunctionKind;
  registration: RegisteredFunction;
  triggerName: string;
  trigger: RpcBindingInfo;
  /** Names of durableClient input bindings. */
  durableClientInputs: string[];
  /** Name of the http output binding ($return or a named one), for http triggers. */
  httpOutputName?: string;
}

const TRIGGER_KINDS: Record<string, FunctionKind> = {
  httptrigger: 'http',
  timertrigger: 'timer',
  orchestrationtrigger: 'orchestration',
  activitytrigger: 'activity',
};

export interface PackageJson {
  main?: string;
  type?: string;
  name?: string;
}

/** Reads and checks APP_DIR/package.json; throws HostError with one readable sentence. */
export function readPackageJson(appDir: string): PackageJson {
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) {
    throw new HostError('app.missing', `App folder not found: ${appDir}`);
  }
  const file = resolve(appDir, 'package.json');
  if (!existsSync(file)) throw new HostError('app.package-json', `No package.json in the app folder ${appDir}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HostError('app.package-json', `${file} is not valid JSON: ${describeError(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HostError('app.package-json', `${file} must hold a JSON object`);
  }
  const pkg = parsed as Record<string, unknown>;
  if (typeof pkg.main !== 'string' || pkg.main.trim() === '') {
    throw new HostError('app.main', `${file} has no "main" entry: set it to the compiled entry point that registers the functions (e.g. "dist/src/functions/*.js")`);
  }
  return { main: pkg.main, type: typeof pkg.type === 'string' ? pkg.type : undefined, name: typeof pkg.name === 'string' ? pkg.name : undefined };
}

/** The entry point files `main` names, in load order. */
export async function resolveEntryPoints(appDir: string, main: string): Promise<string[]> {
  if (hasMagic(main)) {
    const files = (await glob(main, { cwd: appDir, nodir: true, absolute: true })).sort();
    if (files.length === 0) {
      throw new HostError('app.main', `package.json "main" is the pattern "${main}", which matches no file in ${appDir} (is the app built?)`);
    }
    return files;
  }
  const target = isAbsolute(main) ? main : resolve(appDir, main);
  try {
    return [require.resolve(target)];
  } catch {
    throw new HostError('app.main', `package.json "main" points at ${target}, which does not exist (is the app built?)`);
  }
}

/** Loads the entry points; the app's registrations land in `core`. */
export async function loadEntryPoints(appDir: string, pkg: PackageJson, files: string[], core: CoreApi): Promise<void> {
  for (const file of files) {
    core.currentEntryPoint = file;
    try {
      if (file.endsWith('.mjs') || (pkg.type === 'module' && !file.endsWith('.cjs'))) {
        // A real dynamic import (tsc would turn `import()` into require under CommonJS).
        const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;
        await importModule(pathToFileURL(file).href);
      } else {
        require(file);
      }
    } catch (error) {
      const where = relative(appDir, file) || file;
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new HostError('app.load', `Worker was unable to load entry point "${where}": ${detail}`, { cause: error });
    } finally {
      core.currentEntryPoint = undefined;
    }
  }
  core.indexingLocked = true;
}

/** Sorts registrations into what the host runs; anything else is refused with the function's name. */
export function classifyFunctions(core: CoreApi): AppFunction[] {
  const result: AppFunction[] = [];
  const problems: string[] = [];
  for (const registration of core.functions.values()) {
    const entries = Object.entries(registration.metadata.bindings ?? {});
    const triggers = entries.filter(([, b]) => /trigger$/i.test(String(b.type ?? '')));
    if (triggers.length !== 1) {
      problems.push(`function "${registration.name}" has ${triggers.length} triggers (exactly one is needed)`);
      continue;
    }
    const [triggerName, trigger] = triggers[0];
    const triggerType = String(trigger.type);
    const kind = TRIGGER_KINDS[triggerType.toLowerCase()];
    if (!kind) {
      problems.push(
        triggerType.toLowerCase() === 'entitytrigger'
          ? `function "${registration.name}" is a durable entity (entityTrigger); durable entities are not supported by this host yet`
          : `function "${registration.name}" uses the trigger "${triggerType}", which this host does not support (supported: httpTrigger, timerTrigger, orchestrationTrigger, activityTrigger)`,
      );
      continue;
    }
    const fn: AppFunction = { name: registration.name, kind, registration, triggerName, trigger, durableClientInputs: [] };
    for (const [bindingName, binding] of entries) {
      if (bindingName === triggerName) continue;
      const type = String(binding.type ?? '').toLowerCase();
      if (binding.direction === 'in' && (type === 'durableclient' || type === 'orchestrationclient')) {
        fn.durableClientInputs.push(bindingName);
      } else if (binding.direction === 'out' && type === 'http' && kind === 'http') {
        fn.httpOutputName ??= bindingName;
      } else {
        problems.push(
          `function "${registration.name}" uses the ${binding.direction === 'out' ? 'output' : 'input'} binding "${bindingName}" of type "${String(binding.type)}", which this host does not support`,
        );
      }
    }
    result.push(fn);
  }
  if (problems.length > 0) throw new HostError('app.unsupported', `The app uses features this host does not support: ${problems.join('; ')}`);
  return result.sort((a, b) => a.name.localeCompare(b.name));
}
