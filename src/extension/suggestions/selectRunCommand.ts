import * as vscode from 'vscode';
import type { RunEntry } from '../../core/editor/runCatalog';
import { SELECT_RUN_COMMAND } from './suggestionCommandIds';
import type { WorkspaceRun } from './workspaceRun';

const LATEST = 'latest';

interface RunItem extends vscode.QuickPickItem {
  runId: string | undefined;
}

/**
 * `TRUCE: Select Run`: which run's credit and suggestions the editor shows. With an argument (a
 * run id, or "latest") it selects without asking, for links and tests; it resolves to the id of
 * the run now shown.
 */
export function registerSelectRunCommand(workspaceRun: WorkspaceRun): vscode.Disposable {
  return vscode.commands.registerCommand(SELECT_RUN_COMMAND, async (runId?: string): Promise<string | undefined> => {
    if (typeof runId === 'string') {
      return (await workspaceRun.select(runId === LATEST ? undefined : runId))?.entry.runId;
    }
    const runs = await workspaceRun.listRuns();
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('TRUCE: there are no runs in .truce/runs yet. Run the MAS (TRUCE: Run MAS) or an optimization first.');
      return undefined;
    }
    const selected = workspaceRun.selectedRunId;
    const items: RunItem[] = [
      { label: '$(history) Latest run', description: selected ? '' : 'selected', detail: 'Follow the newest run as new ones finish.', runId: undefined },
      ...[...runs].reverse().map((run) => runItem(run, run.runId === selected)),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'TRUCE: show credit and suggestions of which run?', matchOnDescription: true });
    if (!picked) return workspaceRun.run?.entry.runId;
    return (await workspaceRun.select(picked.runId))?.entry.runId;
  });
}

function runItem(run: RunEntry, selected: boolean): RunItem {
  const date = new Date(run.createdAt);
  const when = Number.isNaN(date.getTime()) ? run.createdAt : date.toLocaleString();
  const score = run.score === null ? 'no score' : `${run.kind === 'optimize' ? 'train' : 'mean'} ${run.score.toFixed(2)}`;
  return {
    label: `${run.kind === 'optimize' ? '$(sparkle)' : '$(play)'} ${run.runId}`,
    description: `${run.kind}${run.method ? ` · ${run.method}` : ''} · ${score}${selected ? ' · selected' : ''}`,
    detail: `${when} · ${run.state} · ${run.tasks} tasks`,
    runId: run.runId,
  };
}
