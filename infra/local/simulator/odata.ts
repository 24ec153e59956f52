// The OData query options Graph's directory resources support: $filter (comparisons, and/or/not,
// in, startswith/endswith, any() over collections), $select, $orderby, $search, $count, $top with
// @odata.nextLink paging ($skiptoken). Advanced queries (endswith, ne, not, $search, $count,
// $orderby with $filter) need `ConsistencyLevel: eventual`, as in Entra.
import { badRequest, GraphError } from './errors';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

const unsupported = (message: string): GraphError => new GraphError(400, 'Request_UnsupportedQuery', message);

// ---------------------------------------------------------------------------------------------
// $filter

type Literal = string | number | boolean | null;

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; path: string[]; value: Literal }
  | { kind: 'in'; path: string[]; values: Literal[] }
  | { kind: 'function'; name: 'startswith' | 'endswith'; path: string[]; value: string }
  | { kind: 'any'; path: string[]; variable: string; predicate: FilterNode | null };

interface Token {
  type: 'ident' | 'string' | 'number' | 'punct';
  text: string;
  value?: Literal;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/.exec(input.slice(i));
    if (guid) {
      // A bare GUID (tenantId eq 3d0f...) is a string in OData.
      tokens.push({ type: 'string', text: guid[0], value: guid[0] });
      i += guid[0].length;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw badRequest(`Invalid filter clause: unterminated string in '${input}'.`, 'BadRequest');
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += input[i++];
      }
      tokens.push({ type: 'string', text, value: text });
    } else if (/[()\/,:]/.test(c)) {
      tokens.push({ type: 'punct', text: c });
      i++;
    } else if (/[0-9-]/.test(c)) {
      const match = /^-?\d+(\.\d+)?/.exec(input.slice(i));
      if (!match) throw badRequest(`Invalid filter clause: unexpected '${c}' in '${input}'.`, 'BadRequest');
      tokens.push({ type: 'number', text: match[0], value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_@$]/.test(c)) {
      const match = /^[A-Za-z_@$][A-Za-z0-9_.@$]*/.exec(input.slice(i))!;
      tokens.push({ type: 'ident', text: match[0] });
      i += match[0].length;
    } else {
      throw badRequest(`Invalid filter clause: unexpected '${c}' in '${input}'.`, 'BadRequest');
    }
  }
  return tokens;
}

export function parseFilter(input: string): FilterNode {
  const tokens = tokenize(input);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const fail = (message: string): never => {
    throw badRequest(`Invalid filter clause: ${message} in '${input}'.`, 'BadRequest');
  };
  const expect = (text: string): void => {
    const token = tokens[position++];
    if (!token || token.text.toLowerCase() !== text) fail(`expected '${text}'`);
  };
  const keyword = (text: string): boolean => {
    const token = peek();
    if (token?.type === 'ident' && token.text.toLowerCase() === text) {
      position++;
      return true;
    }
    return false;
  };
  const literal = (): Literal => {
    const token = tokens[position++];
    if (!token) return fail('expected a value');
    if (token.type === 'string' || token.type === 'number') return token.value ?? null;
    if (token.type === 'ident') {
      const lower = token.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
    }
    return fail(`unexpected '${token.text}'`);
  };
  const path = (): string[] => {
    const parts: string[] = [];
    const first = tokens[position++];
    if (first?.type !== 'ident') fail('expected a property');
    parts.push(first.text);
    while (peek()?.text === '/' && tokens[position + 1]?.type === 'ident' && tokens[position + 1].text.toLowerCase() !== 'any' && tokens[position + 1].text.toLowerCase() !== 'all') {
      position++;
      parts.push(tokens[position++].text);
    }
    return parts;
  };

  const primary = (): FilterNode => {
    if (peek()?.text === '(') {
      position++;
      const inner = or();
      expect(')');
      return inner;
    }
    const token = peek();
    if (token?.type === 'ident' && ['startswith', 'endswith', 'contains'].includes(token.text.toLowerCase()) && tokens[position + 1]?.text === '(') {
      const name = token.text.toLowerCase();
      if (name === 'contains') throw unsupported("Unsupported Query: 'contains' is not supported on directory objects.");
      position += 2;
      const target = path();
      expect(',');
      const value = literal();
      expect(')');
      if (typeof value !== 'string') fail(`${name} needs a string`);
      return { kind: 'function', name: name as 'startswith' | 'endswith', path: target, value: value as string };
    }
    const target = path();
    if (peek()?.text === '/') {
      position++;
      const lambda = tokens[position++];
      if (!lambda || lambda.text.toLowerCase() !== 'any') fail(`unsupported lambda '${lambda?.text}'`);
      expect('(');
      if (peek()?.text === ')') {
        position++;
        return { kind: 'any', path: target, variable: '', predicate: null };
      }
      const variable = tokens[position++];
      if (variable?.type !== 'ident') fail('expected a lambda variable');
      expect(':');
      const predicate = or();
      expect(')');
      return { kind: 'any', path: target, variable: variable.text, predicate };
    }
    const operator = tokens[position++];
    const op = operator?.text.toLowerCase();
    if (op === 'in') {
      expect('(');
      const values: Literal[] = [literal()];
      while (peek()?.text === ',') {
        position++;
        values.push(literal());
      }
      expect(')');
      return { kind: 'in', path: target, values };
    }
    if (op === 'eq' || op === 'ne' || op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') {
      return { kind: 'compare', op, path: target, value: literal() };
    }
    return fail(`unexpected '${operator?.text ?? 'end of input'}'`);
  };
  const unary = (): FilterNode => (keyword('not') ? { kind: 'not', operand: unary() } : primary());
  const and = (): FilterNode => {
    let left = unary();
    while (keyword('and')) left = { kind: 'and', left, right: unary() };
    return left;
  };
  const or = (): FilterNode => {
    let left = and();
    while (keyword('or')) left = { kind: 'or', left, right: and() };
    return left;
  };
  const tree = or();
  if (position < tokens.length) fail(`unexpected '${tokens[position].text}'`);
  return tree;
}

/** True when the filter needs ConsistencyLevel: eventual (Entra's "advanced queries"). */
export function isAdvancedFilter(node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return isAdvancedFilter(node.left) || isAdvancedFilter(node.right);
    case 'not':
      return true;
    case 'compare':
      return node.op === 'ne';
    case 'function':
      return node.name === 'endswith';
    case 'any':
      return node.predicate ? isAdvancedFilter(node.predicate) : false;
    default:
      return false;
  }
}

/** Top-level property names a filter reads. */
export function filterProperties(node: FilterNode): string[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return [...filterProperties(node.left), ...filterProperties(node.right)];
    case 'not':
      return filterProperties(node.operand);
    default:
      return [node.path[0]];
  }
}

function resolvePath(value: unknown, path: string[], scope: Record<string, unknown>): unknown {
  let current: unknown = path[0] in scope ? scope[path[0]] : (value as Record<string, unknown> | undefined)?.[path[0]];
  for (const part of path.slice(1)) current = (current as Record<string, unknown> | undefined)?.[part];
  return current;
}

function compareValues(actual: unknown, expected: Literal): number | undefined {
  if (actual === undefined || actual === null || expected === null) return undefined;
  if (typeof actual === 'string' && typeof expected === 'string') {
    return actual.toLowerCase().localeCompare(expected.toLowerCase());
  }
  if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
  if (typeof actual === 'boolean' && typeof expected === 'boolean') return actual === expected ? 0 : 1;
  return String(actual).toLowerCase() === String(expected).toLowerCase() ? 0 : 1;
}

export function evaluateFilter(node: FilterNode, item: unknown, scope: Record<string, unknown> = {}): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, item, scope) && evaluateFilter(node.right, item, scope);
    case 'or':
      return evaluateFilter(node.left, item, scope) || evaluateFilter(node.right, item, scope);
    case 'not':
      return !evaluateFilter(node.operand, item, scope);
    case 'compare': {
      const actual = resolvePath(item, node.path, scope);
      if (node.value === null) return node.op === 'eq' ? actual == null : node.op === 'ne' ? actual != null : false;
      const order = compareValues(actual, node.value);
      if (order === undefined) return node.op === 'ne';
      switch (node.op) {
        case 'eq':
          return order === 0;
        case 'ne':
          return order !== 0;
        case 'gt':
          return order > 0;
        case 'ge':
          return order >= 0;
        case 'lt':
          return order < 0;
        case 'le':
          return order <= 0;
      }
      return false;
    }
    case 'in': {
      const actual = resolvePath(item, node.path, scope);
      return node.values.some((value) => compareValues(actual, value) === 0);
    }
    case 'function': {
      const actual = resolvePath(item, node.path, scope);
      if (typeof actual !== 'string') return false;
      const a = actual.toLowerCase();
      const b = node.value.toLowerCase();
      return node.name === 'startswith' ? a.startsWith(b) : a.endsWith(b);
    }
    case 'any': {
      const collection = resolvePath(item, node.path, scope);
      if (!Array.isArray(collection)) return false;
      if (!node.predicate) return collection.length > 0;
      return collection.some((element) => evaluateFilter(node.predicate!, item, { ...scope, [node.variable]: element }));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// $select, $orderby, $search

export function parseList(value: string | null): string[] | undefined {
  if (value === null) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/** Projects an object onto the selected properties (or the default set when nothing is selected). */
export function project(item: Record<string, unknown>, select: string[] | undefined, defaults?: readonly string[]): Record<string, unknown> {
  const keys = select ?? defaults;
  if (!keys) return { ...item };
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const actual = Object.keys(item).find((candidate) => candidate.toLowerCase() === key.toLowerCase()) ?? key;
    out[actual] = item[actual] ?? null;
  }
  return out;
}

export function sortBy(items: Record<string, unknown>[], orderby: string[] | undefined): Record<string, unknown>[] {
  if (!orderby) return items;
  const clauses = orderby.map((clause) => {
    const [property, direction] = clause.split(/\s+/);
    return { property, descending: direction?.toLowerCase() === 'desc' };
  });
  return [...items].sort((a, b) => {
    for (const { property, descending } of clauses) {
      const left = String(a[property] ?? '').toLowerCase();
      const right = String(b[property] ?? '').toLowerCase();
      const order = left.localeCompare(right);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

/** `$search="displayName:wa"`: every word of the property starts with the term (AND/OR of clauses). */
export function searchMatcher(search: string): (item: Record<string, unknown>) => boolean {
  const text = search.trim().replace(/^"(.*)"$/s, '$1');
  const clauses = text.split(/\s+(AND|OR)\s+/);
  const terms: Array<{ property: string; term: string }> = [];
  const joins: string[] = [];
  clauses.forEach((clause, index) => {
    if (index % 2 === 1) {
      joins.push(clause);
      return;
    }
    const unquoted = clause.replace(/^"(.*)"$/s, '$1');
    const separator = unquoted.indexOf(':');
    if (separator < 0) throw badRequest(`Invalid $search clause '${clause}': expected "property:term".`, 'BadRequest');
    terms.push({ property: unquoted.slice(0, separator), term: unquoted.slice(separator + 1).toLowerCase() });
  });
  const matches = (item: Record<string, unknown>, { property, term }: { property: string; term: string }): boolean =>
    String(item[property] ?? '')
      .toLowerCase()
      .split(/[\s.@_-]+/)
      .some((word) => word.startsWith(term)) || String(item[property] ?? '').toLowerCase().startsWith(term);
  return (item) => {
    let result = matches(item, terms[0]);
    terms.slice(1).forEach((term, index) => {
      result = joins[index] === 'OR' ? result || matches(item, term) : result && matches(item, term);
    });
    return result;
  };
}

// ---------------------------------------------------------------------------------------------
// Paging

export function encodeSkipToken(offset: number, extra: Record<string, unknown> = {}): string {
  return Buffer.from(JSON.stringify({ o: offset, ...extra })).toString('base64url');
}

export function decodeSkipToken(token: string): { o: number } & Record<string, unknown> {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof decoded.o === 'number' && decoded.o >= 0) return decoded;
  } catch {
    // fall through
  }
  throw badRequest(`Invalid $skiptoken '${token}'.`, 'BadRequest');
}

export function pageSize(query: URLSearchParams, headers: Record<string, string | undefined>, max = MAX_PAGE_SIZE): number {
  const top = query.get('$top');
  if (top !== null) {
    const size = Number(top);
    if (!Number.isInteger(size) || size < 1 || size > max) {
      throw badRequest(`Invalid page size specified: '${top}'. Must be between 1 and ${max} inclusive.`, 'Request_BadRequest');
    }
    return size;
  }
  const prefer = /odata\.maxpagesize=(\d+)/i.exec(headers.prefer ?? '');
  if (prefer) return Math.min(Math.max(Number(prefer[1]), 1), max);
  return DEFAULT_PAGE_SIZE;
}

/** Builds the absolute URL of the next page, keeping the other query options. */
export function nextLink(base: string, path: string, query: URLSearchParams, token: string, tokenName = '$skiptoken'): string {
  const parts: string[] = [];
  for (const [name, value] of query) {
    if (name.toLowerCase() === '$skiptoken' || name.toLowerCase() === '$deltatoken') continue;
    parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  parts.push(`${tokenName}=${token}`);
  return `${base}${path}?${parts.join('&')}`;
}

export interface Page<T> {
  value: T[];
  nextLink?: string;
}

export function paginate<T>(items: T[], query: URLSearchParams, headers: Record<string, string | undefined>, linkBase: string, path: string): Page<T> {
  const size = pageSize(query, headers);
  const token = query.get('$skiptoken');
  const offset = token ? decodeSkipToken(token).o : 0;
  const value = items.slice(offset, offset + size);
  const more = offset + size < items.length;
  return more ? { value, nextLink: nextLink(linkBase, path, query, encodeSkipToken(offset + size)) } : { value };
}
