import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { start, type FakeOpenAiServer } from '../support/fakeOpenAiServer';
import { activateExtension, fixtureUri } from './support/fixtures';

suite('TRUCE: Compute Credit from the editor', () => {
  let server: FakeOpenAiServer;
  const previousBaseUrl = process.env.TRUCE_BASE_URL;

  suiteSetup(async () => {
    await activateExtension();
    server = await start({ responder: () => ({ content: 'Answer: B' }) });
    process.env.TRUCE_BASE_URL = server.url;
  });

  suiteTeardown(async () => {
    if (previousBaseUrl === undefined) delete process.env.TRUCE_BASE_URL;
    else process.env.TRUCE_BASE_URL = previousBaseUrl;
    await server?.close();
    await vscode.commands.executeCommand('truce.selectRun', 'latest');
  });

  test('credits the selected MAS run through the core and writes its credit files', async () => {
    const run = await vscode.commands.executeCommand<{ runId: string }>('truce.runMas', { limit: 2, confirmed: true });
    assert.ok(run, 'the MAS run failed: see the TRUCE log');
    assert.equal(await vscode.commands.executeCommand('truce.selectRun', run.runId), run.runId);
    // Suggest Edits before any credit: refused with a hint, nothing sent (the shared prelude's last check).
    const early = server.requests.length;
    assert.equal(await vscode.commands.executeCommand('truce.suggestEdits'), undefined);
    assert.equal(server.requests.length, early, 'Suggest Edits called an endpoint for a run without credit');
    const before = server.requests.length;
    const signals = await vscode.commands.executeCommand<number>('truce.computeCredit');
    assert.equal(typeof signals, 'number', 'the command returned no signal count: see the TRUCE log');
    assert.ok(server.requests.length > before, 'credit called the optimizer endpoint');
    const stat = await vscode.workspace.fs.stat(fixtureUri(`.truce/runs/${run.runId}/credit.jsonl`));
    assert.equal(stat.type, vscode.FileType.File);
    // With credit stored, the same command runs its step (this server's prose replies yield no edit).
    const retained = await vscode.commands.executeCommand<number>('truce.suggestEdits');
    assert.equal(typeof retained, 'number', 'Suggest Edits returned no count: see the TRUCE log');
  });
});
