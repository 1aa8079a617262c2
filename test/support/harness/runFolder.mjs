// A fresh, throw-away folder per run: user data, extensions, XDG homes and a copy of the fixture
// workspace. Nothing a run writes lands under $HOME or in the repository, so runs cannot see each
// other's state (recent files, installed extensions, settings, caches).
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureWorkspace } from './paths.mjs';

/**
 * User settings that keep the workbench from opening things a test did not ask for (welcome page,
 * walkthroughs, notifications about updates or recommendations) and from touching the network.
 * `files.refactoring.autoSave: false` matters: otherwise applying a quick fix saves the file.
 */
export const quietUserSettings = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'git.openRepositoryInParentFolders': 'never',
  'github.gitAuthentication': false,
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'files.refactoring.autoSave': false,
  'files.hotExit': 'off',
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'editor.codeLens': true,
  'security.workspace.trust.enabled': false,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * Creates the run folder. `label` appears in the folder name (`truce-<label>-XXXXXX` under the
 * system temp dir) so that a leftover folder says which runner made it.
 */
export async function createRunFolder(label, { settings = {}, workspaceSource = fixtureWorkspace } = {}) {
  const dir = await mkdtemp(join(tmpdir(), `truce-${label}-`));
  const run = {
    dir,
    userDataDir: join(dir, 'user-data'),
    extensionsDir: join(dir, 'extensions'),
    workspace: join(dir, 'workspace'),
    serverLog: join(dir, 'server.log'),
    env: xdgEnv(dir),
  };
  await Promise.all(
    [join(run.userDataDir, 'User'), run.extensionsDir, ...Object.values(run.env)].map((d) => mkdir(d, { recursive: true })),
  );
  await writeFile(
    join(run.userDataDir, 'User', 'settings.json'),
    `${JSON.stringify({ ...quietUserSettings, ...settings }, null, 2)}\n`,
  );
  await cp(workspaceSource, run.workspace, { recursive: true });
  return run;
}

/** XDG base directories inside `dir`, for processes that would otherwise write under $HOME. */
export function xdgEnv(dir) {
  return {
    XDG_CONFIG_HOME: join(dir, 'xdg', 'config'),
    XDG_DATA_HOME: join(dir, 'xdg', 'data'),
    XDG_CACHE_HOME: join(dir, 'xdg', 'cache'),
    XDG_STATE_HOME: join(dir, 'xdg', 'state'),
  };
}

/** The environment for processes of this run: the caller's, with the XDG homes moved inside. */
export function runEnv(run, extra = {}) {
  return { ...process.env, ...run.env, ...extra };
}

export async function removeRunFolder(run) {
  if (process.env.TRUCE_KEEP_RUN_FOLDER === '1') {
    console.log(`[harness] keeping the run folder ${run.dir} (TRUCE_KEEP_RUN_FOLDER=1)`);
    return;
  }
  await rm(run.dir, { recursive: true, force: true, maxRetries: 3 });
}
