// `npm run bench -- <name> [--json] [...]` runs test/bench/<name>.ts. Benchmarks stay out of
// `npm test`: each prints its figure next to a baseline measured in the same run.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Benchmark {
  main(args: string[]): Promise<void>;
}

async function run(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js')
    .map((f) => f.slice(0, -3));
  if (!name || !existsSync(join(__dirname, `${name}.js`)) || name === 'run') {
    console.error(`usage: npm run bench -- <${available.join('|')}> [--json]`);
    process.exit(2);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const benchmark = require(join(__dirname, name)) as Benchmark;
  await benchmark.main(args);
}

run().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
