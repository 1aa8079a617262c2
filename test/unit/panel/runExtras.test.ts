import { strict as assert } from 'node:assert';
import { classifyCreditLines, parseOptimizeLines, SuggestionsFileSchema } from '../../../src/shared/panel/runExtrasSchema';
import { readRunExtras } from '../../../src/extension/panel/readRunExtras';
import { shiftsByTask } from '../../../src/shared/panel/taskRows';
import { tempDir } from '../llm/helpers';

describe('the optional run files', () => {
  it('reads a run folder without them as empty, with no problems', async () => {
    const dir = tempDir('extras');
    try {
      const extras = await readRunExtras(dir.path);
      assert.deepEqual(extras, { signals: [], graphs: [], optimize: [], suggestions: undefined, problems: [] });
    } finally {
      dir.remove();
    }
  });

  it('sorts credit lines into signals and graphs and reports the rest with their line', () => {
    const out = classifyCreditLines([
      { line: 1, value: { scope: 'unit', ref: 'planner.x', taskId: 't', score: -0.5, text: 'why', evidence: ['s1'], method: 'truce' } },
      { line: 2, value: { scope: 'round', ref: 2, taskId: 't', score: 0.1 } },
      { line: 3, value: { taskId: 't', graph: { nodes: ['s1', { id: 's2', agentId: 'critic' }], edges: [{ from: 's1', to: 's2' }] } } },
      { line: 4, value: { hello: 'world' } },
    ]);
    assert.equal(out.signals.length, 2);
    assert.equal(out.signals[1]?.ref, '2', 'a numeric ref is read as text');
    assert.deepEqual(out.graphs[0]?.graph.edges, [{ from: 's1', to: 's2', weight: 1 }]);
    assert.deepEqual(out.problems.map((p) => p.split(':').slice(0, 2).join(':')), ['credit.jsonl:4']);
  });

  it('accepts scores as numbers or {mean}, spend as a map or a list, outcomes as booleans, scores or objects', () => {
    const { optimize, problems } = parseOptimizeLines([
      { line: 1, value: { round: 1, train: { mean: 0.5 }, val: 0.25, spend: { credit: { calls: 2, tokens: { in: 5, out: 5 } } } } },
      { line: 2, value: { round: 2, tasks: [{ taskId: 'a', before: 0.2, after: { success: true, score: 1 } }, { taskId: 'b', before: true }] } },
    ]);
    assert.deepEqual(problems, []);
    assert.equal(optimize[0]?.train, 0.5);
    assert.deepEqual(optimize[0]?.spend, { credit: { calls: 2, tokens: 10, costUsd: 0 } });
    assert.deepEqual([...shiftsByTask(optimize)], [['a', 'fail-pass']], 'a task without an after has no shift');
  });

  it('reads suggestions.json as a list or as { suggestions }', () => {
    const one = { id: 'x', edit: { op: 'ADD', agentId: 'planner' } };
    assert.equal(SuggestionsFileSchema.parse([one]).length, 1);
    assert.equal(SuggestionsFileSchema.parse({ suggestions: [one] })[0]?.status, 'proposed');
    assert.equal(SuggestionsFileSchema.safeParse({ nope: [] }).success, false);
  });
});
