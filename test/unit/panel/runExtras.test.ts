import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { GbcTaskGraphSchema } from '../../../src/core/credit/gbc/gbcMethod';
import { OptimizeManifestSchema } from '../../../src/core/optimize/optimizeStore';
import { ManifestSchema } from '../../../src/core/store';
import { historyRounds, historySuggestions, spendByPhase } from '../../../src/shared/panel/historyView';
import { classifyCreditLines, parseOptimizeLines, reportGraphs, SuggestionsFileSchema } from '../../../src/shared/panel/runExtrasSchema';
import { writePanelRun } from '../../support/panelRunFixture.mjs';
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

describe('the optimizer\'s own formats', () => {
  it('reads a RoundRecord: train score, val of the best and the candidate, decision, usage, suggestion ids', () => {
    const usage = (calls: number) => ({ calls, failedCalls: 0, attempts: calls, inputTokens: 10 * calls, outputTokens: calls, costUsd: 0.001 * calls, cachedCalls: 0, cachedInputTokens: 0, cachedOutputTokens: 0, unsentCalls: 0 });
    const { optimize, problems } = parseOptimizeLines([
      {
        line: 1,
        value: {
          round: 1,
          batch: ['a'],
          rolloutRunId: 'r',
          trainScore: 0.25,
          notes: ['round 1: no suggestions survived; the best prompt set stays.'],
          suggestions: { retained: [], rejected: [{ id: 'x', reason: 'support below the threshold' }] },
          applied: [],
          valRunIds: [],
          accepted: false,
          bestHash: 'h',
          bestVal: { v1: 0, v2: 1 },
          usage: { rollout: usage(4), credit: usage(2) },
        },
      },
      { line: 2, value: { round: 2, trainScore: 0.5, suggestions: { retained: ['y'], rejected: [] }, decision: { accepted: true, reason: 'gain cleared the margin', candidateMean: 1 }, pruning: [{ reason: 'Pruned after acceptance: it did not help.', dropped: true }], accepted: true, bestVal: { v1: 1, v2: 1 }, usage: { rollout: usage(1) } } },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(historyRounds(optimize), [
      { round: 1, phase: null, train: 0.25, val: 0.5, candidate: null, accepted: false, reason: 'no suggestions survived; the best prompt set stays.' },
      { round: 2, phase: null, train: 0.5, val: 1, candidate: 1, accepted: true, reason: 'gain cleared the margin Pruned after acceptance: it did not help.' },
    ]);
    assert.deepEqual(spendByPhase(optimize), [
      { phase: 'rollout', calls: 5, tokens: 55, costUsd: 0.005 },
      { phase: 'credit', calls: 2, tokens: 22, costUsd: 0.002 },
    ]);
    assert.deepEqual(
      historySuggestions(optimize, undefined).map((s) => [s.id, s.status, s.reason, s.round]),
      [
        ['x', 'rejected', 'support below the threshold', 1],
        ['y', 'accepted', null, 2],
      ],
    );
  });

  it('reads the GBC graphs of credit.json by task, paths turned to run from the final node back', () => {
    const graph = {
      final: 'c',
      loss: { text: 'wrong', magnitude: 1 },
      nodes: [{ id: 'a', agentId: 'p', round: 1, seq: 0, blame: 0 }, { id: 'b', agentId: 'q', round: 1, seq: 1, blame: 0.5 }, { id: 'c', agentId: 'j', round: 1, seq: 2, blame: 1 }],
      edges: [{ from: 'a', to: 'c', weight: null, kept: false, source: 'none' }, { from: 'b', to: 'c', weight: 0.7, kept: true, source: 'judge' }],
      paths: [{ steps: ['b', 'c'], weight: 0.7 }],
      pathsTruncated: false,
    };
    const out = reportGraphs({ method: 'gbc', signals: [], details: { graph: { t1: graph, t2: { nodes: 'nope' } } } });
    assert.equal(out.graphs.length, 1);
    assert.deepEqual(out.graphs[0]?.graph.paths, [['c', 'b']]);
    assert.deepEqual(out.graphs[0]?.graph.edges.map((e) => e.weight), [0, 0.7]);
    assert.equal(out.problems.length, 1);
    assert.match(out.problems[0] ?? '', /^credit\.json: the graph of task "t2" is unreadable/);
    assert.deepEqual(reportGraphs({ method: 'truce', signals: [] }), { graphs: [], problems: [] }, 'a report without a graph has none');
  });

  it('writes fixture runs the optimizer\'s own schemas accept', async () => {
    const ws = tempDir('fixture-formats');
    try {
      const { dir } = await writePanelRun(ws.path, { runId: '20261122-004512-ab12', tasks: 4 });
      const manifest = OptimizeManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'optimize.json'), 'utf8')));
      assert.equal(manifest.subRuns.length, 7);
      const report = JSON.parse(readFileSync(join(dir, 'credit.json'), 'utf8')) as { details: { graph: unknown } };
      assert.ok(z.record(z.string(), GbcTaskGraphSchema).safeParse(report.details.graph).success);
      for (const sub of manifest.subRuns) assert.ok(ManifestSchema.safeParse(JSON.parse(readFileSync(join(ws.path, '.truce', 'runs', sub.runId, 'manifest.json'), 'utf8'))).success, sub.runId);
    } finally {
      ws.remove();
    }
  });
});
