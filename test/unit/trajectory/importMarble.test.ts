import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  importMarbleText,
  MARBLE_PLANNER_ID,
  parseMarbleConfig,
  validateTrajectory,
  type MarbleConfig,
  type Step,
  type Trajectory,
} from '../../../src/core/trajectory';
import { fixture, requireSharedFixtures } from './sharedFixtures';

function load(name: string, config?: string): { trajectories: Trajectory[]; errors: unknown[] } {
  const options: { source: string; config?: MarbleConfig } = { source: fixture('marble', 'outputs', name) };
  if (config) {
    const parsed = parseMarbleConfig(readFileSync(fixture('marble', 'configs', config), 'utf8'));
    assert.deepEqual(parsed.errors, []);
    options.config = parsed.config;
  }
  const result = importMarbleText(readFileSync(fixture('marble', 'outputs', name), 'utf8'), options);
  for (const t of result.trajectories) assert.equal(validateTrajectory(JSON.parse(JSON.stringify(t))).ok, true);
  return result;
}

function ids(steps: Step[]): string[] {
  return steps.map((s) => s.id);
}

describe('MARBLE importer on real engine outputs (shared fixtures)', () => {
  before(function () {
    requireSharedFixtures(this);
  });

  describe('research run (graph mode, one iteration, three sessions)', () => {
    let t: Trajectory;
    before(() => {
      const result = load('research-exp__result__discussion_output_llama3.3_70b.jsonl', 'research__generated_yaml_files_graph_llama3.3_70b_100__profile_66.yaml');
      assert.deepEqual(result.errors, []);
      assert.equal(result.trajectories.length, 1);
      t = result.trajectories[0] as Trajectory;
    });

    it('takes agents and their profiles from the config, and adds the engine planner as aggregator', () => {
      assert.deepEqual(t.agents.map((a) => [a.id, a.kind]), [
        ['agent1', 'role'],
        ['agent2', 'role'],
        ['agent3', 'role'],
        [MARBLE_PLANNER_ID, 'aggregator'],
      ]);
      assert.match(t.agents[0]?.prompt ?? '', /^I am a researcher with a diverse background in mathematics, astrophysics/);
    });

    it('turns each session transcript into messages of their senders, placed before the opener’s result', () => {
      assert.equal(t.steps.length, 20);
      assert.deepEqual(t.steps.filter((s) => s.kind === 'message').length, 16);
      const session3 = t.steps.filter((s) => s.id.startsWith('i1.session3.'));
      assert.deepEqual(session3.map((s) => `${s.agentId}->${s.attrs.to}`), ['agent3->agent1', 'agent1->agent3', 'agent1->agent3', 'agent1->agent3']);
      assert.equal(session3[0]?.attrs.session, '6c9e1082-83da-4ceb-ac6f-e0d2ca5b2176');
      assert.deepEqual(ids(t.steps).slice(6, 8), ['i1.result.agent1', 'i1.session2.m1']);
    });

    it('wires reads through sessions, results and the summary', () => {
      const step = (id: string): Step => t.steps.find((s) => s.id === id) as Step;
      assert.deepEqual(step('i1.session1.m2').reads, ['i1.session1.m1']);
      assert.deepEqual(step('i1.result.agent2').reads, ['i1.session1.m6', 'i1.session2.m6']);
      assert.deepEqual(step('i1.summary').reads, ['i1.result.agent1', 'i1.result.agent2', 'i1.result.agent3']);
      assert.equal(step('i1.result.agent1').kind, 'tool_result');
    });

    it('makes the summary the round state and the judge ratings the outcome', () => {
      assert.equal(t.rounds.length, 1);
      assert.equal(t.rounds[0]?.aggregator, MARBLE_PLANNER_ID);
      assert.match(t.rounds[0]?.state ?? '', /^\*\*\[Question 1\] - What is the problem\?\*\*/);
      // innovation 5, safety 2, feasibility 4 on 1–5 → (1 + 0.25 + 0.75) / 3.
      assert.equal(t.outcome?.score, 2 / 3);
      assert.equal(t.outcome?.success, true);
      assert.deepEqual(t.usage, { in: 0, out: 0, total: 100660 });
      assert.deepEqual(t.attrs?.planning_scores, [5, 5]);
    });
  });

  describe('coding runs (two records, result shapes differ between iterations)', () => {
    let runs: Trajectory[];
    before(() => {
      const result = load('fix-coding__result__development_output.jsonl', 'coding_configs__config_1.yaml');
      assert.deepEqual(result.errors, []);
      runs = result.trajectories;
    });

    it('gives each line its own run of the same task', () => {
      assert.equal(runs.length, 2);
      assert.equal(runs[0]?.taskId, runs[1]?.taskId);
      assert.deepEqual(runs.map((t) => t.runId), ['marble:fix-coding__result__development_output.jsonl:1', 'marble:fix-coding__result__development_output.jsonl:2']);
      assert.deepEqual(runs.map((t) => t.usage.total), [31035, 29258]);
    });

    it('reads both task_results shapes ([{agent_id, result}] and [{agentN: result}])', () => {
      const t = runs[0] as Trajectory;
      assert.deepEqual(t.steps.filter((s) => s.round === 0 && s.id.includes('.result.')).map((s) => s.agentId), ['agent1', 'agent3']);
      assert.deepEqual(t.steps.filter((s) => s.round === 1 && s.id.includes('.result.')).map((s) => s.agentId), ['agent1', 'agent2', 'agent3']);
    });

    it('records self-planned tasks of later iterations as llm steps reading the previous summary', () => {
      const plan = runs[0]?.steps.find((s) => s.id === 'i2.plan.agent1') as Step;
      assert.equal(plan.kind, 'llm');
      assert.deepEqual(plan.reads, ['i1.summary']);
      assert.match(plan.output, /^The next task is to let Agent 2 revise the code created by Agent 1/);
      assert.deepEqual(runs[0]?.steps.find((s) => s.id === 'i2.result.agent1')?.reads, ['i2.plan.agent1', 'i2.session1.m6']);
    });

    it('has no outcome without an evaluation, and maps code_quality ratings when present', () => {
      assert.equal(runs[0]?.outcome, undefined);
      // instruction_following 2, consistency 2, quality 3, executability 3 → (0.25+0.25+0.5+0.5)/4.
      assert.equal(runs[1]?.outcome?.score, 0.375);
      assert.equal(runs[1]?.outcome?.success, false);
    });
  });

  it('maps a tree-mode run: the root agent’s result and the planner summary', () => {
    const result = load('bargaining-exp-final__result__discussion_output_react.jsonl');
    assert.deepEqual(result.errors, []);
    const t = result.trajectories[0] as Trajectory;
    assert.deepEqual(t.steps.map((s) => [s.id, s.agentId, s.kind]), [
      ['i1.result.agent1', 'agent1', 'llm'],
      ['i1.summary', MARBLE_PLANNER_ID, 'aggregate'],
    ]);
    assert.equal(t.attrs?.coordinationMode, 'tree');
  });
});

describe('MARBLE importer on bad input', () => {
  const record = (iterations: unknown): string => JSON.stringify({ task: 'T', coordination_mode: 'graph', iterations, token_usage: 5 });

  it('keeps the good records of a file with a truncated line and a non-record line', () => {
    const text = [record([{ iteration: 1, task_assignments: { a: 'T' }, task_results: [{ agent_id: 'a', result: 'done' }], summary: 'S', communications: [] }]), '{"task": "T", "iter', '[1,2]', ''].join('\n');
    const result = importMarbleText(text);
    assert.equal(result.trajectories.length, 1);
    assert.deepEqual(result.errors.map((e) => e.line), [2, 3]);
  });

  it('reports wrong types with a location and never throws', () => {
    const result = importMarbleText(record(['not an iteration', { iteration: 2, task_results: 'x', communications: [42], summary: 7 }]));
    assert.equal(result.trajectories.length, 1);
    assert.ok(result.errors.some((e) => e.path === 'iterations[0]' && e.line === 1));
    assert.ok(result.errors.some((e) => e.path === 'iterations[1].communications[0]'));
    assert.deepEqual(importMarbleText('').errors, [{ message: 'the file holds no MARBLE records' }]);
    assert.equal(importMarbleText('\u0000\u0001garbage').errors[0]?.line, 1);
  });

  it('does not split a message that quotes a "From x to y:" line about unknown agents', () => {
    const transcript = 'In Session s1 \nFrom a to b: please check\nFrom the manual to everyone: a quoted line\nFrom b to a: checked';
    const t = importMarbleText(record([{ iteration: 1, task_assignments: { a: 'T', b: 'T' }, task_results: [], summary: 'S', communications: [transcript] }])).trajectories[0] as Trajectory;
    assert.deepEqual(t.steps.filter((s) => s.kind === 'message').map((s) => s.output), ['please check\nFrom the manual to everyone: a quoted line', 'checked']);
  });
});
