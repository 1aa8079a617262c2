import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, expectedUnits, showFixture, toRange, waitFor, waitForLensCount } from './support/fixtures';

suite('Document index follows edits', () => {
  suiteSetup(activateExtension);

  test('a new bullet adds one lens; undo removes it again', async () => {
    const editor = await showFixture('prompts/planner.prompt.md');
    const document = editor.document;
    const original = document.getText();
    const before = expectedUnits(document);
    await waitForLensCount(document.uri, before.length);

    // Insert a rule right after the first unit's line, as a user typing a new bullet would.
    const insertAt = new vscode.Position(before[0].range.start.line + 1, 0);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, insertAt, '- Name the deadline of every step.\n');
    assert.ok(await vscode.workspace.applyEdit(edit), 'the WorkspaceEdit was rejected');

    const after = expectedUnits(document);
    assert.equal(after.length, before.length + 1, 'the core should see the inserted bullet as a unit');
    const lenses = await waitForLensCount(document.uri, before.length + 1);
    assert.ok(
      lenses.some((lens) => lens.range.start.line === insertAt.line),
      `no lens on the inserted line ${insertAt.line}`,
    );
    assert.deepEqual(
      lenses.map((lens) => lens.range),
      after.map(toRange),
    );

    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    await waitFor('the undo to restore the text', () => (document.getText() === original ? true : undefined));
    const restored = await waitForLensCount(document.uri, before.length);
    assert.deepEqual(
      restored.map((lens) => lens.range),
      before.map(toRange),
    );
  });

  test('editing a rule updates its lens id', async () => {
    const editor = await showFixture('prompts/crlf.instructions.md');
    const document = editor.document;
    const [first] = expectedUnits(document);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, toRange(first), 'Prefer short, concrete sentences.');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const changed = expectedUnits(document)[0];
    assert.notEqual(changed.id, first.id, 'the core should give edited text a new id');
    await waitFor('the lens of the edited rule to carry its new id', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 1000);
      return lenses.some((lens) => lens.command?.arguments?.[1] === changed.id) ? true : undefined;
    });
    assert.ok(document.getText().includes('\r\n'), 'the edit must keep the CRLF line endings of the file');
    await vscode.commands.executeCommand('undo');
  });
});
