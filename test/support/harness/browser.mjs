// Debian's Chromium driven by playwright-core: launching it and opening the workbench.
import { chromium } from 'playwright-core';
import { chromiumPath } from './paths.mjs';
import { runEnv } from './runFolder.mjs';

// The machine has no network: without the background-networking flags Chromium keeps trying to
// reach Google's services. Playwright manages the profile, so no --user-data-dir here.
export const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Playwright's own Ctrl-C handling would close the browser under a running scenario; the runners
 * handle the signal themselves (codeServer.mjs onInterrupt) and close it in order.
 */
export function launchBrowser(run) {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    env: runEnv(run),
    handleSIGINT: false,
    handleSIGTERM: false,
  });
}

/** Turns a path on the server's disk into the remote URI the browser workbench expects. */
export function remoteUri(server, path) {
  return `vscode-remote://127.0.0.1:${server.port}${path}`;
}

/**
 * The workbench URL for a folder. `payload` entries ([key, value] pairs) are the browser
 * workbench's way to receive what desktop VS Code takes as command-line flags, such as
 * extensionDevelopmentPath and extensionTestsPath.
 */
export function workbenchUrl(server, { folder, payload } = {}) {
  const url = new URL(`${server.url}/`);
  if (folder) url.searchParams.set('folder', folder);
  if (payload?.length) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/**
 * The workbench's logger writes to the page console as `%c INFO`, `color: #33f`, <text>; the
 * extension host's console output arrives the same way. This strips that styling so the line
 * reads as it was written.
 */
export function consoleText(message) {
  return message.text().replace(/^%c\s*[A-Z]+\s+color:\s*#[0-9a-fA-F]+\s?/, '').trimEnd();
}

/**
 * Opens the workbench in a new page.
 *   onConsole(text, message): called for every console message (already cleaned by consoleText)
 *   onExit(code, logs): VS Code calls window.codeAutomationExit when a test run in the extension
 *     host ends; logs are [{ relativePath, contents }] of the workbench's log files.
 * Returns { context, page, consoleLines } where consoleLines collects every message for artifacts.
 */
export async function openWorkbench(browser, server, { folder, payload, viewport = { width: 1600, height: 1000 }, onConsole, onExit } = {}) {
  const context = await browser.newContext({ viewport });
  const consoleLines = [];
  if (onExit) await context.exposeFunction('codeAutomationExit', (code, logs) => onExit(code, logs ?? []));
  const page = await context.newPage();
  page.on('console', (message) => {
    const text = consoleText(message);
    consoleLines.push(`[${message.type()}] ${text}`);
    onConsole?.(text, message);
  });
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.stack ?? error.message}`));
  // The workbench is some megabytes of script that code-server serves and Chromium compiles; on a
  // machine loaded many times over its cores that alone took longer than Playwright's 30 s.
  await page.goto(workbenchUrl(server, { folder, payload }), { timeout: 180_000 });
  return { context, page, consoleLines };
}
