// `npm run build`, after tsc: bundles the console's browser code and style sheet with esbuild into
// dist/console (with brotli and gzip copies), and writes the OpenAPI description to
// dist/openapi.json. Nothing here reaches a network.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(__dirname, '..', '..', '..');
const out = join(root, 'dist', 'console');
const web = join(root, 'functions', 'console', 'web');

function compressed(file: string): void {
  const raw = readFileSync(file);
  writeFileSync(`${file}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(web, 'main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await build({ entryPoints: [join(web, 'app.css')], outfile: join(out, 'app.css'), bundle: true, minify: true, logLevel: 'warning' });
  compressed(join(out, 'app.js'));
  compressed(join(out, 'app.css'));

  // The description imports the handlers' schemas; @azure/functions notes it is outside a host.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('WARNING: ')) warn(...args);
  };
  const { buildOpenApi } = await import('./openapi');
  console.warn = warn;
  writeFileSync(join(root, 'dist', 'openapi.json'), `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
