import * as vscode from 'vscode';
import { isLlmError } from '../../core/llm';
import { creditStoredRun } from '../../core/storedRunCredit';
import { applyExecutorOverrides } from '../../core/run';
import type { ApiKeyStore } from '../apiKeys';
import type { EditorDemoMode } from '../editorDemoMode';
import { COMPUTE_CREDIT_COMMAND } from './suggestionCommandIds';
import type { WorkspaceRun } from './workspaceRun';

/**
 * `TRUCE: Compute Credit`: TRUCE's credit step over the selected plain run (`truce credit <run>`
 * through the same core function), with progress and cancellation. It calls the optimizer
 * endpoint, so it is refused in untrusted workspaces. The run's new credit.jsonl reaches the
 * lenses through the run watcher; the command also reloads so its caller sees it at once.
 */
export function registerComputeCreditCommand(workspaceRun: WorkspaceRun, keys: ApiKeyStore, log: vscode.LogOutputChannel, demoMode: EditorDemoMode): vscode.Disposable {
  return vscode.commands.registerCommand(COMPUTE_CREDIT_COMMAND, async (): Promise<number | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('TRUCE: this workspace is not trusted, so TRUCE does not call LLM endpoints for it. Trust the folder to compute credit.');
      return undefined;
    }
    const folder = workspaceRun.folder;
    // Environment overrides (TRUCE_BASE_URL, …) apply as they do for `truce credit`.
    const config = workspaceRun.config && applyExecutorOverrides(workspaceRun.config, process.env).config;
    const active = workspaceRun.run;
    if (!folder || !config) {
      void vscode.window.showWarningMessage('TRUCE: computing credit needs a valid truce.yaml in the workspace folder (TRUCE: Validate Config shows what is wrong).');
      return undefined;
    }
    if (!active || active.entry.kind !== 'plain') {
      void vscode.window.showInformationMessage('TRUCE: select a MAS run (not an optimize run) to compute credit for, with TRUCE: Select Run.');
      return undefined;
    }
    const secrets = await keys.all();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `TRUCE: computing credit for run ${active.entry.runId}`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        try {
          const setup = await demoMode.resolve(config, folder.uri.fsPath, 'credit', abort.signal);
          const result = await creditStoredRun({ config: setup.config, workspaceRoot: folder.uri.fsPath, runId: active.entry.runId, env: process.env, secrets, signal: abort.signal, ...(setup.llm ? { llm: setup.llm } : {}) });
          for (const note of result.notes) log.info(`credit: ${note}`);
          log.info(`credit: ${result.report.signals.length} signals written to ${result.dir}`);
          await workspaceRun.reload();
          return result.report.signals.length;
        } catch (error) {
          const message = abort.signal.aborted ? 'cancelled; nothing was written.' : isLlmError(error) ? error.message : (error as Error).message;
          log.error(`credit: ${message}`);
          void vscode.window.showErrorMessage(`TRUCE: computing credit ${abort.signal.aborted ? 'was ' : 'failed: '}${message}`, 'Show Log').then((a) => a && log.show());
          return undefined;
        } finally {
          cancel.dispose();
        }
      },
    );
  });
}
