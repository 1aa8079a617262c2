import * as vscode from 'vscode';
import { importFilesToFolder, isFailedImport, TRAJECTORY_FORMATS, type FileReport, type TrajectoryFormat } from '../core/trajectory';
import { IMPORT_TRAJECTORIES_COMMAND } from './commandIds';

export const IMPORTS_FOLDER = '.truce/imports';

type Format = TrajectoryFormat | 'auto';

/**
 * `TRUCE: Import Trajectories`: converts OTLP traces, MARBLE outputs, Who&When logs or native JSONL
 * into `.truce/imports/` with the same core routine as `truce import`, with progress and
 * cancellation. Arguments (files, format) let tests and other commands skip the dialogs.
 */
export function registerImportTrajectoriesCommand(log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(IMPORT_TRAJECTORIES_COMMAND, async (filesArg?: vscode.Uri[], formatArg?: Format) => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('TRUCE: open a local folder first; imported trajectories are written to its .truce/imports folder.');
      return undefined;
    }
    const files =
      filesArg ??
      (await vscode.window.showOpenDialog({
        title: 'TRUCE: Import Trajectories',
        canSelectMany: true,
        defaultUri: folder.uri,
        openLabel: 'Import',
        filters: { 'Trajectories and traces': ['json', 'jsonl', 'ndjson'], 'All files': ['*'] },
      }));
    if (!files || files.length === 0) return undefined;
    const format =
      formatArg ??
      (
        await vscode.window.showQuickPick(
          [{ label: 'auto', detail: 'Recognise the format from the content' }, ...TRAJECTORY_FORMATS.map((f) => ({ label: f }))],
          { title: 'TRUCE: Import Trajectories — format', placeHolder: 'auto' },
        )
      )?.label;
    if (!format) return undefined;

    const reports = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'TRUCE: importing trajectories', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        try {
          return await importFilesToFolder(
            files.map((f) => f.fsPath),
            {
              cwd: folder.uri.fsPath,
              format: format as Format,
              outDir: IMPORTS_FOLDER,
              signal: abort.signal,
              onFile: (i, file) => progress.report({ message: `${vscode.workspace.asRelativePath(file)} (${i + 1}/${files.length})`, increment: i === 0 ? 0 : 100 / files.length }),
              onReport: (r) => logReport(log, r),
            },
          );
        } finally {
          cancel.dispose();
        }
      },
    );
    summarize(log, reports, files.length);
    return reports;
  });
}

function logReport(log: vscode.LogOutputChannel, r: FileReport): void {
  const counts = `${r.trajectories} trajectories, ${r.steps} steps, ${r.agents} agents, ${r.errorCount} errors, ${r.warningCount} warnings`;
  if (isFailedImport(r)) log.error(`import ${r.file}: ${r.failure ?? 'nothing imported'} (${counts})`);
  else log.info(`import ${r.file} [${r.format ?? 'unknown'}] → ${r.output ?? '(nothing written)'}: ${counts}`);
  for (const issue of r.issues.slice(0, 50)) log.warn(`  ${r.file}${issue.line !== undefined ? `:${issue.line}` : ''}: ${issue.message}`);
}

function summarize(log: vscode.LogOutputChannel, reports: FileReport[], requested: number): void {
  const trajectories = reports.reduce((n, r) => n + r.trajectories, 0);
  const failed = reports.filter(isFailedImport);
  const skipped = requested - reports.length;
  const text = `TRUCE: imported ${trajectories} trajectories from ${reports.length - failed.length} of ${requested} files into ${IMPORTS_FOLDER}${skipped ? ` (cancelled: ${skipped} not imported)` : ''}.`;
  const show = (message: string) => void vscode.window.showInformationMessage(message, 'Show Log').then((a) => a && log.show());
  if (failed.length > 0) {
    void vscode.window.showErrorMessage(`${text} ${failed.length} failed: ${failed.map((r) => r.failure ?? r.file).join('; ')}`, 'Show Log').then((a) => a && log.show());
  } else show(text);
}
