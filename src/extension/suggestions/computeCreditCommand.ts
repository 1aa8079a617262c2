import * as vscode from 'vscode';
import { creditStoredRun } from '../../core/storedRunCredit';
import type { ApiKeyStore } from '../apiKeys';
import type { EditorDemoMode } from '../editorDemoMode';
import { runStoredRunStep } from './storedRunStep';
import { COMPUTE_CREDIT_COMMAND } from './suggestionCommandIds';
import type { WorkspaceRun } from './workspaceRun';

/**
 * `TRUCE: Compute Credit`: TRUCE's credit step over the selected plain run (`truce credit <run>`
 * through the same core function), with progress and cancellation. It calls the optimizer
 * endpoint, so it is refused in untrusted workspaces. The run's new credit.jsonl reaches the
 * lenses through the run watcher; the command also reloads so its caller sees it at once.
 * Resolves to the number of credit signals written.
 */
export function registerComputeCreditCommand(workspaceRun: WorkspaceRun, keys: ApiKeyStore, log: vscode.LogOutputChannel, demoMode: EditorDemoMode): vscode.Disposable {
  return vscode.commands.registerCommand(COMPUTE_CREDIT_COMMAND, (): Promise<number | undefined> =>
    runStoredRunStep(
      {
        tag: 'credit',
        doing: 'computing credit',
        goal: 'compute credit',
        trustGoal: 'compute credit',
        run: async (options) => {
          const result = await creditStoredRun(options);
          for (const note of result.notes) log.info(`credit: ${note}`);
          log.info(`credit: ${result.report.signals.length} signals written to ${result.dir}`);
          await workspaceRun.reload();
          return result.report.signals.length;
        },
      },
      { workspaceRun, keys, log, demoMode },
    ),
  );
}
