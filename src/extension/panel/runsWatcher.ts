import * as vscode from 'vscode';
import { isRunId } from '../../core/store';

/**
 * Watches `.truce/runs/` and reports which runs changed. A running MAS appends to its files many
 * times a second, so events are gathered for a short while and reported once; an event outside
 * any run folder (the folder itself created or removed) reports an empty list: "all runs".
 */
export class RunsWatcher implements vscode.Disposable {
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly listeners: vscode.Disposable[];
  private readonly pending = new Set<string>();
  private listChanged = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    folder: vscode.WorkspaceFolder,
    private readonly onChange: (runIds: string[]) => void,
    private readonly delayMs = 300,
  ) {
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.truce/runs/**'));
    const note = (uri: vscode.Uri) => this.note(uri);
    this.listeners = [this.watcher.onDidCreate(note), this.watcher.onDidChange(note), this.watcher.onDidDelete(note)];
  }

  private note(uri: vscode.Uri): void {
    const parts = uri.path.split('/');
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
    this.watcher.dispose();
  }
}
