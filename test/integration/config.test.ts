import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, openFixture, waitFor } from './support/fixtures';

function truceDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'truce');
}

suite('truce.yaml diagnostics and config commands', () => {
  suiteSetup(activateExtension);

  test('a valid truce.yaml has no diagnostics; an unknown key gets one at its position with a hint; undo clears it', async () => {
    const document = await openFixture('truce.yaml');
    await vscode.window.showTextDocument(document);
    await waitFor('no diagnostics on the valid config', () => truceDiagnostics(document.uri).length === 0 || undefined);
    const line = document.getText().split('\n').findIndex((l) => l.startsWith('  rounds: 2'));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(line + 1, 0), '  rouns: 3\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const [d] = await waitFor('a diagnostic for the misspelt key', () => {
      const found = truceDiagnostics(document.uri);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(d.range.start.line, line + 1);
    assert.equal(d.range.start.character, 2);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /Unknown key "rouns".*Did you mean "rounds"\?/);
    await vscode.commands.executeCommand('undo');
    await waitFor('the diagnostic goes away after undo', () => truceDiagnostics(document.uri).length === 0 || undefined);
  });

  test('an unknown agent and a path outside the workspace are reported', async () => {
    const document = await openFixture('truce.yaml');
    await vscode.window.showTextDocument(document);
    const text = document.getText();
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(text.length)), text.replace('roles: [planner, researcher]', 'roles: [planner, reseacher]').replace('file: tasks.jsonl', 'file: ../outside.jsonl'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    const found = await waitFor('two diagnostics', () => {
      const ds = truceDiagnostics(document.uri);
      return ds.length >= 2 ? ds : undefined;
    });
    assert.ok(found.some((d) => /No agent "reseacher".*Did you mean "researcher"/.test(d.message)));
    assert.ok(found.some((d) => /outside the workspace/.test(d.message)));
    await vscode.commands.executeCommand('undo');
    await waitFor('clean again after undo', () => truceDiagnostics(document.uri).length === 0 || undefined);
  });

  test('TRUCE: Validate Config reports the result of every folder', async () => {
    const result = await vscode.commands.executeCommand<{ errors: number; checked: number }>('truce.validateConfig');
    assert.deepEqual({ errors: result.errors, checked: result.checked }, { errors: 0, checked: 1 });
  });

  test('TRUCE: Set API Key stores and clears a key without writing it to settings', async () => {
    assert.equal(await vscode.commands.executeCommand('truce.setApiKey', 'executor', 'sk-canary-123'), 'stored');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('truce'));
    assert.doesNotMatch(settings, /sk-canary-123/);
    assert.equal(await vscode.commands.executeCommand('truce.setApiKey', 'executor', ''), 'deleted');
  });
});
