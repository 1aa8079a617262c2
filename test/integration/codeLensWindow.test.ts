import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { generatePrompt } from '../../bench/generatePrompt';
import { LENS_WINDOW_POLICY } from '../../src/core/editor/lensWindow';
import { UnitCodeLensProvider } from '../../src/extension/codeLensProvider';
import { CodeLensWindowTracker } from '../../src/extension/codeLensWindowTracker';
import { PromptDocumentIndex } from '../../src/extension/documentIndex';
import { activateExtension, expectedUnits, fixtureUri, openFixture, waitFor } from './support/fixtures';

/**
 * A long prompt file gets lenses only near what its editors show (core/editor/lensWindow), and
 * scrolling far away brings the lenses there. Waits for each state: the editor reports its
 * visible ranges to the extension host a moment after it moves.
 */
/** Each lens query on a 1,000-unit file is a round trip through the workbench: slow under load. */
const WAIT_MS = 30_000;

suite('CodeLens window on long prompt files', () => {
  suiteSetup(activateExtension);

  // About 1,000 units: twice the policy's threshold, several windows long.
  const longText = generatePrompt(80_000);
  const written: vscode.Uri[] = [];

  async function longFile(name: string): Promise<vscode.TextDocument> {
    const uri = fixtureUri(`prompts/${name}.prompt.md`);
    await fs.writeFile(uri.fsPath, longText);
    written.push(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    assert.ok(expectedUnits(document).length > 2 * LENS_WINDOW_POLICY.minUnits, 'the generated file is too short to be windowed');
    return document;
  }

  /** Start lines of the units inside what the editor shows now. */
  function visibleUnitLines(editor: vscode.TextEditor): number[] {
    const visible = editor.visibleRanges;
    return expectedUnits(editor.document)
      .map((unit) => unit.range.start.line)
      .filter((line) => visible.some((range) => range.start.line <= line && line <= range.end.line));
  }

  async function lensLines(uri: vscode.Uri): Promise<Set<number>> {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    return new Set(lenses.map((lens) => lens.range.start.line));
  }

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const uri of written.splice(0)) await fs.rm(uri.fsPath, { force: true });
  });

  test('the extension hands over the lenses near the visible lines, and those of a far line once it is revealed', async () => {
    const document = await longFile('window-long');
    const units = expectedUnits(document);
    const lastLine = units[units.length - 1].range.start.line;
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);

    const nearTop = await waitFor('the lenses near the top, without those at the end', async () => {
      const lines = await lensLines(document.uri);
      const shown = visibleUnitLines(editor);
      return shown.length > 0 && shown.every((line) => lines.has(line)) && !lines.has(lastLine) ? lines : undefined;
    }, WAIT_MS);
    assert.ok(nearTop.size < units.length, `${nearTop.size} lenses for ${units.length} units: the window should hold fewer`);

    editor.revealRange(new vscode.Range(lastLine, 0, lastLine, 0), vscode.TextEditorRevealType.AtTop);
    const nearEnd = await waitFor('the lenses near the revealed last unit', async () => {
      const lines = await lensLines(document.uri);
      const shown = visibleUnitLines(editor);
      return shown.includes(lastLine) && shown.every((line) => lines.has(line)) ? lines : undefined;
    }, WAIT_MS);
    assert.ok(!nearEnd.has(units[0].range.start.line), 'the lenses at the top should have left the window');
  });

  test('the provider asks VS Code again when an editor scrolls away, and windows only shown long files', async () => {
    const log = vscode.window.createOutputChannel('TRUCE CodeLens window test', { log: true });
    const index = new PromptDocumentIndex(log);
    const tracker = new CodeLensWindowTracker();
    const provider = new UnitCodeLensProvider(index, undefined, tracker);
    let lensEvents = 0;
    const subscription = provider.onDidChangeCodeLenses(() => lensEvents++);
    try {
      const hidden = await longFile('window-hidden');
      assert.equal(provider.provideCodeLenses(hidden).length, expectedUnits(hidden).length, 'a file in no editor gets every lens');

      const small = await openFixture('prompts/planner.prompt.md');
      await vscode.window.showTextDocument(small, { preview: false });
      assert.equal(provider.provideCodeLenses(small).length, expectedUnits(small).length, 'a short file gets every lens');

      const document = await longFile('window-events');
      const units = expectedUnits(document);
      const lastLine = units[units.length - 1].range.start.line;
      const editor = await vscode.window.showTextDocument(document, { preview: false });
      await waitFor('the editor to show the top of the file', () => (editor.visibleRanges.some((range) => range.start.line === 0) ? true : undefined), WAIT_MS);
      const before = provider.provideCodeLenses(document).map((lens) => lens.range.start.line);
      assert.ok(before.length < units.length && !before.includes(lastLine), `${before.length} lenses for ${units.length} units: the window should end before the last unit`);

      lensEvents = 0;
      editor.revealRange(new vscode.Range(lastLine, 0, lastLine, 0), vscode.TextEditorRevealType.AtTop);
      await waitFor('a lens event after scrolling to the end', () => (lensEvents > 0 ? true : undefined), WAIT_MS);
      const after = provider.provideCodeLenses(document).map((lens) => lens.range.start.line);
      assert.ok(after.includes(lastLine), 'the lenses asked for after the event include the last unit');
    } finally {
      subscription.dispose();
      tracker.dispose();
      index.dispose();
      log.dispose();
    }
  });
});
