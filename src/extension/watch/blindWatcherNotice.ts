import * as vscode from 'vscode';
import { DEFAULT_POLL_MS } from './folderPoller';

/** Said once per window: every owner of watched folders reports to the same notice. */
let told = false;

/**
 * Tells the user, once, that VS Code's file watcher reported none of the changes TRUCE's own looks
 * found in `folder`. VS Code itself only writes EMFILE into a log nobody reads, and the Explorer,
 * search and other extensions then show stale files; TRUCE's views keep up by polling.
 */
export function tellBlindWatcher(folder: string): void {
  if (told) return;
  told = true;
  const seconds = (DEFAULT_POLL_MS / 1000).toLocaleString('en');
  void vscode.window.showWarningMessage(
    `TRUCE: VS Code's file watcher reported none of the recent changes in ${folder}. ` +
      'The usual cause is a used-up system limit for file watching (on Linux: fs.inotify.max_user_instances or fs.inotify.max_user_watches), ' +
      `or files.watcherExclude covering the folder. TRUCE looks at its run folders every ${seconds} s itself, so runs keep updating; ` +
      'the Explorer and other extensions may show stale files until the limit is raised and the window reloaded.',
  );
}
