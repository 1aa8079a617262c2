import * as vscode from 'vscode';
import { parseConfig, type TruceConfig } from '../../core/config';
import { workspaceEscape } from '../../core/workspacePath';
import { listEditorRuns, loadRunView, type LoadedRunView, type RunEntry } from '../../core/editor/runCatalog';
import { configPath } from '../configDiagnostics';
import { FolderWatchers } from '../watch/folderWatchers';

const SELECTED_RUN_KEY = 'truce.selectedRunId';
/** Runs are written line by line; a change is read this long after it, with the changes that follow it meanwhile. */
const RELOAD_DELAY_MS = 150;

export interface ActiveRun {
  entry: RunEntry;
  loaded: LoadedRunView;
}

/**
 * The run the editor shows: the one the user picked (remembered per workspace) or else the newest
 * run of the first workspace folder, re-read whenever `.truce/` changes (a run finishes, a
 * suggestion is applied or rejected, an edit is reverted) or truce.yaml does. Everything that
 * shows run data listens to {@link onDidChange} instead of reading the run store itself.
 */
export class WorkspaceRun implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** `.truce`, its runs and the active run's folder, one at a time (see FolderWatchers for why). */
  private readonly folders = new FolderWatchers(() => this.scheduleReload());
  private loading: Promise<void> = Promise.resolve();
  private disposed = false;
  private active: ActiveRun | undefined;
  private parsedConfig: TruceConfig | undefined;
  /** Bumped on every reload, so caches keyed by it never mix two runs. */
  generation = 0;

  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const folder = this.folder;
    if (folder) {
      const watchers = [
        vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.truce/**')),
        vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, configPath(folder))),
      ];
      for (const watcher of watchers) {
        this.disposables.push(watcher, watcher.onDidCreate(() => this.scheduleReload()), watcher.onDidChange(() => this.scheduleReload()), watcher.onDidDelete(() => this.scheduleReload()));
      }
      this.disposables.push(this.folders);
      this.followActiveRun();
    }
    void this.reload();
  }

  /** The first local workspace folder: runs and the ledger live there. */
  get folder(): vscode.WorkspaceFolder | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder?.uri.scheme === 'file' ? folder : undefined;
  }

  get run(): ActiveRun | undefined {
    return this.active;
  }

  /** truce.yaml, when it parses: applying a suggestion needs its agents to find the right prompt. */
  get config(): TruceConfig | undefined {
    return this.parsedConfig;
  }

  get selectedRunId(): string | undefined {
    return this.state.get<string>(SELECTED_RUN_KEY);
  }

  async listRuns(): Promise<RunEntry[]> {
    const folder = this.folder;
    return folder ? listEditorRuns(folder.uri.fsPath) : [];
  }

  /** Pins a run (undefined: follow the newest run again) and resolves once it is loaded. */
  async select(runId: string | undefined): Promise<ActiveRun | undefined> {
    await this.state.update(SELECTED_RUN_KEY, runId);
    await this.reload();
    return this.active;
  }

  /** Re-reads the run now; resolves when the new state is visible to listeners. */
  reload(): Promise<void> {
    // Reloads run one after the other, so a slow read never overwrites a newer one.
    this.loading = this.loading.then(() => this.load()).catch((error: unknown) => {
      this.log.error(`Could not read the TRUCE runs: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.loading;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  private scheduleReload(): void {
    // The first change of a burst schedules the read and later ones ride along. Pushing the read
    // back on every change would starve it while a live run appends several times a second.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.reload();
    }, RELOAD_DELAY_MS);
  }

  private followActiveRun(): void {
    const folder = this.folder;
    // A read that finishes after dispose must not start new watches.
    if (!folder || this.disposed) return;
    const truce = vscode.Uri.joinPath(folder.uri, '.truce');
    const runs = vscode.Uri.joinPath(truce, 'runs');
    const active = this.active ? [vscode.Uri.joinPath(runs, this.active.entry.runId)] : [];
    this.folders.set([truce, runs, ...active]);
  }

  private async load(): Promise<void> {
    const folder = this.folder;
    this.parsedConfig = folder ? await readConfig(folder) : undefined;
    const runs = await this.listRuns();
    const wanted = this.selectedRunId;
    const entry = (wanted && runs.find((r) => r.runId === wanted)) || runs[runs.length - 1];
    if (wanted && !runs.some((r) => r.runId === wanted)) this.log.warn(`The selected run ${wanted} is gone; showing the newest run instead.`);
    this.active = entry && folder ? { entry, loaded: await loadRunView(folder.uri.fsPath, entry) } : undefined;
    this.followActiveRun();
    for (const problem of this.active?.loaded.view.problems ?? []) this.log.warn(`run ${entry?.runId}: ${problem}`);
    this.generation++;
    this.emitter.fire();
  }
}

async function readConfig(folder: vscode.WorkspaceFolder): Promise<TruceConfig | undefined> {
  const uri = vscode.Uri.joinPath(folder.uri, ...configPath(folder).split('/'));
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const parsed = parseConfig(text, { workspaceRoot: folder.uri.fsPath, ...(folder.uri.scheme === 'file' ? { escapes: workspaceEscape } : {}) });
    return parsed.ok ? parsed.config : undefined;
  } catch {
    return undefined;
  }
}
