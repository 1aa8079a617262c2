import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { isStrictCompatible, safeName, toResponseFormat } from '../../../src/core/llm/jsonSchema';

describe('llm/jsonSchema', () => {
  it('asks for strict mode when every object is closed and fully required', () => {
    const format = toResponseFormat(z.object({ a: z.string(), items: z.array(z.object({ b: z.enum(['x', 'y']) })) }), 'credit signal');
    assert.equal(format.strict, true);
    assert.equal(format.name, 'credit_signal');
    assert.equal('$schema' in format.schema, false);
  });

  it('falls back to non-strict for optional fields or open objects', () => {
    assert.equal(toResponseFormat(z.object({ a: z.string().optional() }), 's').strict, false);
    assert.equal(toResponseFormat(z.object({ a: z.string() }).passthrough(), 's').strict, false);
    assert.equal(isStrictCompatible({ type: 'object', properties: {}, additionalProperties: false, allOf: [] }), false);
  });

  it('drops defaults from schema nodes but keeps a property named "default"', () => {
    const format = toResponseFormat(z.object({ default: z.string(), n: z.number().default(3) }), 's');
    const props = format.schema['properties'] as Record<string, Record<string, unknown>>;
    assert.ok(props['default']);
    assert.equal('default' in (props['n'] ?? {}), false);
  });

  it('refuses a non-object root with a clear message', () => {
    assert.throws(() => toResponseFormat(z.array(z.string()), 's'), /object at the root/);
    assert.equal(safeName('!!!'), '___');
  });
});
