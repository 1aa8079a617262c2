// Run credit and suggestions as a user meets them in the real workbench: a stored run (written
// into the scenario's workspace, no LLM involved) puts credit into the CodeLens, the quick fix
// menu offers its suggestions, Preview opens a diff, the inline review accepts and rejects, and
// "Apply all" goes through VS Code's refactor preview. Screenshots of each step.
import assert from 'node:assert/strict';
import { runCliJson } from '../support/harness/e2e.mjs';
import { codeLensTitles, runCommand, selectors } from '../support/harness/workbench.mjs';
import { NEW_RESTATE, NEW_RULE, writeSuggestionsRun } from '../integration/suggestionsRunFixture.mjs';

const PLANNER = 'prompts/planner.prompt.md';

/** Writes the fixture run for the planner rules as the CLI (same core parser) names them; returns the rules. */
async function writeRun(session) {
  const report = await runCliJson(['units', session.file(PLANNER)]);
  const units = report.files[0].agents[0].units;
  const find = (start) => units.find((u) => u.text.startsWith(start));
  const planner = { restate: find('Restate the goal'), split: find('Split the work'), locked: find('Never invent sources'), ask: find('Ask the user') };
  await writeSuggestionsRun(session.run.workspace, planner);
  return planner;
}

async function waitForLens(page, pattern, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let titles = [];
  while (Date.now() < deadline) {
    titles = await codeLensTitles(page);
    const hit = titles.find((t) => pattern.test(t));
    if (hit) return hit;
    await page.waitForTimeout(200);
  }
  throw new Error(`no CodeLens matching ${pattern} after ${timeout / 1000} s: ${JSON.stringify(titles)}`);
}

/** Moves the cursor to a 1-based line through Go to Line (Ctrl+G). */
async function goToLine(page, line) {
  await page.keyboard.press('Control+G');
  const input = page.locator(selectors.quickInputBox);
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:5`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** Opens the quick fix menu at the cursor and returns its rows' texts once ours are in. */
async function openQuickFixMenu(page, expect) {
  await page.keyboard.press('Control+Period');
  const rows = page.locator(selectors.actionWidgetRow);
  await rows.filter({ hasText: expect }).first().waitFor({ state: 'visible', timeout: 20_000 });
  return rows.allTextContents();
}

/**
 * Opens the Refactor menu (Ctrl+Shift+R) until it lists `expect`. Right after another action menu
 * closes, a loaded workbench can answer the first request with "No refactorings available" (the
 * request is cancelled while the editor takes focus back), so the menu is asked again, three times
 * at most; the last failure is the test's.
 */
async function openRefactorMenu(page, expect) {
  const row = page.locator(selectors.actionWidgetRow, { hasText: expect }).first();
  for (let attempt = 1; ; attempt += 1) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+R');
    try {
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** Moves the menu's focus down to the row that contains `text` and runs it (a pointer blocker stops clicks). */
async function chooseAction(page, text) {
  for (let i = 0; i < 20; i += 1) {
    const focused = await page.locator(`${selectors.actionWidgetRow}.focused`).allTextContents();
    if (focused.some((t) => t.includes(text))) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no quick fix row contains "${text}"`);
}

async function editorText(page) {
  return page.locator(`${selectors.activeEditor} .view-lines`).first().innerText();
}

export default [
  {
    name: 'suggestions: credit lenses, quick fixes, diff preview, inline review',
    timeoutMs: 150_000,
    async run(session) {
      const { page } = session;
      const units = await writeRun(session);
      await session.openFile(PLANNER);
      const blamed = await waitForLens(page, /^▼ −0\.34 · blamed in 4\/5 tasks · 2 suggestions$/);
      assert.ok(blamed);
      await waitForLens(page, /^▲ \+0\.30 · credited in 3\/5 tasks · 1 suggestion$/);
      await session.screenshot('suggestions-codelens-credit');

      // Quick fix menu on the blamed rule: both suggestions, the better supported one first (preferred).
      await goToLine(page, units.restate.range.start.line + 1);
      const rows = await openQuickFixMenu(page, 'Apply TRUCE suggestion');
      const ours = rows.filter((r) => r.includes('TRUCE'));
      assert.ok(ours.some((r) => r.includes('MODIFY rule')) && ours.some((r) => r.includes('DELETE rule')), JSON.stringify(rows));
      await session.screenshot('suggestions-quickfix-menu');

      // Preview: a diff between the file and the virtual document with the edit; the buffer stays as it was.
      await chooseAction(page, 'Preview TRUCE suggestion: MODIFY');
      await page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('.monaco-diff-editor .line-insert').first().waitFor({ state: 'visible', timeout: 20_000 });
      await session.screenshot('suggestions-diff-preview');
      const diffText = await page.locator('.monaco-diff-editor .modified-in-monaco-diff-editor .view-lines').first().innerText();
      assert.ok(diffText.replace(/\u00a0/g, ' ').includes(NEW_RESTATE), diffText);
      await page.keyboard.press('Control+W');
      assert.ok(!(await session.readFile(PLANNER)).includes(NEW_RESTATE), 'a preview never writes the file');

      await session.openFile(PLANNER);

      // Inline review: proposed text drawn over the rule; reject with the keybinding, accept with the lens.
      const beforeReview = await session.readFile(PLANNER);
      await runCommand(page, 'TRUCE: Review Suggestions');
      await waitForLens(page, /Accept MODIFY rule/);
      await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
      await session.screenshot('suggestions-inline-review');
      assert.equal(await session.readFile(PLANNER), beforeReview, 'showing a suggestion writes nothing');
      // The tab shows no unsaved-changes dot: the proposal is a decoration, not buffer text.
      assert.equal(await page.locator(`${selectors.activeTab}.dirty`).count(), 0);
      await waitForLens(page, /Next \(1\/3\)/);
      await page.keyboard.press('Alt+N');
      await waitForLens(page, /Next \(\d\/2\)/);
      await session.screenshot('suggestions-inline-review-after-reject');
      await page.locator(`${selectors.codeLens} a`, { hasText: 'Accept' }).first().click();
      await waitForLens(page, /Next \(1\/1\)/);
      // Rejected: the MODIFY; accepted: the DELETE of the same rule, so the rule is gone from the file.
      const saved = await session.readFile(PLANNER);
      assert.ok(!saved.includes('Restate the goal'), saved);
      await session.screenshot('suggestions-inline-review-accepted');
      const decisions = await session.readFile('.truce/decisions.jsonl');
      assert.match(decisions, /"decision":"rejected"/);
      assert.match(await session.readFile('.truce/ledger.jsonl'), /"kind":"apply"/);
    },
  },
  {
    name: 'suggestions: apply all through the refactor preview',
    timeoutMs: 120_000,
    async run(session) {
      const { page } = session;
      const units = await writeRun(session);
      await session.openFile(PLANNER);
      await waitForLens(page, /blamed in 4\/5 tasks/);
      await goToLine(page, units.split.range.start.line + 1);
      await openQuickFixMenu(page, 'Apply all TRUCE suggestions');
      // The refactoring is a RefactorRewrite action; the Refactor menu (Ctrl+Shift+R) lists it.
      await openRefactorMenu(page, 'Apply all TRUCE suggestions');
      await chooseAction(page, 'Apply all TRUCE suggestions');
      const pane = page.locator('.refactor-preview-view, .bulk-edit-panel, [id="refactorPreview"]').first();
      await pane.waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('.monaco-list-row', { hasText: 'TRUCE:' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await session.screenshot('suggestions-refactor-preview');
      // Edits that need confirmation start unticked: tick the file (all its edits), then Apply.
      await page.locator('.monaco-list-row', { hasText: 'planner.prompt.md' }).locator('input[type="checkbox"], .edit-checkbox').first().click();
      await session.screenshot('suggestions-refactor-preview-ticked');
      await page.locator('.monaco-button', { hasText: 'Apply' }).first().click();
      const deadline = Date.now() + 20_000;
      let ledger = '';
      while (Date.now() < deadline && !ledger.includes('"kind":"apply"')) {
        ledger = await session.readFile('.truce/ledger.jsonl').catch(() => '');
        await page.waitForTimeout(200);
      }
      assert.match(ledger, /"kind":"apply"/);
      const file = await session.readFile(PLANNER);
      assert.ok(file.includes(NEW_RULE), 'the ADD went in');
    },
  },
];
