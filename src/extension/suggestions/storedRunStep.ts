import * as vscode from 'vscode';
import { isLlmError } from '../../core/llm';
import { applyExecutorOverrides } from '../../core/run';
import type { StoredRunOptions } from '../../core/storedRunCredit';
import type { ApiKeyStore } from '../apiKeys';
import type { EditorDemoMode } from '../editorDemoMode';
import type { WorkspaceRun } from './workspaceRun';

/** One of TRUCE's steps over the selected stored run (Compute Credit, Suggest Edits). */
export interface StoredRunStep<T> {
  /** Log prefix and the demo-mode label: "credit", "suggest". */
  tag: string;
  /** What the step does, as a gerund: "computing credit" (titles and errors). */
  doing: string;
  /** What it is for, after "to": "compute credit" (the run-selection hint). */
  goal: string;
  /** What trusting the folder allows: "compute credit", "get suggestions". */
  trustGoal: string;
  /** Why the selected run cannot take the step yet, if it cannot (checked before any call). */
  notReady?: (folder: vscode.WorkspaceFolder, runId: string) => Promise<string | undefined>;
  /** The step itself; `demo` says whether the demo world answered instead of an LLM. */
  run: (options: StoredRunOptions, demo: boolean) => Promise<T>;
}

/**
 * What both commands do around their core call: refuse in an untrusted workspace (the step calls
 * the optimizer endpoint), need a valid truce.yaml (with the TRUCE_BASE_URL… overrides the CLI
 * applies) and a selected plain run, then run the step with progress and cancellation, against
 * the demo world when that is on, and say what went wrong in words. Resolves to the step's result,
 * or undefined when it did not run or failed.
 */
export async function runStoredRunStep<T>(
  step: StoredRunStep<T>,
  deps: { workspaceRun: WorkspaceRun; keys: ApiKeyStore; log: vscode.LogOutputChannel; demoMode: EditorDemoMode },
): Promise<T | undefined> {
  const { workspaceRun, keys, log, demoMode } = deps;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(`TRUCE: this workspace is not trusted, so TRUCE does not call LLM endpoints for it. Trust the folder to ${step.trustGoal}.`);
    return undefined;
  }
  const folder = workspaceRun.folder;
  const overridden = workspaceRun.config && applyExecutorOverrides(workspaceRun.config, process.env);
  const config = overridden?.config;
  const active = workspaceRun.run;
  if (!folder || !config) {
    void vscode.window.showWarningMessage(`TRUCE: ${step.doing} needs a valid truce.yaml in the workspace folder (TRUCE: Validate Config shows what is wrong).`);
    return undefined;
  }
  if (!active || active.entry.kind !== 'plain') {
    void vscode.window.showInformationMessage(`TRUCE: select a MAS run (not an optimize run) to ${step.goal} for, with TRUCE: Select Run.`);
    return undefined;
  }
  const runId = active.entry.runId;
  const notReady = await step.notReady?.(folder, runId);
  if (notReady) {
    void vscode.window.showInformationMessage(`TRUCE: ${notReady}`);
    return undefined;
  }
  const secrets = await keys.all();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `TRUCE: ${step.doing} for run ${runId}`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const setup = await demoMode.resolve(config, folder.uri.fsPath, step.tag, abort.signal, overridden?.baseUrlFrom);
        return await step.run({ config: setup.config, workspaceRoot: folder.uri.fsPath, runId, env: process.env, secrets, signal: abort.signal, ...(setup.llm ? { llm: setup.llm } : {}) }, setup.demo);
      } catch (error) {
        const message = abort.signal.aborted ? 'cancelled; nothing was written.' : isLlmError(error) ? error.message : (error as Error).message;
        log.error(`${step.tag}: ${message}`);
        void vscode.window.showErrorMessage(`TRUCE: ${step.doing} ${abort.signal.aborted ? 'was ' : 'failed: '}${message}`, 'Show Log').then((a) => a && log.show());
        return undefined;
      } finally {
        cancel.dispose();
      }
    },
  );
}
