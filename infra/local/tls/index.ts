// The local stack's certificate authority.
//
// MSAL only talks to an HTTPS authority and Node reads NODE_EXTRA_CA_CERTS once, when a process
// starts. So every process of one run must trust the same CA before anything listens: the CA
// lives in a git-ignored project folder (`.local/tls/`), is created once (atomically, several
// processes may race), and servers issue their leaf certificates from it when they start.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { generate } from 'selfsigned';

const CA_VALIDITY_YEARS = 10;
const LEAF_VALIDITY_DAYS = 365;
const CA_COMMON_NAME = 'cross-cloud-handshake local stack CA';

export interface IssuedCertificate {
  /** PEM certificate chain (leaf, then CA) for a TLS server. */
  cert: string;
  /** PEM private key of the leaf. */
  key: string;
}

export interface LocalCa {
  /** PEM file of the CA certificate: point NODE_EXTRA_CA_CERTS at it. */
  caFile: string;
  /** The CA certificate (PEM). */
  caCert: string;
  /** Issues a server certificate for the given DNS names and IP addresses. */
  issue(hostnames: string[]): Promise<IssuedCertificate>;
}

/** Folder the CA is kept in when no folder is given: `<project>/.local/tls`. */
export function defaultTlsDir(): string {
  return join(findProjectRoot(__dirname), '.local', 'tls');
}

/**
 * Returns the local CA kept in `dir` (default `<project>/.local/tls`), creating it on first use.
 * Concurrent callers (several jest workers, a CLI) all end up with the same CA.
 */
export async function ensureLocalCa(dir: string = defaultTlsDir()): Promise<LocalCa> {
  const caDir = join(resolve(dir), 'ca');
  const caFile = join(caDir, 'ca.pem');
  const keyFile = join(caDir, 'ca-key.pem');
  if (!existsSync(caFile) || !existsSync(keyFile)) {
    await createCa(caDir);
  }
  const caCert = readFileSync(caFile, 'utf8');
  const caKey = readFileSync(keyFile, 'utf8');
  return {
    caFile,
    caCert,
    issue: (hostnames) => issueLeaf(hostnames, { cert: caCert, key: caKey }),
  };
}

/**
 * The file to put in NODE_EXTRA_CA_CERTS so a process trusts the local CA *and* whatever the
 * variable already named (e.g. a corporate proxy's CA): the CA file itself when nothing else is
 * needed, else a bundle of both kept next to the CA.
 */
export async function ensureTrustFile(
  options: { dir?: string; existing?: string | undefined } = {},
): Promise<{ file: string; ca: LocalCa }> {
  const dir = options.dir ?? defaultTlsDir();
  const ca = await ensureLocalCa(dir);
  const existing = 'existing' in options ? options.existing : process.env.NODE_EXTRA_CA_CERTS;
  if (!existing) return { file: ca.caFile, ca };
  let existingPem: string;
  try {
    existingPem = readFileSync(existing, 'utf8');
  } catch {
    return { file: ca.caFile, ca };
  }
  if (existingPem.includes(ca.caCert.trim())) return { file: existing, ca };
  const bundlePem = `${existingPem.trim()}\n${ca.caCert.trim()}\n`;
  const digest = createHash('sha256').update(bundlePem).digest('hex').slice(0, 16);
  const file = join(resolve(dir), `bundle-${digest}.pem`);
  if (!existsSync(file)) {
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, bundlePem, { mode: 0o644 });
    renameSync(staging, file);
  }
  return { file, ca };
}

async function createCa(caDir: string): Promise<void> {
  const parent = dirname(caDir);
  mkdirSync(parent, { recursive: true });
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore);
  notAfter.setFullYear(notAfter.getFullYear() + CA_VALIDITY_YEARS);
  const pems = await generate([{ name: 'commonName', value: CA_COMMON_NAME }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  // Write into a private folder, then rename it into place: the first rename wins and a loser
  // (ENOTEMPTY/EEXIST) simply uses the winner's CA.
  const staging = mkdtempSync(join(parent, '.ca-'));
  writeFileSync(join(staging, 'ca.pem'), pems.cert, { mode: 0o644 });
  writeFileSync(join(staging, 'ca-key.pem'), pems.private, { mode: 0o600 });
  try {
    renameSync(staging, caDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw error;
  }
}

async function issueLeaf(hostnames: string[], ca: { cert: string; key: string }): Promise<IssuedCertificate> {
  const names = hostnames.length > 0 ? hostnames : ['localhost', '127.0.0.1', '::1'];
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + LEAF_VALIDITY_DAYS * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: names[0] }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIpAddress(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })),
      },
    ],
  });
  return { cert: `${pems.cert.trim()}\n${ca.cert.trim()}\n`, key: pems.private };
}

function isIpAddress(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
}
