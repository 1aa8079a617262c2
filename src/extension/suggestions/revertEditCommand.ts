import * as vscode from 'vscode';
import { readLedger, revertEdit, type LedgerEntry } from '../../core/optimize/ledger';
import { REVERT_EDIT_COMMAND } from './suggestionCommandIds';
import type { WorkspaceRun } from './workspaceRun';

interface EditItem extends vscode.QuickPickItem {
  entry: LedgerEntry;
}

/**
 * `TRUCE: Revert Edit`: picks an applied edit from the ledger (newest first, reverted ones left
 * out) and restores the file's exact previous bytes through the core, which refuses — and says
 * why — when the file changed since. An edit id argument skips the picker. Resolves to the
 * revert's ledger id.
 */
export function registerRevertEditCommand(workspaceRun: WorkspaceRun, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(REVERT_EDIT_COMMAND, async (editId?: string): Promise<string | undefined> => {
    const folder = workspaceRun.folder;
    if (!folder) return undefined;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('TRUCE: this workspace is not trusted, so TRUCE does not change its files. Trust the folder to revert edits.');
      return undefined;
    }
    const root = folder.uri.fsPath;
    let id = typeof editId === 'string' ? editId : undefined;
    const entries = await readLedger(root);
    if (!id) {
      const reverted = new Set(entries.filter((e) => e.kind === 'revert').map((e) => e.revertOf));
      const items: EditItem[] = entries
        .filter((e) => e.kind === 'apply' && !reverted.has(e.editId))
        .reverse()
        .map((entry) => ({
          label: `${entry.file} · ${entry.edit?.op ?? 'edit'}${entry.suggestionId ? ` · ${entry.suggestionId}` : ''}`,
          description: new Date(entry.ts).toLocaleString(),
          detail: entry.edit?.newText ?? entry.edit?.oldText ?? entry.rationale,
          entry,
        }));
      if (items.length === 0) {
        void vscode.window.showInformationMessage('TRUCE: the edit ledger has no applied edit to revert.');
        return undefined;
      }
      id = (await vscode.window.showQuickPick(items, { title: 'TRUCE: revert which edit?', matchOnDetail: true }))?.entry.editId;
      if (!id) return undefined;
    }
    const target = entries.find((e) => e.editId === id);
    const open = target && vscode.workspace.textDocuments.find((d) => d.uri.toString() === vscode.Uri.joinPath(folder.uri, ...target.file.split('/')).toString());
    if (open?.isDirty) {
      void vscode.window.showWarningMessage(`TRUCE: ${target!.file} has unsaved changes; save or discard them, then revert.`);
      return undefined;
    }
    const outcome = await revertEdit(root, id);
    if (!outcome.ok) {
      void vscode.window.showWarningMessage(`TRUCE: ${outcome.reason}`);
      return undefined;
    }
    log.info(`reverted ${id} in ${outcome.entry.file} (${outcome.entry.editId})`);
    if (open) await reloadFromDisk(open);
    // The run view learns the suggestion is pending again.
    await workspaceRun.reload();
    return outcome.entry.editId;
  });
}

/**
 * Shows an open document again with what the revert wrote. VS Code would reload it when its file
 * watcher reports the write, but a machine can leave that watcher blind (an inotify limit reached),
 * and a stale buffer saved later would bring the reverted edit back. Reverting the (clean) editor
 * re-reads the file now; the user sees the file the edit was taken out of.
 */
async function reloadFromDisk(document: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(document, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
}
