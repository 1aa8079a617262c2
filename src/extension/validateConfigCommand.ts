import * as vscode from 'vscode';
import { VALIDATE_CONFIG_COMMAND } from './commandIds';
import { configPath, type ConfigDiagnostics } from './configDiagnostics';

/** `TRUCE: Validate Config`: checks truce.yaml of each folder and says so, opening it on errors. */
export function registerValidateConfigCommand(diagnostics: ConfigDiagnostics): vscode.Disposable {
  return vscode.commands.registerCommand(VALIDATE_CONFIG_COMMAND, async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showWarningMessage('TRUCE: open a folder that contains truce.yaml first.');
      return { errors: 0, warnings: 0, checked: 0 };
    }
    let errors = 0;
    let warnings = 0;
    let checked = 0;
    let firstBroken: vscode.TextDocument | undefined;
    for (const folder of folders) {
      const uri = vscode.Uri.joinPath(folder.uri, ...configPath(folder).split('/'));
      let document: vscode.TextDocument;
      try {
        document = await vscode.workspace.openTextDocument(uri);
      } catch {
        continue;
      }
      checked++;
      const found = diagnostics.check(document) ?? [];
      const e = found.filter((d) => d.severity === 'error').length;
      errors += e;
      warnings += found.length - e;
      if (e && !firstBroken) firstBroken = document;
    }
    if (checked === 0) {
      void vscode.window.showWarningMessage('TRUCE: no truce.yaml in this workspace. See examples/debate-mas/truce.yaml for a complete one.');
    } else if (errors > 0) {
      await vscode.window.showTextDocument(firstBroken!);
      void vscode.commands.executeCommand('workbench.actions.view.problems');
      void vscode.window.showErrorMessage(`TRUCE: truce.yaml has ${errors} error${errors === 1 ? '' : 's'}; see the Problems panel.`);
    } else {
      void vscode.window.showInformationMessage(`TRUCE: truce.yaml is valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.`);
    }
    return { errors, warnings, checked };
  });
}
