// Function keys as Azure Functions checks them: `x-functions-key` header or `?code=`.
// anonymous: open; function: the host function key or the master key; admin: the master key;
// the durable webhooks: the durabletask system key or the master key.
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { HostKeys } from '../settings';

export type AuthLevel = 'anonymous' | 'function' | 'admin' | 'system';

export function presentedKey(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers['x-functions-key'];
  if (typeof header === 'string' && header !== '') return header;
  const code = url.searchParams.get('code');
  return code === null || code === '' ? undefined : code;
}

export function keyEquals(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isAuthorized(level: AuthLevel, presented: string | undefined, keys: HostKeys): boolean {
  switch (level) {
    case 'anonymous':
      return true;
    case 'function':
      return keyEquals(presented, keys.functionDefault) || keyEquals(presented, keys.master);
    case 'system':
      return keyEquals(presented, keys.durableSystem) || keyEquals(presented, keys.master);
    case 'admin':
      return keyEquals(presented, keys.master);
  }
}

export function parseAuthLevel(value: unknown): AuthLevel {
  const text = String(value ?? 'function').toLowerCase();
  if (text === 'anonymous' || text === 'function' || text === 'admin') return text;
  // "system" keys are for extensions; treat a function declaring it as admin-level.
  return text === 'system' ? 'admin' : 'function';
}
