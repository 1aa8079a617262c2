import { strict as assert } from 'node:assert';
import { EvaluatorConfigError, JUDGE_PROMPT_VERSION, JudgeEvaluator } from '../../../src/core/eval';
import { fakeCaller } from './fakeCaller';

describe('LLM judge evaluator', () => {
  it('sends the rubric, task, reference and answer, and uses the returned score', async () => {
    const fake = fakeCaller([{ reply: { reasoning: 'Covers both points.', score: 0.8 } }]);
    const ev = new JudgeEvaluator({ rubric: 'Mentions cost and risk.' }, fake.caller);
    const r = await ev.evaluate({ output: 'Cost is low; risk is moderate.', reference: 'low cost, moderate risk', task: { input: 'Assess the plan.' } });
    assert.deepEqual(r, { score: 0.8, success: true, details: { reasoning: 'Covers both points.', promptVersion: JUDGE_PROMPT_VERSION } });
    const [call] = fake.calls;
    assert.equal(call.meta.purpose, 'eval-judge');
    assert.equal(call.meta.promptVersion, JUDGE_PROMPT_VERSION);
    const user = call.messages.find((m) => m.role === 'user')!.content;
    for (const part of ['Mentions cost and risk.', 'Assess the plan.', 'low cost, moderate risk', 'Cost is low']) assert.ok(user.includes(part), part);
  });

  it('withholds the reference when useReference is false', async () => {
    const fake = fakeCaller([{ reply: { reasoning: 'ok', score: 1 } }]);
    await new JudgeEvaluator({ rubric: 'r', useReference: false }, fake.caller).evaluate({ output: 'o', reference: 'SECRET-REF' });
    assert.ok(!fake.calls[0].messages.some((m) => m.content.includes('SECRET-REF')));
  });

  it('applies the pass threshold to success', async () => {
    const fake = fakeCaller([{ reply: { reasoning: 'meh', score: 0.7 } }]);
    const r = await new JudgeEvaluator({ rubric: 'r', passThreshold: 0.75 }, fake.caller).evaluate({ output: 'o' });
    assert.deepEqual([r.score, r.success], [0.7, false]);
  });

  it('records a failed call as an error with score 0, never a guessed grade', async () => {
    const fake = fakeCaller([{ fail: 'The JSON does not match the schema.' }]);
    const r = await new JudgeEvaluator({ rubric: 'r' }, fake.caller).evaluate({ output: 'o' });
    assert.deepEqual([r.score, r.success], [0, false]);
    assert.equal(r.error?.kind, 'judge-failed');
    assert.match(r.error!.message, /does not match the schema/);
  });

  it('records a reply outside the schema (score 1.5) as an error', async () => {
    const fake = fakeCaller([{ reply: { reasoning: 'great', score: 1.5 } }]);
    const r = await new JudgeEvaluator({ rubric: 'r' }, fake.caller).evaluate({ output: 'o' });
    assert.equal(r.error?.kind, 'judge-failed');
    assert.equal(r.score, 0);
  });

  it('re-validates what a lax caller returns', async () => {
    const lax = async () => ({ ok: true as const, value: { score: 'high' } as never });
    const r = await new JudgeEvaluator({ rubric: 'r' }, lax).evaluate({ output: 'o' });
    assert.equal(r.error?.kind, 'judge-failed');
    assert.match(r.error!.message, /schema/);
  });

  it('records a caller that throws, but lets cancellation through', async () => {
    const boom = fakeCaller([{ throws: new Error('connection refused') }]);
    const r = await new JudgeEvaluator({ rubric: 'r' }, boom.caller).evaluate({ output: 'o' });
    assert.match(r.error!.message, /connection refused/);

    const ac = new AbortController();
    ac.abort();
    const cancelled = fakeCaller([{ throws: new Error('aborted') }]);
    await assert.rejects(new JudgeEvaluator({ rubric: 'r' }, cancelled.caller).evaluate({ output: 'o', signal: ac.signal }), /aborted/);
  });

  it('cuts a huge answer in the middle so the rubric still fits', async () => {
    const fake = fakeCaller([{ reply: { reasoning: 'ok', score: 1 } }]);
    await new JudgeEvaluator({ rubric: 'r' }, fake.caller).evaluate({ output: `START${'x'.repeat(100_000)}END` });
    const user = fake.calls[0].messages[1].content;
    assert.ok(user.length < 30_000);
    assert.ok(user.includes('START') && user.includes('END') && user.includes('characters omitted'));
  });

  it('needs a rubric, a caller and a sane threshold', () => {
    const { caller } = fakeCaller([]);
    assert.throws(() => new JudgeEvaluator({ rubric: ' ' }, caller), EvaluatorConfigError);
    assert.throws(() => new JudgeEvaluator({ rubric: 'r' }, undefined), /judge endpoint/);
    assert.throws(() => new JudgeEvaluator({ rubric: 'r', passThreshold: 2 }, caller), /passThreshold/);
  });
});
