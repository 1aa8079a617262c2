import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { tellBlindWatcher } from './blindWatcherNotice';
import { DEFAULT_POLL_MS, FolderPoller } from './folderPoller';
import { WatcherHearing } from './watcherHearing';

export interface FolderWatchersOptions {
  /** Ask VS Code for file events (default true; tests turn it off to prove the polling alone). */
  events?: boolean;
  /** Milliseconds between two looks at the folders; 0 turns the polling off. */
  pollMs?: number;
  /** Called once when the looks find changes the events never reported (default: tell the user). */
  onBlind?: (folder: string) => void;
}

/**
 * One non-recursive watcher per folder of a set that changes over time (the runs a view shows).
 *
 * Why not only a recursive `**` watcher: inside a workspace folder, VS Code serves recursive
 * watchers from its one workspace watcher (parcel over inotify), and that watcher misses a folder
 * created inside a folder that was itself created a moment before — `mkdir -p .truce/runs/<id>`
 * in a workspace without `.truce` — and then stays blind below it for the whole session (seen in
 * its trace log: `.truce` added, `.truce/runs` never). A non-recursive watcher is a separate watch
 * of one folder, and one on a folder that does not exist yet waits for it to appear.
 *
 * Both rest on inotify, which a machine can leave blind altogether: CI saw no event from either
 * kind for minutes, and the same failure comes back with `fs.inotify.max_user_instances` at 1
 * (VS Code logs EMFILE for every watch and reports nothing). So the same folders are also polled (FolderPoller):
 * events when they come, a look every {@link DEFAULT_POLL_MS} ms when they do not. When the looks
 * keep finding changes no event reported (WatcherHearing), the user is told once.
 */
export class FolderWatchers implements vscode.Disposable {
  private readonly watched = new Map<string, vscode.Disposable>();
  private readonly poller: FolderPoller;
  private readonly events: boolean;
  private readonly hearing = new WatcherHearing();

  constructor(
    private readonly onEvent: (uri: vscode.Uri) => void,
    options: FolderWatchersOptions = {},
  ) {
    this.events = options.events ?? true;
    const onBlind = options.onBlind ?? tellBlindWatcher;
    this.poller = new FolderPoller((path, previousLookAt, lookAt) => {
      // A folder appearing or going away is reported by no flat watcher of its own; its entries are.
      if (this.events && !this.poller.folders.includes(path) && this.hearing.polled(path, previousLookAt, lookAt)) onBlind(dirname(path));
      onEvent(vscode.Uri.file(path));
    }, options.pollMs ?? DEFAULT_POLL_MS);
  }

  /** Watches exactly these folders from now on: new ones are added, the others are dropped. */
  set(folders: readonly vscode.Uri[]): void {
    const wanted = new Map(folders.map((f) => [f.toString(), f]));
    for (const [key, watch] of this.watched) {
      if (!wanted.has(key)) {
        watch.dispose();
        this.watched.delete(key);
      }
    }
    for (const [key, folder] of wanted) if (!this.watched.has(key)) this.watched.set(key, this.events ? this.watch(folder) : new vscode.Disposable(() => {}));
    this.poller.set(folders.filter((f) => f.scheme === 'file').map((f) => f.fsPath));
  }

  /** The folders watched now, as URI strings (for tests and logs). */
  get folders(): string[] {
    return [...this.watched.keys()];
  }

  dispose(): void {
    this.poller.dispose();
    for (const watch of this.watched.values()) watch.dispose();
    this.watched.clear();
  }

  private watch(folder: vscode.Uri): vscode.Disposable {
    // A pattern without `**` or `/` makes VS Code start a flat watcher of this one folder.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '*'));
    const note = (uri: vscode.Uri) => {
      if (uri.scheme === 'file') this.hearing.heard(uri.fsPath, Date.now());
      this.onEvent(uri);
    };
    return vscode.Disposable.from(watcher, watcher.onDidCreate(note), watcher.onDidChange(note), watcher.onDidDelete(note));
  }
}
