// Page-level helpers for driving the VS Code 1.100 workbench with Playwright. Selectors are the
// workbench's own class names; they are collected here so that a VS Code upgrade means editing
// one file.
export const selectors = {
  workbench: '.monaco-workbench',
  explorerRow: '.explorer-folders-view .monaco-list-row',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRow: '.quick-input-list .monaco-list-row',
  activeTab: '.tabs-container .tab.active',
  activeEditor: '.editor-group-container.active .monaco-editor',
  editorLines: '.monaco-editor .view-lines',
  lineNumbers: '.margin-view-overlays .line-numbers',
  codeLens: '.contentWidgets .codelens-decoration',
  notificationToast: '.notifications-toasts .notification-toast',
  actionWidgetRow: '.action-widget .monaco-list-row',
  webviewFrame: 'iframe.webview.ready',
};

/** Waits until the workbench has opened the folder (the explorer shows its rows). */
export async function waitForWorkbench(page, { timeout = 60_000 } = {}) {
  await page.waitForSelector(selectors.workbench, { timeout });
  await page.waitForSelector(selectors.explorerRow, { timeout });
}

/**
 * Opens a workspace file through Quick Open (Ctrl+P), the way a user would, and waits until its
 * editor is the active one. `relativePath` is relative to the workspace folder.
 */
export async function quickOpen(page, relativePath, { timeout = 20_000 } = {}) {
  const fileName = relativePath.split('/').pop();
  await page.keyboard.press('Control+P');
  const input = page.locator(selectors.quickInputBox);
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(relativePath);
  // The list fills asynchronously; Enter before the file's row is there would open nothing.
  await page
    .locator(selectors.quickInputRow, { hasText: fileName })
    .first()
    .waitFor({ state: 'visible', timeout });
  await page.keyboard.press('Enter');
  await page.locator(selectors.activeTab, { hasText: fileName }).waitFor({ state: 'visible', timeout });
  await page.locator(`${selectors.activeEditor} .view-lines`).waitFor({ state: 'visible', timeout });
}

/** Runs a command from the command palette (F1) by its title as shown there. */
export async function runCommand(page, title, { timeout = 20_000 } = {}) {
  await page.keyboard.press('F1');
  const input = page.locator(selectors.quickInputBox);
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`>${title}`);
  // The palette ranks recently used commands first, so the first row that merely contains the
  // title may be another command ("TRUCE: Attach to a Running MAS" for "TRUCE: Run MAS"): pick
  // the row whose label is exactly the title.
  const rows = page.locator(selectors.quickInputRow, { hasText: title });
  await rows.first().waitFor({ state: 'visible', timeout });
  const labels = await rows.evaluateAll((els) => els.map((el) => (el.querySelector('.label-name')?.textContent ?? el.textContent ?? '').replace(/\u00a0/g, ' ').trim()));
  const exact = labels.findIndex((label) => label === title);
  if (exact >= 0) await rows.nth(exact).click();
  else await page.keyboard.press('Enter');
}

/**
 * The CodeLens titles rendered in the active editor, top to bottom. A `.codelens-decoration` holds
 * all lenses of one line, separated by " | " spans, so lenses are counted per child, not per
 * decoration. Only lines in view are rendered by VS Code.
 */
export async function codeLensTitles(page) {
  return page.$$eval(`${selectors.activeEditor} ${selectors.codeLens}`, (decorations) => {
    const byTop = decorations
      .map((decoration) => ({ top: decoration.getBoundingClientRect().top, decoration }))
      .sort((a, b) => a.top - b.top);
    const titles = [];
    for (const { decoration } of byTop) {
      for (const child of decoration.children) {
        const text = (child.textContent ?? '').replace(/\u00a0/g, ' ').trim();
        if (text === '|') continue;
        titles.push(text);
      }
    }
    return titles;
  });
}

/**
 * Waits until the active editor shows exactly `expected` resolved CodeLens (a lens shows an empty
 * placeholder until the provider resolves it) and the count holds for a moment, so a late
 * provider update cannot slip past. Returns the titles; on timeout throws with what was seen.
 */
export async function waitForCodeLenses(page, expected, { timeout = 30_000, settleMs = 750 } = {}) {
  const deadline = Date.now() + timeout;
  let titles = [];
  while (Date.now() < deadline) {
    titles = await codeLensTitles(page);
    if (titles.length === expected && titles.every((title) => title.length > 0)) {
      await page.waitForTimeout(settleMs);
      const again = await codeLensTitles(page);
      if (again.length === expected && again.every((title) => title.length > 0)) return again;
      titles = again;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(
    `expected ${expected} resolved CodeLens in the active editor, saw ${titles.length} after ${timeout / 1000} s: ${JSON.stringify(titles)}`,
  );
}

/** The line numbers the active editor currently renders (its viewport). */
export async function renderedLineNumbers(page) {
  const texts = await page.locator(`${selectors.activeEditor} ${selectors.lineNumbers}`).allTextContents();
  return texts.map((text) => Number.parseInt(text, 10)).filter(Number.isFinite);
}

/**
 * Fails unless lines 1..lineCount are all rendered: CodeLens exist only for rendered lines, so a
 * count over a file taller than the viewport would be wrong. Use a larger viewport or a shorter
 * file when this fires.
 */
export async function assertWholeFileRendered(page, lineCount) {
  const shown = new Set(await renderedLineNumbers(page));
  const missing = [];
  for (let line = 1; line <= lineCount; line += 1) if (!shown.has(line)) missing.push(line);
  if (missing.length) {
    throw new Error(
      `the editor renders only part of the file (lines ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} are out of view); use a larger viewport or a shorter file`,
    );
  }
}
