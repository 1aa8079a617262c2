import { strict as assert } from 'node:assert';
import {
  attributionPaths,
  buildAgentGraph,
  nodeBlame,
  normalizedUpdateFrequency,
  recordedMessages,
  selectTopPredecessors,
  tokenDivergence,
  verbalLoss,
  withoutBlock,
} from '../../../../src/core/credit/gbc';
import { seededRandom } from '../../../../src/core/optimize/random';
import { roundsTrajectory } from '../bcd/fixtures';

const trajectory = () =>
  roundsTrajectory({
    taskId: 't1',
    reference: 'B',
    success: false,
    rounds: [
      { solver: 'Answer: B', skeptic: 'Answer: A', judge: 'Majority: A' },
      { solver: 'Still B', skeptic: 'Answer: A', judge: 'Final: A' },
    ],
  });

describe('gbc agent graph', () => {
  it('takes nodes from agent calls and edges from reads, ending at the last call', () => {
    const g = buildAgentGraph(trajectory());
    assert.equal(g.final, 'final');
    assert.deepEqual(
      g.edges.filter((e) => e.to === 'r2.agg').map((e) => e.from),
      ['r2.solver', 'r2.skeptic', 'r1.agg'],
    );
    assert.deepEqual(g.edges.filter((e) => e.to === 'r1.solver'), []);
  });

  it('ignores reads that point forward or to missing steps', () => {
    const t = trajectory();
    t.steps[0].reads = ['final', 'nowhere'];
    assert.deepEqual(buildAgentGraph(t).edges.filter((e) => e.to === t.steps[0].id), []);
  });
});

describe('gbc top-k predecessors', () => {
  it('keeps the k heaviest', () => {
    const kept = selectTopPredecessors(
      [
        { from: 'a', weight: 0.1 },
        { from: 'b', weight: 0.9 },
        { from: 'c', weight: 0.5 },
      ],
      2,
      seededRandom(1),
    );
    assert.deepEqual(kept.map((k) => k.from), ['b', 'c']);
  });

  it('breaks ties with the seeded random: reproducible for a seed, not positional across seeds', () => {
    // Not all equal (all equal keeps every one): the tie is among the heaviest three.
    const preds = [...['a', 'b', 'c'].map((from) => ({ from, weight: 0.5 })), { from: 'd', weight: 0.1 }];
    const pick = (seed: number) => selectTopPredecessors(preds, 1, seededRandom(seed))[0].from;
    assert.equal(pick(5), pick(5));
    const picks = new Set(Array.from({ length: 30 }, (_, i) => pick(i + 1)));
    assert.ok(picks.size > 1, `always ${[...picks].join()}`);
  });

  it('ranks an unknown weight below every known one', () => {
    const kept = selectTopPredecessors(
      [
        { from: 'unknown', weight: null },
        { from: 'zero', weight: 0 },
      ],
      1,
      seededRandom(1),
    );
    assert.equal(kept[0].from, 'zero');
  });
});

describe('gbc backward traversal', () => {
  const edges = [
    { from: 'a', to: 'c', weight: 0.5 },
    { from: 'b', to: 'c', weight: 1 },
    { from: 'c', to: 'f', weight: 0.8 },
    { from: 'x', to: 'f', weight: null },
    { from: 'y', to: 'f', weight: null },
  ].filter((e) => e.from !== 'y');

  it('lists every chain from a source to the final node, strongest first', () => {
    const { paths, truncated } = attributionPaths('f', edges, 10);
    assert.equal(truncated, false);
    // x's unknown weight counts as an equal share (1/2) of f's two incoming edges.
    assert.deepEqual(paths.map((p) => p.steps), [['b', 'c', 'f'], ['x', 'f'], ['a', 'c', 'f']]);
    assert.deepEqual(paths.map((p) => p.weight), [0.8, 0.5, 0.4]);
  });

  it('stops at the limit and says so', () => {
    const { paths, truncated } = attributionPaths('f', edges, 2);
    assert.equal(paths.length, 2);
    assert.equal(truncated, true);
  });

  it('passes blame back along weights; an unknown weight passes an equal share', () => {
    const blame = nodeBlame('f', edges, ['a', 'b', 'x', 'c', 'f'], 1);
    assert.equal(blame.get('f'), 1);
    assert.ok(Math.abs((blame.get('c') as number) - 0.8) < 1e-12);
    assert.ok(Math.abs((blame.get('a') as number) - 0.4) < 1e-12);
    assert.ok(Math.abs((blame.get('b') as number) - 0.8) < 1e-12);
    // x is the only unknown edge into f: a share of 1/2 (two incoming edges).
    assert.equal(blame.get('x'), 0.5);
  });

  it('accumulates blame over several successors', () => {
    const blame = nodeBlame('f', [
      { from: 's', to: 'm', weight: 0.5 },
      { from: 's', to: 'f', weight: 0.5 },
      { from: 'm', to: 'f', weight: 1 },
    ], ['s', 'm', 'f']);
    assert.equal(blame.get('s'), 1);
  });
});

describe('gbc divergence', () => {
  it('is 0 for the same words and 1 for none shared', () => {
    assert.equal(tokenDivergence('The answer is B.', 'the ANSWER is b'), 0);
    assert.equal(tokenDivergence('alpha beta', 'gamma delta'), 1);
    assert.equal(tokenDivergence('', ''), 0);
  });

  it('counts repeated words as a multiset', () => {
    // {a, a, b} vs {a, b}: shared 2 of 5 words → 1 − 4/5.
    assert.ok(Math.abs(tokenDivergence('a a b', 'a b') - 0.2) < 1e-12);
  });
});

describe('gbc ablation input', () => {
  it('removes a contribution with its heading and keeps the rest of the messages', () => {
    const t = trajectory();
    const agg = t.steps.find((s) => s.id === 'r2.agg');
    const solver = t.steps.find((s) => s.id === 'r2.solver');
    assert.ok(agg && solver);
    const messages = recordedMessages(agg) ?? [];
    const ablated = withoutBlock(messages, solver);
    assert.ok(ablated);
    assert.equal(ablated[0].content, messages[0].content);
    assert.ok(!ablated[1].content.includes('### solver'));
    assert.ok(ablated[1].content.includes('### skeptic\nAnswer: A'));
  });

  it('replaces a block without a heading by a marker, and gives up on a block it cannot find', () => {
    const messages = [{ role: 'user' as const, content: '## Shared state after round 1\n\nMajority: A\n\nGo on.' }];
    assert.equal(withoutBlock(messages, { agentId: 'judge', output: 'Majority: A' })?.[0].content, '## Shared state after round 1\n\n(omitted)\n\nGo on.');
    assert.equal(withoutBlock(messages, { agentId: 'judge', output: 'not there' }), undefined);
    assert.equal(withoutBlock(messages, { agentId: 'judge', output: '  ' }), undefined);
  });
});

describe('gbc update frequency and loss', () => {
  it('normalises updates by the occasions an agent was relevant', () => {
    const nuf = normalizedUpdateFrequency([
      { relevant: ['a', 'b'], updated: ['a'] },
      { relevant: ['a', 'b', 'c'], updated: ['a', 'b'] },
      { relevant: ['a'], updated: ['c'] },
    ]);
    assert.deepEqual(nuf, { a: 2 / 3, b: 0.5, c: 0 });
  });

  it('states the score and the reference in the verbal loss and scales it by 1 − score', () => {
    const t = trajectory();
    t.outcome = { score: 0.25, success: false, details: { reason: 'picked A' } };
    const loss = verbalLoss(t, 'Final: A');
    assert.equal(loss.magnitude, 0.75);
    assert.match(loss.text, /0\.25/);
    assert.match(loss.text, /Expected answer: B/);
    assert.match(loss.text, /picked A/);
  });
});
