// `npm run package`: the zip a Function App runs (WEBSITE_RUN_FROM_PACKAGE) —
//   host.json, package.json (main + production dependencies only), dist/{functions,orchestrations,shared}
//   and node_modules with the production dependency tree of package-lock.json, copied from the
//   installed node_modules (no registry needed) and pruned of what the runtime never loads
//   (type declarations, source maps, docs, tests, browser and React Native builds).
// Nothing of the local stack (host, simulator, Azurite), the tests or the dev tools goes in.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

export const PACKAGE_FILE_NAME = 'cross-cloud-handshake.zip';

/** Compiled folders of the app (the rest of dist/ is the local stack and the tests). */
export const APP_FOLDERS = ['dist/functions', 'dist/orchestrations', 'dist/shared'] as const;

export interface PackageOptions {
  /** The project root (package.json, package-lock.json, node_modules, a built dist/). */
  root: string;
  /** Where the zip goes (default `<root>/dist/package/cross-cloud-handshake.zip`). */
  outFile?: string;
}

export interface PackageResult {
  path: string;
  bytes: number;
  /** Files in the zip. */
  files: number;
  /** Production packages copied from node_modules. */
  packages: number;
  /** Bytes of the files before compression. */
  uncompressedBytes: number;
}

/** File names the runtime never loads. */
const PRUNED_FILE = /(\.d\.[cm]?ts|\.d\.ts\.map|\.map|\.tsbuildinfo|\.md|\.markdown|\.ts|\.mts|\.cts)$/i;
const KEPT_FILE = /^(license|licence|notice|copying)(\..*)?$/i;
/** Folders inside a package the runtime never loads. */
const PRUNED_FOLDER = new Set(['test', 'tests', '__tests__', 'docs', '.github', 'coverage']);
/** Builds for other platforms inside dist folders (Node loads the commonjs/esm ones). */
const OTHER_PLATFORM_BUILDS = new Set(['browser', 'react-native', 'workerd']);
/**
 * Packages of the lock's production tree that Node never loads: @azure/identity depends on
 * msal-browser for its browser build only (its Node build does not require it).
 */
const NOT_LOADED_ON_NODE = new Set(['node_modules/@azure/msal-browser']);
/** Per-package folders Node never loads (minified copies, ES sources, browser builds). */
const PACKAGE_PRUNES: Record<string, readonly string[]> = {
  'node_modules/moment': ['min', 'src', 'dist', 'ts3.1-typings'],
  'node_modules/@azure/msal-common': ['dist-browser'],
  'node_modules/@azure/msal-node/node_modules/@azure/msal-common': ['dist-browser'],
  'node_modules/axios': ['dist/browser', 'dist/esm'],
};

export function buildPackage(options: PackageOptions): PackageResult {
  const root = resolve(options.root);
  const outFile = resolve(options.outFile ?? join(root, 'dist', 'package', PACKAGE_FILE_NAME));
  for (const folder of APP_FOLDERS) {
    if (!existsSync(join(root, folder))) throw new Error(`${folder} is missing: run npm run build first.`);
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }> };

  const entries: Zippable = {};
  let uncompressedBytes = 0;
  const add = (zipPath: string, data: Uint8Array): void => {
    entries[zipPath] = data;
    uncompressedBytes += data.length;
  };

  add('host.json', readFileSync(join(root, 'host.json')));
  add(
    'package.json',
    Buffer.from(
      `${JSON.stringify(
        {
          name: manifest.name,
          version: manifest.version,
          description: manifest.description,
          private: true,
          main: manifest.main,
          engines: manifest.engines,
          dependencies: manifest.dependencies,
        },
        null,
        2,
      )}\n`,
    ),
  );
  for (const folder of APP_FOLDERS) {
    for (const file of walk(join(root, folder), (name) => !name.endsWith('.map'))) add(toZipPath(relative(root, file)), readFileSync(file));
  }

  // The production closure: lock entries not marked dev (nested ones have their own entries).
  const production = Object.entries(lock.packages).filter(
    ([path, entry]) => path.startsWith('node_modules/') && !entry.dev && !entry.devOptional && !NOT_LOADED_ON_NODE.has(path),
  );
  let packages = 0;
  for (const [path, entry] of production) {
    const folder = join(root, path);
    if (!existsSync(folder)) {
      if (entry.optional) continue;
      throw new Error(`${path} is in package-lock.json but not installed: run npm ci first.`);
    }
    packages += 1;
    const pruned = (PACKAGE_PRUNES[path] ?? []).map((sub) => join(folder, sub));
    for (const file of walkPackage(folder)) {
      if (pruned.some((prefix) => file.startsWith(`${prefix}${sep}`))) continue;
      add(toZipPath(relative(root, file)), readFileSync(file));
    }
  }

  const zipped = zipSync(entries, { level: 9, mtime: new Date('2024-01-01T00:00:00Z') });
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, zipped);
  return { path: outFile, bytes: zipped.length, files: Object.keys(entries).length, packages, uncompressedBytes };
}

/** A package's files, without its nested node_modules (listed separately) and what the runtime never loads. */
function walkPackage(folder: string): string[] {
  return walk(folder, (name, isDirectory, parent) => {
    if (isDirectory) {
      if (name === 'node_modules' || PRUNED_FOLDER.has(name.toLowerCase())) return false;
      return !(OTHER_PLATFORM_BUILDS.has(name) && isUnderDist(folder, parent));
    }
    if (name === 'package.json' || KEPT_FILE.test(name)) return true;
    return !PRUNED_FILE.test(name);
  });
}

/** True when `parent` is a package's dist folder or below it. */
function isUnderDist(packageFolder: string, parent: string): boolean {
  return relative(packageFolder, parent).split(sep).some((part) => part === 'dist');
}

function walk(folder: string, keep: (name: string, isDirectory: boolean, parent: string) => boolean): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isSymbolicLink()) {
      const stats = statSync(path);
      if (stats.isDirectory() ? keep(entry.name, true, folder) : keep(entry.name, false, folder)) files.push(...(stats.isDirectory() ? walk(path, keep) : [path]));
    } else if (entry.isDirectory()) {
      if (keep(entry.name, true, folder)) files.push(...walk(path, keep));
    } else if (entry.isFile() && keep(entry.name, false, folder)) {
      files.push(path);
    }
  }
  return files;
}

function toZipPath(path: string): string {
  return path.split(sep).join('/');
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
}

if (require.main === module) {
  const root = resolve(__dirname, '..', '..', '..');
  const result = buildPackage({ root });
  process.stdout.write(
    `${relative(process.cwd(), result.path) || result.path}: ${formatBytes(result.bytes)} ` +
      `(${result.files} files, ${result.packages} production packages, ${formatBytes(result.uncompressedBytes)} unpacked)\n`,
  );
}
