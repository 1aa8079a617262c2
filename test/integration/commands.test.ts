import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  expectedUnits,
  SHOW_UNIT_DETAILS,
  SHOW_UNITS,
  showFixture,
  toRange,
  waitFor,
} from './support/fixtures';

function selectionOf(editor: vscode.TextEditor): vscode.Range {
  return new vscode.Range(editor.selection.start, editor.selection.end);
}

suite('Commands', () => {
  suiteSetup(activateExtension);

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  test('contributed commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes(SHOW_UNITS));
    assert.ok(commands.includes(SHOW_UNIT_DETAILS));
  });

  test('showUnitDetails with a unit id selects exactly that unit', async () => {
    const editor = await showFixture('agents.yaml');
    const unit = expectedUnits(editor.document)[3];
    const result = await vscode.commands.executeCommand<string>(SHOW_UNIT_DETAILS, editor.document.uri, unit.id, unit.range.start.line);
    assert.equal(result, unit.id);
    assert.deepEqual(selectionOf(vscode.window.activeTextEditor!), toRange(unit));
  });

  test('showUnitDetails without arguments acts on the unit at the cursor', async () => {
    const editor = await showFixture('prompts/writer.prompty');
    const unit = expectedUnits(editor.document)[1];
    const inside = new vscode.Position(unit.range.start.line, unit.range.start.character + 2);
    editor.selection = new vscode.Selection(inside, inside);
    assert.equal(await vscode.commands.executeCommand<string>(SHOW_UNIT_DETAILS), unit.id);
  });

  test('showUnits accepts the unit at the cursor and selects it', async () => {
    const editor = await showFixture('prompts/planner.prompt.md');
    const unit = expectedUnits(editor.document)[2];
    const inside = new vscode.Position(unit.range.start.line, unit.range.start.character + 1);
    editor.selection = new vscode.Selection(inside, inside);

    const picked = vscode.commands.executeCommand<string | undefined>(SHOW_UNITS);
    let settled = false;
    void picked.then(() => (settled = true));
    // The quick pick opens asynchronously; accepting before it is shown does nothing, so repeat.
    await waitFor('the quick pick to accept the unit at the cursor', async () => {
      if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return settled ? true : undefined;
    });
    assert.equal(await picked, unit.id);
    assert.deepEqual(selectionOf(vscode.window.activeTextEditor!), toRange(unit));
  });

  test('showUnits previews the highlighted unit and restores the selection on escape', async () => {
    const editor = await showFixture('prompts/planner.prompt.md');
    const units = expectedUnits(editor.document);
    const start = new vscode.Position(units[0].range.start.line, units[0].range.start.character + 1);
    editor.selection = new vscode.Selection(start, start);

    const picked = vscode.commands.executeCommand<string | undefined>(SHOW_UNITS);
    // Moving down from the first unit previews the second one in the editor.
    await waitFor('the preview of the next unit', async () => {
      await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      const preview = await waitFor('a selection change', () => (editor.selection.isEqual(new vscode.Selection(start, start)) ? undefined : true), 1000).catch(() => undefined);
      return preview;
    });
    assert.deepEqual(selectionOf(editor), toRange(units[1]));

    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await picked, undefined);
    assert.ok(editor.selection.isEqual(new vscode.Selection(start, start)), 'escape should restore the original selection');
  });

  test('showUnits on a file that is not a prompt file explains what to do instead of failing', async () => {
    await showFixture('docs/notes.md');
    assert.equal(await vscode.commands.executeCommand(SHOW_UNITS), undefined);
  });
});
