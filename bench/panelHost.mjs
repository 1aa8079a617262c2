#!/usr/bin/env node
/**
 * P5 panel: a 10,000-step run in the trajectory panel, in headless Chromium against code-server.
 * First render (Enter on the command → the big task's row; the panel is opened and closed once
 * before, on an empty workspace, so the workbench's one-time webview setup is reported apart as
 * webviewWarmUpMs), the big task's grid render, the
 * fetch of the grid's far end, and frame intervals while scrolling the task list (1,001 tasks)
 * and the grid (2,500 rounds), with the rows the virtual lists keep in the DOM. The measurement
 * itself is test/support/harness/trajectoryPanel.mjs measureLargeRun, which the e2e scenario
 * runs too. Prints one JSON document; progress goes to stderr.
 *
 *   node scripts/build.mjs --bench && node bench/panelHost.mjs [--scroll-rounds 3] [--vsix]
 *
 * By default the extension under development (dist/, which every build refreshes) is loaded;
 * --vsix installs out/truce.vsix (`npm run package`) instead, as the e2e suite does. Plain
 * JavaScript run from its source path, like the harness it uses.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { launchBrowser, openWorkbench, remoteUri } from '../test/support/harness/browser.mjs';
import { installExtension, onInterrupt, startCodeServer } from '../test/support/harness/codeServer.mjs';
import { assertPrerequisites, repoRoot, vsixPath } from '../test/support/harness/paths.mjs';
import { createRunFolder, removeRunFolder } from '../test/support/harness/runFolder.mjs';
import { measureLargeRun } from '../test/support/harness/trajectoryPanel.mjs';
import { waitForWorkbench } from '../test/support/harness/workbench.mjs';

const { values } = parseArgs({ options: { 'scroll-rounds': { type: 'string', default: '3' }, vsix: { type: 'boolean', default: false } } });
const scrollRoundsPerList = Number(values['scroll-rounds']);
// The e2e harness's viewport, so the two measure the same layout.
const viewport = { width: 1600, height: 1200 };
const log = (text) => process.stderr.write(`[panel] ${text}\n`);

assertPrerequisites(['codeServer', 'chromium', 'fixture', values.vsix ? 'vsix' : 'extensionBuild']);

const started = Date.now();
const run = await createRunFolder('bench-panel');
let server;
let browser;
const cleanup = async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
  await removeRunFolder(run);
};
onInterrupt(cleanup);
try {
  if (values.vsix) installExtension(run, vsixPath);
  server = await startCodeServer(run);
  browser = await launchBrowser(run);
  const { page } = await openWorkbench(browser, server, {
    folder: run.workspace,
    viewport,
    payload: values.vsix ? undefined : [['extensionDevelopmentPath', remoteUri(server, repoRoot)]],
  });
  await waitForWorkbench(page);
  log(`workbench ready after ${Date.now() - started} ms; measuring`);
  const figures = await measureLargeRun(page, run.workspace, { scrollRoundsPerList, warmUp: true });
  const { gridTitle, ...measured } = figures;
  const report = {
    benchmark: 'P5 trajectory panel, 10,000-step run (headless Chromium, code-server)',
    machine: { cpus: cpus().length, node: process.version },
    extension: values.vsix ? 'out/truce.vsix' : 'dist/ (extension under development)',
    viewport,
    scrollRoundsPerList,
    headline: {
      // After a warm-up open on an empty workspace: the panel's own cost, not the workbench's first-webview setup.
      firstRenderMs: figures.firstRenderMs,
      webviewWarmUpMs: figures.webviewWarmUpMs,
      gridRenderMs: figures.gridRenderMs,
      taskListScrollP50Ms: figures.taskListScroll.p50Ms,
      taskListScrollP95Ms: figures.taskListScroll.p95Ms,
      gridScrollP50Ms: figures.gridScroll.p50Ms,
      gridScrollP95Ms: figures.gridScroll.p95Ms,
      rowsInDom: { taskList: figures.taskListScroll.rowsInDom, grid: figures.gridScroll.rowsInDom },
    },
    gridTitle: gridTitle.trim(),
    ...measured,
    wallSeconds: Number(((Date.now() - started) / 1000).toFixed(1)),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await cleanup();
}
