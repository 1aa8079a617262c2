#!/usr/bin/env node
// Runs the in-host mocha suite (out/test/integration/index.js) inside a real code-server
// extension host. code-server's command line rejects --extensionTestsPath, so a headless
// Chromium opens the workbench with a URL payload carrying extensionDevelopmentPath and
// extensionTestsPath; VS Code reports the result through window.codeAutomationExit.
//
//   node test/integration/runners/runInCodeServer.mjs [--extension-path DIR] [--tests-path FILE]
//                                                      [--timeout SECONDS] [--verbose]
//                                                      [--grep REGEXP] [--server-log LEVEL]
//
// --grep runs only the tests whose full title matches; --server-log trace makes code-server (and
// its file watcher) log everything, kept in artifacts/integration/ when the run fails (always,
// with --keep-logs).
//
// Needs: `node scripts/build.mjs --tests`, code-server (scripts/install-code-server.sh), chromium.
// On failure, the server log, the extension host logs, the page console and a screenshot are
// kept in artifacts/integration/.
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, openWorkbench, remoteUri } from '../../support/harness/browser.mjs';
import { onInterrupt, startCodeServer } from '../../support/harness/codeServer.mjs';
import { artifactsDir, assertPrerequisites, repoRoot } from '../../support/harness/paths.mjs';
import { reportSuite } from '../../support/harness/results.mjs';
import { createRunFolder, removeRunFolder } from '../../support/harness/runFolder.mjs';

// index.ts puts this in front of every reporter line (see TRUCE_REPORTER_LINE_PREFIX there).
const REPORTER_MARK = '[truce-mocha] ';

const { values: options } = parseArgs({
  options: {
    'extension-path': { type: 'string', default: repoRoot },
    'tests-path': { type: 'string', default: join(repoRoot, 'out', 'test', 'integration', 'index.js') },
    timeout: { type: 'string', default: process.env.TRUCE_INHOST_TIMEOUT ?? '300' },
    verbose: { type: 'boolean', default: process.env.TRUCE_VERBOSE === '1' },
    grep: { type: 'string' },
    'server-log': { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
  },
});
const extensionPath = resolve(options['extension-path']);
const testsPath = resolve(options['tests-path']);
const timeoutMs = Number(options.timeout) * 1000;
const artifacts = join(artifactsDir, 'integration');

const started = Date.now();
const log = (text) => console.log(`[in-host] ${text}`);

try {
  const needs = ['codeServer', 'chromium', 'fixture'];
  if (extensionPath === repoRoot) needs.push('extensionBuild', 'inHostTests');
  assertPrerequisites(needs);
  if (!existsSync(join(extensionPath, 'package.json'))) throw new Error(`no package.json in the extension path ${extensionPath}`);
  if (!existsSync(testsPath)) throw new Error(`the tests entry ${testsPath} does not exist`);
} catch (error) {
  console.error(`[in-host] ${error.message}`);
  reportSuite('integration', { passed: 0, failed: 1, durationMs: Date.now() - started, note: 'prerequisites missing' });
  process.exit(1);
}

await rm(artifacts, { recursive: true, force: true });

const run = await createRunFolder('inhost');
let server;
let browser;
let page;
let consoleLines = [];
let workbenchLogs = [];
// index.ts writes the counts here (see TRUCE_INHOST_RESULT_FILE there).
const resultFile = join(run.dir, 'inhost-result.json');

async function keepArtifacts(reason) {
  await mkdir(artifacts, { recursive: true });
  await writeFile(join(artifacts, 'reason.txt'), `${reason}\n`);
  if (page) await page.screenshot({ path: join(artifacts, 'workbench.png'), fullPage: true }).catch(() => {});
  await writeFile(join(artifacts, 'console.log'), `${consoleLines.join('\n')}\n`);
  if (existsSync(run.serverLog)) await cp(run.serverLog, join(artifacts, 'server.log'));
  // The server side: remote extension host (remoteexthost.log), agent and pty logs.
  const serverLogs = join(run.userDataDir, 'logs');
  if (existsSync(serverLogs)) await cp(serverLogs, join(artifacts, 'server-logs'), { recursive: true });
  // The browser side, handed over by codeAutomationExit.
  for (const { relativePath, contents } of workbenchLogs) {
    const target = join(artifacts, 'workbench-logs', relativePath);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, contents);
  }
  log(`kept logs and a screenshot in ${artifacts}`);
  await printWatcherLines(join(artifacts, 'server-logs'));
}

/**
 * CI keeps only what a run prints, not its artifacts: the file watcher's complaints (a limit
 * reached, a watch that failed) are what a watcher test that failed there needs, so they are
 * printed. The last lines only; the whole logs are in the artifacts.
 */
async function printWatcherLines(folder) {
  if (!existsSync(folder)) return;
  const lines = [];
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.log')) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const text = await readFile(path, 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (/watch/i.test(line) && /error|warn|fail|limit|ENOSPC|EMFILE/i.test(line)) lines.push(`${entry.name}: ${line}`);
  }
  log(lines.length === 0 ? 'the server logs hold no watcher warning or error' : `watcher warnings and errors in the server logs (last ${Math.min(lines.length, 30)} of ${lines.length}):`);
  for (const line of lines.slice(-30)) console.log(`  ${line.slice(0, 400)}`);
}

async function cleanup() {
  await browser?.close().catch(() => {});
  await server?.stop();
  await removeRunFolder(run);
}
onInterrupt(cleanup);

let exitCode = 1;
let failure;
try {
  server = await startCodeServer(run, {
    env: {
      TRUCE_REPORTER_LINE_PREFIX: REPORTER_MARK,
      TRUCE_INHOST_RESULT_FILE: resultFile,
      ...(options.grep ? { TRUCE_INHOST_GREP: options.grep } : {}),
    },
    extraArgs: options['server-log'] ? ['--log', options['server-log']] : [],
  });
  log(`code-server ready at ${server.url} in ${server.readyMs} ms (log: ${run.serverLog})`);
  browser = await launchBrowser(run);

  let settle;
  const exited = new Promise((resolveExit) => (settle = resolveExit));
  const workbench = await openWorkbench(browser, server, {
    folder: run.workspace,
    payload: [
      ['extensionDevelopmentPath', remoteUri(server, extensionPath)],
      ['extensionTestsPath', remoteUri(server, testsPath)],
    ],
    onConsole(text, message) {
      // After a timeout or exit the run is being torn down; late lines would only interleave
      // with the report (they are still collected for the artifacts).
      if (failure !== undefined || exitCode === 0) return;
      if (text.startsWith(REPORTER_MARK)) {
        console.log(text.slice(REPORTER_MARK.length));
      } else if (options.verbose) {
        console.log(`[workbench] ${text}`);
      } else if (message.type() === 'error' && !/vsda|Failed to load resource/.test(text)) {
        // Errors stay visible (an extension that fails to activate shows up here); the rest of
        // the workbench's chatter is in artifacts/integration/console.log on failure.
        console.log(`[workbench error] ${text}`);
      }
    },
    onExit(code, logs) {
      workbenchLogs = logs;
      settle(code);
    },
  });
  page = workbench.page;
  consoleLines = workbench.consoleLines;
  log(`workbench opened; running ${testsPath} in the extension host`);

  let timer;
  const timedOut = new Promise((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    failure = `the in-host suite did not finish within ${timeoutMs / 1000} s (no codeAutomationExit call). `
      + 'Usually the extension failed to activate or a test awaits something that never happens; '
      + 'see console.log and server-logs/ in artifacts/integration/, or raise --timeout.';
  } else {
    exitCode = Number(outcome);
    if (exitCode !== 0) failure = `the in-host suite exited with code ${exitCode}`;
  }
} catch (error) {
  failure = `the in-host run failed: ${error?.stack ?? error}`;
}

if (failure) {
  console.error(`[in-host] ${failure}`);
  await keepArtifacts(failure).catch((error) => console.error(`[in-host] could not keep artifacts: ${error.message}`));
  if (exitCode === 0) exitCode = 1;
}
if (!failure && options['keep-logs']) await keepArtifacts('kept on request (--keep-logs)').catch(() => {});
const counts = existsSync(resultFile) ? JSON.parse(await readFile(resultFile, 'utf8')) : undefined;
await cleanup();

reportSuite('integration', {
  passed: counts?.passed ?? 0,
  failed: counts?.failed ?? 1,
  pending: counts?.pending ?? 0,
  durationMs: Date.now() - started,
  note: counts ? undefined : 'the suite reported no result',
});
if (counts && counts.failed > 0 && exitCode === 0) exitCode = 1;
process.exit(exitCode);
