import * as vscode from 'vscode';
import { buildRunReport, renderMarkdownReport } from '../../core/run';
import { loadRun } from '../../core/store';
import { SHOW_RUN_REPORT_COMMAND } from './suggestionCommandIds';
import type { WorkspaceRun } from './workspaceRun';

/**
 * `TRUCE: Show Run Report`: the core's Markdown report of the selected run (the same text as
 * `truce report <run>`) in an untitled Markdown document, with its preview beside it. Resolves to
 * the document, for tests.
 */
export function registerRunReportCommand(workspaceRun: WorkspaceRun): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_RUN_REPORT_COMMAND, async (): Promise<vscode.TextDocument | undefined> => {
    const folder = workspaceRun.folder;
    const active = workspaceRun.run;
    if (!folder || !active) {
      void vscode.window.showInformationMessage('TRUCE: there is no run to report on yet. Run the MAS first (TRUCE: Run MAS).');
      return undefined;
    }
    if (active.entry.kind !== 'plain') {
      void vscode.window.showInformationMessage(`TRUCE: ${active.entry.runId} is an optimize run; its report is its rollout runs' reports. Select one of them (TRUCE: Select Run).`);
      return undefined;
    }
    const run = await loadRun(folder.uri.fsPath, active.entry.runId);
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderMarkdownReport(buildRunReport(run)) });
    await vscode.window.showTextDocument(document, { preview: true });
    await vscode.commands.executeCommand('markdown.showPreviewToSide', document.uri);
    return document;
  });
}
