// `npm run bench -- console [--json] [--runs N] [--partnerships N]`: the console's partnerships
// list on the local stack (one deployment, Contoso, with N partnerships), loaded in headless
// Chromium by a signed-in admin: bytes transferred (headers and bodies of every response) and time
// to interactive (navigation start → the list rendered by the script), cold (browser cache cleared)
// and warm (cached assets). Baseline, measured in the same run: the raw API call the page makes,
// `GET /api/partnerships` with a function key, from Node.
import { launchConsoleBrowser, openConsole } from '../../infra/local/browser';
import { startLocalStack } from '../../infra/local/stack';
import { CONSOLE_USERS } from '../support/browser';
import { parseBenchArgs, trustedOrRelaunched } from '../support/bench';
import { contosoRequest, WORLD } from '../support/stack';

interface Load {
  ms: number;
  bytes: number;
  requests: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function main(args: string[]): Promise<void> {
  const options = parseBenchArgs(args, { json: false, runs: 5, partnerships: 20 });
  if (!(await trustedOrRelaunched('console', args))) return;
  const log = (line: string): void => {
    if (!options.json) console.log(line);
  };
  const stack = await startLocalStack({ deployments: [{ name: 'Contoso', tenantId: WORLD.contoso }], timings: 'short', inMemoryStorage: true });
  const browser = await launchConsoleBrowser();
  try {
    const contoso = stack.deployment('Contoso');
    for (let index = 0; index < options.partnerships; index += 1) {
      const answer = await fetch(`${contoso.baseUrl}/api/partnerships`, {
        method: 'POST',
        headers: { 'x-functions-key': contoso.functionKey, 'content-type': 'application/json' },
        body: JSON.stringify(contosoRequest(stack, { partnerDeploymentUrl: 'https://127.0.0.1:9', displayName: `Partner ${index}` })),
      });
      if (answer.status !== 202) throw new Error(`creating partnership ${index}: HTTP ${answer.status}`);
    }
    const page = await browser.page();
    await openConsole(page, contoso.baseUrl, CONSOLE_USERS.contosoAdmin);
    const cdp = await page.context().newCDPSession(page);

    const load = async (cold: boolean): Promise<Load> => {
      if (cold) await cdp.send('Network.clearBrowserCache');
      const responses: Promise<number>[] = [];
      const onResponse = (response: import('playwright-core').Response): void => {
        responses.push(
          response
            .request()
            .sizes()
            .then((sizes) => sizes.responseBodySize + sizes.responseHeadersSize)
            .catch(() => 0),
        );
      };
      page.on('response', onResponse);
      await page.goto(`${contoso.baseUrl}/api/console`, { waitUntil: 'commit' });
      await page.locator('#partnerships tbody tr').first().waitFor();
      const ms = (await page.evaluate('performance.now()')) as number;
      page.off('response', onResponse);
      const sizes = await Promise.all(responses);
      return { ms, bytes: sizes.reduce((sum, size) => sum + size, 0), requests: sizes.length };
    };
    const raw = async (): Promise<Load> => {
      const started = performance.now();
      const answer = await fetch(`${contoso.baseUrl}/api/partnerships`, { headers: { 'x-functions-key': contoso.functionKey } });
      const body = Buffer.from(await answer.arrayBuffer());
      const headerBytes = [...answer.headers].reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0) + 17;
      return { ms: performance.now() - started, bytes: body.length + headerBytes, requests: 1 };
    };

    await load(true); // warm-up: JIT, connections
    const cold: Load[] = [];
    const warm: Load[] = [];
    const api: Load[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      cold.push(await load(true));
      warm.push(await load(false));
      api.push(await raw());
    }
    const summary = (loads: Load[]) => ({ ms: Math.round(median(loads.map((entry) => entry.ms))), bytes: median(loads.map((entry) => entry.bytes)), requests: median(loads.map((entry) => entry.requests)) });
    const results = { partnerships: options.partnerships, runs: options.runs, coldListPage: summary(cold), warmListPage: summary(warm), rawApiCall: summary(api) };
    log(`console list page, ${options.partnerships} partnerships, median of ${options.runs} runs (headless Chromium, local stack):`);
    log(`  cold (cache cleared):  ${(results.coldListPage.bytes / 1024).toFixed(1)} KB in ${results.coldListPage.requests} responses, interactive after ${results.coldListPage.ms} ms`);
    log(`  warm (assets cached):  ${(results.warmListPage.bytes / 1024).toFixed(1)} KB in ${results.warmListPage.requests} responses, interactive after ${results.warmListPage.ms} ms`);
    log(`  baseline, raw GET /api/partnerships: ${(results.rawApiCall.bytes / 1024).toFixed(1)} KB, ${results.rawApiCall.ms} ms`);
    if (options.json) console.log(JSON.stringify(results));
  } finally {
    await browser.close();
    await stack.stop();
  }
}
