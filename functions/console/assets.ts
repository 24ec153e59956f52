// The console's built files (dist/console: app.js, app.css, each with .br and .gz copies made by
// `npm run build`), read once and served with a content hash so browsers may cache them forever.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONSOLE_ASSET_DIR = join(__dirname, '..', '..', 'console');
const TYPES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };

export interface ConsoleAsset {
  contentType: string;
  hash: string;
  raw: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

const cache = new Map<string, ConsoleAsset | null>();

/** The asset of that name, or undefined (unknown name, or the build did not make it). */
export function consoleAsset(name: string): ConsoleAsset | undefined {
  if (!(name in TYPES)) return undefined;
  if (!cache.has(name)) {
    const file = join(CONSOLE_ASSET_DIR, name);
    if (!existsSync(file)) {
      cache.set(name, null);
    } else {
      const raw = readFileSync(file);
      const optional = (suffix: string): Buffer | undefined => (existsSync(`${file}${suffix}`) ? readFileSync(`${file}${suffix}`) : undefined);
      cache.set(name, { contentType: TYPES[name], hash: createHash('sha256').update(raw).digest('hex').slice(0, 16), raw, br: optional('.br'), gzip: optional('.gz') });
    }
  }
  return cache.get(name) ?? undefined;
}

/** The encoding to send for an Accept-Encoding header. */
export function pickEncoding(asset: ConsoleAsset, acceptEncoding: string | null): { body: Buffer; encoding?: 'br' | 'gzip' } {
  const accepted = (acceptEncoding ?? '').toLowerCase();
  if (asset.br && /\bbr\b/.test(accepted)) return { body: asset.br, encoding: 'br' };
  if (asset.gzip && /\bgzip\b/.test(accepted)) return { body: asset.gzip, encoding: 'gzip' };
  return { body: asset.raw };
}
