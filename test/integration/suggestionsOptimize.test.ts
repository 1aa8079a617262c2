import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { start, type FakeOpenAiServer } from '../support/fakeOpenAiServer';
import { activateExtension } from './support/fixtures';

interface OptimizeResult {
  runId: string;
  status: string;
  rounds: unknown[];
  usage: { total: { calls: number } };
}

suite('TRUCE: Optimize from the editor', () => {
  let server: FakeOpenAiServer;
  const previousBaseUrl = process.env.TRUCE_BASE_URL;

  suiteSetup(async () => {
    await activateExtension();
    // Agents answer B; the optimizer's requests get the same text, which is not the JSON it asks
    // for, so no edit is proposed: the run still goes through every stage and is stored.
    server = await start({ responder: () => ({ content: 'Answer: B' }) });
    process.env.TRUCE_BASE_URL = server.url;
  });

  suiteTeardown(async () => {
    if (previousBaseUrl === undefined) delete process.env.TRUCE_BASE_URL;
    else process.env.TRUCE_BASE_URL = previousBaseUrl;
    await server?.close();
    await vscode.commands.executeCommand('truce.selectRun', 'latest');
  });

  test('runs one round with the core loop, stores an optimize run and selects it', async () => {
    const result = await vscode.commands.executeCommand<OptimizeResult>('truce.optimize', { method: 'truce', rounds: 1, confirmed: true });
    assert.ok(result, 'the command returned no result: see the TRUCE log');
    assert.equal(result.rounds.length, 1);
    assert.ok(result.usage.total.calls > 0);
    // The editor now shows the optimize run: Select Run with no change keeps it.
    const runs = await vscode.commands.executeCommand<string>('truce.selectRun', result.runId);
    assert.equal(runs, result.runId, 'the optimize run is listed and selectable');
  });
});
