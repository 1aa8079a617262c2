/**
 * zod schema → the JSON schema we send, either as `response_format` or inside prompt instructions.
 * Strict mode (the server guarantees the shape) is only requested when the schema already meets
 * its rules; rewriting a schema to fit them would change what zod later accepts.
 */
import { z } from 'zod';
import type { JsonSchemaFormat } from './types';

type JsonObject = Record<string, unknown>;

/** Keywords strict mode rejects; their presence makes us send `strict: false`. */
const NOT_STRICT = [
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'oneOf',
  'patternProperties',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
  'propertyNames',
];

/** Keywords that carry no meaning for generation and that some servers refuse. */
const DROPPED = new Set(['$schema', 'default']);

export function toJsonSchema(schema: z.ZodType): JsonObject {
  const json = stripKeywords(z.toJSONSchema(schema)) as JsonObject;
  if (json.type !== 'object') {
    throw new TypeError('Structured outputs need a zod object at the root (z.object({...})); wrap other types in a field.');
  }
  return json;
}

export function toResponseFormat(schema: z.ZodType, name: string, description?: string): JsonSchemaFormat {
  const json = toJsonSchema(schema);
  const format: JsonSchemaFormat = { type: 'json_schema', name: safeName(name), schema: json, strict: isStrictCompatible(json) };
  if (description !== undefined) format.description = description;
  return format;
}

/** The API allows ^[A-Za-z0-9_-]{1,64}$ for the schema name. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return cleaned || 'output';
}

/** Every object closed (`additionalProperties: false`) with all its properties required. */
export function isStrictCompatible(node: unknown): boolean {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return true;
  const schema = node as JsonObject;
  if (NOT_STRICT.some((k) => k in schema)) return false;
  const properties = isObject(schema.properties) ? schema.properties : undefined;
  if (schema.type === 'object' || properties) {
    if (schema.additionalProperties !== false) return false;
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    if (properties && !Object.keys(properties).every((p) => required.has(p))) return false;
  }
  const children: unknown[] = [
    ...(properties ? Object.values(properties) : []),
    ...(isObject(schema.$defs) ? Object.values(schema.$defs) : []),
    ...(isObject(schema.definitions) ? Object.values(schema.definitions) : []),
    ...(Array.isArray(schema.anyOf) ? schema.anyOf : []),
    ...(Array.isArray(schema.prefixItems) ? schema.prefixItems : []),
    schema.items,
  ];
  return children.every((child) => child === undefined || isStrictCompatible(child));
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Removes DROPPED keywords from schema nodes (but not property names that happen to match). */
function stripKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripKeywords);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    if ((key === 'properties' || key === '$defs' || key === 'definitions') && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, stripKeywords(child)]));
    } else if (key === 'enum' || key === 'const' || key === 'examples' || key === 'required') {
      out[key] = value;
    } else {
      out[key] = stripKeywords(value);
    }
  }
  return out;
}
