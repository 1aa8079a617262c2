// Intervention results in the trajectory panel, in the real workbench: a stored run whose
// interventions.jsonl holds a verdict on step s2 of task-1 (what `truce intervene` writes); the
// panel is opened, the step is opened from the grid, and its view shows the verdict and the
// correction tried, with a screenshot. No LLM is involved.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { panelCommand, panelFrame } from '../support/harness/trajectoryPanel.mjs';
import { writePanelRun } from '../support/panelRunFixture.mjs';

const RUN_ID = '20261122-004512-ab12';

function interventionLine() {
  const repeat = (index, success) => ({ index, reached: true, success, score: success ? 1 : 0, replayed: 1, live: 4, missed: 0, spend: { calls: 4, inputTokens: 400, outputTokens: 80, costUsd: 0.001 } });
  return {
    format: 'truce-intervention/1',
    id: '20261207120000-abc123',
    at: '2026-12-07T12:00:00.000Z',
    taskId: 'task-1',
    stepId: 's2',
    agentId: 'critic',
    callId: 'c2',
    source: 'credit',
    reason: 'Blamed as the decisive error: the critic accepted the wrong source.',
    original: 'Answer of critic in round 0.',
    correction: 'The second source is right: it is dated later and the first one contradicts the task.',
    baseline: { success: false, score: 0 },
    repeats: [repeat(0, true), repeat(1, true), repeat(2, false)],
    runs: 3,
    flips: 2,
    spend: { calls: 13, inputTokens: 1300, outputTokens: 260, costUsd: 0.004 },
  };
}

export default [
  {
    name: 'panel: a step shows what an intervention on it found',
    timeoutMs: 120_000,
    async run(session) {
      const { dir } = await writePanelRun(session.run.workspace, { runId: RUN_ID, tasks: 2, rounds: 2 });
      await writeFile(join(dir, 'interventions.jsonl'), `${JSON.stringify(interventionLine())}\n`);
      await panelCommand(session.page, 'TRUCE: Open Trajectory Panel in Editor Area');
      const frame = await panelFrame(session.page);
      await frame.waitForSelector('.task-list .vl-row[data-task-id="task-1"]');
      await frame.click('.task-list .vl-row[data-task-id="task-1"]');
      await frame.waitForSelector('#grid-0-1');
      await frame.click('#grid-0-1');
      await frame.waitForSelector('.step-view .step-intervention');
      assert.match(await frame.textContent('.step-view .step-title'), /^s2/);
      const note = await frame.textContent('.step-view .step-intervention');
      assert.match(note, /confirmed by intervention: 2 of 3 runs succeed with step s2 corrected/);
      assert.match(note, /Corrected reply tried/);
      await frame.click('.step-view .intervention-correction summary');
      assert.match(await frame.textContent('.step-view .intervention-correction .message-body'), /dated later/);
      await frame.evaluate(() => window.scrollTo(0, 0));
      await session.screenshot('panel-intervention');
      // A step nobody intervened on shows no note.
      await frame.click('#grid-0-0');
      await frame.waitForFunction(() => document.querySelector('.step-view .step-title')?.textContent?.startsWith('s1'));
      assert.equal(await frame.$('.step-view .step-intervention'), null);
    },
  },
];
