import { strict as assert } from 'node:assert';
import { EvaluatorConfigError, extractNumbers, NumericEvaluator, pickNumber } from '../../../src/core/eval';

const values = (text: string) => extractNumbers(text).map((n) => n.value);

describe('number extraction', () => {
  it('reads thousands separators, negatives, decimals, percentages and fractions', () => {
    assert.deepEqual(values('1,234.5'), [1234.5]);
    assert.deepEqual(values('-3'), [-3]);
    assert.deepEqual(values('−7 and .5 and 6.02e23'), [-7, 0.5, 6.02e23]);
    assert.deepEqual(values('75%'), [75]);
    assert.equal(extractNumbers('75 %')[0].percent, true);
    assert.deepEqual(values('3/4'), [0.75]);
    assert.deepEqual(values('so it is -3/4.'), [-0.75]);
    assert.deepEqual(values('\\frac{3}{4}'), [0.75]);
  });

  it('treats lists, malformed groups, dates, ranges and names sensibly', () => {
    assert.deepEqual(values('1,2,3'), [1, 2, 3]);
    assert.deepEqual(values('1,2345'), [1, 2345]);
    assert.deepEqual(values('12/25/2024'), [12, 25, 2024]);
    assert.deepEqual(values('3-4 people'), [3, 4]);
    assert.deepEqual(values('H2O, v2, 5km'), [5]);
    assert.deepEqual(values('The total is 42.'), [42]);
  });

  it('skips a fraction with a zero denominator instead of yielding Infinity', () => {
    assert.deepEqual(values('3/0'), []);
    assert.deepEqual(values(`${'9'.repeat(400)}/3`), []);
  });

  it('picks the last, the first, or the number after the answer marker', () => {
    const text = 'Step 1 gives 10, step 2 gives 20. Answer: 42 (after 3 steps)';
    assert.equal(pickNumber(text, 'last')?.value, 3);
    assert.equal(pickNumber(text, 'first')?.value, 1);
    assert.equal(pickNumber(text, 'answer')?.value, 42);
    assert.equal(pickNumber('we get \\boxed{\\frac{3}{4}} after 2 tries', 'answer')?.value, 0.75);
    assert.equal(pickNumber('no marker: 5 then 6', 'answer')?.value, 6);
  });
});

describe('numeric evaluator', () => {
  it('compares the last number of the output exactly by default', async () => {
    const ev = new NumericEvaluator();
    assert.equal((await ev.evaluate({ output: 'We add 1,000 and 234.5 to get 1,234.5', reference: '1234.5' })).score, 1);
    assert.equal((await ev.evaluate({ output: 'x = -3', reference: '-3' })).score, 1);
    assert.equal((await ev.evaluate({ output: 'It is 3/4', reference: '0.75' })).score, 1);
    assert.equal((await ev.evaluate({ output: '0.1 + 0.2 = 0.30000000000000004', reference: '0.3' })).score, 1);
    assert.equal((await ev.evaluate({ output: 'It is 3.5', reference: '3' })).score, 0);
  });

  it('matches a percentage against either its face value or its fraction', async () => {
    const ev = new NumericEvaluator();
    assert.equal((await ev.evaluate({ output: 'The rate is 75%', reference: '0.75' })).score, 1);
    assert.equal((await ev.evaluate({ output: 'The rate is 75%', reference: '75' })).score, 1);
    assert.equal((await ev.evaluate({ output: 'The rate is 0.75', reference: '75%' })).score, 1);
    assert.equal((await ev.evaluate({ output: '75%', reference: '75%' })).score, 1);
    assert.equal((await ev.evaluate({ output: '0.75%', reference: '75%' })).score, 0);
  });

  it('passes within an absolute or a relative tolerance, either being enough', async () => {
    const abs = new NumericEvaluator({ abs: 0.5 });
    assert.equal((await abs.evaluate({ output: '10.4', reference: '10' })).score, 1);
    assert.equal((await abs.evaluate({ output: '10.6', reference: '10' })).score, 0);
    const rel = new NumericEvaluator({ rel: 0.01 });
    assert.equal((await rel.evaluate({ output: '1005', reference: '1,000' })).score, 1);
    assert.equal((await rel.evaluate({ output: '1011', reference: '1,000' })).score, 0);
    const both = new NumericEvaluator({ abs: 0.001, rel: 0.1 });
    assert.equal((await both.evaluate({ output: '0.0005', reference: '0' })).score, 1);
  });

  it('scores 0 with the reason when the output has no number', async () => {
    const r = await new NumericEvaluator().evaluate({ output: 'about a dozen', reference: '12' });
    assert.equal(r.score, 0);
    assert.match((r.details as { reason: string }).reason, /No number/);
    assert.equal(r.error, undefined);
  });

  it('reports a reference without a number as an error', async () => {
    const r = await new NumericEvaluator().evaluate({ output: '12', reference: 'twelve' });
    assert.equal(r.error?.kind, 'bad-reference');
  });

  it('rejects negative or non-finite tolerances at construction', () => {
    assert.throws(() => new NumericEvaluator({ abs: -1 }), EvaluatorConfigError);
    assert.throws(() => new NumericEvaluator({ rel: Number.NaN }), /rel/);
  });
});
