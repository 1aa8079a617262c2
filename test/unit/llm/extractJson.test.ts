import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { extractJson } from '../../../src/core/llm/extractJson';

describe('llm/extractJson', () => {
  it('parses a bare JSON reply as a whole', () => {
    assert.deepEqual(extractJson('  {"a": 1}\n'), { ok: true, value: { a: 1 }, source: 'whole' });
  });

  it('takes the json-labelled fence over an earlier unlabelled one', () => {
    const text = 'Example:\n```\n{"example": true}\n```\nAnswer:\n```json\n{"answer": 2}\n```';
    assert.deepEqual(extractJson(text), { ok: true, value: { answer: 2 }, source: 'fence' });
  });

  it('finds the first balanced object in prose, skipping braces inside strings', () => {
    const text = 'Sure. Here it is: {"text": "a } brace and a { brace", "n": [1, 2]} — hope that helps {"x": 1}';
    const result = extractJson(text);
    assert.deepEqual(result, { ok: true, value: { text: 'a } brace and a { brace', n: [1, 2] }, source: 'embedded' });
  });

  it('prefers an object over an earlier bracketed reference', () => {
    const result = extractJson('As noted in [1], the result is {"score": 0.5}.');
    assert.deepEqual(result, { ok: true, value: { score: 0.5 }, source: 'embedded' });
  });

  it('skips a malformed brace group in prose and keeps looking', () => {
    const result = extractJson('Use {placeholders} like this: {"ok": true}');
    assert.deepEqual(result, { ok: true, value: { ok: true }, source: 'embedded' });
  });

  it('reports truncation instead of returning an inner fragment', () => {
    const result = extractJson('Result: {"outer": {"inner": 1}, "rest": "cut of');
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.problem, 'truncated');
  });

  it('never returns a fragment of a malformed object', () => {
    const result = extractJson('{"a": {"b": 1}, oops}');
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.problem, 'malformed');
  });

  it('distinguishes an empty reply and a reply without JSON', () => {
    assert.equal(!extractJson('   ').ok && (extractJson('   ') as { problem: string }).problem, 'empty');
    assert.equal((extractJson('I cannot answer that.') as { problem: string }).problem, 'no-json');
  });

  it('recovers any JSON object wrapped in brace-free prose or a fence (property)', () => {
    const prose = fc.string().map((s) => s.replace(/[{}[\]`"]/g, ''));
    const object = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(prose, object, prose, fc.boolean(), (before, value, after, fenced) => {
        const json = JSON.stringify(value);
        const text = fenced ? `${before}\n\`\`\`json\n${json}\n\`\`\`\n${after}` : `${before} ${json} ${after}`;
        const result = extractJson(text);
        assert.ok(result.ok, `not extracted from ${JSON.stringify(text)}`);
        assert.deepEqual(result.value, JSON.parse(json));
      }),
      { numRuns: 300 },
    );
  });
});
