import * as vscode from 'vscode';
import { isLlmError } from '../../core/llm';
import { suggestForStoredRun } from '../../core/storedRunCredit';
import { applyExecutorOverrides } from '../../core/run';
import type { ApiKeyStore } from '../apiKeys';
import type { EditorDemoMode } from '../editorDemoMode';
import { SUGGEST_EDITS_COMMAND } from './suggestionCommandIds';
import type { WorkspaceRun } from './workspaceRun';

/**
 * `TRUCE: Suggest Edits`: TRUCE's suggestion step over the selected plain run (`truce suggest
 * <run>` through the same core function), from the credit Compute Credit stored. The pooled,
 * ranked suggestions land in the run's suggestions.json, which the run watcher turns into
 * diagnostics, quick fixes and the inline review. Refused in untrusted workspaces (it calls the
 * optimizer endpoint). Resolves to the number of suggestions retained.
 */
export function registerSuggestEditsCommand(workspaceRun: WorkspaceRun, keys: ApiKeyStore, log: vscode.LogOutputChannel, demoMode: EditorDemoMode): vscode.Disposable {
  return vscode.commands.registerCommand(SUGGEST_EDITS_COMMAND, async (): Promise<number | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('TRUCE: this workspace is not trusted, so TRUCE does not call LLM endpoints for it. Trust the folder to get suggestions.');
      return undefined;
    }
    const folder = workspaceRun.folder;
    const config = workspaceRun.config && applyExecutorOverrides(workspaceRun.config, process.env).config;
    const active = workspaceRun.run;
    if (!folder || !config) {
      void vscode.window.showWarningMessage('TRUCE: suggesting edits needs a valid truce.yaml in the workspace folder (TRUCE: Validate Config shows what is wrong).');
      return undefined;
    }
    if (!active || active.entry.kind !== 'plain') {
      void vscode.window.showInformationMessage('TRUCE: select a MAS run (not an optimize run) to suggest edits for, with TRUCE: Select Run.');
      return undefined;
    }
    const creditFile = vscode.Uri.joinPath(folder.uri, '.truce', 'runs', active.entry.runId, 'credit.json');
    if (!(await vscode.workspace.fs.stat(creditFile).then(() => true, () => false))) {
      void vscode.window.showInformationMessage(`TRUCE: run ${active.entry.runId} has no credit yet; run TRUCE: Compute Credit first.`);
      return undefined;
    }
    const secrets = await keys.all();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `TRUCE: suggesting edits for run ${active.entry.runId}`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        try {
          const setup = await demoMode.resolve(config, folder.uri.fsPath, 'suggest', abort.signal);
          const result = await suggestForStoredRun({ config: setup.config, workspaceRoot: folder.uri.fsPath, runId: active.entry.runId, env: process.env, secrets, signal: abort.signal, ...(setup.llm ? { llm: setup.llm } : {}) });
          for (const note of result.notes) log.info(`suggest: ${note}`);
          const retained = result.suggestions.filter((s) => s.status === 'proposed').length;
          log.info(`suggest: ${retained} suggestions retained in ${result.dir}/suggestions.json`);
          await workspaceRun.reload();
          void vscode.window.showInformationMessage(
            retained ? `TRUCE: ${retained} suggested edit${retained === 1 ? '' : 's'} for run ${active.entry.runId}${setup.demo ? ' (demo world, not an LLM)' : ''}; they show on the rules they concern.` : `TRUCE: no edit to suggest for run ${active.entry.runId}.`,
            ...(retained ? ['Review Suggestions'] : []),
          ).then((choice) => choice && vscode.commands.executeCommand('truce.reviewSuggestions'));
          return retained;
        } catch (error) {
          const message = abort.signal.aborted ? 'cancelled; nothing was written.' : isLlmError(error) ? error.message : (error as Error).message;
          log.error(`suggest: ${message}`);
          void vscode.window.showErrorMessage(`TRUCE: suggesting edits ${abort.signal.aborted ? 'was ' : 'failed: '}${message}`, 'Show Log').then((a) => a && log.show());
          return undefined;
        } finally {
          cancel.dispose();
        }
      },
    );
  });
}
