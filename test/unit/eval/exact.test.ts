import { strict as assert } from 'node:assert';
import { ExactEvaluator, normalizeText } from '../../../src/core/eval';

describe('exact evaluator', () => {
  it('ignores surrounding space, case, inner spacing and a closing full stop', async () => {
    const r = await new ExactEvaluator().evaluate({ output: '  The   Eiffel\nTower. ', reference: 'the eiffel tower' });
    assert.equal(r.score, 1);
    assert.equal(r.success, true);
  });

  it('fails on a different answer and shows both normalized sides', async () => {
    const r = await new ExactEvaluator().evaluate({ output: 'Louvre', reference: 'Eiffel Tower' });
    assert.deepEqual([r.score, r.success], [0, false]);
    assert.deepEqual((r.details as Record<string, unknown>).normalizedOutput, 'louvre');
  });

  it('compares case when caseSensitive is set', async () => {
    const ev = new ExactEvaluator({ caseSensitive: true });
    assert.equal((await ev.evaluate({ output: 'paris', reference: 'Paris' })).score, 0);
    assert.equal((await ev.evaluate({ output: 'Paris!', reference: 'Paris' })).score, 1);
  });

  it('keeps brackets and quotes, which carry meaning', () => {
    assert.equal(normalizeText('f(x).'), 'f(x)');
    assert.notEqual(normalizeText('f(x)'), normalizeText('f(x'));
  });

  it('keeps trailing punctuation when told to', async () => {
    const r = await new ExactEvaluator({ stripTrailingPunctuation: false }).evaluate({ output: 'yes.', reference: 'yes' });
    assert.equal(r.score, 0);
  });

  it('case-folds beyond ASCII and treats full-width letters as plain ones', () => {
    assert.equal(normalizeText('STRASSE'), normalizeText('straße'));
    assert.equal(normalizeText('ＡＢＣ'), 'abc');
  });

  it('takes the reference from the task when the input has none', async () => {
    const r = await new ExactEvaluator().evaluate({ output: '42', task: { id: 't1', input: 'q', reference: '42' } });
    assert.equal(r.success, true);
  });

  it('reports a missing reference as an error, not as a wrong answer', async () => {
    const r = await new ExactEvaluator().evaluate({ output: '42' });
    assert.equal(r.score, 0);
    assert.equal(r.error?.kind, 'missing-reference');
  });
});
