import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CoordinationJudge, createEvaluator, type EvalResult, type Evaluator } from '../../../src/core/eval';
import { fakeCaller } from './fakeCaller';
import { researchRun } from './trajectories';

/** Fragments that steer random text into the extractors' interesting paths. */
const fragment = fc.constantFrom(
  'A', 'a', 'B.', '(c)', '**D**', 'E', 'Because', 'Answer:', 'final answer:', 'the answer is', 'option',
  '1,234.5', '-3', '−7', '75%', '3/4', '0/0', '1/0', '\\frac{1}{0}', '\\boxed{', '}', '1e308', '9'.repeat(400), 'NaN', 'Infinity',
  '.', ',', ' ', '\n', '😀', 'Ｂ', 'ß', '-', "'", '(', ')', '[', ']', '*',
);
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fragment, { maxLength: 30 }).map((p) => p.join('')));
const maybeText = fc.option(text, { nil: undefined });

function assertWellFormed(r: EvalResult): void {
  assert.equal(typeof r.score, 'number');
  assert.ok(Number.isFinite(r.score) && r.score >= 0 && r.score <= 1, `score ${r.score}`);
  assert.equal(typeof r.success, 'boolean');
  assert.ok(typeof r.details === 'string' || (typeof r.details === 'object' && r.details !== null));
  // A pass with a zero score would make success and score disagree.
  if (r.success) assert.ok(r.score > 0);
}

/** Any JSON the judge might send, including out-of-range and non-numeric scores. */
const wildScore = fc.oneof(fc.double(), fc.integer(), fc.constantFrom('0.5', null, true), fc.double({ min: 0, max: 1, noNaN: true }));

describe('every evaluator scores within [0,1] for any output', () => {
  const { caller } = fakeCaller(() => ({ reply: { reasoning: 'r', score: 0.5 } }));
  const deps = { workspaceTrusted: true, caller };
  const pure: Evaluator[] = [
    { type: 'exact' },
    { type: 'exact', caseSensitive: true, stripTrailingPunctuation: false },
    { type: 'choice' },
    { type: 'choice', letters: 'ABCDE', lowercase: 'any' },
    { type: 'choice', lowercase: 'never' },
    { type: 'regex', pattern: '(\\w+)\\s*$', group: 1 },
    { type: 'regex', pattern: 'answer', flags: 'gi' },
    { type: 'numeric' },
    { type: 'numeric', rel: 0.05, extract: 'answer' },
    { type: 'numeric', abs: 1, extract: 'first' },
    { type: 'contains-all', items: ['answer', { regex: '\\d+' }, 'B'] },
  ].map((c) => createEvaluator(c, deps));

  it('for the text-matching evaluators', async () => {
    await fc.assert(
      fc.asyncProperty(text, maybeText, async (output, reference) => {
        for (const ev of pure) assertWellFormed(await ev.evaluate({ output, reference }));
      }),
      { numRuns: 300 },
    );
  });

  it('for the LLM judge, whatever the model replies', async () => {
    await fc.assert(
      fc.asyncProperty(text, wildScore, fc.boolean(), async (output, score, ok) => {
        const fake = fakeCaller([ok ? { reply: { reasoning: 'r', score } } : { fail: 'bad' }]);
        const ev = createEvaluator({ type: 'llm-judge', rubric: 'rubric' }, { caller: fake.caller });
        assertWellFormed(await ev.evaluate({ output }));
      }),
      { numRuns: 200 },
    );
  });

  it('for the coordination score, whatever the model replies', async () => {
    await fc.assert(
      fc.asyncProperty(wildScore, wildScore, wildScore, async (a, b, c) => {
        const fake = fakeCaller([{ reply: { communication: { reasoning: 'r', score: a }, roleAdherence: { reasoning: 'r', score: b }, planning: { reasoning: 'r', score: c } } }]);
        assertWellFormed(await new CoordinationJudge(fake.caller).score(researchRun));
      }),
      { numRuns: 200 },
    );
  });

  describe('for the command evaluator, whatever the script prints', function () {
    this.timeout(60_000);
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'truce-eval-prop-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('echoing the output back as its verdict', async () => {
      // The script prints the model output itself, so stdout is as arbitrary as the output.
      const file = join(dir, 'echo.js');
      writeFileSync(file, `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>process.stdout.write(JSON.parse(s).output))`);
      const ev = createEvaluator({ type: 'command', argv: [process.execPath, file] }, deps);
      const verdicts = fc.oneof(text, wildScore.map((score) => JSON.stringify({ score })));
      await fc.assert(
        fc.asyncProperty(verdicts, async (output) => {
          assertWellFormed(await ev.evaluate({ output }));
        }),
        { numRuns: 25 },
      );
    });
  });
});
