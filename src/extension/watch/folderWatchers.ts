import * as vscode from 'vscode';

/**
 * One non-recursive watcher per folder of a set that changes over time (the runs a view shows).
 *
 * Why not only a recursive `**` watcher: inside a workspace folder, VS Code serves recursive
 * watchers from its one workspace watcher (parcel over inotify), and that watcher misses a folder
 * created inside a folder that was itself created a moment before — `mkdir -p .truce/runs/<id>`
 * in a workspace without `.truce` — and then stays blind below it for the whole session (seen in
 * its trace log: `.truce` added, `.truce/runs` never). A non-recursive watcher is a separate watch
 * of one folder, and one on a folder that does not exist yet waits for it to appear.
 */
export class FolderWatchers implements vscode.Disposable {
  private readonly watched = new Map<string, vscode.Disposable>();

  constructor(private readonly onEvent: (uri: vscode.Uri) => void) {}

  /** Watches exactly these folders from now on: new ones are added, the others are dropped. */
  set(folders: readonly vscode.Uri[]): void {
    const wanted = new Map(folders.map((f) => [f.toString(), f]));
    for (const [key, watch] of this.watched) {
      if (!wanted.has(key)) {
        watch.dispose();
        this.watched.delete(key);
      }
    }
    for (const [key, folder] of wanted) if (!this.watched.has(key)) this.watched.set(key, this.watch(folder));
  }

  /** The folders watched now, as URI strings (for tests and logs). */
  get folders(): string[] {
    return [...this.watched.keys()];
  }

  dispose(): void {
    for (const watch of this.watched.values()) watch.dispose();
    this.watched.clear();
  }

  private watch(folder: vscode.Uri): vscode.Disposable {
    // A pattern without `**` or `/` makes VS Code start a flat watcher of this one folder.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '*'));
    const note = (uri: vscode.Uri) => this.onEvent(uri);
    return vscode.Disposable.from(watcher, watcher.onDidCreate(note), watcher.onDidChange(note), watcher.onDidDelete(note));
  }
}
