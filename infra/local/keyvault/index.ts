// A Key Vault stand-in for the secrets the product keeps there: an HTTPS server (certificate from
// the local CA) that answers the Key Vault secrets REST API with its real shapes, so the real
// `@azure/keyvault-secrets` SecretClient runs against it unchanged. See README.md in this folder.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ensureLocalCa } from '../tls';

export interface KeyVaultOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Tenant named in the authentication challenge (any bearer token is accepted). */
  tenantId?: string;
  /** Delay before every answer (to let two clients interleave). */
  latencyMs?: number;
  /** Bearer tokens answered 403 (an identity without access to the vault's secrets). */
  deniedTokens?: string[];
  /** Folder of the local CA (default `<project>/.local/tls`). */
  tlsDir?: string;
}

export interface StoredSecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  /** Unix seconds, as Key Vault reports them. */
  created: number;
  updated: number;
}

export interface RunningKeyVault {
  /** The vault URL, e.g. `https://127.0.0.1:53211` (what `new SecretClient(url, ...)` takes). */
  url: string;
  caFile: string;
  /** Every version of a secret, oldest first (tests look inside). */
  versions(name: string): StoredSecretVersion[];
  /** Requests answered so far, by `METHOD /path` (without the query). */
  requests(): string[];
  stop(): Promise<void>;
}

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$|^7\.\d+(-preview(\.\d+)?)?$/;
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const DEFAULT_PAGE = 25;
const RECOVERY = { recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };

const attributesSchema = z.object({ enabled: z.boolean().optional(), nbf: z.number().int().optional(), exp: z.number().int().optional() }).loose();
const setSecretSchema = z.object({
  value: z.string(),
  contentType: z.string().max(255).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  attributes: attributesSchema.optional(),
});
const updateSecretSchema = z.object({
  contentType: z.string().max(255).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  attributes: attributesSchema.optional(),
});

class KeyVaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly inner?: string,
  ) {
    super(message);
  }
}

export async function startKeyVault(options: KeyVaultOptions = {}): Promise<RunningKeyVault> {
  const ca = await ensureLocalCa(options.tlsDir);
  const certificate = await ca.issue(['localhost', '127.0.0.1']);
  const secrets = new Map<string, StoredSecretVersion[]>();
  const log: string[] = [];
  let url = '';
  const tenantId = options.tenantId ?? '00000000-0000-0000-0000-000000000000';

  const bundle = (name: string, entry: StoredSecretVersion, withValue: boolean): Record<string, unknown> => ({
    ...(withValue ? { value: entry.value } : {}),
    id: `${url}/secrets/${name}/${entry.version}`,
    ...(entry.contentType !== undefined ? { contentType: entry.contentType } : {}),
    ...(entry.tags ? { tags: entry.tags } : {}),
    attributes: { enabled: entry.enabled, created: entry.created, updated: entry.updated, ...RECOVERY },
  });
  const find = (name: string, version: string | undefined): StoredSecretVersion => {
    const versions = secrets.get(name.toLowerCase());
    const entry = version ? versions?.find((candidate) => candidate.version === version) : versions?.at(-1);
    if (!entry) {
      throw new KeyVaultError(404, 'SecretNotFound', `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`);
    }
    return entry;
  };
  const page = (items: Record<string, unknown>[], query: URLSearchParams, path: string): Record<string, unknown> => {
    const size = Math.min(Math.max(Number(query.get('maxresults') ?? DEFAULT_PAGE) || DEFAULT_PAGE, 1), DEFAULT_PAGE);
    const start = Number(query.get('$skiptoken') ?? 0) || 0;
    const more = start + size < items.length;
    return {
      value: items.slice(start, start + size),
      nextLink: more ? `${url}${path}?api-version=${query.get('api-version')}&maxresults=${size}&$skiptoken=${start + size}` : null,
    };
  };

  const route = (method: string, path: string, query: URLSearchParams, body: string): { status: number; body?: unknown } => {
    const parts = path.split('/').filter(Boolean);
    if (parts[0]?.toLowerCase() !== 'secrets') throw new KeyVaultError(404, 'NotFound', `No Key Vault resource at ${path}.`);
    const name = parts[1];
    if (name !== undefined && !SECRET_NAME.test(name)) {
      throw new KeyVaultError(400, 'BadParameter', 'The request URI contains an invalid name: ' + name);
    }
    const json = <T>(schema: z.ZodType<T>): T => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new KeyVaultError(400, 'BadParameter', 'The request body is not valid JSON.');
      }
      const result = schema.safeParse(parsed);
      if (!result.success) throw new KeyVaultError(400, 'BadParameter', `Property ${result.error.issues[0].path.join('.') || 'body'} is not valid: ${result.error.issues[0].message}`);
      return result.data;
    };
    const now = Math.floor(Date.now() / 1000);

    if (parts.length === 1 && method === 'GET') {
      const latest = [...secrets.entries()].map(([key, versions]) => {
        const { value: _value, ...item } = bundle(key, versions.at(-1)!, false);
        return { ...item, id: `${url}/secrets/${key}` };
      });
      return { status: 200, body: page(latest, query, path) };
    }
    if (parts.length === 2 && method === 'PUT') {
      const request = json(setSecretSchema);
      const entry: StoredSecretVersion = {
        version: randomBytes(16).toString('hex'),
        value: request.value,
        ...(request.contentType !== undefined ? { contentType: request.contentType } : {}),
        ...(request.tags ? { tags: request.tags } : {}),
        enabled: request.attributes?.enabled ?? true,
        created: now,
        updated: now,
      };
      secrets.set(name.toLowerCase(), [...(secrets.get(name.toLowerCase()) ?? []), entry]);
      return { status: 200, body: bundle(name, entry, true) };
    }
    if (parts.length === 2 && method === 'DELETE') {
      const entry = find(name, undefined);
      secrets.delete(name.toLowerCase());
      return {
        status: 200,
        body: { ...bundle(name, entry, false), recoveryId: `${url}/deletedsecrets/${name}`, deletedDate: now, scheduledPurgeDate: now + RECOVERY.recoverableDays * 86_400 },
      };
    }
    if (parts.length === 3 && parts[2].toLowerCase() === 'versions' && method === 'GET') {
      // As the service: no particular order (here: by version id), nothing for an unknown name.
      const versions = [...(secrets.get(name.toLowerCase()) ?? [])].sort((a, b) => a.version.localeCompare(b.version)).map((entry) => bundle(name, entry, false));
      return { status: 200, body: page(versions, query, path) };
    }
    if ((parts.length === 2 || parts.length === 3) && method === 'GET') {
      const entry = find(name, parts[2] || undefined);
      if (!entry.enabled) throw new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
      return { status: 200, body: bundle(name, entry, true) };
    }
    if (parts.length === 3 && method === 'PATCH') {
      const entry = find(name, parts[2]);
      const request = json(updateSecretSchema);
      if (request.contentType !== undefined) entry.contentType = request.contentType;
      if (request.tags) entry.tags = request.tags;
      if (request.attributes?.enabled !== undefined) entry.enabled = request.attributes.enabled;
      entry.updated = now;
      return { status: 200, body: bundle(name, entry, false) };
    }
    throw new KeyVaultError(405, 'MethodNotAllowed', `${method} is not allowed on ${path}.`);
  };

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
        const parsed = new URL(request.url ?? '/', url);
        const method = (request.method ?? 'GET').toUpperCase();
        log.push(`${method} ${parsed.pathname}`);
        let status: number;
        let body: unknown;
        const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'x-ms-keyvault-service-version': '1.9.0.0' };
        try {
          const apiVersion = parsed.searchParams.get('api-version');
          if (!apiVersion || !API_VERSION.test(apiVersion)) throw new KeyVaultError(400, 'BadParameter', 'The request URI contains an invalid or missing api-version.');
          if (!/^Bearer \S+$/.test(request.headers.authorization ?? '')) {
            headers['www-authenticate'] = `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`;
            throw new KeyVaultError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
          }
          if (options.deniedTokens?.includes(request.headers.authorization!.slice('Bearer '.length))) {
            throw new KeyVaultError(403, 'Forbidden', 'The user, group or application does not have secrets permission on this key vault.', 'ForbiddenByPolicy');
          }
          ({ status, body } = route(method, parsed.pathname, parsed.searchParams, Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          const failure = error instanceof KeyVaultError ? error : new KeyVaultError(500, 'InternalError', 'The Key Vault stand-in failed.');
          status = failure.status;
          body = { error: { code: failure.code, message: failure.message, ...(failure.inner ? { innererror: { code: failure.inner } } : {}) } };
        }
        response.writeHead(status, headers);
        response.end(body === undefined ? undefined : JSON.stringify(body));
      })();
    });
  };

  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    caFile: ca.caFile,
    versions: (name) => [...(secrets.get(name.toLowerCase()) ?? [])].map((entry) => ({ ...entry })),
    requests: () => [...log],
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
