// The layers of docs/architecture.md, checked on the source: each rule lists the imports that
// break it (none is the only passing answer). Relative imports are resolved to files, so a rule
// about a folder holds however the import is spelled.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_FOLDERS = ['functions', 'orchestrations', 'shared'];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

interface ImportEdge {
  /** The importing file, relative to the repository. */
  from: string;
  /** A package name, or the imported file relative to the repository. */
  to: string;
}

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

function resolved(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = path.join(path.dirname(from), specifier);
  const candidates = [base, `${base}.ts`, path.join(base, 'index.ts')];
  return candidates.find((candidate) => fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) ?? base;
}

const EDGES: ImportEdge[] = SOURCE_FOLDERS.flatMap(sourceFiles).flatMap((from) => {
  const text = fs.readFileSync(path.join(ROOT, from), 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => ({ from, to: resolved(from, match[1] ?? match[2] ?? match[3] ?? match[4]) }));
});

const under = (folder: string) => (file: string): boolean => file === folder || file.startsWith(`${folder}/`);
const isPackage = (...names: string[]) => (to: string): boolean => names.some((name) => to === name || to.startsWith(`${name}/`));
const breaking = (importer: (file: string) => boolean, imported: (to: string) => boolean): string[] =>
  EDGES.filter((edge) => importer(edge.from) && imported(edge.to)).map((edge) => `${edge.from} → ${edge.to}`);

describe('the layers of docs/architecture.md', () => {
  it('reads the imports of the source (the check is not vacuous)', () => {
    expect(EDGES.length).toBeGreaterThan(500);
    expect(EDGES).toContainEqual({ from: 'functions/partnerships.ts', to: '@azure/functions' });
  });

  it('the domain (shared/) imports neither the Functions runtime nor the layers above it', () => {
    const functionsRuntime = isPackage('@azure/functions', 'durable-functions');
    const upperLayer = (to: string): boolean => ['functions', 'orchestrations', 'infra', 'test'].some((folder) => under(folder)(to));
    expect(breaking(under('shared'), (to) => functionsRuntime(to) || upperLayer(to))).toEqual([]);
  });

  it('the API client and the CLI know the deployment only through its HTTP API, not its tables', () => {
    const clientSide = (file: string): boolean => under('shared/client')(file) || under('shared/cli')(file);
    expect(breaking(clientSide, (to) => under('shared/tables')(to) || isPackage('@azure/data-tables')(to))).toEqual([]);
  });

  it('use cases start and signal workflows only through the starter interface, never a durable context', () => {
    expect(breaking(under('orchestrations/usecases'), isPackage('@azure/functions', 'durable-functions'))).toEqual([]);
  });

  it('workflows and use cases do not reach up into the triggers; the app does not import the local stack', () => {
    expect(breaking(under('orchestrations'), under('functions'))).toEqual([]);
    expect(breaking((file) => under('functions')(file) || under('orchestrations')(file) || under('shared')(file), under('infra'))).toEqual([]);
  });
});
