import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import { parse, stringify } from 'yaml';
import { activateExtension, EXTENSION_ID, fixtureUri } from './support/fixtures';

interface RunResult {
  runId: string;
  status: string;
  summary: { tasks: { finished: number; failed: number }; scores: { all: { meanScore: number | null } }; usage: { total: { calls: number } } };
}

/** The debate example is copied under this folder of the fixture workspace; truce.configPath points at it. */
const DIR = 'demo-debate';
const FILES = ['truce.yaml', 'agents.yaml', 'tasks.jsonl', 'demo-world.yaml', 'prompts/proposer.md', 'prompts/judge.prompty'];

async function readText(relative: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(fixtureUri(relative)));
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

suite('TRUCE: demo mode (the debate example with no endpoint)', () => {
  const settings = () => vscode.workspace.getConfiguration('truce');
  const previousBaseUrl = process.env.TRUCE_BASE_URL;
  const runIds: string[] = [];

  suiteSetup(async () => {
    await activateExtension();
    delete process.env.TRUCE_BASE_URL;
    const example = vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'examples', 'debate-mas');
    for (const file of FILES) {
      await vscode.workspace.fs.copy(vscode.Uri.joinPath(example, ...file.split('/')), fixtureUri(`${DIR}/${file}`), { overwrite: true });
    }
    // The example's config as shipped, with its paths moved under DIR and its executor on a port
    // where nothing answers: the demo world must take over by itself.
    const config = parse(await readText(`${DIR}/truce.yaml`)) as Record<string, any>;
    for (const agent of config.agents) agent.prompt = `${DIR}/${agent.prompt}`;
    config.tasks.file = `${DIR}/${config.tasks.file}`;
    config.demo.world = `${DIR}/${config.demo.world}`;
    assert.equal(config.demo.when, 'no-endpoint', 'the example falls back to the demo world only without an endpoint');
    config.llm.executor.baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    await vscode.workspace.fs.writeFile(fixtureUri(`${DIR}/truce.yaml`), new TextEncoder().encode(stringify(config)));
    await settings().update('configPath', `${DIR}/truce.yaml`, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    if (previousBaseUrl !== undefined) process.env.TRUCE_BASE_URL = previousBaseUrl;
    await settings().update('configPath', undefined, vscode.ConfigurationTarget.Workspace);
    for (const id of runIds) await vscode.workspace.fs.delete(fixtureUri(`.truce/runs/${id}`), { recursive: true }).then(undefined, () => undefined);
    await vscode.workspace.fs.delete(fixtureUri(DIR), { recursive: true }).then(undefined, () => undefined);
    await vscode.commands.executeCommand('truce.selectRun', 'latest');
  });

  test('runs → credit → suggestions → apply → a better run → revert, with no endpoint, labelled as the demo world', async function () {
    // Two runs of 20 tasks, credit and suggestions, all in-process: the whole loop, which takes
    // 15–18 s on a machine loaded thirty-fold.
    this.timeout(180_000);
    const first = await vscode.commands.executeCommand<RunResult>('truce.runMas', {});
    assert.ok(first, 'the run returned no result: see the TRUCE log');
    runIds.push(first.runId);
    assert.equal(first.status, 'completed');
    assert.deepEqual([first.summary.tasks.finished, first.summary.tasks.failed], [20, 0]);
    // 20 tasks × (2 roles × 2 rounds + 2 aggregations + 1 decision) + the probe, all in-process.
    assert.equal(first.summary.usage.total.calls, 141);
    const manifest = JSON.parse(await readText(`.truce/runs/${first.runId}/manifest.json`));
    assert.equal(manifest.endpoints.executor.model, 'demo-world');
    assert.match(manifest.endpoints.executor.baseUrl, /truce-demo\.localhost/);
    const before = first.summary.scores.all.meanScore ?? 1;
    assert.ok(before < 0.5, `the example's prompts miss rules the demo world's questions need (mean ${before})`);

    await vscode.commands.executeCommand('truce.selectRun', first.runId);
    const report = await vscode.commands.executeCommand<vscode.TextDocument>('truce.showRunReport');
    assert.ok(report, 'no report');
    assert.match(report.getText(), /Demo run: demo world, not an LLM\./);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const signals = await vscode.commands.executeCommand<number>('truce.computeCredit');
    assert.ok(signals && signals > 0, 'credit wrote no signal');
    const retained = await vscode.commands.executeCommand<number>('truce.suggestEdits');
    assert.equal(retained, 3, 'the demo world asks for two missing rules and one harmful rule to go');
    const suggestions = JSON.parse(await readText(`.truce/runs/${first.runId}/suggestions.json`)) as Array<{ id: string; edit: { op: string; agentId?: string; newText?: string } }>;
    const add = suggestions.find((s) => s.edit.op === 'ADD' && s.edit.agentId === 'proposer');
    assert.ok(add?.edit.newText, `no ADD for the proposer among ${JSON.stringify(suggestions.map((s) => s.edit))}`);

    const proposer = fixtureUri(`${DIR}/prompts/proposer.md`);
    const original = await readText(`${DIR}/prompts/proposer.md`);
    const applied = await vscode.commands.executeCommand<string[] | string>('truce.applySuggestion', proposer, add.id);
    const editId = Array.isArray(applied) ? applied[0] : applied;
    assert.ok(editId, 'the suggestion was not applied');
    const document = await vscode.workspace.openTextDocument(proposer);
    if (document.isDirty) await document.save();
    assert.ok((await readText(`${DIR}/prompts/proposer.md`)).includes(add.edit.newText), 'the new rule is not in the file');

    const second = await vscode.commands.executeCommand<RunResult>('truce.runMas', {});
    assert.ok(second, 'the second run returned no result');
    runIds.push(second.runId);
    assert.ok((second.summary.scores.all.meanScore ?? 0) > before, `the rule did not help: ${before} → ${second.summary.scores.all.meanScore}`);

    const reverted = await vscode.commands.executeCommand<string>('truce.revertEdit', editId);
    assert.ok(reverted, 'the edit was not reverted');
    assert.equal(await readText(`${DIR}/prompts/proposer.md`), original, 'revert restores the exact bytes');
  });
});
