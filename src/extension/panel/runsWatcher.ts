import * as vscode from 'vscode';
import { isRunId } from '../../core/store';
import { FolderWatchers, type FolderWatchersOptions } from '../watch/folderWatchers';
import { IMPORT_SUFFIX, importRunId, isImportFileName } from './readImportRun';

/** More followed run folders than this keep only the most recently shown ones (one watch each). */
const MAX_FOLLOWED_RUNS = 64;

export interface RunsWatcherOptions extends FolderWatchersOptions {
  /** Also watch every run through the workspace's recursive watcher (default true; tests turn it off). */
  recursive?: boolean;
}

/**
 * Watches `.truce/runs/` and the import files in `.truce/imports/` and reports which runs changed
 * (an import file's id is `import:<file name>`). A running MAS appends to its files many
 * times a second, so events are gathered for a short while and reported once; an event outside
 * any run folder (the folder itself created or removed) reports an empty list: "all runs".
 *
 * The recursive watcher can be blind below `.truce/runs` for a whole session (see
 * FolderWatchers), so the runs folder, the imports folder and the folders of the runs a view shows
 * ({@link follow}) are also watched one folder at a time, and polled: a new run and a change of a
 * shown run are reported either way.
 */
export class RunsWatcher implements vscode.Disposable {
  private readonly watchers: vscode.FileSystemWatcher[];
  private readonly listeners: vscode.Disposable[];
  private readonly folders: FolderWatchers;
  private readonly runsFolder: vscode.Uri;
  private readonly fixedFolders: vscode.Uri[];
  private readonly pending = new Set<string>();
  private listChanged = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    folder: vscode.WorkspaceFolder,
    private readonly onChange: (runIds: string[]) => void,
    private readonly delayMs = 300,
    options: RunsWatcherOptions = {},
  ) {
    const note = (uri: vscode.Uri) => this.note(uri);
    this.watchers =
      options.recursive === false || options.events === false
        ? []
        : [
            vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.truce/runs/**')),
            vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `.truce/imports/*${IMPORT_SUFFIX}`)),
          ];
    this.listeners = this.watchers.flatMap((w) => [w.onDidCreate(note), w.onDidChange(note), w.onDidDelete(note)]);
    this.runsFolder = vscode.Uri.joinPath(folder.uri, '.truce', 'runs');
    this.fixedFolders = [this.runsFolder, vscode.Uri.joinPath(folder.uri, '.truce', 'imports')];
    this.folders = new FolderWatchers(note, options);
    this.folders.set(this.fixedFolders);
  }

  /**
   * The runs whose folders to watch one by one besides the list: the runs a view shows, whose
   * changes must reach it. Imports are files of the imports folder, already watched.
   */
  follow(runIds: readonly string[]): void {
    const runs = runIds.filter(isRunId).slice(-MAX_FOLLOWED_RUNS);
    this.folders.set([...this.fixedFolders, ...runs.map((id) => vscode.Uri.joinPath(this.runsFolder, id))]);
  }

  /** The folders watched one by one now, as URI strings. */
  get watchedFolders(): string[] {
    return this.folders.folders;
  }

  private note(uri: vscode.Uri): void {
    const parts = uri.path.split('/');
    const name = parts[parts.length - 1] ?? '';
    if (parts[parts.length - 2] === 'imports' && parts[parts.length - 3] === '.truce') {
      // Only import files count (the imports folder also holds files being written); the webview
      // re-reads the list on every report, so the file's own id is enough.
      if (!isImportFileName(name)) return;
      this.pending.add(importRunId(name));
      this.timer ??= setTimeout(() => this.flush(), this.delayMs);
      return;
    }
    const at = parts.lastIndexOf('runs');
    const runId = at >= 0 ? parts[at + 1] : undefined;
    if (runId && isRunId(runId)) {
      this.pending.add(runId);
      // A new or removed run folder changes the list as well as the run.
      if (at + 2 === parts.length || parts[at + 2] === 'manifest.json' || parts[at + 2] === 'optimize.json') this.listChanged = true;
    } else {
      this.listChanged = true;
    }
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  private flush(): void {
    this.timer = undefined;
    const ids = this.listChanged ? [] : [...this.pending];
    this.pending.clear();
    this.listChanged = false;
    this.onChange(ids);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const listener of this.listeners) listener.dispose();
    for (const watcher of this.watchers) watcher.dispose();
    this.folders.dispose();
  }
}
