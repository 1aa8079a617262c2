import * as vscode from 'vscode';
import { isRunId } from '../../core/store';
import { IMPORT_SUFFIX, importRunId, isImportFileName } from './readImportRun';

/**
 * Watches `.truce/runs/` and the import files in `.truce/imports/` and reports which runs changed
 * (an import file's id is `import:<file name>`). A running MAS appends to its files many
 * times a second, so events are gathered for a short while and reported once; an event outside
 * any run folder (the folder itself created or removed) reports an empty list: "all runs".
 */
export class RunsWatcher implements vscode.Disposable {
  private readonly watchers: vscode.FileSystemWatcher[];
  private readonly listeners: vscode.Disposable[];
  private readonly pending = new Set<string>();
  private listChanged = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    folder: vscode.WorkspaceFolder,
    private readonly onChange: (runIds: string[]) => void,
    private readonly delayMs = 300,
  ) {
    this.watchers = [
      vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.truce/runs/**')),
      vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `.truce/imports/*${IMPORT_SUFFIX}`)),
    ];
    const note = (uri: vscode.Uri) => this.note(uri);
    this.listeners = this.watchers.flatMap((w) => [w.onDidCreate(note), w.onDidChange(note), w.onDidDelete(note)]);
  }

  private note(uri: vscode.Uri): void {
    const parts = uri.path.split('/');
    const name = parts[parts.length - 1] ?? '';
    if (parts[parts.length - 2] === 'imports' && isImportFileName(name)) {
      // The webview re-reads the list on every report, so the file's own id is enough.
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
  }
}
