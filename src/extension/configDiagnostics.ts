import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { parseConfig, type ConfigDiagnostic } from '../core/config';
import { workspaceEscape } from '../core/workspacePath';

/** Workspace-relative path of the config file (setting `truce.configPath`). */
export function configPath(folder: vscode.WorkspaceFolder): string {
  return vscode.workspace.getConfiguration('truce', folder.uri).get<string>('configPath', 'truce.yaml');
}

export function isConfigDocument(document: vscode.TextDocument): vscode.WorkspaceFolder | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder) return undefined;
  const expected = vscode.Uri.joinPath(folder.uri, ...configPath(folder).split('/'));
  return expected.toString() === document.uri.toString() ? folder : undefined;
}

function toDiagnostic(d: ConfigDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.line, d.character, d.endLine, Math.max(d.endCharacter, d.line === d.endLine ? d.character + 1 : d.endCharacter));
  const diagnostic = new vscode.Diagnostic(range, d.hint ? `${d.message} ${d.hint}` : d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.source = 'truce';
  diagnostic.code = d.path || 'truce.yaml';
  return diagnostic;
}

/**
 * Problems in truce.yaml as the user types: YAML syntax, the schema (with did-you-mean hints) and
 * references (unknown agents, paths outside the workspace, missing prompt files). Diagnostics of
 * a closed config stay, because a broken config matters whether or not the file is open.
 */
export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('truce-config');
  private readonly subscriptions: vscode.Disposable[] = [this.collection];

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.check(e.document)),
      vscode.workspace.onDidSaveTextDocument((d) => this.check(d)),
    );
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  /** Validates a config document; returns its diagnostics, or undefined when it is not a config. */
  check(document: vscode.TextDocument): readonly ConfigDiagnostic[] | undefined {
    const folder = isConfigDocument(document);
    if (!folder) return undefined;
    const result = validateText(document.getText(), folder);
    this.collection.set(document.uri, result.map(toDiagnostic));
    return result;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function validateText(text: string, folder: vscode.WorkspaceFolder): ConfigDiagnostic[] {
  // Only local folders can be checked for missing files synchronously; others skip that check.
  const local = folder.uri.scheme === 'file';
  return parseConfig(text, { workspaceRoot: folder.uri.fsPath, ...(local ? { fileExists: existsSync, escapes: workspaceEscape } : {}) }).diagnostics;
}
