// `npm start` (interim): runs this project's own Functions app on the local host with an
// embedded Azurite, drives the sample greeting orchestration to completion through real HTTP
// (POST /api/greetings → check-status URL), prints its output and stops everything.
// The handshake demo replaces this in a later issue.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launchHost, type RunningHost } from '../host';

/** This project's folder (the app), found from here whether running from dist/ or the sources. */
function projectRoot(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'cross-cloud-handshake') return dir;
  }
  throw new Error(`Cannot find the project folder above ${__dirname}`);
}

const PROJECT_ROOT = projectRoot();
const NAMES = ['Contoso', 'Fabrikam', '21Vianet'];
const COMPLETION_TIMEOUT_MS = 60_000;

interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
}

interface Status {
  runtimeStatus: string;
  output: unknown;
}

async function main(): Promise<void> {
  console.log('Starting the local Functions host on this app (with its own Azurite)…');
  let host: RunningHost | undefined;
  try {
    host = await launchHost({
      appDir: PROJECT_ROOT,
      // The host starts Azurite itself for development storage.
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
      echo: process.env.DEMO_VERBOSE === '1',
      logPrefix: process.env.DEMO_VERBOSE === '1' ? '[host]' : undefined,
    });
    console.log(`Host running at ${host.baseUrl}`);

    const started = await fetch(`${host.baseUrl}/api/greetings`, {
      method: 'POST',
      headers: { 'x-functions-key': host.functionKey, 'content-type': 'application/json' },
      body: JSON.stringify(NAMES),
    });
    if (started.status !== 202) throw new Error(`POST /api/greetings answered ${started.status}: ${await started.text()}`);
    const links = (await started.json()) as CheckStatus;
    console.log(`Started greetingOrchestration, instance ${links.id}`);

    const status = await waitForCompletion(links.statusQueryGetUri);
    if (status.runtimeStatus !== 'Completed') throw new Error(`The orchestration ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`);
    console.log('Output:');
    console.log(JSON.stringify(status.output, null, 2));
  } finally {
    await host?.stop();
  }
}

async function waitForCompletion(statusUrl: string): Promise<Status> {
  const deadline = Date.now() + COMPLETION_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const response = await fetch(statusUrl);
    const status = (await response.json()) as Status;
    if (response.status === 200) return status;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The orchestration did not finish within ${COMPLETION_TIMEOUT_MS / 1000} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
