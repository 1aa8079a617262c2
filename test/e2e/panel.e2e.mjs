// The trajectory panel in the real workbench: a stored run is written into the scenario's
// workspace (no LLM involved), the panel is opened through the command palette, and the scenario
// walks it as a user would — task list, rounds × agents grid, a step's timeline, the link back to
// the rule in the prompt file, the history chart, the attribution graph — in a light and a dark
// theme, with screenshots. A second scenario checks the webview's CSP; a third renders and
// scrolls a 10,000-step task and prints how long that took (figures only, no timing assertions).
// A fourth imports a real Who&When log with the CLI and walks to its labelled mistake.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCliJson } from '../support/harness/e2e.mjs';
import { repoRoot } from '../support/harness/paths.mjs';
import { LARGE_RUN_ROUNDS, measureLargeRun, panelCommand, panelFrame } from '../support/harness/trajectoryPanel.mjs';
import { selectors } from '../support/harness/workbench.mjs';
import { writePanelRun } from '../support/panelRunFixture.mjs';

const RUN_ID = '20261122-004512-ab12';

/** The first two rules of the planner prompt, as the CLI (same core parser) names them. */
async function plannerUnits(session) {
  const report = await runCliJson(['units', session.file('prompts/planner.prompt.md')]);
  return report.files[0].agents[0].units;
}

function walkthrough(theme, shot) {
  return {
    name: `panel: ${theme}: grid, step, link to the rule, history`,
    settings: { 'workbench.colorTheme': theme },
    timeoutMs: 120_000,
    async run(session) {
      const units = await plannerUnits(session);
      await writePanelRun(session.run.workspace, { runId: RUN_ID, tasks: 6, rounds: 3, unitIds: units.slice(0, 2).map((u) => u.id) });
      await panelCommand(session.page, 'TRUCE: Open Trajectory Panel');
      const frame = await panelFrame(session.page);

      // Task list: six tasks, only visible rows in the DOM, outcome shift badges shown.
      await frame.waitForSelector('.task-list .vl-row[data-task-id="task-1"]');
      const summary = await frame.textContent('.task-summary');
      assert.match(summary, /6 tasks/);
      assert.match(summary, /✗→✓ \d/);
      await frame.click('.task-list .vl-row[data-task-id="task-1"]');

      // Grid: 3 rounds × 3 agents, every cell coloured by credit.
      await frame.waitForSelector('.grid-body .grid-cell');
      const cells = await frame.$$eval('.grid-body .grid-cell', (els) => els.map((el) => ({ text: el.textContent, cls: el.className, label: el.getAttribute('aria-label') })));
      assert.equal(cells.length, 9, JSON.stringify(cells));
      assert.ok(cells.every((c) => /credit-(pos|neg)-\d|credit-zero/.test(c.cls)), `uncoloured cell: ${JSON.stringify(cells)}`);
      assert.equal(await frame.getAttribute('.grid-body', 'role'), 'grid');
      assert.match(cells[0].label, /Round 0, planner: 1 step\(s\) s1/);

      // Keyboard: focus the grid, move right then left, Enter opens the planner's step s1.
      await frame.focus('.grid-body');
      await frame.press('.grid-body', 'ArrowDown');
      await frame.press('.grid-body', 'ArrowUp');
      await frame.press('.grid-body', 'ArrowRight');
      await frame.press('.grid-body', 'ArrowLeft');
      assert.equal(await frame.getAttribute('.grid-body', 'aria-activedescendant'), 'grid-0-0');
      await frame.press('.grid-body', 'Enter');
      await frame.waitForSelector('.step-view .step-title');
      assert.match(await frame.textContent('.step-view .step-title'), /^s1/);
      const timeline = await frame.textContent('.step-view .timeline');
      assert.match(timeline, /<script>window\.injected = 1<\/script>/, 'a message with HTML shows as text');
      assert.equal(await frame.evaluate(() => window.injected), undefined, 'and does not run');
      // The output is 8k characters: folded, then unfolded, then fetched further from the host.
      const outputBody = frame.locator('.message.role-output .message-body');
      assert.match(await outputBody.getAttribute('class'), /folded/);
      await frame.click('.message.role-output .show-more');
      await frame.click('.message.role-output .show-more');
      await frame.waitForFunction(() => !document.querySelector('.message.role-output .show-more:not([hidden])'));
      assert.match(await outputBody.textContent(), /Step 200 of the plan/);

      // History chart and graph are present for this run.
      assert.ok((await frame.getAttribute('.history-chart .series.train', 'd')).startsWith('M'));
      assert.equal(await frame.$$eval('.history-view table.rounds tr.round', (rows) => rows.length), 2, 'the two rounds of the optimize run');
      // Each round's reason gets a row as wide as the table, so the side bar does not squeeze it
      // into a column a few characters wide.
      const reasonWidths = await frame.$$eval('.history-view table.rounds', (tables) => {
        const table = tables[0];
        return [...table.querySelectorAll('tr.reason-row td')].map((cell) => cell.getBoundingClientRect().width / table.getBoundingClientRect().width);
      });
      assert.ok(reasonWidths.length === 2 && reasonWidths.every((w) => w > 0.9), `reason rows span the table: ${reasonWidths}`);
      // Each decision opens its round's row and can be read: the table fits the side bar, where a
      // Decision column used to be cut off at its edge.
      const rounds = await frame.$eval('.history-view table.rounds', (table) => ({
        decisions: [...table.querySelectorAll('tr.reason-row')].map((row) => row.querySelector('.decision')?.textContent),
        tableRight: table.getBoundingClientRect().right,
        viewRight: document.documentElement.clientWidth,
        overflow: table.scrollWidth - table.clientWidth,
      }));
      assert.deepEqual(rounds.decisions, ['accepted', 'rejected'], 'each round says what was decided');
      assert.ok(rounds.tableRight <= rounds.viewRight && rounds.overflow <= 0, `the rounds table fits the view: ${JSON.stringify(rounds)}`);
      assert.ok((await frame.$$('.graph .node')).length >= 9);
      assert.ok((await frame.$$('.graph .edge.on-path')).length >= 2);
      // Opening a step scrolls it into view; the screenshot shows the panel from its top.
      await frame.evaluate(() => window.scrollTo(0, 0));
      await session.screenshot(`${shot}-panel`);

      // Full view in the editor area, for the screenshot of the whole layout.
      await panelCommand(session.page, 'TRUCE: Open Trajectory Panel in Editor Area');
      const full = await panelFrame(session.page, { index: 1 });
      await full.waitForSelector('.task-list .vl-row[data-task-id="task-1"]');
      await full.click('.task-list .vl-row[data-task-id="task-1"]');
      await full.waitForSelector('.grid-body .grid-cell');
      await full.click('.grid-body .grid-cell');
      await full.waitForSelector('.step-view .unit-link');
      await full.evaluate(() => window.scrollTo(0, 0));
      await session.screenshot(`${shot}-panel-editor-area`);

      // The link back: the rule is selected in its prompt file (the status bar names the cursor,
      // which a selection leaves at its end, and the length of the selection).
      const unit = units[0];
      await full.click(`.unit-link[data-unit-id="${unit.id}"]`);
      await session.page.locator(selectors.activeTab, { hasText: 'planner.prompt.md' }).waitFor({ timeout: 20_000 });
      const selection = session.page.locator('#status\\.editor\\.selection');
      await selection.waitFor({ timeout: 10_000 });
      await session.page.waitForFunction(
        (expected) => document.querySelector('#status\\.editor\\.selection')?.textContent?.includes(expected),
        `Ln ${unit.range.end.line + 1}, Col ${unit.range.end.character + 1} (${unit.range.end.offset - unit.range.start.offset} selected)`,
        { timeout: 10_000 },
      );
      await session.screenshot(`${shot}-panel-link-to-rule`);
    },
  };
}

const csp = {
  name: 'panel: an inline script injected into the webview does not run (CSP)',
  async run(session) {
    await writePanelRun(session.run.workspace, { runId: RUN_ID, tasks: 2, rounds: 1 });
    await panelCommand(session.page, 'TRUCE: Open Trajectory Panel');
    const frame = await panelFrame(session.page);
    await frame.waitForSelector('.task-list .vl-row[data-task-id]');
    const outcome = await frame.evaluate(async () => {
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true;';
      document.head.append(script);
      const img = document.createElement('img');
      img.src = 'https://example.invalid/pixel.png';
      document.body.append(img);
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { ran: window.__inlineRan === true, violations };
    });
    assert.equal(outcome.ran, false, 'the injected inline script ran');
    assert.ok(outcome.violations.some((d) => d.startsWith('script-src')), `no script-src violation reported: ${JSON.stringify(outcome.violations)}`);
    assert.ok(outcome.violations.some((d) => d.startsWith('img-src')), `a remote image was not blocked: ${JSON.stringify(outcome.violations)}`);
  },
};

// The large-run measurement is shared with the P5 benchmark (bench/panelHost.mjs); here its
// figures are checked for what must hold whatever the speed, and printed.
const large = {
  name: 'panel: a 10,000-step task renders and scrolls (figures printed)',
  timeoutMs: 240_000,
  async run(session) {
    const figures = await measureLargeRun(session.page, session.run.workspace);
    assert.ok(figures.taskListScroll.rowsInDom < 100, `the task list keeps ${figures.taskListScroll.rowsInDom} rows in the DOM for ${figures.tasks} tasks`);
    assert.ok(figures.taskListScroll.scrollTop > 0);
    assert.match(figures.gridTitle, new RegExp(`${LARGE_RUN_ROUNDS} rounds`));
    assert.ok(figures.gridScroll.rowsInDom < 100, `the grid keeps ${figures.gridScroll.rowsInDom} rows in the DOM for ${LARGE_RUN_ROUNDS} rounds`);
    await session.screenshot('panel-large-run');
    const { gridTitle, ...printed } = figures;
    console.log(`[bench] trajectory panel, ${figures.steps.toLocaleString('en')} steps (task "big": 10,000 steps in 2,500 rounds × 4 agents; 1,000 more tasks): ${JSON.stringify(printed)}`);
  },
};

// A real Who&When log (Magentic-One, hand-crafted/24.json), read in place from ../shared/fixtures.
const WHOWHEN_LOG = join(repoRoot, '..', 'shared', 'fixtures', 'whowhen', 'hand-crafted', '24.json');

const importedWhoWhen = {
  name: 'panel: an imported real Who&When log, picked in the run picker, shows its labelled mistake',
  timeoutMs: 120_000,
  async run(session) {
    // An ordinary run is listed first, so the import has to be picked.
    await writePanelRun(session.run.workspace, { runId: RUN_ID, tasks: 2, rounds: 1, optimize: false, graph: false });
    const report = await runCliJson(['import', WHOWHEN_LOG, '--out', join(session.run.workspace, '.truce', 'imports')]);
    assert.equal(report.totals.trajectories, 1, JSON.stringify(report));
    const log = JSON.parse(await readFile(WHOWHEN_LOG, 'utf8'));
    const stepId = `s${log.mistake_step}`;

    await panelCommand(session.page, 'TRUCE: Open Trajectory Panel');
    const frame = await panelFrame(session.page);
    await frame.waitForSelector('.task-list .vl-row[data-task-id]');
    await frame.click('.run-select');
    await frame.locator('.run-select li.option', { hasText: '24.trajectories.jsonl' }).click();
    await frame.waitForSelector(`.task-list .vl-row[data-task-id="${log.question_ID}"]`);
    assert.equal(await frame.$eval('.run-select', (el) => el.value), 'import:24.trajectories.jsonl');
    const row = await frame.textContent(`.task-list .vl-row[data-task-id="${log.question_ID}"]`);
    assert.match(row, /✗/, 'a Who&When log is a failed run');
    assert.match(row, /⚑ labelled/);
    assert.match(await frame.textContent('.task-summary'), /^1 tasks/);

    await frame.click(`.task-list .vl-row[data-task-id="${log.question_ID}"]`);
    await frame.waitForSelector('.grid-body .grid-cell.labelled');
    assert.match(await frame.textContent('.grid-title'), new RegExp(`labelled mistake: ${log.mistake_agent} at step ${stepId}`));
    assert.equal(await frame.textContent('.grid-col-head.labelled'), `⚑ ${log.mistake_agent}`);
    const labelled = await frame.$$eval('.grid-body .grid-cell.labelled', (els) => els.map((el) => el.getAttribute('aria-label')));
    assert.equal(labelled.length, 1, JSON.stringify(labelled));
    assert.match(labelled[0], new RegExp(`holds the labelled mistake step ${stepId}`));

    // The labelled cell holds several steps: open it, then the labelled one among them.
    await frame.click('.grid-body .grid-cell.labelled');
    await frame.waitForSelector('.step-view .step-title');
    if (!(await frame.textContent('.step-view .step-title')).startsWith(`${stepId} `)) {
      await frame.locator('.step-chips vscode-button', { hasText: new RegExp(`^${stepId}$`) }).click();
      await frame.waitForFunction((id) => document.querySelector('.step-view .step-title')?.textContent?.startsWith(`${id} `), stepId);
    }
    assert.match(await frame.textContent('.step-view .step-title'), new RegExp(`^${stepId} · ${log.mistake_agent}`));
    const note = await frame.textContent('.step-view .step-mistake');
    assert.match(note, /labelled mistake/);
    assert.ok(note.includes(log.mistake_reason), note);
    await frame.evaluate(() => window.scrollTo(0, 0));
    await session.screenshot('panel-imported-whowhen');
  },
};

if (!existsSync(WHOWHEN_LOG)) console.log(`[e2e] skipping the imported Who&When panel scenario: ${WHOWHEN_LOG} is absent (no ../shared next to the repository)`);

export default [walkthrough('Default Light Modern', 'light'), walkthrough('Default Dark Modern', 'dark'), csp, large, ...(existsSync(WHOWHEN_LOG) ? [importedWhoWhen] : [])];
