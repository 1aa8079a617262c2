/**
 * The pick: from what a model answered about a failed task to one blamed agent and step. Shapes
 * are the ones real models give (see ../shared/fixtures/llm-answers): praise for early steps and
 * blame for a later one, a main culprit listed before secondary issues on earlier steps, a step
 * named by position, equal part scores, "cannot tell", tool steps.
 */
import { strict as assert } from 'node:assert';
import { pickBlame, promptHolderStep, type VerdictPart } from '../../../src/core/credit/pickBlame';
import { resolveStepRef } from '../../../src/core/credit/resolveStep';
import { readConfidence } from '../../../src/core/credit/decisiveError';
import type { Trajectory } from '../../../src/core/trajectory/schema';

/** Orchestrator hands off, an agent answers, a terminal runs code; the orchestrator always speaks first. */
function log(): Pick<Trajectory, 'agents' | 'steps'> {
  const who = ['Orchestrator', 'Orchestrator', 'WebSurfer', 'Orchestrator', 'Coder', 'ComputerTerminal', 'Coder', 'Orchestrator'];
  return {
    agents: [
      { id: 'Orchestrator', kind: 'role' },
      { id: 'WebSurfer', kind: 'role' },
      { id: 'Coder', kind: 'role' },
      { id: 'ComputerTerminal', kind: 'tool' },
    ],
    steps: who.map((agentId, i) => ({ id: `s${i}`, seq: i, round: Math.floor(i / 3), agentId, kind: 'llm' as const, output: `${agentId} ${i}`, reads: i === 6 ? ['s5'] : [], usage: { in: 0, out: 0 }, attrs: {} })),
  };
}

const part = (index: number, overall: number, stepIds: string[], issues: VerdictPart['issues'], scores?: number[]): VerdictPart => ({ index, overall, stepIds, issues, ...(scores ? { scores } : {}) });

describe('the blame pick', () => {
  const t = log();

  it('blames the later step the model blamed, not the earlier steps it praised', () => {
    // Praise (highlights) never reaches the pick: only issues are offered as verdicts.
    const pick = pickBlame(t, { parts: [part(0, -0.8, ['s0', 's1', 's2', 's3', 's4'], [{ stepIds: ['s4'] }])] });
    assert.deepEqual([pick.agent, pick.stepId, pick.source], ['Coder', 's4', 'verdict']);
  });

  it('takes the main culprit listed first over a secondary issue on an earlier orchestrator step', () => {
    const pick = pickBlame(t, { parts: [part(0, -0.9, ['s0', 's1', 's2', 's3', 's4'], [{ stepIds: ['s4'] }, { stepIds: ['s1', 's3'] }])] });
    assert.equal(pick.stepId, 's4');
    // With severities, the most severe issue leads whatever its place in the list.
    const bySeverity = pickBlame(t, { parts: [part(0, -0.9, ['s0', 's1', 's2', 's3', 's4'], [{ stepIds: ['s1'], severity: 0.3 }, { stepIds: ['s2'], severity: 0.9 }])] });
    assert.equal(bySeverity.stepId, 's2');
  });

  it('reads the decisive answer first, even when the verdicts point elsewhere', () => {
    const pick = pickBlame(t, { decisive: [{ found: true, stepRef: 's2', agent: 'WebSurfer', confidence: 0.7 }], parts: [part(0, -0.9, ['s0', 's1'], [{ stepIds: ['s1'] }])] });
    assert.deepEqual([pick.agent, pick.stepId, pick.source], ['WebSurfer', 's2', 'decisive']);
  });

  it('resolves a decisive step given by position, as "step N" or a number', () => {
    for (const stepRef of ['step 4', 4, '4', 'S4', 'Step s4', 's4 (Coder)']) {
      assert.equal(pickBlame(t, { decisive: [{ found: true, stepRef }] }).stepId, 's4', String(stepRef));
    }
    assert.equal(resolveStepRef(t, 'nowhere'), undefined);
    assert.equal(resolveStepRef(t, 99), undefined);
  });

  it('corrects an off-by-one step with the agent the model named', () => {
    const pick = pickBlame(t, { decisive: [{ found: true, stepRef: 's3', agent: 'WebSurfer' }] });
    assert.equal(pick.stepId, 's2');
  });

  it('settles disagreeing decisive answers by confidence, never by position', () => {
    const later = pickBlame(t, { decisive: [{ found: true, stepRef: 's1', confidence: 0.4 }, { found: true, stepRef: 's6', confidence: 0.9 }] });
    assert.equal(later.stepId, 's6');
    // Equal confidence and nothing else to tell them apart: the verdicts decide.
    const tied = pickBlame(t, { decisive: [{ found: true, stepRef: 's1', confidence: 0.5 }, { found: true, stepRef: 's6', confidence: 0.5 }], parts: [part(0, -0.5, ['s6'], [{ stepIds: ['s6'] }])] });
    assert.deepEqual([tied.stepId, tied.source], ['s6', 'decisive']);
  });

  it('breaks equal part scores by severity and sub-scores, and gives no pick when nothing tells them apart', () => {
    const a = part(0, -0.7, ['s0', 's1', 's2'], [{ stepIds: ['s1'] }]);
    const b = part(1, -0.7, ['s3', 's4', 's5'], [{ stepIds: ['s4'] }]);
    assert.equal(pickBlame(t, { parts: [a, b] }).source, 'none');
    assert.equal(pickBlame(t, { parts: [a, { ...b, issues: [{ stepIds: ['s4'], severity: 0.9 }] }] }).stepId, 's4');
    assert.equal(pickBlame(t, { parts: [{ ...a, scores: [-0.9, -0.9, -0.9] }, { ...b, scores: [0, 0, 0] }] }).stepId, 's1');
  });

  it('gives no pick when the model says it cannot tell, even with verdicts at hand', () => {
    const pick = pickBlame(t, { decisive: [{ found: false }], parts: [part(0, -0.9, ['s4'], [{ stepIds: ['s4'] }])] });
    assert.equal(pick.source, 'none');
    assert.equal(pick.stepId, undefined);
    assert.match(pick.why, /cannot tell/);
  });

  it('never blames a tool step: its effect goes to the agent that acted on it', () => {
    assert.equal(promptHolderStep(t, t.steps[5]!)?.id, 's6');
    assert.deepEqual([pickBlame(t, { decisive: [{ found: true, stepRef: 's5' }] }).stepId, pickBlame(t, { parts: [part(0, -1, ['s5'], [{ stepIds: ['s5'] }])] }).agent], ['s6', 'Coder']);
  });

  it('names an agent from the part scores alone when no step is cited, and no step', () => {
    const pick = pickBlame(t, { parts: [part(0, -0.2, ['s0', 's1'], []), part(1, -0.9, ['s3', 's4', 's6'], [])] });
    assert.deepEqual([pick.agent, pick.stepId, pick.source], ['Coder', undefined, 'score']);
  });

  it('reads confidences as numbers, percentages and words', () => {
    assert.deepEqual([0.8, '80%', 80, 'high', 'Low', 'often'].map(readConfidence), [0.8, 0.8, 0.8, 0.8, 0.25, undefined]);
  });
});
