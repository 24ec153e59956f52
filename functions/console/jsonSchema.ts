// zod → JSON Schema 2020-12 (the schema dialect of OpenAPI 3.1), and the field help merged in.
// Paths are dotted; `[]` stands for the items of a list (guests[].teams[].teamId).
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export function jsonSchema(schema: z.ZodType): JsonSchema {
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete generated.$schema;
  return generated;
}

/** Adds each path's help as the `description` of that property (through anyOf and list items). */
export function withHelp(schema: JsonSchema, help: Readonly<Record<string, string>>, path = ''): JsonSchema {
  const copy: JsonSchema = { ...schema };
  if (path && help[path] && !copy.description) copy.description = help[path];
  const properties = copy.properties as Record<string, JsonSchema> | undefined;
  if (properties) {
    copy.properties = Object.fromEntries(Object.entries(properties).map(([name, child]) => [name, withHelp(child, help, path ? `${path}.${name}` : name)]));
  }
  // The alternatives of a field share its path (e.g. users: "all" or { groupIds }).
  if (Array.isArray(copy.anyOf)) copy.anyOf = (copy.anyOf as JsonSchema[]).map((option) => (option.properties || option.items ? withHelp(option, help, path) : option));
  if (copy.items && typeof copy.items === 'object') copy.items = withHelp(copy.items as JsonSchema, help, `${path}[]`);
  return copy;
}

/** Paths of every property in a JSON schema (through anyOf and list items), for the help check. */
export function propertyPaths(schema: JsonSchema, path = ''): string[] {
  const paths: string[] = [];
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [name, child] of Object.entries(properties ?? {})) {
    const childPath = path ? `${path}.${name}` : name;
    paths.push(childPath, ...propertyPaths(child, childPath));
  }
  for (const option of (schema.anyOf as JsonSchema[] | undefined) ?? []) paths.push(...propertyPaths(option, path));
  if (schema.items && typeof schema.items === 'object') paths.push(...propertyPaths(schema.items as JsonSchema, `${path}[]`));
  return [...new Set(paths)];
}
