// Runs one module inside a real code-server extension host and waits for it to finish, without
// mocha and without the suite bookkeeping of runInCodeServer.mjs (which rewrites
// artifacts/results/integration.json and clears artifacts/integration/ on every run). Benchmarks
// use it: the module is handed to VS Code as extensionTestsPath, its exported run() does the work,
// and VS Code reports the settled promise through window.codeAutomationExit, as for the tests.
//
// The module talks back through the environment, which the extension host inherits from
// code-server: pass a result file path in `env`, let the module write JSON there.
import { existsSync } from 'node:fs';
import { launchBrowser, openWorkbench, remoteUri } from './browser.mjs';
import { startCodeServer } from './codeServer.mjs';
import { repoRoot } from './paths.mjs';
import { createRunFolder, removeRunFolder } from './runFolder.mjs';

/**
 * @param {object} options
 * @param {string} options.label          names the run folder (truce-<label>-XXXXXX)
 * @param {string} options.modulePath     the bundled module exporting run(): Promise<void>
 * @param {string} [options.extensionPath] the extension under development (default: this repository, dist/ build)
 * @param {object} [options.env]          variables for code-server and the extension hosts it starts
 * @param {number} [options.timeoutMs]    give up after this long (default 5 minutes)
 * @param {string} [options.linePrefix]   the module marks its progress lines with this prefix…
 * @param {(line: string) => void} [options.onLine] …and each such line, without the prefix, comes here
 * @returns {Promise<{ serverReadyMs: number, workbenchToExitMs: number }>} (throws unless run() resolved)
 */
export async function runModuleInHost({ label, modulePath, extensionPath = repoRoot, env = {}, timeoutMs = 300_000, linePrefix, onLine }) {
  if (!existsSync(modulePath)) throw new Error(`the in-host module ${modulePath} does not exist`);
  const run = await createRunFolder(label);
  let server;
  let browser;
  let consoleLines = [];
  let timer;
  try {
    server = await startCodeServer(run, { env });
    browser = await launchBrowser(run);
    let settle;
    const exited = new Promise((resolve) => (settle = resolve));
    const opened = Date.now();
    const workbench = await openWorkbench(browser, server, {
      folder: run.workspace,
      payload: [
        ['extensionDevelopmentPath', remoteUri(server, extensionPath)],
        ['extensionTestsPath', remoteUri(server, modulePath)],
      ],
      onConsole(text) {
        if (linePrefix && text.startsWith(linePrefix)) onLine?.(text.slice(linePrefix.length));
      },
      onExit: (code) => settle(code),
    });
    consoleLines = workbench.consoleLines;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([exited, timedOut]);
    if (outcome === 'timeout') throw new Error(`no codeAutomationExit within ${timeoutMs / 1000} s`);
    if (Number(outcome) !== 0) throw new Error(`the module's run() failed (exit code ${outcome})`);
    return { serverReadyMs: server.readyMs, workbenchToExitMs: Date.now() - opened };
  } catch (error) {
    // The page console holds the extension host's errors; its end is usually the explanation.
    error.message += `\nlast workbench console lines:\n  ${consoleLines.slice(-25).join('\n  ')}`;
    throw error;
  } finally {
    clearTimeout(timer);
    await browser?.close().catch(() => {});
    await server?.stop();
    await removeRunFolder(run);
  }
}
