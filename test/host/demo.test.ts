// `npm start` (interim): this project's own compiled app runs on the host with an embedded
// Azurite and the sample orchestration completes through real HTTP.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/host';

it('npm start runs the greeting orchestration to completion and exits 0', async () => {
  const child = fork(join(PROJECT_ROOT, 'dist/infra/local/demo/main.js'), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(output).toContain('Started greetingOrchestration');
  expect(output).toMatch(/"Hello, Contoso!",\s+"Hello, Fabrikam!",\s+"Hello, 21Vianet!"/);
  expect(code).toBe(0);
}, 120_000);
