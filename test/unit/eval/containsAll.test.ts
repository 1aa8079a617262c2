import { strict as assert } from 'node:assert';
import { ContainsAllEvaluator, EvaluatorConfigError } from '../../../src/core/eval';

describe('contains-all evaluator', () => {
  const ev = new ContainsAllEvaluator({ items: ['error handling', { regex: '\\bO\\(n\\s*log\\s*n\\)' }, 'Unit Tests'] });

  it('scores the fraction of items found and succeeds only when all are present', async () => {
    const some = await ev.evaluate({ output: 'We add error   handling; the sort is O(n log n).' });
    assert.ok(Math.abs(some.score - 2 / 3) < 1e-12);
    assert.equal(some.success, false);
    assert.deepEqual((some.details as { missing: string[] }).missing, ['"Unit Tests"']);

    const all = await ev.evaluate({ output: 'Error handling, unit tests, and O(nlogn) time.' });
    assert.deepEqual([all.score, all.success], [1, true]);
  });

  it('matches plain strings case-sensitively when told to', async () => {
    const strict = new ContainsAllEvaluator({ items: ['TODO'], caseSensitive: true });
    assert.equal((await strict.evaluate({ output: 'todo' })).score, 0);
  });

  it('rejects an empty list, an empty string and a broken regex at construction', () => {
    assert.throws(() => new ContainsAllEvaluator({ items: [] }), EvaluatorConfigError);
    assert.throws(() => new ContainsAllEvaluator({ items: ['  '] }), /items\[0\]/);
    assert.throws(() => new ContainsAllEvaluator({ items: ['a', { regex: '[' }] }), /items\[1\]/);
  });
});
