/**
 * The trajectory panel's host data for intervention: interventions.jsonl of a run is read beside
 * its credit, and the step view of an intervened step carries the latest verdict in words, its
 * counts and the correction tried; other steps carry none. A line that is not an intervention is
 * a problem the panel lists, never a lost view.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERVENTION_FORMAT, INTERVENTIONS_FILE, type InterventionRecord } from '../../../src/core/intervene/interventionStore';
import { StepDetailSchema } from '../../../src/shared/panelProtocol';
import { loadView, panelRun } from './loadPanelRun';

function record(at: string, flips: number, runs: number, correction: string): InterventionRecord {
  const repeat = (index: number, success: boolean) => ({ index, reached: true, success, score: success ? 1 : 0, replayed: 1, live: 2, missed: 0, spend: { calls: 2, inputTokens: 10, outputTokens: 5, costUsd: 0 } });
  return {
    format: INTERVENTION_FORMAT,
    id: `${at}-x`,
    at,
    taskId: 'task-1',
    stepId: 's2',
    agentId: 'critic',
    callId: 'c2',
    source: 'credit',
    original: 'The first source is right.',
    correction,
    baseline: { success: false, score: 0 },
    repeats: Array.from({ length: runs }, (_, i) => repeat(i, i < flips)),
    runs,
    flips,
    spend: { calls: 1 + 2 * runs, inputTokens: 10, outputTokens: 5, costUsd: 0 },
  };
}

describe('panel: intervention results at the step', () => {
  it('shows the latest intervention of a step, in the words credit uses, with the correction tried', async () => {
    const run = await panelRun();
    try {
      const lines = [record('2026-12-07T10:00:00.000Z', 0, 2, 'An earlier try.'), record('2026-12-07T11:00:00.000Z', 2, 3, 'The second source is right: its date is later.')];
      writeFileSync(join(run.dir, INTERVENTIONS_FILE), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      appendFileSync(join(run.dir, INTERVENTIONS_FILE), '{"format":"something else"}\n');
      const view = await loadView(run.workspace);
      const detail = view.step('task-1', 's2');
      assert.deepEqual(detail.intervention, {
        verdict: 'confirmed',
        text: 'confirmed by intervention: 2 of 3 runs succeed with step s2 corrected',
        flips: 2,
        runs: 3,
        correction: 'The second source is right: its date is later.',
      });
      assert.ok(StepDetailSchema.safeParse(detail).success, 'the detail fits the protocol');
      assert.equal(view.step('task-1', 's1').intervention, null, 'a step nobody intervened on has no note');
      const problems = view.tasks(0, 10).problems;
      assert.ok(problems.some((p) => p.startsWith(`${INTERVENTIONS_FILE}:3: not an intervention record`)), problems.join('\n'));
    } finally {
      run.remove();
    }
  });

  it('says when the correction changed nothing', async () => {
    const run = await panelRun();
    try {
      writeFileSync(join(run.dir, INTERVENTIONS_FILE), `${JSON.stringify(record('2026-12-07T10:00:00.000Z', 0, 2, 'Still the first source.'))}\n`);
      const detail = (await loadView(run.workspace)).step('task-1', 's2');
      assert.equal(detail.intervention?.verdict, 'not-confirmed');
      assert.equal(detail.intervention?.text, 'not confirmed by intervention: 0 of 2 runs succeed with step s2 corrected');
    } finally {
      run.remove();
    }
  });
});
