// The e2e harness: the packaged extension (out/truce.vsix) installed into a real code-server,
// one fresh run folder, server and browser context per scenario, driven through the UI.
//
//   const harness = await E2eHarness.create();
//   const session = await harness.startSession('codelens');
//   await session.openFile('prompts/planner.prompt.md');
//   await session.screenshot('codelens-planner');
//   await session.close();
//   await harness.dispose();
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, openWorkbench } from './browser.mjs';
import { installExtension, startCodeServer } from './codeServer.mjs';
import { artifactsDir, repoRoot, vsixPath } from './paths.mjs';
import { createRunFolder, removeRunFolder, xdgEnv } from './runFolder.mjs';
import { quickOpen, waitForWorkbench } from './workbench.mjs';

export const screenshotsDir = join(artifactsDir, 'screenshots');
export const e2eArtifactsDir = join(artifactsDir, 'e2e');

const execFileAsync = promisify(execFile);

/** A scenario name made safe and short enough for folder names. */
function slug(label) {
  return label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 48);
}

/** Runs the built CLI (dist/cli.js) and parses its JSON output. */
export async function runCliJson(args, { cwd = repoRoot } = {}) {
  const { stdout } = await execFileAsync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args, '--json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

/** The number of policy units `truce units <file> --json` reports, across all agents. */
export async function cliUnitCount(file) {
  const report = await runCliJson(['units', file]);
  if (report.errors?.length) throw new Error(`truce units ${file} reported errors: ${JSON.stringify(report.errors)}`);
  if (report.files?.length !== 1) throw new Error(`truce units ${file} reported ${report.files?.length} files, expected 1`);
  return report.files[0].agents.reduce((sum, agent) => sum + agent.units.length, 0);
}

export class E2eHarness {
  /**
   * Installs the .vsix once into a shared extensions folder that every session copies (faster
   * than installing again, and each session gets an untouched copy), and launches the browser
   * that all sessions share; each session gets its own browser context.
   */
  static async create({ vsix = vsixPath, viewport = { width: 1600, height: 1200 } } = {}) {
    const dir = await mkdtemp(join(tmpdir(), 'truce-e2e-shared-'));
    const shared = {
      dir,
      userDataDir: join(dir, 'user-data'),
      extensionsDir: join(dir, 'extensions'),
      // The browser outlives every session's run folder, so it gets XDG homes of its own here.
      env: xdgEnv(dir),
    };
    await Promise.all([shared.extensionsDir, ...Object.values(shared.env)].map((d) => mkdir(d, { recursive: true })));
    try {
      installExtension(shared, vsix);
      const browser = await launchBrowser(shared);
      return new E2eHarness(shared, browser, viewport);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  constructor(shared, browser, viewport) {
    this.shared = shared;
    this.browser = browser;
    this.viewport = viewport;
    this.sessions = new Set();
    this.disposed = false;
    this.disposing = undefined;
  }

  /**
   * A fresh workbench on a fresh copy of test/fixtures/workspace with the extension installed.
   * `settings` adds user settings for this session only; `env` adds variables for its server
   * and extension host.
   */
  async startSession(label, { settings = {}, viewport = this.viewport, env = {} } = {}) {
    if (this.disposed) throw new Error('the e2e harness was disposed (interrupted?); no new sessions');
    const run = await createRunFolder(`e2e-${slug(label)}`, { settings });
    const session = new Session(label, run);
    this.sessions.add(session);
    session.onClose = () => this.sessions.delete(session);
    try {
      await cp(this.shared.extensionsDir, run.extensionsDir, { recursive: true });
      session.server = await startCodeServer(run, { env });
      const workbench = await openWorkbench(this.browser, session.server, { folder: run.workspace, viewport });
      session.context = workbench.context;
      session.page = workbench.page;
      session.consoleLines = workbench.consoleLines;
      await waitForWorkbench(session.page);
    } catch (error) {
      await session.close({ keepArtifacts: true, reason: `session start failed: ${error?.stack ?? error}` });
      throw error;
    }
    return session;
  }

  /** Ends every open session, closes the browser and removes the shared folder; idempotent. */
  dispose() {
    this.disposed = true;
    this.disposing ??= (async () => {
      await Promise.all([...this.sessions].map((session) => session.close()));
      await this.browser.close().catch(() => {});
      await rm(this.shared.dir, { recursive: true, force: true });
    })();
    return this.disposing;
  }
}

export class Session {
  constructor(label, run) {
    this.label = label;
    this.run = run;
    this.server = undefined;
    this.context = undefined;
    this.page = undefined;
    this.consoleLines = [];
    this.onClose = undefined;
    this.closing = undefined;
  }

  /** Absolute path of a file in this session's copy of the workspace. */
  file(relativePath) {
    return join(this.run.workspace, relativePath);
  }

  async readFile(relativePath) {
    return readFile(this.file(relativePath), 'utf8');
  }

  openFile(relativePath, options) {
    return quickOpen(this.page, relativePath, options);
  }

  /** Saves artifacts/screenshots/<name>.png and returns its path. */
  async screenshot(name) {
    await mkdir(screenshotsDir, { recursive: true });
    const path = join(screenshotsDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /**
   * Ends the session: closes its browser context, ends code-server's process group and removes
   * the run folder. With keepArtifacts, first saves a screenshot, the page console, the server
   * log and the server-side logs (extension host included) under artifacts/e2e/<label>/.
   */
  close({ keepArtifacts = false, reason } = {}) {
    // A second caller (the harness on Ctrl-C) waits for the close already under way.
    this.closing ??= (async () => {
      if (keepArtifacts) await this.keepArtifacts(reason).catch((error) => console.error(`[e2e] could not keep artifacts: ${error.message}`));
      await this.context?.close().catch(() => {});
      await this.server?.stop();
      await removeRunFolder(this.run);
      this.onClose?.();
    })();
    return this.closing;
  }

  async keepArtifacts(reason) {
    const dir = join(e2eArtifactsDir, slug(this.label));
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    if (reason) await writeFile(join(dir, 'reason.txt'), `${reason}\n`);
    if (this.page) await this.page.screenshot({ path: join(dir, 'failure.png') }).catch(() => {});
    await writeFile(join(dir, 'console.log'), `${this.consoleLines.join('\n')}\n`);
    if (existsSync(this.run.serverLog)) await cp(this.run.serverLog, join(dir, 'server.log'));
    const serverLogs = join(this.run.userDataDir, 'logs');
    if (existsSync(serverLogs)) await cp(serverLogs, join(dir, 'server-logs'), { recursive: true });
    console.log(`[e2e] kept a screenshot and logs in ${dir}`);
  }
}
