/**
 * Which interventions a rule's hover shows: those on a step of the rule's own agent in a task its
 * credit evidence points at — never one about another agent, never one from a task the rule's
 * credit does not mention; the latest per corrected step.
 */
import { strict as assert } from 'node:assert';
import { unitInterventions } from '../../../src/core/editor/unitInterventions';
import { INTERVENTION_FORMAT, type InterventionRecord } from '../../../src/core/intervene/interventionStore';

function record(taskId: string, stepId: string, agentId: string, at: string, flips: number): InterventionRecord {
  return {
    format: INTERVENTION_FORMAT,
    id: `${taskId}-${stepId}-${at}`,
    at,
    taskId,
    stepId,
    agentId,
    callId: 'g1',
    source: 'credit',
    original: 'x',
    correction: 'y',
    baseline: { success: false, score: 0 },
    repeats: [0, 1, 2].map((index) => ({ index, reached: true, success: index < flips, replayed: 1, live: 1, missed: 0, spend: { calls: 1, inputTokens: 1, outputTokens: 1, costUsd: 0 } })),
    runs: 3,
    flips,
    spend: { calls: 4, inputTokens: 4, outputTokens: 4, costUsd: 0 },
  };
}

describe('editor: the interventions a rule hover shows', () => {
  const steps = new Map([
    ['t1/s1', { agentId: 'researcher' }],
    ['t1/s2', { agentId: 'writer' }],
    ['t2/s1', { agentId: 'researcher' }],
  ]);

  it('keeps the rule agent\'s corrected steps in its evidence tasks, latest per step, newest first', () => {
    const evidence = [{ taskId: 't1', stepId: 's1' }];
    const shown = unitInterventions(evidence, steps, [
      record('t1', 's1', 'researcher', '2026-12-07T10:00:00Z', 1),
      record('t1', 's1', 'researcher', '2026-12-07T11:00:00Z', 2),
      record('t1', 's2', 'writer', '2026-12-07T12:00:00Z', 3),
      record('t2', 's1', 'researcher', '2026-12-07T12:00:00Z', 3),
    ]);
    assert.deepEqual(shown.map((s) => s.sentence), ['confirmed by intervention: 2 of 3 runs succeed with step s1 corrected']);
  });

  it('shows nothing when the evidence steps are unknown (an optimize run keeps no trajectories)', () => {
    assert.deepEqual(unitInterventions([{ taskId: 't9', stepId: 's1' }], steps, [record('t9', 's1', 'researcher', '2026-12-07T10:00:00Z', 1)]), []);
  });
});
