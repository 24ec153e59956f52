import { createServer } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { ensureLocalCa, ensureTrustFile } from '../../infra/local/tls';

describe('local CA', () => {
  it('is trusted by this process (NODE_EXTRA_CA_CERTS) and issues server certificates fetch accepts', async () => {
    const ca = await ensureLocalCa();
    expect(process.env.NODE_EXTRA_CA_CERTS).toBeDefined();
    const { cert, key } = await ca.issue(['localhost', '127.0.0.1']);
    const server = createServer({ cert, key }, (_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`https://127.0.0.1:${port}/`);
      expect(await response.text()).toBe('hello');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('creates one CA per folder even when several callers race', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-race-'));
    try {
      const results = await Promise.all([ensureLocalCa(dir), ensureLocalCa(dir), ensureLocalCa(dir)]);
      const again = await ensureLocalCa(dir);
      for (const result of results) expect(result.caCert).toBe(again.caCert);
      expect(again.caFile).toBe(join(dir, 'ca', 'ca.pem'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not trusted for certificates it did not sign', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-other-'));
    try {
      const other = await ensureLocalCa(dir);
      const { cert, key } = await other.issue(['127.0.0.1']);
      const server = createServer({ cert, key }, (_req, res) => res.end('nope'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        await expect(fetch(`https://127.0.0.1:${port}/`)).rejects.toThrow();
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the trust file is the CA itself, or a bundle keeping a CA file already configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-trust-'));
    try {
      const alone = await ensureTrustFile({ dir, existing: undefined });
      expect(alone.file).toBe(alone.ca.caFile);
      const otherPem = (await ensureLocalCa(join(dir, 'other'))).caCert;
      writeFileSync(join(dir, 'proxy.pem'), otherPem);
      const bundled = await ensureTrustFile({ dir, existing: join(dir, 'proxy.pem') });
      const content = readFileSync(bundled.file, 'utf8');
      expect(content).toContain(otherPem.trim());
      expect(content).toContain(alone.ca.caCert.trim());
      // A file that already holds the CA is used as it is.
      expect((await ensureTrustFile({ dir, existing: bundled.file })).file).toBe(bundled.file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
