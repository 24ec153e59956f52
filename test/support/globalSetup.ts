// Jest global setup: make every test process trust the local stack's CA.
//
// Node reads NODE_EXTRA_CA_CERTS only when a process starts. `npm test` exports it before jest
// starts; for a plain `npx jest ...` this setup exports it before jest forks its workers (the
// config sets workerIdleMemoryLimit so jest always uses workers unless told to run in band),
// and refuses to go on when the tests would run in this very process without it. A value that
// was already set (e.g. a proxy's CA) is kept: the workers get a bundle of both.
import type { Config } from 'jest';
import { readFileSync } from 'node:fs';
import { ensureTrustFile } from '../../infra/local/tls';

interface GlobalConfigLike {
  runInBand?: boolean;
  detectOpenHandles?: boolean;
}

export default async function globalSetup(globalConfig: GlobalConfigLike & Partial<Config>): Promise<void> {
  const current = process.env.NODE_EXTRA_CA_CERTS;
  const { file, ca } = await ensureTrustFile({ existing: current });
  if (current && trustsCa(current, ca.caCert)) return;

  const inBand = Boolean(globalConfig.runInBand || globalConfig.detectOpenHandles);
  if (inBand) {
    throw new Error(
      [
        'The tests call the local stack over HTTPS, so this process must trust its CA from the start,',
        `but NODE_EXTRA_CA_CERTS is ${current ? `"${current}"` : 'not set'}. Run the tests with \`npm test\`, or start jest as`,
        `  NODE_EXTRA_CA_CERTS=${file} npx jest --runInBand ...`,
      ].join('\n'),
    );
  }
  // Inherited by the workers jest forks after this setup (a bundle keeps what was already trusted).
  process.env.NODE_EXTRA_CA_CERTS = file;
}

/** True when the PEM file at `file` holds the CA certificate (alone or in a bundle). */
function trustsCa(file: string, caCert: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes(caCert.trim());
  } catch {
    return false;
  }
}
