// Listing directory objects with Entra's query rules: $filter/$select/$orderby/$search/$count/$top,
// advanced queries only with `ConsistencyLevel: eventual`, unknown properties → 400.
import { GraphError, badRequest } from '../errors';
import type { GraphCall } from '../graph/types';
import { evaluateFilter, filterProperties, isAdvancedFilter, paginate, parseFilter, parseList, project, searchMatcher, sortBy } from '../odata';
import type { JsonObject } from '../state';

export { USER_DEFAULT_PROPERTIES } from '../graph/projections';

/** Stored but never returned (as in Graph). */
export const HIDDEN_PROPERTIES = new Set(['passwordProfile']);

export interface ListOptions {
  /** OpenAPI type whose properties $select/$filter may name, e.g. `microsoft.graph.user`. */
  typeName: string;
  /** Properties returned without $select (undefined: all stored ones). */
  defaults?: readonly string[];
  /** Path of the collection below /v1.0 (for @odata.nextLink). */
  path: string;
  /** @odata.context fragment, e.g. `users`. */
  context: string;
  /** Decorates each returned item (e.g. `@odata.type` on members). */
  decorate?: (item: JsonObject, source: JsonObject) => JsonObject;
  /**
   * Entra's directory-object rules (default): advanced filters, $search and $count need
   * `ConsistencyLevel: eventual`. Other resources (e.g. partners) count without it and have no $search.
   */
  directoryObjects?: boolean;
}

const unsupported = (message: string): GraphError => new GraphError(400, 'Request_UnsupportedQuery', message);

export function checkProperties(call: GraphCall, typeName: string, names: string[], what: string): void {
  const known = call.engine.spec.properties(typeName);
  for (const name of names) {
    if (!known.has(name) && !Array.from(known).some((property) => property.toLowerCase() === name.toLowerCase())) {
      throw badRequest(`Could not find a property named '${name}' on type '${typeName}' (${what}).`, 'BadRequest');
    }
  }
}

export function selected(call: GraphCall, typeName: string): string[] | undefined {
  const select = parseList(call.query.get('$select'));
  if (select) checkProperties(call, typeName, select, '$select');
  return select;
}

/** Renders one object for a GET by id. */
export function renderOne(call: GraphCall, item: JsonObject, typeName: string, defaults?: readonly string[]): JsonObject {
  return visible(project(item, selected(call, typeName), defaults));
}

export function visible(item: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(item)) if (!HIDDEN_PROPERTIES.has(key)) out[key] = value;
  return out;
}

export function listObjects(call: GraphCall, items: JsonObject[], options: ListOptions): JsonObject {
  const eventual = (call.headers.consistencylevel ?? '').toLowerCase() === 'eventual';
  const filterText = call.query.get('$filter');
  const search = call.query.get('$search');
  const count = call.query.get('$count') === 'true';
  const orderby = parseList(call.query.get('$orderby'));
  const select = selected(call, options.typeName);

  const directory = options.directoryObjects ?? true;
  let results = items;
  if (filterText) {
    const tree = parseFilter(filterText);
    checkProperties(call, options.typeName, filterProperties(tree), '$filter');
    if (directory && isAdvancedFilter(tree) && !eventual) {
      throw unsupported("Unsupported Query. This filter needs the ConsistencyLevel header set to 'eventual' and $count=true (advanced query).");
    }
    results = results.filter((item) => evaluateFilter(tree, item));
  }
  if (search !== null) {
    if (!directory) throw unsupported(`$search is not supported on ${options.context}.`);
    if (!eventual) throw unsupported("Request with $search query parameter only works with the ConsistencyLevel header set to 'eventual'.");
    const matcher = searchMatcher(search);
    results = results.filter(matcher);
  }
  if (count && directory && !eventual) throw unsupported("$count is only supported with the ConsistencyLevel header set to 'eventual'.");
  if (orderby) {
    checkProperties(call, options.typeName, orderby.map((clause) => clause.split(/\s+/)[0]), '$orderby');
    if (filterText && directory && !eventual) throw unsupported("Sorting with $orderby and $filter together needs the ConsistencyLevel header set to 'eventual'.");
    results = sortBy(results, orderby);
  }
  const page = paginate(results, call.query, call.headers, call.graphBase, options.path);
  const selectSuffix = select ? `(${select.join(',')})` : '';
  return {
    '@odata.context': `${call.graphBase}/$metadata#${options.context}${selectSuffix}`,
    ...(count ? { '@odata.count': results.length } : {}),
    value: page.value.map((item) => {
      const rendered = visible(project(item, select, options.defaults));
      return options.decorate ? options.decorate(rendered, item) : rendered;
    }),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
  };
}
