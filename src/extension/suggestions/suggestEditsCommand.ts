import * as vscode from 'vscode';
import { suggestForStoredRun } from '../../core/storedRunCredit';
import type { ApiKeyStore } from '../apiKeys';
import type { EditorDemoMode } from '../editorDemoMode';
import { runStoredRunStep } from './storedRunStep';
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
  return vscode.commands.registerCommand(SUGGEST_EDITS_COMMAND, (): Promise<number | undefined> =>
    runStoredRunStep(
      {
        tag: 'suggest',
        doing: 'suggesting edits',
        goal: 'suggest edits',
        trustGoal: 'get suggestions',
        notReady: async (folder, runId) => {
          const creditFile = vscode.Uri.joinPath(folder.uri, '.truce', 'runs', runId, 'credit.json');
          const credited = await vscode.workspace.fs.stat(creditFile).then(() => true, () => false);
          return credited ? undefined : `run ${runId} has no credit yet; run TRUCE: Compute Credit first.`;
        },
        run: async (options, demo) => {
          const result = await suggestForStoredRun(options);
          for (const note of result.notes) log.info(`suggest: ${note}`);
          const retained = result.suggestions.filter((s) => s.status === 'proposed').length;
          log.info(`suggest: ${retained} suggestions retained in ${result.dir}/suggestions.json`);
          await workspaceRun.reload();
          const { runId } = options;
          void vscode.window.showInformationMessage(
            retained ? `TRUCE: ${retained} suggested edit${retained === 1 ? '' : 's'} for run ${runId}${demo ? ' (demo world, not an LLM)' : ''}; they show on the rules they concern.` : `TRUCE: no edit to suggest for run ${runId}.`,
            ...(retained ? ['Review Suggestions'] : []),
          ).then((choice) => choice && vscode.commands.executeCommand('truce.reviewSuggestions'));
          return retained;
        },
      },
      { workspaceRun, keys, log, demoMode },
    ),
  );
}
