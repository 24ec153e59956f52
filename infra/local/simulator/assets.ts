// Data files the simulator reads at run time (the OpenAPI subset, the default world). tsc does
// not copy them to dist/, so the compiled simulator reads them from the source tree.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

function projectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
  return dir;
}

/** Absolute path of a file given relative to infra/local/simulator/. */
export function assetPath(relativePath: string): string {
  const beside = join(__dirname, relativePath);
  if (existsSync(beside)) return beside;
  const root = projectRoot(__dirname);
  // dist/infra/local/simulator → infra/local/simulator
  const sourceDir = join(root, relative(join(root, 'dist'), __dirname));
  return join(sourceDir, relativePath);
}
