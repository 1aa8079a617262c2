import { strict as assert } from 'node:assert';
import { consensusAnswer, extractAnswer, normalizeAnswer } from '../../../src/core/mas/consensus';
import { fillTemplate, templateValues } from '../../../src/core/mas/fillTemplate';

describe('mas/consensus', () => {
  it('takes the last marked answer line, else the last non-empty line', () => {
    assert.equal(extractAnswer('Reasoning…\nAnswer: B\nMore thoughts\nFinal answer: C\n'), 'C');
    assert.equal(extractAnswer('1. **Answer:** Paris\n2. Reasons: …'), 'Paris');
    assert.equal(extractAnswer('I think so.\n\nIt is 42.\n\n'), 'It is 42.');
    assert.equal(extractAnswer('Answer:\nno value on the marked line'), 'no value on the marked line');
    assert.equal(extractAnswer(''), '');
  });

  it('compares answers without case, emphasis, quotes or trailing punctuation', () => {
    assert.equal(normalizeAnswer('  **"Paris"**. '), 'paris');
    assert.equal(consensusAnswer(['Answer: `B`', 'so...\nanswer: b!', 'Final answer: **B**']), 'b');
    assert.equal(consensusAnswer(['Answer: B', 'Answer: C']), undefined);
    assert.equal(consensusAnswer(['Answer: B']), undefined, 'one role has no one to agree with');
    assert.equal(consensusAnswer(['', '']), undefined, 'empty answers are no agreement');
  });
});

describe('mas/fillTemplate', () => {
  it('fills known variables in every form and leaves everything else alone', () => {
    const values = templateValues({ task: { id: 't', input: 'Q?', reference: 'secret', topic: 'maths' }, round: 2, rounds: 3, agentId: 'critic', state: 'S1' });
    const text = 'Round {round}/{rounds} on {{ topic }} for ${input:question:the question}: {{question}} after {state}. Keep {reference}, {{reference}}, {unknown}, {"json": 1}, {{x | upper}} and {% if a %}.';
    assert.equal(fillTemplate(text, values), 'Round 2/3 on maths for Q?: Q? after S1. Keep {reference}, {{reference}}, {unknown}, {"json": 1}, {{x | upper}} and {% if a %}.');
  });
});
