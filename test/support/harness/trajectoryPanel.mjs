// The trajectory panel in a real workbench, for the e2e scenarios (test/e2e/panel.e2e.mjs) and
// the P5 benchmark (bench/panelHost.mjs): reaching the panel's document inside VS Code's webview
// iframes, running its commands, and the large-run measurement both of them take — a 10,000-step
// task among 1,000 more, rendered and scrolled, with frame times from requestAnimationFrame and
// Chromium's long-animation-frame entries.
import { writePanelRun } from '../panelRunFixture.mjs';
import { runCommand, selectors } from './workbench.mjs';

/** The large run: task "big" has 10,000 steps in 2,500 rounds × 4 agents; 1,000 small tasks beside it. */
export const LARGE_RUN = { runId: '20261122-010000-b16b', tasks: 1000, rounds: 2, bigTaskSteps: 10_000, optimize: false, graph: false };
export const LARGE_RUN_ROUNDS = 2500;

/** The frame holding the panel's own document (VS Code nests it in two iframes). */
export async function panelFrame(page, { index = 0, timeout = 30_000 } = {}) {
  const outer = page.locator(selectors.webviewFrame).nth(index);
  await outer.waitFor({ state: 'attached', timeout });
  const outerFrame = await (await outer.elementHandle()).contentFrame();
  const inner = await outerFrame.waitForSelector('#active-frame', { state: 'attached', timeout });
  const frame = await inner.contentFrame();
  await frame.waitForSelector('.panel-header', { timeout });
  return frame;
}

/**
 * The palette lists an extension's commands only once the workbench has read its contributions,
 * which can lag behind the explorer showing up; the TRUCE activity-bar entry appears at the same
 * moment, so it is the signal to wait for.
 */
export async function waitForTruceContributions(page) {
  await page.locator('.activitybar [aria-label^="TRUCE"]').first().waitFor({ state: 'attached', timeout: 30_000 });
}

/** Runs one of the panel's commands from the palette. */
export async function panelCommand(page, title) {
  await waitForTruceContributions(page);
  await runCommand(page, title);
}

/**
 * Like panelCommand, but stops with the command's row shown in the palette and returns a function
 * that presses Enter and returns when it did, so a measurement starts at the user's keypress
 * rather than at the palette's typing.
 */
async function preparePanelCommand(page, title, { timeout = 20_000 } = {}) {
  await waitForTruceContributions(page);
  await page.keyboard.press('F1');
  const input = page.locator(selectors.quickInputBox);
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`>${title}`);
  await page.locator(selectors.quickInputRow, { hasText: title }).first().waitFor({ state: 'visible', timeout });
  return () => page.keyboard.press('Enter');
}

/**
 * Scrolls an element by `step` px per animation frame for `frames` frames and returns the frame
 * intervals (ms), the rows the virtual list keeps in the DOM at the end, where it ended, and the
 * long animation frames (≥ 50 ms, Chromium's PerformanceObserver entry type) seen meanwhile.
 */
export function scrollFrames(frame, selector, { frames = 120, step = 600 } = {}) {
  return frame.evaluate(
    ({ selector, frames, step }) =>
      new Promise((resolve) => {
        const el = document.querySelector(selector);
        const long = [];
        const observer = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')
          ? new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => ({ durationMs: e.duration, blockingMs: e.blockingDuration }))))
          : undefined;
        observer?.observe({ type: 'long-animation-frame' });
        const times = [];
        let last = performance.now();
        let n = 0;
        const tick = (now) => {
          times.push(now - last);
          last = now;
          el.scrollTop += step;
          if (++n < frames) requestAnimationFrame(tick);
          else
            requestAnimationFrame(() => {
              // Entries of the last frames are delivered a task later.
              setTimeout(() => {
                observer?.disconnect();
                resolve({ times, rowsInDom: el.querySelectorAll('.vl-row').length, scrollTop: el.scrollTop, longFrames: observer ? long : null });
              }, 0);
            });
        };
        requestAnimationFrame(tick);
      }),
    { selector, frames, step },
  );
}

/** p50/p95/max of frame intervals; the first interval (before any scrolling) is left out. */
export function frameStats(times) {
  const sorted = [...times].slice(1).sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { frames: sorted.length, meanMs: +(sorted.reduce((a, b) => a + b, 0) / sorted.length).toFixed(2), p50Ms: +at(0.5).toFixed(2), p95Ms: +at(0.95).toFixed(2), maxMs: +sorted[sorted.length - 1].toFixed(2) };
}

/** Scrolls from the top `rounds` times; the frame figures pool all rounds, each round's stand beside. */
async function scrollRounds(frame, selector, rounds) {
  const all = [];
  const perRound = [];
  const longFrames = [];
  let last;
  for (let round = 0; round < rounds; round++) {
    await frame.evaluate((s) => new Promise((resolve) => {
      document.querySelector(s).scrollTop = 0;
      requestAnimationFrame(() => requestAnimationFrame(resolve));
    }), selector);
    last = await scrollFrames(frame, selector);
    all.push(...last.times.slice(1));
    perRound.push(frameStats(last.times));
    if (last.longFrames) longFrames.push(...last.longFrames);
  }
  return {
    ...frameStats([0, ...all]),
    longAnimationFrames: last.longFrames === null ? null : { count: longFrames.length, maxMs: Math.round(Math.max(0, ...longFrames.map((f) => f.durationMs))), totalBlockingMs: Math.round(longFrames.reduce((sum, f) => sum + f.blockingMs, 0)) },
    rowsInDom: last.rowsInDom,
    scrollTop: last.scrollTop,
    rounds: perRound,
  };
}

/**
 * Opens the panel on a workspace without runs until its shell shows, then closes it, and returns
 * how long the opening took. The workbench's first webview of a session pays a one-time setup
 * (its service worker, the webview host page); after this, a measurement sees only the panel.
 */
async function warmUpWebview(page) {
  const pressEnter = await preparePanelCommand(page, 'TRUCE: Open Trajectory Panel in Editor Area');
  const started = Date.now();
  await pressEnter();
  await panelFrame(page, { timeout: 60_000 });
  const ms = Date.now() - started;
  await page.keyboard.press('Control+W');
  await page.locator(selectors.webviewFrame).first().waitFor({ state: 'detached', timeout: 30_000 });
  return ms;
}

/**
 * Writes the large run into `workspace`, opens the panel in the editor area and measures, in the
 * page the workbench runs in:
 *   firstRenderMs      Enter on the command → the big task's row in the task list
 *                      (firstRenderParts: → the webview's document starts loading, → the panel's shell)
 *   gridRenderMs       click on the big task → the first cell of its rounds × agents grid
 *   farEndRowsMs       jump to the grid's end → its last row's cells (fetched from the host page by page)
 *   taskListScroll / gridScroll   frame intervals while scrolling 600 px per frame, and DOM rows
 * With `warmUp`, the panel is opened and closed once before (see warmUpWebview), so that
 * firstRenderMs leaves out the workbench's one-time webview setup (webviewWarmUpMs has it).
 * Returns the figures; callers assert on them (the e2e scenario) or print them (the benchmark).
 */
export async function measureLargeRun(page, workspace, { scrollRoundsPerList = 1, warmUp = false } = {}) {
  const webviewWarmUpMs = warmUp ? await warmUpWebview(page) : undefined;
  const written = await writePanelRun(workspace, LARGE_RUN);
  const pressEnter = await preparePanelCommand(page, 'TRUCE: Open Trajectory Panel in Editor Area');
  const started = Date.now();
  await pressEnter();
  const frame = await panelFrame(page, { timeout: 60_000 });
  const panelShellMs = Date.now() - started;
  await frame.waitForSelector('.task-list .vl-row[data-task-id="big"]', { timeout: 60_000 });
  const firstRenderMs = Date.now() - started;
  // Where the first render's time went: until the webview's document started loading (the
  // command, the extension, the workbench making the webview), until the panel's shell showed
  // (the webview's script), and the rest (the run read by the extension, the task list drawn).
  // Browser and Node share the machine's clock, so the document's timeOrigin can be compared.
  const webviewDocumentMs = Math.round((await frame.evaluate(() => performance.timeOrigin)) - started);
  const webviewPaint = await frame.evaluate(() => performance.getEntriesByType('paint').map((e) => ({ name: e.name, ms: +e.startTime.toFixed(1) })));

  const taskListScroll = await scrollRounds(frame, '.task-list', scrollRoundsPerList);

  await frame.evaluate(() => (document.querySelector('.task-list').scrollTop = 0));
  const openStarted = Date.now();
  await frame.click('.task-list .vl-row[data-task-id="big"]');
  await frame.waitForSelector('.grid-body .grid-cell', { timeout: 60_000 });
  const gridRenderMs = Date.now() - openStarted;
  const gridTitle = await frame.textContent('.grid-title');

  const gridScroll = await scrollRounds(frame, '.grid-body', scrollRoundsPerList);

  const farEndStarted = Date.now();
  await frame.evaluate(() => (document.querySelector('.grid-body').scrollTop = 1e9));
  await frame.waitForSelector(`.grid-body .vl-row[aria-rowindex="${LARGE_RUN_ROUNDS + 1}"] .grid-cell`, { timeout: 30_000 });
  const farEndRowsMs = Date.now() - farEndStarted;

  return { steps: written.steps, tasks: written.taskIds.length, webviewWarmUpMs, firstRenderMs, firstRenderParts: { webviewDocumentMs, panelShellMs }, webviewPaint, gridRenderMs, gridTitle, farEndRowsMs, taskListScroll, gridScroll };
}
