// The full view of the trajectory panel survives a window reload: VS Code hands the editor-area
// panel back to the extension through its serializer, and the page returns to the task the user
// had open (it saved it with setState), without the user opening anything again.
import assert from 'node:assert/strict';
import { panelCommand, panelFrame } from '../support/harness/trajectoryPanel.mjs';
import { runCommand, waitForWorkbench } from '../support/harness/workbench.mjs';
import { writePanelRun } from '../support/panelRunFixture.mjs';

const RUN_ID = '20261122-004512-ab12';

export default [
  {
    name: 'panel: the editor-area view comes back after a window reload, on the same task',
    timeoutMs: 150_000,
    async run(session) {
      await writePanelRun(session.run.workspace, { runId: RUN_ID, tasks: 4, rounds: 2 });
      await panelCommand(session.page, 'TRUCE: Open Trajectory Panel in Editor Area');
      const before = await panelFrame(session.page);
      await before.waitForSelector('.task-list .vl-row[data-task-id="task-3"]');
      await before.click('.task-list .vl-row[data-task-id="task-3"]');
      await before.waitForSelector('.grid-body .grid-cell');
      await before.waitForFunction(() => document.querySelector('.task-list .vl-row[data-task-id="task-3"]')?.getAttribute('aria-selected') === 'true');

      // Reload through VS Code's own command, as a user would: it runs the workbench's shutdown,
      // which saves the webview's state (a bare browser reload may leave the last setState unsaved).
      const reloaded = session.page.waitForEvent('load', { timeout: 60_000 });
      await runCommand(session.page, 'Developer: Reload Window');
      await reloaded;
      await waitForWorkbench(session.page);
      // No command is run: the panel must come back by itself, with task-3 selected again.
      const after = await panelFrame(session.page, { timeout: 60_000 });
      await after.waitForSelector('.grid-body .grid-cell', { timeout: 30_000 });
      const selected = await after.$$eval('.task-list .vl-row[aria-selected="true"]', (rows) => rows.map((r) => r.getAttribute('data-task-id')));
      assert.deepEqual(selected, ['task-3']);
      await session.screenshot('panel-restored-after-reload');
    },
  },
];
