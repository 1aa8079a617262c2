import * as vscode from 'vscode';
import { parseConfig } from '../../core/config';
import { SHOW_UNIT_DETAILS_COMMAND } from '../commandIds';
import { configPath } from '../configDiagnostics';
import type { PromptDocumentIndex } from '../documentIndex';
import { findUnitById } from '../unitQueries';
import type { RunSource } from './runViewCache';

/**
 * The link from a step back to the editor: finds the prompt file that holds `unitId` and lets
 * `truce.showUnitDetails` select it. Candidates are the files the run recorded in its manifest
 * (a handful of files, each parsed by the index), then the files truce.yaml names today — a unit
 * may have moved since the run. Parsing goes through the editor's document index, so the ids
 * are the ones the lenses and hovers show.
 */
export async function revealUnit(index: PromptDocumentIndex, runs: RunSource, folder: vscode.WorkspaceFolder, runId: string, unitId: string): Promise<boolean> {
  const files = await candidateFiles(runs, folder, runId);
  for (const file of files) {
    const uri = vscode.Uri.joinPath(folder.uri, ...file.split('/'));
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch {
      continue; // renamed or deleted since the run
    }
    const parsed = index.get(document);
    const unit = parsed && findUnitById(parsed, unitId);
    if (!unit) continue;
    await vscode.commands.executeCommand(SHOW_UNIT_DETAILS_COMMAND, uri, unitId, unit.range.start.line);
    return true;
  }
  void vscode.window.showWarningMessage(
    `TRUCE: the rule ${unitId} is not in any prompt file of run ${runId} (${files.join(', ') || 'none recorded'}); it was edited or removed since the run.`,
  );
  return false;
}

async function candidateFiles(runs: RunSource, folder: vscode.WorkspaceFolder, runId: string): Promise<string[]> {
  const fromRun = (await runs.promptFiles(runId).catch(() => [])).map((f) => f.file);
  const fromConfig: string[] = [];
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, ...configPath(folder).split('/'))));
    const parsed = parseConfig(text, { workspaceRoot: folder.uri.fsPath });
    if (parsed.ok) fromConfig.push(...parsed.config.agents.map((a) => a.prompt));
  } catch {
    // No truce.yaml: the run's own record is all there is.
  }
  return [...new Set([...fromRun, ...fromConfig])];
}
