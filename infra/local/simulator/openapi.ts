// Validation of every Graph request and response against the OpenAPI subset
// (openapi/openapi-v1.0-subset.json, a copy of ../shared/graph).
//
// The description is converted once per process into one JSON Schema document (2019-09, for
// `unevaluatedProperties`) and each operation's validators are compiled on first use and cached.
// Conversion rules:
// - `anyOf: [X, {type: object, nullable: true}]` is the converter's idiom for "X or null": the
//   second branch becomes `{type: 'null'}` (as written it would accept any object at all);
// - navigation properties (`x-ms-navigationProperty`) keep their name but accept anything: they
//   are never returned without $expand, and compiling them would pull in most of Graph;
// - `discriminator`, `x-*` and `example(s)` are dropped; unknown formats (int32, duration...) pass.
// Entities are checked strictly at their top level (an undeclared property is an error, except
// annotations such as `@odata.type`, `members@odata.bind`, `members@delta` and extension
// attributes), and the items of a collection are checked as the entity their `@odata.type` names.
import { readFileSync } from 'node:fs';
import Ajv2019, { ErrorObject, ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { assetPath } from './assets';
import { badRequest } from './errors';
import { DEFAULT_PROPERTIES, SELECT_ONLY_PROPERTIES } from './graph/projections';

type Schema = Record<string, unknown>;

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Schema>; parameters: Record<string, Schema>; requestBodies: Record<string, Schema> };
}

interface Parameter {
  name: string;
  in: 'query' | 'header' | 'path';
  required?: boolean;
  schema?: Schema;
}

export interface SpecOperation {
  path: string;
  method: string;
  operationId: string;
  queryParameters: Map<string, Parameter>;
  requestSchema?: Schema;
  requestRequired: boolean;
  responses: Record<string, Schema | undefined>;
}

const ANNOTATIONS = { '@': {}, '^ext[a-z0-9]+_': {}, '^extension_': {} };
const ALWAYS_ALLOWED_QUERY = new Set(['$skiptoken', '$deltatoken']);
const DEFS = 'graph.json#/$defs/';

let shared: GraphSpec | undefined;

export class GraphSpec {
  private readonly ajv: Ajv2019;
  private readonly operations = new Map<string, SpecOperation>();
  private readonly requestValidators = new Map<string, ValidateFunction>();
  private readonly responseValidators = new Map<string, ValidateFunction>();
  private readonly strictEntityValidators = new Map<string, ValidateFunction>();
  private readonly propertyNames = new Map<string, Set<string>>();
  private readonly rawPropertySchemas = new Map<string, Map<string, Schema>>();
  private readonly defaultPropertyNames = new Map<string, readonly string[]>();
  private readonly schemas: Record<string, Schema>;

  /** One instance per process: conversion and compiled validators are shared by all simulators. */
  static shared(): GraphSpec {
    return (shared ??= new GraphSpec(withDocumentedAdditions(JSON.parse(readFileSync(assetPath('openapi/openapi-v1.0-subset.json'), 'utf8')))));
  }

  private constructor(private readonly doc: OpenApiDocument) {
    const formats = new Set<string>();
    this.schemas = Object.fromEntries(Object.entries(doc.components.schemas).map(([name, schema]) => [name, convert(schema, formats)]));
    this.ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: true });
    addFormats(this.ajv);
    for (const format of formats) if (!(format in this.ajv.formats)) this.ajv.addFormat(format, true);
    this.ajv.addSchema({ $id: 'graph.json', $defs: this.schemas });
  }

  operation(path: string, method: string): SpecOperation | undefined {
    const key = `${method.toUpperCase()} ${path}`;
    const cached = this.operations.get(key);
    if (cached) return cached;
    const raw = this.doc.paths[path]?.[method.toLowerCase()] as Schema | undefined;
    if (!raw) return undefined;
    const queryParameters = new Map<string, Parameter>();
    for (const entry of (raw.parameters as Schema[] | undefined) ?? []) {
      const parameter = this.resolve(entry) as unknown as Parameter;
      if (parameter.in === 'query') queryParameters.set(parameter.name, parameter);
    }
    const requestBody = raw.requestBody ? this.resolve(raw.requestBody as Schema) : undefined;
    const responses: Record<string, Schema | undefined> = {};
    for (const [status, response] of Object.entries((raw.responses as Record<string, Schema>) ?? {})) {
      const resolved = this.resolve(response);
      responses[status] = ((resolved.content as Record<string, { schema?: Schema }> | undefined)?.['application/json']?.schema) ?? undefined;
    }
    const operation: SpecOperation = {
      path,
      method: method.toUpperCase(),
      operationId: String(raw.operationId ?? key),
      queryParameters,
      requestSchema: (requestBody?.content as Record<string, { schema?: Schema }> | undefined)?.['application/json']?.schema,
      requestRequired: Boolean(requestBody?.required),
      responses,
    };
    this.operations.set(key, operation);
    return operation;
  }

  /** Checks OData query options against the operation's parameters; throws a Graph 400. */
  validateQuery(operation: SpecOperation, query: URLSearchParams): void {
    for (const [name, value] of query) {
      const parameter = operation.queryParameters.get(name) ?? operation.queryParameters.get(name.toLowerCase()) ?? operation.queryParameters.get(name.replace(/^\$/, '@'));
      if (!parameter) {
        if (name.startsWith('$') && !ALWAYS_ALLOWED_QUERY.has(name.toLowerCase())) {
          throw badRequest(`Query option '${name}' is not allowed for ${operation.method} ${operation.path}.`, 'BadRequest');
        }
        continue;
      }
      const type = parameter.schema?.type;
      if (type === 'integer' && !/^\d+$/.test(value)) {
        throw badRequest(`Invalid value '${value}' for query option '${name}': expected a non-negative integer.`, 'BadRequest');
      }
      if (type === 'boolean' && value !== 'true' && value !== 'false') {
        throw badRequest(`Invalid value '${value}' for query option '${name}': expected true or false.`, 'BadRequest');
      }
    }
    for (const parameter of operation.queryParameters.values()) {
      if (parameter.required && !query.has(parameter.name) && !query.has(parameter.name.replace(/^@/, '$'))) {
        throw badRequest(`Query option '${parameter.name}' is required for ${operation.method} ${operation.path}.`, 'BadRequest');
      }
    }
  }

  /** Checks a request body against the operation's schema; throws a Graph 400 naming the field. */
  validateRequestBody(operation: SpecOperation, body: unknown, schemaOverride?: SpecOperation): void {
    const source = schemaOverride ?? operation;
    if (!source.requestSchema) return;
    if (body === undefined) {
      if (source.requestRequired) throw badRequest('Empty Payload. JSON content expected.', 'BadRequest');
      return;
    }
    const key = `${source.method} ${source.path}`;
    let validate = this.requestValidators.get(key);
    if (!validate) {
      const converted = convert(source.requestSchema, new Set());
      const strict = typeof converted.$ref === 'string' ? { ...converted, unevaluatedProperties: false, patternProperties: ANNOTATIONS } : converted;
      validate = this.ajv.compile(strict);
      this.requestValidators.set(key, validate);
    }
    if (!validate(body)) {
      throw badRequest(describeErrors(validate.errors ?? [], typeNameOf(source.requestSchema)), 'BadRequest');
    }
  }

  /** Problems of a response (empty when it matches the description). */
  validateResponse(operation: SpecOperation, status: number, body: unknown): string[] {
    const schema = this.responseSchema(operation, status);
    if (schema === null) return [`${operation.method} ${operation.path} does not declare status ${status}`];
    if (status === 204 || schema === undefined) {
      return body === undefined || body === '' ? [] : [`status ${status} must have no body`];
    }
    if (body === undefined) return [`status ${status} needs a JSON body`];
    const key = `${operation.method} ${operation.path} ${status >= 400 ? 'error' : 'ok'}`;
    let validate = this.responseValidators.get(key);
    if (!validate) {
      validate = this.ajv.compile(convert(schema, new Set()));
      this.responseValidators.set(key, validate);
    }
    const problems: string[] = [];
    if (!validate(body)) problems.push(describeErrors(validate.errors ?? [], typeNameOf(schema)));
    if (status < 400) problems.push(...this.strictEntityProblems(schema, body));
    return problems;
  }

  /** The entity type a successful response describes, and whether the body is a collection of it. */
  responseEntity(operation: SpecOperation, status: number): { typeName: string; collection: boolean } | undefined {
    const schema = this.responseSchema(operation, status);
    if (!schema) return undefined;
    const entity = entityName(schema, this.doc);
    if (entity) return { typeName: entity, collection: false };
    const items = collectionItemName(schema, this.doc, this.schemas);
    return items ? { typeName: items, collection: true } : undefined;
  }

  /** Navigation properties of a type (returned only with $expand). */
  navigationProperties(typeName: string): Set<string> {
    return new Set([...this.rawProperties(typeName)].filter(([, schema]) => schema['x-ms-navigationProperty'] === true).map(([name]) => name));
  }

  /** What a response carries without $select: the type's default set, else every documented structural property. */
  defaultProperties(typeName: string): readonly string[] {
    let names = this.defaultPropertyNames.get(typeName);
    if (!names) {
      const selectOnly = new Set(SELECT_ONLY_PROPERTIES[typeName] ?? []);
      names =
        DEFAULT_PROPERTIES[typeName] ??
        [...this.rawProperties(typeName)].filter(([name, schema]) => !name.startsWith('@') && schema['x-ms-navigationProperty'] !== true && !selectOnly.has(name)).map(([name]) => name);
      this.defaultPropertyNames.set(typeName, names);
    }
    return names;
  }

  /**
   * A successful response with every property the schema documents for its resource: what the
   * world has no value for is null, or the schema's default where null is not allowed ([] for a
   * collection, false, 0, ...); nested complex values are completed the same way. Only the
   * selected properties when `select` is given, else the type's default set. Returns a new body.
   */
  completeResponse(operation: SpecOperation, status: number, body: unknown, select?: readonly string[]): unknown {
    if (status >= 300 || !body || typeof body !== 'object' || Array.isArray(body)) return body;
    const entity = this.responseEntity(operation, status);
    if (!entity) return body;
    if (!entity.collection) return this.completeEntity(entity.typeName, body as Schema, select);
    const value = (body as Schema).value;
    if (!Array.isArray(value)) return body;
    return { ...(body as Schema), value: value.map((item) => (item && typeof item === 'object' && !Array.isArray(item) ? this.completeEntity(entity.typeName, item as Schema, select) : item)) };
  }

  private completeEntity(declared: string, value: Schema, select: readonly string[] | undefined): Schema {
    // A delta's removed object is its id and `@removed`, nothing else.
    if ('@removed' in value) return value;
    const typeName = this.concreteType(declared, value);
    const properties = this.rawProperties(typeName);
    const expected = select ? select.map((name) => [...properties.keys()].find((known) => known.toLowerCase() === name.toLowerCase()) ?? name) : this.defaultProperties(typeName);
    return this.completeObject(typeName, value, expected, 0);
  }

  private completeObject(typeName: string, value: Schema, expected: readonly string[], depth: number): Schema {
    const properties = this.rawProperties(typeName);
    const out: Schema = { ...value };
    for (const name of expected) {
      const schema = properties.get(name);
      if (!schema || schema['x-ms-navigationProperty'] === true) continue;
      if (!(name in out) || (out[name] === null && !allowsNull(schema))) out[name] = this.defaultValue(schema, depth);
    }
    // Complex values present are completed too (their types have no default sets).
    for (const [name, current] of Object.entries(out)) {
      const schema = properties.get(name);
      // A navigation property answered anyway (an invitation's invitedUser) is a reference, left as it is.
      if (!schema || schema['x-ms-navigationProperty'] === true || current === null || typeof current !== 'object' || depth >= MAX_COMPLETION_DEPTH) continue;
      const nested = Array.isArray(current) ? complexTypeOf(schema.items as Schema | undefined) : complexTypeOf(schema);
      if (!nested || !this.schemas[nested]) continue;
      const complete = (item: unknown): unknown => {
        if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
        const concrete = this.concreteType(nested, item as Schema);
        return this.completeObject(concrete, item as Schema, this.defaultProperties(concrete), depth + 1);
      };
      out[name] = Array.isArray(current) ? current.map(complete) : complete(current);
    }
    return out;
  }

  /** The value a property has when the world has none. */
  private defaultValue(schema: Schema, depth: number): unknown {
    if (allowsNull(schema)) return null;
    if (schema.type === 'array') return [];
    const anyOf = schema.anyOf as Schema[] | undefined;
    if (anyOf && anyOf.length > 0) return this.defaultValue(anyOf[0], depth);
    if (typeof schema.$ref === 'string') {
      const name = refName(schema.$ref);
      const target = this.doc.components.schemas[name];
      if (!target) return null;
      if (Array.isArray(target.enum)) return target.enum[0];
      if (depth >= MAX_COMPLETION_DEPTH) return {};
      return this.completeObject(name, {}, this.defaultProperties(name), depth + 1);
    }
    if (Array.isArray(schema.enum)) return schema.enum[0];
    switch (schema.type) {
      case 'boolean':
        return false;
      case 'integer':
      case 'number':
        return 0;
      case 'string':
        if (schema.format === 'date-time') return '0001-01-01T00:00:00Z';
        if (schema.format === 'uuid') return '00000000-0000-0000-0000-000000000000';
        return '';
      default:
        return null;
    }
  }

  /** The type an object's `@odata.type` names (when the description knows it), else the declared one. */
  private concreteType(declared: string, value: Schema): string {
    const named = typeof value['@odata.type'] === 'string' ? String(value['@odata.type']).replace(/^#/, '') : undefined;
    if (!named) return declared;
    const exact = this.schemas[named] ? named : Object.keys(this.schemas).find((name) => name.toLowerCase() === named.toLowerCase());
    return exact ?? declared;
  }

  /** Raw (OpenAPI) schemas of a type's properties, inherited ones included. */
  private rawProperties(typeName: string): Map<string, Schema> {
    let found = this.rawPropertySchemas.get(typeName);
    if (!found) {
      found = new Map();
      const visit = (schema: Schema | undefined): void => {
        if (!schema) return;
        if (typeof schema.$ref === 'string') visit(this.doc.components.schemas[refName(schema.$ref)]);
        for (const part of (schema.allOf as Schema[] | undefined) ?? []) visit(part);
        for (const [name, property] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) found!.set(name, property);
      };
      visit(this.doc.components.schemas[typeName]);
      this.rawPropertySchemas.set(typeName, found);
    }
    return found;
  }

  /** Declared property names of an entity or complex type (inherited ones included). */
  properties(typeName: string): Set<string> {
    let names = this.propertyNames.get(typeName);
    if (!names) {
      names = new Set();
      this.collectProperties(this.schemas[typeName], names);
      this.propertyNames.set(typeName, names);
    }
    return names;
  }

  private collectProperties(schema: Schema | undefined, names: Set<string>): void {
    if (!schema) return;
    if (typeof schema.$ref === 'string') this.collectProperties(this.schemas[refName(schema.$ref)], names);
    for (const part of (schema.allOf as Schema[] | undefined) ?? []) this.collectProperties(part, names);
    for (const name of Object.keys((schema.properties as Schema | undefined) ?? {})) names.add(name);
  }

  private responseSchema(operation: SpecOperation, status: number): Schema | undefined | null {
    const family = `${String(status)[0]}XX`;
    for (const key of [String(status), family, 'default']) {
      if (key in operation.responses) return operation.responses[key];
    }
    return null;
  }

  private strictEntityProblems(schema: Schema, body: unknown): string[] {
    if (!body || typeof body !== 'object') return [];
    const entity = entityName(schema, this.doc);
    if (entity) return this.checkEntity(entity, body as Schema, '');
    const items = collectionItemName(schema, this.doc, this.schemas);
    if (items && Array.isArray((body as Schema).value)) {
      return ((body as Schema).value as unknown[]).flatMap((item, index) =>
        item && typeof item === 'object' ? this.checkEntity(items, item as Schema, `/value/${index}`) : [],
      );
    }
    return [];
  }

  private checkEntity(declared: string, value: Schema, where: string): string[] {
    const named = typeof value['@odata.type'] === 'string' ? String(value['@odata.type']).replace(/^#/, '') : undefined;
    const typeName = named && this.schemas[named] ? named : declared;
    let validate = this.strictEntityValidators.get(typeName);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DEFS}${typeName}`, unevaluatedProperties: false, patternProperties: ANNOTATIONS });
      this.strictEntityValidators.set(typeName, validate);
    }
    if (validate(value)) return [];
    return [`${where || '(body)'}: ${describeErrors(validate.errors ?? [], typeName)}`];
  }

  private resolve(node: Schema): Schema {
    let current = node;
    while (typeof current.$ref === 'string' && current.$ref.startsWith('#/components/') && !current.$ref.startsWith('#/components/schemas/')) {
      const [, , kind, name] = current.$ref.split('/');
      current = (this.doc.components as unknown as Record<string, Record<string, Schema>>)[kind][name];
    }
    return current;
  }
}

/**
 * The subset plus the operations and types the product calls that it lacks, described from the
 * Graph documentation (openapi/documented-additions.json; each operation and type names its
 * source in `x-source`). Additions never replace what the subset describes.
 */
function withDocumentedAdditions(doc: OpenApiDocument): OpenApiDocument {
  const additions = JSON.parse(readFileSync(assetPath('openapi/documented-additions.json'), 'utf8')) as Pick<OpenApiDocument, 'paths'> & {
    components: { schemas: Record<string, Schema> };
  };
  for (const [path, item] of Object.entries(additions.paths)) doc.paths[path] ??= item;
  for (const [name, schema] of Object.entries(additions.components.schemas)) doc.components.schemas[name] ??= schema;
  return doc;
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function typeNameOf(schema: Schema): string | undefined {
  return typeof schema.$ref === 'string' ? refName(schema.$ref) : undefined;
}

function entityName(schema: Schema, doc: OpenApiDocument): string | undefined {
  if (typeof schema.$ref === 'string') {
    const name = refName(schema.$ref);
    return name.endsWith('CollectionResponse') ? undefined : name;
  }
  const anyOf = schema.anyOf as Schema[] | undefined;
  const ref = anyOf?.find((part) => typeof part.$ref === 'string');
  return ref ? entityName(ref, doc) : undefined;
}

function collectionItemName(schema: Schema, doc: OpenApiDocument, schemas: Record<string, Schema>): string | undefined {
  const visit = (node: Schema | undefined): string | undefined => {
    if (!node) return undefined;
    if (typeof node.$ref === 'string') {
      const name = refName(node.$ref);
      return visit(schemas[name] ?? doc.components.schemas[name]);
    }
    const value = (node.properties as Record<string, Schema> | undefined)?.value;
    const items = value?.items as Schema | undefined;
    if (items && typeof items.$ref === 'string') return refName(items.$ref);
    for (const part of (node.allOf as Schema[] | undefined) ?? []) {
      const found = visit(part);
      if (found) return found;
    }
    return undefined;
  };
  return visit(schema);
}

/** One sentence naming the offending field, from ajv's errors (anyOf noise removed). */
export function describeErrors(errors: ErrorObject[], typeName?: string): string {
  const unknown = errors.find((error) => error.keyword === 'unevaluatedProperties');
  if (unknown) {
    const property = (unknown.params as { unevaluatedProperty: string }).unevaluatedProperty;
    const at = unknown.instancePath ? ` (at ${unknown.instancePath})` : '';
    return `Property '${property}' does not exist on type '${typeName ?? 'the resource'}'${at}.`;
  }
  const meaningful = errors.filter((error) => error.keyword !== 'anyOf' && !(error.keyword === 'type' && (error.params as { type?: string }).type === 'null'));
  const chosen = [...(meaningful.length > 0 ? meaningful : errors)].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!chosen) return 'The payload does not match the resource.';
  const field = chosen.instancePath ? chosen.instancePath.slice(1).replace(/\//g, '.') : '(body)';
  const allowed = (chosen.params as { allowedValues?: unknown[] }).allowedValues;
  const detail = allowed ? `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}` : chosen.message ?? 'is invalid';
  if (chosen.keyword === 'required') {
    return `Property '${(chosen.params as { missingProperty: string }).missingProperty}' is required${chosen.instancePath ? ` in '${field}'` : ''}.`;
  }
  return `Invalid value for property '${field}': ${detail}.`;
}

const NULL_OBJECT_KEYS = ['nullable', 'type'];
/** How deep nested complex values are completed. */
const MAX_COMPLETION_DEPTH = 6;

/** Whether a property's schema admits null (`nullable`, or the converter's "X or null" idiom). */
function allowsNull(schema: Schema): boolean {
  return schema.nullable === true || ((schema.anyOf as Schema[] | undefined) ?? []).some(isNullIdiom);
}

/** The complex or entity type a property refers to (directly or as "X or null"). */
function complexTypeOf(schema: Schema | undefined): string | undefined {
  if (!schema) return undefined;
  if (typeof schema.$ref === 'string') return refName(schema.$ref);
  const ref = ((schema.anyOf as Schema[] | undefined) ?? []).find((part) => typeof part.$ref === 'string');
  return ref ? refName(String(ref.$ref)) : undefined;
}

function isNullIdiom(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const keys = Object.keys(schema).sort();
  return keys.length === 2 && keys.every((key, index) => key === NULL_OBJECT_KEYS[index]) && (schema as Schema).type === 'object' && (schema as Schema).nullable === true;
}

/** OpenAPI 3.0 schema → JSON Schema 2019-09 for ajv (see the header comment). */
function convert(schema: Schema, formats: Set<string>): Schema {
  if (!schema || typeof schema !== 'object') return schema;
  if (schema['x-ms-navigationProperty'] === true) return {};
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'discriminator' || key.startsWith('x-') || key === 'example' || key === 'examples') continue;
    switch (key) {
      case '$ref':
        out.$ref = String(value).replace('#/components/schemas/', DEFS);
        break;
      case 'properties':
      case 'patternProperties':
        out[key] = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([name, sub]) => [name, convert(sub, formats)]));
        break;
      case 'allOf':
      case 'oneOf':
        out[key] = (value as Schema[]).map((sub) => convert(sub, formats));
        break;
      case 'anyOf':
        out.anyOf = (value as Schema[]).map((sub) => (isNullIdiom(sub) ? { type: 'null' } : convert(sub, formats)));
        break;
      case 'items':
      case 'additionalProperties':
      case 'not':
        out[key] = typeof value === 'object' ? convert(value as Schema, formats) : value;
        break;
      case 'format':
        if (typeof value === 'string') formats.add(value);
        out.format = value;
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}
