/** Uninformed but schema-valid JSON replies for benchmarks whose fake model must answer every structured call the same way. */

export type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; enum?: unknown[]; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; minimum?: number; maximum?: number; minItems?: number };

/**
 * A value the schema accepts, the same for every request: numbers in the middle of their range,
 * one item per list, the first choice of an enum; a few field names get values a model would give.
 */
export function plausible(schema: JsonSchema, key = ''): unknown {
  const options = schema.anyOf ?? schema.oneOf;
  if (options) {
    const usable = options.filter((o) => o.type !== 'null');
    return plausible(usable.find((o) => o.type === 'number') ?? usable[0] ?? {}, key);
  }
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (/^stepIds?$/.test(key)) return type === 'array' ? ['s1'] : 's1';
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, plausible(v, k)]));
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 0) }, () => plausible(schema.items ?? {}, key));
    case 'boolean':
      return true;
    case 'integer':
      return schema.minimum ?? 0;
    case 'number': {
      const low = schema.minimum ?? 0;
      const high = schema.maximum ?? 1;
      return key === 'confidence' ? 0.6 : Number(((low + high) / 2 - (high - low) / 10).toFixed(2));
    }
    default:
      return key === 'agent' || key === 'agentId' ? 'Orchestrator' : 'The step did not check its result before passing it on.';
  }
}
