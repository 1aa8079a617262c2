import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { UnitCodeLensProvider } from '../../src/extension/codeLensProvider';
import { PromptDocumentIndex } from '../../src/extension/documentIndex';
import { activateExtension, expectedUnits, setWorkspaceSetting, showFixture, waitFor } from './support/fixtures';

/**
 * When the CodeLens provider tells VS Code to ask again. After an edit the editor asks by itself,
 * and an event from us would only restart its wait; after a settings change nothing else would
 * make it ask, so there the event is needed.
 */
suite('CodeLens refresh events', () => {
  suiteSetup(activateExtension);

  test('an edit fires no lens event yet the next lenses follow it; a settings change fires one', async () => {
    const log = vscode.window.createOutputChannel('TRUCE CodeLens refresh test', { log: true });
    const index = new PromptDocumentIndex(log);
    const provider = new UnitCodeLensProvider(index);
    const causes: string[] = [];
    let lensEvents = 0;
    const subscriptions = [index.onDidChange(({ cause }) => causes.push(cause)), provider.onDidChangeCodeLenses(() => lensEvents++)];
    const editor = await showFixture('prompts/planner.prompt.md');
    const document = editor.document;
    const original = document.getText();
    try {
      const before = provider.provideCodeLenses(document);
      assert.equal(before.length, expectedUnits(document).length);

      const edit = new vscode.WorkspaceEdit();
      edit.insert(document.uri, new vscode.Position(before[0].range.start.line + 1, 0), '- Name the deadline of every step.\n');
      assert.ok(await vscode.workspace.applyEdit(edit), 'the WorkspaceEdit was rejected');
      // The index hears of the edit while the change event is delivered, before applyEdit settles.
      assert.deepEqual(causes, ['edit'], 'the index should report the edit');
      assert.equal(lensEvents, 0, 'an edit must not fire onDidChangeCodeLenses');
      assert.equal(provider.provideCodeLenses(document).length, before.length + 1, 'the lenses asked for after the edit include the new bullet');

      const exclude = vscode.workspace.getConfiguration('truce.promptFiles').inspect<string[]>('exclude')?.defaultValue ?? [];
      try {
        await setWorkspaceSetting('truce.promptFiles.exclude', [...exclude, '**/planner.prompt.md']);
        await waitFor('the settings change to reach the index', () => (causes.includes('settings') ? true : undefined));
        assert.ok(lensEvents > 0, 'a settings change must fire onDidChangeCodeLenses');
        assert.deepEqual(provider.provideCodeLenses(document), [], 'an excluded file has no lenses');
      } finally {
        await setWorkspaceSetting('truce.promptFiles.exclude', undefined);
      }
    } finally {
      for (const subscription of subscriptions) subscription.dispose();
      index.dispose();
      log.dispose();
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('undo');
      await waitFor('the undo to restore the text', () => (document.getText() === original ? true : undefined));
    }
  });
});
