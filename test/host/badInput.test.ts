// Bad input stops the host with one readable line and exit code 1 (never a hang or a stack).
import { createServer, type Server } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostLaunchError, PROJECT_ROOT, WORKFLOWS_APP, launchHost, tempDir, type LaunchHostOptions } from '../support/host';

const root = tempDir('host-bad-input');
afterAll(() => root.remove());

/** An app folder outside the project; NODE_PATH lets it find this project's packages. */
function app(name: string, files: Record<string, string>): string {
  const dir = join(root.path, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

const PACKAGE = JSON.stringify({ name: 'bad', main: 'index.js' });
const NODE_PATH = join(PROJECT_ROOT, 'node_modules');

async function expectStartFailure(options: LaunchHostOptions, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    const host = await launchHost({ readyTimeoutMs: 60_000, ...options, env: { NODE_PATH, ...options.env } });
    await host.stop();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(HostLaunchError);
  const failure = error as HostLaunchError;
  expect(failure.exitCode).toBe(1);
  const errorLines = failure.output.split('\n').filter((line) => line.startsWith('error: '));
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toMatch(message);
  expect(failure.output).not.toMatch(/^\s+at /m);
  expect(failure.message).toMatch(message);
}

describe('the host refuses bad input clearly', () => {
  it('a missing app folder', async () => {
    await expectStartFailure({ appDir: join(root.path, 'does-not-exist') }, /App folder not found: .*does-not-exist/);
  });

  it('no package.json', async () => {
    await expectStartFailure({ appDir: app('no-package', { 'index.js': '' }) }, /No package\.json in the app folder/);
  });

  it('a package.json that is not JSON', async () => {
    await expectStartFailure({ appDir: app('broken-package', { 'package.json': '{ "main": ' }) }, /package\.json is not valid JSON/);
  });

  it('a package.json without "main"', async () => {
    await expectStartFailure({ appDir: app('no-main', { 'package.json': '{ "name": "x" }' }) }, /has no "main" entry/);
  });

  it('a "main" that points at nothing', async () => {
    await expectStartFailure({ appDir: app('missing-main', { 'package.json': JSON.stringify({ main: 'dist/index.js' }) }) }, /"main" points at .*dist\/index\.js, which does not exist \(is the app built\?\)/);
  });

  it('a "main" glob that matches no file', async () => {
    await expectStartFailure({ appDir: app('empty-glob', { 'package.json': JSON.stringify({ main: 'dist/src/functions/*.js' }) }) }, /"main" is the pattern "dist\/src\/functions\/\*\.js", which matches no file/);
  });

  it('a malformed local.settings.json', async () => {
    const dir = app('bad-settings', { 'package.json': PACKAGE, 'index.js': '', 'local.settings.json': '{ "Values": { "A": 1, } }' });
    await expectStartFailure({ appDir: dir }, /local\.settings\.json .* is not valid JSON/);
  });

  it('an entry point that throws while loading', async () => {
    const dir = app('throws', { 'package.json': PACKAGE, 'index.js': "throw new Error('cannot start: missing config');" });
    await expectStartFailure({ appDir: dir }, /Worker was unable to load entry point "index\.js": cannot start: missing config/);
  });

  it('an invalid NCRONTAB schedule', async () => {
    await expectStartFailure(
      { appDir: WORKFLOWS_APP, env: { TICK_SCHEDULE: '* * * * *', TEST_STATE_DIR: root.path } },
      /Invalid NCRONTAB schedule "\* \* \* \* \*" of timer function "tick": expected 6 fields/,
    );
  });

  it('an invalid route template', async () => {
    const dir = app('bad-route', { 'package.json': PACKAGE, 'index.js': "require('@azure/functions').app.get('f', { route: 'a/{b', handler: () => ({}) });" });
    await expectStartFailure({ appDir: dir }, /Route template "a\/\{b" is invalid/);
  });

  it('triggers and bindings the host does not support, naming the function', async () => {
    const queue = app('queue', {
      'package.json': PACKAGE,
      'index.js': "require('@azure/functions').app.storageQueue('onMessage', { queueName: 'q', connection: 'AzureWebJobsStorage', handler: () => {} });",
    });
    await expectStartFailure({ appDir: queue }, /function "onMessage" uses the trigger "queueTrigger", which this host does not support/);
    const entity = app('entity', {
      'package.json': PACKAGE,
      'index.js': "require('durable-functions').app.entity('counter', (context) => context.df.return(1));",
    });
    await expectStartFailure({ appDir: entity }, /function "counter" is a durable entity \(entityTrigger\); durable entities are not supported by this host yet/);
    const output = app('output', {
      'package.json': PACKAGE,
      'index.js': [
        "const { app, output } = require('@azure/functions');",
        "app.http('send', { extraOutputs: [output.storageQueue({ queueName: 'q', connection: 'AzureWebJobsStorage' })], handler: () => ({}) });",
      ].join('\n'),
    });
    await expectStartFailure({ appDir: output }, /function "send" uses the output binding "queueOutput\w*" of type "queue"/);
    const streaming = app('streaming', {
      'package.json': PACKAGE,
      'index.js': "const { app } = require('@azure/functions'); app.setup({ enableHttpStream: true }); app.get('f', () => ({}));",
    });
    await expectStartFailure({ appDir: streaming }, /HTTP streaming .* not support/);
  });

  describe('with a port already in use', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('names the port', async () => {
      await expectStartFailure({ appDir: app('port', { 'package.json': PACKAGE, 'index.js': '' }), port }, new RegExp(`Port ${port} is already in use`));
    });
  });

  it('unreachable storage', async () => {
    // Nothing listens on port 9 (discard) of this machine.
    const unreachable = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;';
    await expectStartFailure({ appDir: WORKFLOWS_APP, storageConnectionString: unreachable, env: { TEST_STATE_DIR: root.path } }, /Cannot reach table storage at http:\/\/127\.0\.0\.1:9/);
  });

  it('a storage connection string that is not one', async () => {
    await expectStartFailure({ appDir: WORKFLOWS_APP, storageConnectionString: 'this is not a connection string', env: { TEST_STATE_DIR: root.path } }, /storage connection string is not usable/);
  });
});
