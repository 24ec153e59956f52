// The host with --https (launchHost({ https: true })): TLS with a certificate from the local CA,
// https URLs everywhere (printed, function URLs, durable management URLs the app's client gets),
// and the app's own durable client calling back over https.
import { request as httpsRequest } from 'node:https';
import { ensureLocalCa } from '../../infra/local/tls';
import { request, useWorkflowsHost, waitForStatus, type CheckStatusLinks } from '../support/host';

describe('the host over HTTPS', () => {
  const { host } = useWorkflowsHost('host-https', { https: true, env: { TICK_SCHEDULE: undefined } });

  it('listens on https and prints https URLs', async () => {
    expect(host().baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(host().output()).toMatch(/hello: \[GET\] https:\/\/127\.0\.0\.1:\d+\/api\/hello/);
    const response = await request(host(), 'GET', '/api/hello/Ada', { key: 'none' });
    expect(response.text).toBe('Hello, Ada!');
  });

  it('presents a certificate of the local CA for 127.0.0.1 (and refuses a client that trusts nobody)', async () => {
    const ca = await ensureLocalCa();
    const peer = await new Promise<{ subjectaltname?: string; issuer: { CN?: string } }>((resolve, reject) => {
      const req = httpsRequest(`${host().baseUrl}/admin/host/ping`, { ca: ca.caCert }, (response) => {
        const certificate = (response.socket as import('node:tls').TLSSocket).getPeerCertificate();
        response.resume();
        resolve(certificate as unknown as { subjectaltname?: string; issuer: { CN?: string } });
      });
      req.on('error', reject);
      req.end();
    });
    expect(peer.subjectaltname).toContain('IP Address:127.0.0.1');
    expect(peer.issuer.CN).toBe('cross-cloud-handshake local stack CA');
    const untrusting = new Promise((resolve, reject) => {
      const req = httpsRequest(`${host().baseUrl}/admin/host/ping`, { ca: [] as unknown as string }, () => resolve('connected'));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
      setTimeout(() => reject(new Error('no answer')), 20_000).unref();
      req.end();
    });
    expect(await untrusting).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
  });

  it('gives the app https management URLs, and the app’s durable client works over them', async () => {
    const started = await request(host(), 'POST', '/api/wait/chain', { body: ['a', 'b'] });
    // The client inside the app waited over https (management API) and answered with the output.
    expect(started.status).toBe(200);
    const links = await request(host(), 'POST', '/api/orchestrators/chain', { body: ['c'] });
    const payload = links.json<CheckStatusLinks>();
    expect(payload.statusQueryGetUri).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/runtime\/webhooks\/durabletask\/instances\//);
    const status = await waitForStatus(payload.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Completed');
  });
});
