// delta() for users and groups: the first round returns every object (paged), then an
// @odata.deltaLink whose token marks the tenant's journal position; a later round returns the
// objects changed since (deleted ones as `@removed`), groups with their `members@delta`.
import { badRequest } from '../errors';
import type { GraphCall } from '../graph/types';
import { nextLink, pageSize, parseList } from '../odata';
import type { GraphObject, JournalEntry, JsonObject } from '../state';

interface DeltaPosition {
  /** Journal position the round starts after; null for the initial round. */
  from: number | null;
  /** Journal position the round ends at (the next deltaLink's start). */
  to: number;
  offset: number;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(token: string, name: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (value && typeof value === 'object') return value;
  } catch {
    // fall through
  }
  throw badRequest(`Invalid ${name} '${token}'.`, 'BadRequest');
}

function position(call: GraphCall): DeltaPosition {
  const skip = call.query.get('$skiptoken');
  if (skip) {
    const token = decode(skip, '$skiptoken');
    if (typeof token.to !== 'number' || typeof token.o !== 'number') throw badRequest(`Invalid $skiptoken '${skip}'.`, 'BadRequest');
    return { from: typeof token.from === 'number' ? token.from : null, to: token.to, offset: token.o };
  }
  const delta = call.query.get('$deltatoken');
  if (delta) {
    const token = decode(delta, '$deltatoken');
    if (typeof token.s !== 'number') throw badRequest(`Invalid $deltatoken '${delta}'.`, 'BadRequest');
    return { from: token.s, to: call.tenant.seq, offset: 0 };
  }
  return { from: null, to: call.tenant.seq, offset: 0 };
}

export interface DeltaOptions {
  kind: 'user' | 'group';
  path: string;
  context: string;
  current: () => GraphObject[];
  find: (id: string) => GraphObject | undefined;
  render: (item: GraphObject, select: string[] | undefined) => JsonObject;
}

function memberRef(call: GraphCall, id: string, removed: boolean): JsonObject {
  const type = call.tenant.groups[id] ? '#microsoft.graph.group' : '#microsoft.graph.user';
  return removed ? { '@odata.type': type, id, '@removed': { reason: 'deleted' } } : { '@odata.type': type, id };
}

export function deltaResponse(call: GraphCall, options: DeltaOptions): JsonObject {
  const select = parseList(call.query.get('$select'));
  const { from, to, offset } = position(call);
  let entries: JsonObject[];
  if (from === null) {
    entries = options.current().map((item) => {
      const rendered = options.render(item, select);
      if (options.kind === 'group') rendered['members@delta'] = (call.tenant.members[item.id] ?? []).map((id) => memberRef(call, id, false));
      return rendered;
    });
  } else {
    const changes = call.tenant.journal.filter((entry: JournalEntry) => entry.kind === options.kind && entry.seq > from && entry.seq <= to);
    const order: string[] = [];
    const membership = new Map<string, JsonObject[]>();
    for (const entry of changes) {
      const index = order.indexOf(entry.id);
      if (index >= 0) order.splice(index, 1);
      order.push(entry.id);
      if (entry.memberAdded || entry.memberRemoved) {
        const list = membership.get(entry.id) ?? [];
        list.push(memberRef(call, (entry.memberAdded ?? entry.memberRemoved)!, entry.memberRemoved !== undefined));
        membership.set(entry.id, list);
      }
    }
    entries = order.map((id) => {
      const item = options.find(id);
      if (!item) return { id, '@removed': { reason: 'changed' } };
      const rendered = options.render(item, select);
      const members = membership.get(id);
      if (members) rendered['members@delta'] = members;
      return rendered;
    });
  }
  const size = pageSize(call.query, call.headers);
  const value = entries.slice(offset, offset + size);
  const more = offset + size < entries.length;
  const base = `${call.graphBase}`;
  const link = more
    ? { '@odata.nextLink': nextLink(base, options.path, call.query, encode({ o: offset + size, from, to })) }
    : { '@odata.deltaLink': nextLink(base, options.path, call.query, encode({ s: to }), '$deltatoken') };
  return { '@odata.context': `${call.graphBase}/$metadata#${options.context}`, ...link, value };
}
