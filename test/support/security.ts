// What the security tests and the attacks benchmark watch: every row a deployment keeps about
// partnerships and trust (Partnerships, Keys, Events, Nonces — read straight from Table Storage,
// ETags included, so any write shows) and every tenant's configuration on the simulator. An attack
// is refused when its answer is the expected refusal AND nothing it may not change has changed.
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';
import type { TenantDump } from '../../infra/local/simulator';
import { ensureLocalCa } from '../../infra/local/tls';
import type { LocalStack, LocalStackDeployment } from './stack';

/** The tables a refused message must leave alone. */
export const WATCHED_TABLES = ['Partnerships', 'Keys', 'Events', 'Nonces'] as const;
export type WatchedTable = (typeof WATCHED_TABLES)[number];

type Row = Record<string, unknown>;

export interface DeploymentState {
  tables: Record<WatchedTable, Row[]>;
  tenant: TenantDump;
}

export type StackState = Record<string, DeploymentState>;

export interface SnapshotOptions {
  /** Rows of these partnerships are left out (other scenes still settling); everything else counts. */
  ignorePartnerships?: readonly string[];
}

/** Every watched row of every deployment, and every deployment's tenant. */
export async function stackState(stack: LocalStack, options: SnapshotOptions = {}): Promise<StackState> {
  const entries = await Promise.all(
    Object.values(stack.deployments).map(async (deployment) => [deployment.name, await deploymentState(stack, deployment, options)] as const),
  );
  return Object.fromEntries(entries);
}

async function deploymentState(stack: LocalStack, deployment: LocalStackDeployment, options: SnapshotOptions): Promise<DeploymentState> {
  const ignored = new Set(options.ignorePartnerships ?? []);
  const tables = {} as Record<WatchedTable, Row[]>;
  await Promise.all(
    WATCHED_TABLES.map(async (table) => {
      const rows = await tableRows(deployment, table);
      tables[table] = rows.filter((row) => !ignored.has(partnershipOf(table, row)));
    }),
  );
  return { tables, tenant: await stack.simulator.control.state(deployment.tenantId) };
}

/** Every row of one of a deployment's tables (none when the table does not exist yet). */
export async function tableRows(deployment: LocalStackDeployment, table: string): Promise<Row[]> {
  const client = TableClient.fromConnectionString(deployment.settings.AzureWebJobsStorage, `${deployment.tablePrefix}${table}`, { allowInsecureConnection: true });
  const rows: Row[] = [];
  try {
    for await (const entity of client.listEntities()) {
      const { timestamp: _timestamp, ...rest } = entity as Row;
      rows.push(rest);
    }
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return [];
    throw error;
  }
  return rows.sort((a, b) => `${a.partitionKey}/${a.rowKey}`.localeCompare(`${b.partitionKey}/${b.rowKey}`));
}

function partnershipOf(table: WatchedTable, row: Row): string {
  if (table === 'Partnerships') return String(row.rowKey);
  if (table === 'Nonces') return String(row.partnershipId ?? '');
  return String(row.partitionKey);
}

/** What differs between two states, one line per table or tenant that changed (empty: nothing). */
export function stateChanges(before: StackState, after: StackState): string[] {
  const changes: string[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[name];
    const is = after[name];
    for (const table of WATCHED_TABLES) {
      const key = (row: Row): string => `${row.partitionKey}/${row.rowKey}`;
      const old = new Map((was?.tables[table] ?? []).map((row) => [key(row), JSON.stringify(row)]));
      const now = new Map((is?.tables[table] ?? []).map((row) => [key(row), JSON.stringify(row)]));
      const added = [...now.keys()].filter((row) => !old.has(row));
      const removed = [...old.keys()].filter((row) => !now.has(row));
      const changed = [...now.keys()].filter((row) => old.has(row) && old.get(row) !== now.get(row));
      if (added.length + removed.length + changed.length > 0) {
        changes.push(`${name} ${table}: ${[added.length && `+${added.join(', +')}`, removed.length && `-${removed.join(', -')}`, changed.length && `~${changed.join(', ~')}`].filter(Boolean).join('; ')}`);
      }
    }
    if (JSON.stringify(was?.tenant) !== JSON.stringify(is?.tenant)) {
      const parts = Object.keys({ ...was?.tenant, ...is?.tenant }).filter(
        (part) => JSON.stringify((was?.tenant as unknown as Record<string, unknown> | undefined)?.[part]) !== JSON.stringify((is?.tenant as unknown as Record<string, unknown> | undefined)?.[part]),
      );
      changes.push(`${name}'s tenant configuration changed (${parts.join(', ')})`);
    }
  }
  return changes;
}

/** Only what decides trust and tenants: a key trusted (Keys rows), a tenant's configuration. */
export function trustChanges(before: StackState, after: StackState): string[] {
  const narrow = (state: StackState): StackState =>
    Object.fromEntries(
      Object.entries(state).map(([name, deployment]) => [name, { tenant: deployment.tenant, tables: { Keys: deployment.tables.Keys, Partnerships: [], Events: [], Nonces: [] } }]),
    );
  return stateChanges(narrow(before), narrow(after));
}

/** Keys rows only (a key trusted or dropped). */
export function keyChanges(before: StackState, after: StackState): string[] {
  return trustChanges(before, after).filter((change) => !change.includes('tenant configuration changed'));
}

/** Tenant configurations only. */
export function tenantChanges(before: StackState, after: StackState): string[] {
  return trustChanges(before, after).filter((change) => change.includes('tenant configuration changed'));
}

/** An HTTPS server (local CA) that redirects every request to `target`, and counts what reaches the target. */
export interface Redirector {
  /** Where partner deployments are told the partner lives (every path redirects). */
  url: string;
  /** Requests the redirect target received (must stay 0: redirects are not followed). */
  targetHits(): number;
  /** Requests the redirector received. */
  hits(): string[];
  stop(): Promise<void>;
}

export async function startRedirector(): Promise<Redirector> {
  const ca = await ensureLocalCa();
  const certificate = await ca.issue(['localhost', '127.0.0.1']);
  const seen: string[] = [];
  let targetHits = 0;
  const target: Server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    targetHits += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await listen(target);
  const targetUrl = `https://127.0.0.1:${(target.address() as AddressInfo).port}/internal`;
  const redirector: Server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    seen.push(`${request.method} ${request.url}`);
    request.resume();
    response.writeHead(307, { location: `${targetUrl}${request.url ?? ''}` }).end();
  });
  await listen(redirector);
  return {
    url: `https://127.0.0.1:${(redirector.address() as AddressInfo).port}`,
    targetHits: () => targetHits,
    hits: () => [...seen],
    stop: async () => {
      for (const server of [redirector, target]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

/**
 * A partner deployment the test controls (HTTPS, local CA): it publishes `key` at
 * /api/handshake/jwks and takes every message with 202. An admin who types its URL makes it "the
 * partner" — which is how a partner that lies in its messages is played.
 */
export interface FakePartner {
  url: string;
  /** Requests for the JWKS so far. */
  jwksRequests(): number;
  /** With `holdJwks`: answer the JWKS requests held so far and any later one. */
  releaseJwks(): void;
  /** Messages received so far (compact JWS). */
  received(): string[];
  /** The first received message of that type (payload claims), waiting for it. */
  waitFor(type: string, timeoutMs?: number): Promise<{ jws: string; claims: Record<string, any> }>;
  stop(): Promise<void>;
}

export async function startFakePartner(key: { publicJwk: object } | Array<{ publicJwk: object }>, options: { holdJwks?: boolean } = {}): Promise<FakePartner> {
  const ca = await ensureLocalCa();
  const certificate = await ca.issue(['localhost', '127.0.0.1']);
  const messages: string[] = [];
  const published = (Array.isArray(key) ? key : [key]).map((one) => one.publicJwk);
  let held = options.holdJwks === true;
  let jwksRequests = 0;
  const waiting: Array<() => void> = [];
  const server: Server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    if (request.method === 'GET' && request.url === '/api/handshake/jwks') {
      jwksRequests += 1;
      const answer = (): void => void response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }));
      if (held) waiting.push(answer);
      else answer();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/api/handshake/messages') {
        messages.push(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await listen(server);
  const claimsOf = (jws: string): Record<string, any> => JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    jwksRequests: () => jwksRequests,
    releaseJwks: () => {
      held = false;
      waiting.splice(0).forEach((answer) => answer());
    },
    received: () => [...messages],
    waitFor: async (type, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((jws) => claimsOf(jws).type === type);
        if (found) return { jws: found, claims: claimsOf(found) };
        if (Date.now() > deadline) throw new Error(`The fake partner received no ${type} within ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
