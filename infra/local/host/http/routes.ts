// Route templates as ASP.NET Core (and so Azure Functions) reads them: literal segments match
// case-insensitively; `{name}`, `{name?}`, `{name=default}`, `{name:int}`, `{name:regex(^a+$)}`,
// `{*rest}` capture route values; the most specific template wins.
import { HostError } from '../errors';

export interface RouteMatch<T> {
  value: T;
  params: Record<string, string>;
}

type SegmentKind = 'literal' | 'complex' | 'constrained' | 'parameter' | 'catchAll';

interface ParameterSpec {
  name: string;
  optional: boolean;
  defaultValue?: string;
  constraints: Constraint[];
  catchAll: boolean;
}

interface CompiledSegment {
  kind: SegmentKind;
  /** For literal segments, the lower-cased text. */
  literal?: string;
  /** For complex or parameter segments, a regex over the decoded segment. */
  pattern?: RegExp;
  parameters: ParameterSpec[];
}

export interface CompiledRoute<T> {
  template: string;
  segments: CompiledSegment[];
  value: T;
  precedence: number[];
}

type Constraint = (value: string) => boolean;

const PRECEDENCE: Record<SegmentKind, number> = { literal: 1, complex: 2, constrained: 3, parameter: 4, catchAll: 5 };

/** Parses a route template; throws HostError('route.invalid') with the reason. */
export function compileRoute<T>(template: string, value: T): CompiledRoute<T> {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const rawSegments = trimmed === '' ? [] : trimmed.split('/');
  const segments: CompiledSegment[] = [];
  const names = new Set<string>();
  rawSegments.forEach((raw, index) => {
    if (raw === '') throw invalid(template, 'empty segment ("//")');
    const segment = compileSegment(raw, template);
    for (const p of segment.parameters) {
      const key = p.name.toLowerCase();
      if (names.has(key)) throw invalid(template, `parameter "${p.name}" appears twice`);
      names.add(key);
      if (p.catchAll && index !== rawSegments.length - 1) throw invalid(template, 'a catch-all parameter must be the last segment');
    }
    segments.push(segment);
  });
  // Optional parameters may only be followed by optional parameters.
  let sawOptional = false;
  for (const segment of segments) {
    const optional = segment.parameters.length === 1 && (segment.parameters[0].optional || segment.parameters[0].catchAll || segment.parameters[0].defaultValue !== undefined) && segment.kind !== 'complex';
    if (sawOptional && !optional) throw invalid(template, 'an optional parameter must be at the end');
    sawOptional ||= optional;
  }
  return { template, segments, value, precedence: segments.map((s) => PRECEDENCE[s.kind]) };
}

function compileSegment(raw: string, template: string): CompiledSegment {
  if (!raw.includes('{') && !raw.includes('}')) {
    return { kind: 'literal', literal: raw.toLowerCase(), parameters: [] };
  }
  const parameters: ParameterSpec[] = [];
  let regex = '';
  let i = 0;
  while (i < raw.length) {
    const open = raw.indexOf('{', i);
    if (open === -1) {
      if (raw.indexOf('}', i) !== -1) throw invalid(template, `unbalanced "}" in "${raw}"`);
      regex += escapeRegex(raw.slice(i));
      break;
    }
    if (raw.slice(i, open).includes('}')) throw invalid(template, `unbalanced "}" in "${raw}"`);
    regex += escapeRegex(raw.slice(i, open));
    const close = findClosingBrace(raw, open);
    if (close === -1) throw invalid(template, `unbalanced "{" in "${raw}"`);
    const spec = parseParameter(raw.slice(open + 1, close), template);
    parameters.push(spec);
    regex += spec.catchAll ? '(.*)' : spec.optional || spec.defaultValue !== undefined ? '(.*)' : '(.+)';
    i = close + 1;
  }
  const single = parameters.length === 1 && regex === (parameters[0].catchAll || parameters[0].optional || parameters[0].defaultValue !== undefined ? '(.*)' : '(.+)');
  if (!single && parameters.some((p) => p.catchAll)) throw invalid(template, 'a catch-all parameter must fill its whole segment');
  if (!single && parameters.some((p) => p.optional)) {
    // ASP.NET allows an optional parameter at the end of a complex segment only after a period.
    const last = parameters[parameters.length - 1];
    if (!last.optional || parameters.slice(0, -1).some((p) => p.optional)) throw invalid(template, `only the last parameter of "${raw}" may be optional`);
  }
  let kind: SegmentKind;
  if (!single) kind = 'complex';
  else if (parameters[0].catchAll) kind = 'catchAll';
  else kind = parameters[0].constraints.length > 0 ? 'constrained' : 'parameter';
  return { kind, pattern: new RegExp(`^${regex}$`, 'is'), parameters };
}

function findClosingBrace(raw: string, open: number): number {
  // Constraint arguments (e.g. regex) may hold braces; balance them.
  let depth = 0;
  for (let j = open; j < raw.length; j++) {
    if (raw[j] === '{') depth++;
    else if (raw[j] === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function parseParameter(body: string, template: string): ParameterSpec {
  let text = body.trim();
  let catchAll = false;
  if (text.startsWith('**')) {
    catchAll = true;
    text = text.slice(2);
  } else if (text.startsWith('*')) {
    catchAll = true;
    text = text.slice(1);
  }
  let optional = false;
  let defaultValue: string | undefined;
  const nameMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text);
  if (!nameMatch) throw invalid(template, `parameter "{${body}}" has no valid name`);
  const name = nameMatch[0];
  let rest = text.slice(name.length);
  const constraints: Constraint[] = [];
  while (rest.startsWith(':')) {
    const parsed = readConstraint(rest.slice(1));
    constraints.push(buildConstraint(parsed.name, parsed.argument, template));
    rest = parsed.rest;
  }
  if (rest.startsWith('=')) {
    defaultValue = rest.slice(1);
    rest = '';
  } else if (rest === '?') {
    optional = true;
    rest = '';
  }
  if (rest !== '') throw invalid(template, `cannot read parameter "{${body}}"`);
  if (catchAll && optional) throw invalid(template, `catch-all parameter "{${body}}" cannot be marked optional`);
  return { name, optional, defaultValue, constraints, catchAll };
}

function readConstraint(text: string): { name: string; argument?: string; rest: string } {
  const nameMatch = /^[A-Za-z]+/.exec(text);
  const name = nameMatch ? nameMatch[0] : '';
  let rest = text.slice(name.length);
  if (!rest.startsWith('(')) return { name, rest };
  let depth = 0;
  for (let j = 0; j < rest.length; j++) {
    if (rest[j] === '(') depth++;
    else if (rest[j] === ')') {
      depth--;
      if (depth === 0) return { name, argument: rest.slice(1, j), rest: rest.slice(j + 1) };
    }
  }
  return { name, argument: rest.slice(1), rest: '' };
}

function buildConstraint(name: string, argument: string | undefined, template: string): Constraint {
  const numbers = (): number[] => (argument ?? '').split(',').map((s) => Number(s.trim()));
  switch (name.toLowerCase()) {
    case 'int':
      return (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2_147_483_648 && Number(v) <= 2_147_483_647;
    case 'long':
      return (v) => /^-?\d+$/.test(v) && BigInt(v) <= 9223372036854775807n && BigInt(v) >= -9223372036854775808n;
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'decimal':
    case 'double':
    case 'float':
      return (v) => v.trim() !== '' && Number.isFinite(Number(v));
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'min': {
      const [min] = numbers();
      return (v) => /^-?\d+$/.test(v) && Number(v) >= min;
    }
    case 'max': {
      const [max] = numbers();
      return (v) => /^-?\d+$/.test(v) && Number(v) <= max;
    }
    case 'range': {
      const [min, max] = numbers();
      return (v) => /^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
    }
    case 'length': {
      const [a, b] = numbers();
      return b === undefined ? (v) => v.length === a : (v) => v.length >= a && v.length <= b;
    }
    case 'minlength': {
      const [a] = numbers();
      return (v) => v.length >= a;
    }
    case 'maxlength': {
      const [a] = numbers();
      return (v) => v.length <= a;
    }
    case 'regex': {
      let pattern: RegExp;
      try {
        // Braces are doubled inside route templates ({{ → {).
        pattern = new RegExp((argument ?? '').replace(/\{\{/g, '{').replace(/\}\}/g, '}'), 'i');
      } catch (error) {
        throw invalid(template, `bad regex constraint: ${(error as Error).message}`);
      }
      return (v) => pattern.test(v);
    }
    default:
      throw invalid(template, `unknown route constraint "${name}"`);
  }
}

/** Matches a request path (already without the route prefix) against one compiled route. */
export function matchRoute<T>(route: CompiledRoute<T>, path: string): Record<string, string> | undefined {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  const rawSegments = trimmed === '' ? [] : trimmed.split('/');
  const params: Record<string, string> = {};
  const { segments } = route;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'catchAll') {
      const rest = rawSegments.slice(i).map(safeDecode);
      if (rest.some((s) => s === undefined)) return undefined;
      const value = rest.join('/');
      const spec = segment.parameters[0];
      if (value === '') {
        if (spec.defaultValue !== undefined) params[spec.name] = spec.defaultValue;
      } else {
        if (!spec.constraints.every((c) => c(value))) return undefined;
        params[spec.name] = value;
      }
      return params;
    }
    const raw = rawSegments[i];
    if (raw === undefined) {
      // Only optional (or defaulted) single-parameter segments may be missing.
      const spec = segment.parameters[0];
      if (segment.kind === 'literal' || segment.kind === 'complex' || !(spec.optional || spec.defaultValue !== undefined)) return undefined;
      if (spec.defaultValue !== undefined) params[spec.name] = spec.defaultValue;
      continue;
    }
    const decoded = safeDecode(raw);
    if (decoded === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (decoded.toLowerCase() !== segment.literal) return undefined;
      continue;
    }
    const match = segment.pattern!.exec(decoded);
    if (!match) return undefined;
    for (let p = 0; p < segment.parameters.length; p++) {
      const spec = segment.parameters[p];
      const value = match[p + 1];
      if (value === '') {
        if (!(spec.optional || spec.defaultValue !== undefined)) return undefined;
        if (spec.defaultValue !== undefined) params[spec.name] = spec.defaultValue;
        continue;
      }
      if (!spec.constraints.every((c) => c(value))) return undefined;
      params[spec.name] = value;
    }
  }
  if (rawSegments.length > segments.length) return undefined;
  return params;
}

/** A table of routes, tried from the most specific template to the least. */
export class RouteTable<T> {
  private readonly routes: CompiledRoute<T>[] = [];

  add(template: string, value: T): void {
    this.routes.push(compileRoute(template, value));
    this.routes.sort(compareRoutes);
  }

  /** Every route whose template matches, most specific first. */
  matchAll(path: string): RouteMatch<T>[] {
    const matches: RouteMatch<T>[] = [];
    for (const route of this.routes) {
      const params = matchRoute(route, path);
      if (params) matches.push({ value: route.value, params });
    }
    return matches;
  }

  get size(): number {
    return this.routes.length;
  }
}

function compareRoutes<T>(a: CompiledRoute<T>, b: CompiledRoute<T>): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    // A missing segment sorts after any present one: "a/b" before "a".
    const pa = a.precedence[i] ?? 6;
    const pb = b.precedence[i] ?? 6;
    if (pa !== pb) return pa - pb;
  }
  return a.template.localeCompare(b.template);
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function invalid(template: string, reason: string): HostError {
  return new HostError('route.invalid', `Route template "${template}" is invalid: ${reason}`);
}
