import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostError } from '../../infra/local/host/errors';
import { applySettingsToEnv, generateKey, readHostJson, readLocalSettings, resolveKeys, resolveSettingExpression, validateHubName } from '../../infra/local/host/settings';
import { parseArgs } from '../../infra/local/host/cli';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'host-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function expectHostError(fn: () => unknown, code: string, message: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(HostError);
  expect((error as HostError).code).toBe(code);
  expect((error as HostError).message).toMatch(message);
}

describe('local.settings.json', () => {
  it('is optional', () => {
    expect(readLocalSettings(dir)).toBeUndefined();
  });

  it('reads Values (numbers and booleans as strings) and Host', () => {
    writeFileSync(join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { A: 'x', N: 3, B: true }, Host: { LocalHttpPort: 7199, CORS: '*' } }));
    expect(readLocalSettings(dir)).toEqual({ values: { A: 'x', N: '3', B: 'true' }, localHttpPort: 7199, cors: '*' });
  });

  it('lets the real environment win', () => {
    const env: NodeJS.ProcessEnv = { A: 'from-env' };
    applySettingsToEnv({ A: 'from-file', B: 'from-file' }, env);
    expect(env).toEqual({ A: 'from-env', B: 'from-file' });
  });

  it.each([
    ['{ "Values": { "A": "x", } ', /local\.settings\.json .* is not valid JSON/],
    ['[1, 2]', /must hold a JSON object/],
    ['{ "Values": ["A"] }', /"Values" must be an object/],
    ['{ "Values": { "A": { "nested": 1 } } }', /Values\.A must be a string, not object/],
    ['{ "IsEncrypted": true, "Values": {} }', /is encrypted/],
    ['{ "Host": { "LocalHttpPort": "x" } }', /Host\.LocalHttpPort must be a port number/],
  ])('refuses %s', (content, message) => {
    writeFileSync(join(dir, 'local.settings.json'), content);
    expectHostError(() => readLocalSettings(dir), 'settings.invalid', message);
  });
});

describe('host.json', () => {
  it('defaults: routePrefix api, hub TestHubName', () => {
    const config = readHostJson(dir, {}, 2);
    expect(config).toMatchObject({ routePrefix: 'api', hubName: 'TestHubName', maxConcurrentActivityFunctions: 20, durableConnectionName: 'AzureWebJobsStorage' });
  });

  it('reads routePrefix and hubName, and AzureFunctionsJobHost__ variables override them', () => {
    writeFileSync(join(dir, 'host.json'), JSON.stringify({ version: '2.0', extensions: { http: { routePrefix: '/v1/' }, durableTask: { hubName: 'FileHub', maxConcurrentActivityFunctions: 4 } } }));
    expect(readHostJson(dir, {}, 2)).toMatchObject({ routePrefix: 'v1', hubName: 'FileHub', maxConcurrentActivityFunctions: 4 });
    const env = { AzureFunctionsJobHost__extensions__durableTask__hubName: 'EnvHub', AzureFunctionsJobHost__Extensions__Http__RoutePrefix: '' };
    expect(readHostJson(dir, env, 2)).toMatchObject({ routePrefix: '', hubName: 'EnvHub' });
  });

  it('resolves %setting% in the hub name', () => {
    writeFileSync(join(dir, 'host.json'), JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: '%HUB%' } } }));
    expect(readHostJson(dir, { HUB: 'Contoso' }, 1).hubName).toBe('Contoso');
    expectHostError(() => readHostJson(dir, {}, 1), 'settings.invalid', /%HUB%, which is not set/);
  });

  it('refuses malformed files and bad hub names', () => {
    writeFileSync(join(dir, 'host.json'), '{ nope');
    expectHostError(() => readHostJson(dir, {}, 1), 'host-json.invalid', /host\.json .* is not valid JSON/);
    writeFileSync(join(dir, 'host.json'), JSON.stringify({ version: '1.0' }));
    expectHostError(() => readHostJson(dir, {}, 1), 'host-json.invalid', /"version" must be "2\.0"/);
    expectHostError(() => validateHubName('my-hub'), 'durable.task-hub', /Task hub name "my-hub" is invalid/);
    expectHostError(() => validateHubName('ab'), 'durable.task-hub', /3-45 letters or digits/);
  });
});

describe('keys and setting expressions', () => {
  it('takes keys from settings, else generates them', () => {
    const keys = resolveKeys({ FUNCTIONS_MASTER_KEY: 'm'.repeat(20) });
    expect(keys.master).toBe('m'.repeat(20));
    expect(keys.functionDefault).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(keys.generated).toEqual(['FUNCTIONS_DEFAULT_KEY', 'FUNCTIONS_DURABLE_SYSTEM_KEY']);
    expectHostError(() => resolveKeys({ FUNCTIONS_MASTER_KEY: 'short' }), 'settings.invalid', /at least 16 characters/);
  });

  it('generates keys of letters and digits only, so none reads as a flag on a command line', () => {
    // A base64url key starts with "-" one time in 64: `handshake … --key -Xyz…` was then refused.
    const keys = Array.from({ length: 2_000 }, () => generateKey());
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('resolves %name% from settings', () => {
    expect(resolveSettingExpression('0 */%MIN% * * * *', { MIN: '5' }, 'schedule')).toBe('0 */5 * * * *');
    expectHostError(() => resolveSettingExpression('%MISSING%', {}, 'the schedule'), 'settings.invalid', /the schedule refers to the app setting %MISSING%/);
  });
});

describe('command line', () => {
  it('reads --app and --port', () => {
    expect(parseArgs(['--app', '/x', '--port', '0'])).toEqual({ app: '/x', port: 0 });
    expect(parseArgs(['--app=/x', '--port=7072', '--bind', '0.0.0.0'])).toEqual({ app: '/x', port: 7072, bind: '0.0.0.0' });
  });

  it('refuses bad arguments', () => {
    expectHostError(() => parseArgs([]), 'cli.usage', /--app is required/);
    expectHostError(() => parseArgs(['--app', '/x', '--port', 'abc']), 'port.invalid', /Invalid port "abc"/);
    expectHostError(() => parseArgs(['--app', '/x', '--port', '70000']), 'port.invalid', /Invalid port/);
    expectHostError(() => parseArgs(['--app', '/x', '--bogus']), 'cli.usage', /Unknown argument "--bogus"/);
  });
});
