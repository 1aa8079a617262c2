import assert from 'node:assert/strict';
import { validateTrajectory, type ValidationProblem } from '../../../src/core/trajectory';
import { step, trajectory } from './trajectoryBuilders';

function problems(value: unknown, line?: number): ValidationProblem[] {
  const result = validateTrajectory(value, line);
  assert.equal(result.ok, false, 'expected the trajectory to be rejected');
  return result.problems;
}

function paths(value: unknown): string[] {
  return problems(value).map((p) => p.path);
}

describe('trajectory validator', () => {
  it('accepts a well-formed trajectory and fills defaults for reads, usage and attrs', () => {
    const minimal = {
      runId: 'r',
      taskId: 't',
      agents: [{ id: 'a' }],
      rounds: [{ index: 0 }],
      steps: [{ id: 's0', seq: 0, round: 0, agentId: 'a', kind: 'message', output: 'hi', input: [{ role: 'user', content: 'hello', name: 'u' }] }],
    };
    const result = validateTrajectory(minimal);
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    const s = result.trajectory?.steps[0];
    assert.deepEqual(s?.reads, []);
    assert.deepEqual(s?.usage, { in: 0, out: 0 });
    assert.deepEqual(s?.attrs, {});
    assert.deepEqual(result.trajectory?.usage, { in: 0, out: 0 });
  });

  it('reports every shape problem with its path, not just the first', () => {
    const bad = trajectory();
    const raw = JSON.parse(JSON.stringify(bad));
    raw.steps[1].kind = 'shout';
    raw.steps[2].usage = { in: -1, out: 1.5 };
    raw.outcome = { score: 1.2, success: 'yes', details: {} };
    delete raw.taskId;
    const found = paths(raw);
    for (const expected of ['steps[1].kind', 'steps[2].usage.in', 'steps[2].usage.out', 'outcome.score', 'outcome.success', 'taskId']) {
      assert.ok(found.includes(expected), `missing ${expected} in ${found.join(', ')}`);
    }
  });

  it('rejects misspelt keys instead of silently dropping them', () => {
    const raw = JSON.parse(JSON.stringify(trajectory()));
    raw.steps[0].agentID = raw.steps[0].agentId;
    delete raw.steps[0].agentId;
    const found = problems(raw);
    assert.ok(found.some((p) => p.path === 'steps[0]' && /agentID/.test(p.message)), JSON.stringify(found));
    assert.ok(found.some((p) => p.path === 'steps[0].agentId'));
  });

  it('copies the JSONL line number into every problem', () => {
    const found = problems({ runId: 1 }, 17);
    assert.ok(found.length > 1);
    assert.ok(found.every((p) => p.line === 17));
  });

  it('requires reads to point at earlier steps', () => {
    const t = trajectory({
      steps: [step('s0', 0, { reads: ['s1'] }), step('s1', 1, { reads: ['s1'] }), step('s2', 2, { reads: ['nope'] })],
    });
    const found = problems(t);
    assert.deepEqual(
      found.map((p) => [p.path, p.message]),
      [
        ['steps[0].reads[0]', 'reads "s1", which is not an earlier step'],
        ['steps[1].reads[0]', 'step reads itself'],
        ['steps[2].reads[0]', 'reads unknown step "nope"'],
      ],
    );
  });

  it('requires declared agents and rounds, unique ids and forward order', () => {
    const t = trajectory({
      agents: [{ id: 'a' }, { id: 'a' }],
      rounds: [{ index: 0, aggregator: 'ghost' }, { index: 1 }],
      steps: [step('s0', 0, { round: 1 }), step('s0', 0, { agentId: 'zed', round: 0 }), step('s2', 2, { round: 5, t_start: 10, t_end: 5 })],
    });
    const found = problems(t).map((p) => `${p.path}: ${p.message}`);
    assert.deepEqual(found, [
      'agents[1].id: duplicate agent id "a"',
      'rounds[0].aggregator: aggregator "ghost" is not a declared agent',
      'steps[1].id: duplicate step id "s0"',
      'steps[1].seq: steps must be stored in ascending seq (0 follows 0)',
      'steps[1].agentId: agent "zed" is not declared in agents',
      'steps[1].round: rounds must not go backwards (round 0 follows round 1)',
      'steps[2].round: round 5 is not declared in rounds',
      'steps[2].t_end: t_end (5) is before t_start (10)',
    ]);
  });

  it('checks that a failure label points at a real step', () => {
    const found = problems(trajectory({ labels: { mistakeAgent: 'a', mistakeStepId: 's9' } }));
    assert.deepEqual(found.map((p) => p.path), ['labels.mistakeStepId']);
  });

  it('keeps unknown label fields, since label sources differ', () => {
    const result = validateTrajectory(trajectory({ labels: { mistakeAgent: 'a', customScore: 3 } }));
    assert.equal(result.ok, true);
    assert.equal((result.trajectory?.labels as Record<string, unknown>).customScore, 3);
  });
});
