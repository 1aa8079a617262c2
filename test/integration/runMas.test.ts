import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { start, type FakeOpenAiServer } from '../support/fakeOpenAiServer';
import { activateExtension, fixtureUri } from './support/fixtures';

interface RunResult {
  runId: string;
  status: string;
  summary: { tasks: { finished: number; failed: number }; usage: { total: { calls: number } } };
}

async function readText(relative: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(fixtureUri(relative)));
}

suite('TRUCE: Run MAS', () => {
  let server: FakeOpenAiServer;
  const previousBaseUrl = process.env.TRUCE_BASE_URL;

  suiteSetup(async () => {
    await activateExtension();
    // Every agent answers B; the choice evaluator scores that against each task's reference.
    server = await start({ responder: () => ({ content: 'I considered the options.\nAnswer: B' }) });
    // The extension host shares this process's environment: the run goes to the fake server.
    process.env.TRUCE_BASE_URL = server.url;
  });

  suiteTeardown(async () => {
    if (previousBaseUrl === undefined) delete process.env.TRUCE_BASE_URL;
    else process.env.TRUCE_BASE_URL = previousBaseUrl;
    await server?.close();
  });

  test('runs the configured rounds MAS on two tasks and writes a complete run without the API key', async () => {
    assert.equal(await vscode.commands.executeCommand('truce.setApiKey', 'executor', 'sk-canary-run-4242'), 'stored');
    const result = await vscode.commands.executeCommand<RunResult>('truce.runMas', { limit: 2, confirmed: true });
    assert.ok(result, 'the command returned no result: see the TRUCE log');
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.summary.tasks, { ...result.summary.tasks, finished: 2, failed: 0 });
    // 2 roles × 2 rounds + 2 aggregators + 1 decision per task, plus the reachability probe.
    assert.equal(result.summary.usage.total.calls, 2 * 7 + 1);
    const lines = (await readText(`.truce/runs/${result.runId}/trajectories.jsonl`)).trim().split('\n');
    assert.equal(lines.length, 2);
    const trajectory = JSON.parse(lines[0]);
    assert.deepEqual(
      trajectory.steps.map((s: { id: string }) => s.id),
      ['r1.planner', 'r1.researcher', 'r1.agg', 'r2.planner', 'r2.researcher', 'r2.agg', 'final'],
    );
    assert.ok(trajectory.outcome && typeof trajectory.outcome.score === 'number');
    for (const file of ['manifest.json', 'trajectories.jsonl', 'llm-calls.jsonl', 'journal.jsonl']) {
      assert.doesNotMatch(await readText(`.truce/runs/${result.runId}/${file}`), /sk-canary-run-4242/, `${file} holds the key`);
    }
    await vscode.commands.executeCommand('truce.setApiKey', 'executor', '');
  });

  test('refuses to start on a config with errors and says so', async () => {
    const uri = fixtureUri('truce.yaml');
    const original = await readText('truce.yaml');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(original.replace('rounds: 2', 'rounds: two')));
    try {
      assert.equal(await vscode.commands.executeCommand('truce.runMas', { limit: 1, confirmed: true }), undefined);
    } finally {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(original));
    }
  });
});
