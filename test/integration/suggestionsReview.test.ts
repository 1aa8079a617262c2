import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { readDecisions } from '../../src/core/editor/decisions';
import { readLedger } from '../../src/core/optimize/ledger';
import { activateExtension, expectedUnits, openFixture, waitFor } from './support/fixtures';
import { NEW_RULE, writeSuggestionsRun, type PlannerUnits } from './suggestionsRunFixture.mjs';

const RUN_ID = '20991231-235959-f6f6';
const PLANNER = 'prompts/planner.prompt.md';

interface ReviewPosition {
  suggestionId: string;
  index: number;
  total: number;
}

function root(): string {
  return vscode.workspace.workspaceFolders![0]!.uri.fsPath;
}

suite('Inline review of suggestions', () => {
  let document: vscode.TextDocument;
  let original: string;

  suiteSetup(async () => {
    await activateExtension();
    document = await openFixture(PLANNER);
    original = document.getText();
    const units = expectedUnits(document);
    const find = (start: string) => units.find((u) => u.text.startsWith(start))!;
    const planner: PlannerUnits = { restate: find('Restate the goal'), split: find('Split the work'), locked: find('Never invent sources'), ask: find('Ask the user') };
    await writeSuggestionsRun(root(), planner, RUN_ID, 'rev');
    assert.equal(await vscode.commands.executeCommand('truce.selectRun', RUN_ID), RUN_ID);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('truce.review.stop');
    await vscode.commands.executeCommand('truce.selectRun', 'latest');
  });

  test('walks the applicable suggestions in file order; showing one never touches the buffer', async () => {
    const first = await vscode.commands.executeCommand<ReviewPosition>('truce.reviewSuggestions', document.uri);
    // Stale and locked suggestions are not reviewed; on one rule the better supported comes first.
    assert.deepEqual(first, { suggestionId: 'rev-restate', index: 0, total: 3 });
    assert.equal(document.getText(), original);
    assert.equal(document.isDirty, false);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100);
    const review = lenses.filter((l) => l.command?.command.startsWith('truce.review.'));
    assert.deepEqual(review.map((l) => l.command!.command), ['truce.review.accept', 'truce.review.reject', 'truce.review.next', 'truce.review.stop']);
    assert.match(review[2]!.command!.title, /Next \(1\/3\)/);
    assert.deepEqual(await vscode.commands.executeCommand('truce.review.next'), { suggestionId: 'rev-drop-restate', index: 1, total: 3 });
  });

  test('reject records the decision for this text and moves on; the suggestion is not proposed again', async () => {
    const after = await vscode.commands.executeCommand<ReviewPosition>('truce.review.reject');
    // rev-restate was skipped with Next, so the unseen ADD comes before it.
    assert.deepEqual(after, { suggestionId: 'rev-add', index: 1, total: 2 });
    const decisions = await readDecisions(root());
    assert.deepEqual(decisions.filter((d) => d.suggestionId.startsWith('rev-')).map((d) => [d.suggestionId, d.decision, d.runId]), [['rev-drop-restate', 'rejected', RUN_ID]]);
    await vscode.commands.executeCommand('truce.selectRun', RUN_ID);
    const codes = vscode.languages.getDiagnostics(document.uri).map((d) => d.code);
    assert.ok(codes.includes('rev-restate') && !codes.includes('rev-drop-restate'), `diagnostics after reject: ${codes.join(', ')}`);
    assert.equal(document.getText(), original, 'rejecting changes nothing in the file');
  });

  test('accept applies the suggestion as one edit with a ledger entry, then shows what is left', async () => {
    const after = await vscode.commands.executeCommand<ReviewPosition>('truce.review.accept');
    assert.deepEqual(after, { suggestionId: 'rev-restate', index: 0, total: 1 });
    assert.ok(document.getText().includes(`- ${NEW_RULE}`));
    const entry = (await readLedger(root())).find((e) => e.suggestionId === 'rev-add');
    assert.ok(entry, 'the accepted suggestion is in the ledger');
    assert.equal(await vscode.commands.executeCommand('truce.review.stop'), undefined);
    // Put the file back through the ledger, which also proves the entry is a complete one.
    assert.ok(await vscode.commands.executeCommand<string>('truce.revertEdit', entry.editId));
    assert.equal(await readFile(join(root(), PLANNER), 'utf8'), original);
    await waitFor('buffer reloaded', () => (document.getText() === original ? true : undefined));
  });
});
