import { strict as assert } from 'node:assert';
import { EvaluatorConfigError, RegexEvaluator } from '../../../src/core/eval';

describe('regex evaluator', () => {
  it('passes on any match when no group is set', async () => {
    const ev = new RegexEvaluator({ pattern: 'def \\w+\\(', flags: 'm' });
    assert.equal((await ev.evaluate({ output: 'x\ndef solve(n):' })).score, 1);
    assert.equal((await ev.evaluate({ output: 'no code here' })).score, 0);
  });

  it('compares a numbered capture group with the reference after normalization', async () => {
    const ev = new RegexEvaluator({ pattern: 'ANSWER:\\s*(.+)', group: 1 });
    assert.equal((await ev.evaluate({ output: 'work...\nANSWER:  Paris.', reference: 'paris' })).success, true);
    assert.equal((await ev.evaluate({ output: 'ANSWER: Lyon', reference: 'paris' })).success, false);
  });

  it('compares a named group and honours caseSensitive', async () => {
    const ev = new RegexEvaluator({ pattern: 'city=(?<city>\\w+)', group: 'city', caseSensitive: true });
    assert.equal((await ev.evaluate({ output: 'city=Paris', reference: 'Paris' })).score, 1);
    assert.equal((await ev.evaluate({ output: 'city=paris', reference: 'Paris' })).score, 0);
  });

  it('gives the same verdict on every call even with the g flag', async () => {
    const ev = new RegexEvaluator({ pattern: 'ok', flags: 'gi' });
    for (let i = 0; i < 3; i++) assert.equal((await ev.evaluate({ output: 'OK' })).score, 1);
  });

  it('says when the group took no part in the match', async () => {
    const ev = new RegexEvaluator({ pattern: 'yes|no:(\\w+)', group: 1 });
    const r = await ev.evaluate({ output: 'yes', reference: 'x' });
    assert.equal(r.score, 0);
    assert.match((r.details as { reason: string }).reason, /took part in no match/);
  });

  it('reports a missing reference for group comparisons as an error', async () => {
    const r = await new RegexEvaluator({ pattern: '(x)', group: 1 }).evaluate({ output: 'x' });
    assert.equal(r.error?.kind, 'missing-reference');
  });

  it('rejects a broken pattern, bad flags and absent groups at construction', () => {
    assert.throws(() => new RegexEvaluator({ pattern: '(unclosed' }), (e: unknown) => e instanceof EvaluatorConfigError && /regex\.pattern/.test(e.message));
    assert.throws(() => new RegexEvaluator({ pattern: 'a', flags: 'q' }), EvaluatorConfigError);
    assert.throws(() => new RegexEvaluator({ pattern: '(a)(b)', group: 3 }), /has 2 capture groups/);
    assert.throws(() => new RegexEvaluator({ pattern: '(?<x>a)', group: 'y' }), /not a named group/);
    assert.throws(() => new RegexEvaluator({ pattern: '' }), /non-empty/);
  });
});
