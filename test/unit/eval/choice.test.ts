import { strict as assert } from 'node:assert';
import { ChoiceEvaluator, EvaluatorConfigError, extractChoice, type LowercaseRule } from '../../../src/core/eval';

const pick = (text: string, lowercase: LowercaseRule = 'marked', letters = ['A', 'B', 'C', 'D']) => {
  const r = extractChoice(text, { letters, lowercase });
  return r.status === 'found' ? r.letter : r.status;
};

describe('choice extraction', () => {
  it('reads decorated letters: "Answer: (B)", "B.", "**C**", "[D]"', () => {
    assert.equal(pick('Answer: (B)'), 'B');
    assert.equal(pick('B.'), 'B');
    assert.equal(pick('I pick **C** here'), 'C');
    assert.equal(pick('My choice: [D]'), 'D');
  });

  it('does not read letters inside words: "Because of A..." picks A, not the B of Because', () => {
    assert.equal(pick('Because of A...'), 'A');
    assert.equal(pick('Because it is obvious'), 'none');
  });

  it('skips hyphenated words, abbreviations and possessives', () => {
    assert.equal(pick('The B-tree in Washington D.C. and B\'s cousin; so C'), 'C');
  });

  it('lets an answer line win over earlier letters: "I think B, final answer: D"', () => {
    assert.equal(pick('I think B, final answer: D'), 'D');
    const r = extractChoice('I think B, final answer: D', { letters: ['A', 'B', 'C', 'D'], lowercase: 'marked' });
    assert.equal(r.status === 'found' && r.rule, 'answer-line');
  });

  it('prefers a "final answer" cue over a later plain "answer" cue, and the last cue of a kind otherwise', () => {
    assert.equal(pick('Final answer: B. (Another answer: C would be wrong.)'), 'B');
    assert.equal(pick('The answer is A. On reflection, the answer is C.'), 'C');
  });

  it('reads markdown answer lines: "**Final Answer:** **(C)**"', () => {
    assert.equal(pick('Reasoning about A and B...\n\n**Final Answer:** **(C)**'), 'C');
  });

  it('accepts a lowercase letter only when it is marked: "(c)", an answer line, the whole output', () => {
    assert.equal(pick('(c)'), 'C');
    assert.equal(pick('answer: b'), 'B');
    assert.equal(pick('d'), 'D');
    assert.equal(pick('I found a clue; see option c'), 'C');
    assert.equal(pick('it is a cat'), 'none');
  });

  it('honours the lowercase rule settings', () => {
    assert.equal(pick('pick b then', 'any'), 'B');
    assert.equal(pick('pick b then', 'marked'), 'none');
    assert.equal(pick('(c)', 'never'), 'none');
  });

  it('reads a sentence-opening capital "A" as the article, but not in "A is correct"', () => {
    assert.equal(pick('A careful reading shows B is right.'), 'B');
    assert.equal(pick('A is correct.'), 'A');
    assert.equal(pick('The answer is a bit tricky, but (B).'), 'B');
  });

  it('does not read a pronoun after an answer cue as an invalid letter', () => {
    assert.equal(pick('Answer: I think it is B'), 'B');
  });

  it('reports an out-of-range letter on an answer line as invalid', () => {
    const r = extractChoice('Answer: (E)', { letters: ['A', 'B', 'C', 'D'], lowercase: 'marked' });
    assert.equal(r.status, 'invalid');
  });

  it('accepts E when the letters are configured as A–E', () => {
    assert.equal(pick('Answer: (E)', 'marked', ['A', 'B', 'C', 'D', 'E']), 'E');
  });

  it('reads full-width letters', () => {
    assert.equal(pick('答え：Ｂ'), 'B');
  });
});

describe('choice evaluator', () => {
  const ev = new ChoiceEvaluator();

  it('scores 1 when the picked letter is the reference, whatever its decoration', async () => {
    const r = await ev.evaluate({ output: 'The answer is (b).', reference: 'B) Paris' });
    assert.deepEqual([r.score, r.success], [1, true]);
  });

  it('scores 0 with the reason when no letter is present', async () => {
    const r = await ev.evaluate({ output: 'I cannot decide.', reference: 'A' });
    assert.equal(r.score, 0);
    assert.match((r.details as { reason: string }).reason, /No answer letter/);
  });

  it('scores 0 with the reason for an invalid letter', async () => {
    const r = await ev.evaluate({ output: 'Final answer: E', reference: 'A' });
    assert.equal(r.score, 0);
    assert.match((r.details as { reason: string }).reason, /E, which is not one of A, B, C, D/);
  });

  it('flags a reference that is not an allowed letter as an error', async () => {
    const r = await ev.evaluate({ output: 'A', reference: 'Paris' });
    assert.equal(r.error?.kind, 'bad-reference');
  });

  it('takes letters as a string or a list and rejects bad ones at construction', () => {
    assert.deepEqual(new ChoiceEvaluator({ letters: 'abcde' }).letters, ['A', 'B', 'C', 'D', 'E']);
    assert.throws(() => new ChoiceEvaluator({ letters: ['A', 'AB'] }), EvaluatorConfigError);
    assert.throws(() => new ChoiceEvaluator({ letters: 'AA' }), /twice/);
    assert.throws(() => new ChoiceEvaluator({ letters: '' }), /at least one/);
  });
});
